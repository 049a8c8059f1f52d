/**
 * The failover lab (`npm run lab`) on real renders: the committed dist/ and every valid fixture (each has at
 * least one balancer), rendered to temp dirs; then hand-planted faults in copies of dist/, which must make it
 * fail and name the scenario; then Ctrl-C/SIGTERM, which must leave no namespace behind.
 * Needs root, `ip netns`, keepalived, haproxy, curl and openssl; otherwise every lab test is SKIPPED with the
 * reason. The topology reader is tested without root.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDescription } from '../../lib/model/load';
import { renderCluster } from '../../lib/render';
import { labPrerequisites } from '../../scripts/lab';
import { listNamespaces } from '../../scripts/lab/netns';
import { readTopology } from '../../scripts/lab/topology';

const ROOT = resolve(__dirname, '../..');
const DIST = join(ROOT, 'dist');
const VALID = join(ROOT, 'test/fixtures/valid');
const work = mkdtempSync(join(tmpdir(), 'lab-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const why = labPrerequisites();
if (why) console.warn(`[lab skipped] ${why}`);

function renderTo(fixture: string): string {
  const dir = join(work, fixture.replace(/\.yaml$/, ''));
  for (const f of renderCluster(loadDescription(join(VALID, fixture))).files) {
    const path = join(dir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
    chmodSync(path, f.mode ?? 0o644);
  }
  return dir;
}

function copyOfDist(name: string): string {
  const dir = join(work, name);
  cpSync(DIST, dir, { recursive: true });
  return dir;
}

/** A copy of dist/ with `from` replaced by `to` in one file; fails when `from` is not there (the fault must really be planted). */
function planted(name: string, file: string, from: string, to: string): string {
  const dir = copyOfDist(name);
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
  return dir;
}

interface LabRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
  readonly prefix: string;
  readonly seconds: number;
}

/**
 * At most LAB_SLOTS labs at once: each is mostly waiting for keepalived and HAProxy timers, but the machines
 * have 2 cores and the scenarios have deadlines.
 */
const LAB_SLOTS = 2;
let busy = 0;
const queue: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (busy >= LAB_SLOTS) await new Promise<void>((r) => queue.push(r));
  busy++;
  try {
    return await fn();
  } finally {
    busy--;
    queue.shift()?.();
  }
}

/** Runs `npm run lab`'s script on `dir`; `onLine` may act on progress (e.g. send a signal). */
function lab(dir: string, onLine?: (line: string, child: ChildProcess) => void): Promise<LabRun> {
  return slot(() => labNow(dir, onLine));
}

/** What the lab reads from a rendered directory, as one string: equal inputs make equal lab runs. */
function labInputs(dir: string): string {
  const parts: string[] = [];
  for (const host of readdirSync(join(dir, 'hosts')).sort()) {
    for (const f of ['keepalived.conf', 'haproxy.cfg', 'check_apiserver.sh', 'kubeadm-init.yaml', 'kubeadm-join.yaml']) {
      const p = join(dir, 'hosts', host, f);
      if (existsSync(p)) parts.push(`${host}/${f}\n${readFileSync(p, 'utf8')}`);
    }
  }
  parts.push(readFileSync(join(dir, 'docs/architecture.md'), 'utf8'));
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

/** One lab run per distinct input (the reference fixture renders exactly the committed dist/'s host files). */
const runs = new Map<string, Promise<LabRun>>();
function labOnce(dir: string): Promise<LabRun> {
  const key = labInputs(dir);
  let run = runs.get(key);
  if (!run) runs.set(key, (run = lab(dir)));
  return run;
}

function labNow(dir: string, onLine?: (line: string, child: ChildProcess) => void): Promise<LabRun> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/lab.ts', '--dir', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      if (onLine) for (const l of text.split('\n')) if (l) onLine(l, child);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGTERM'), 420_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const prefix = /lab: namespaces (\S+)\*/.exec(output)?.[1] ?? '';
      done({ code, signal, output, prefix, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** `N name [status]` lines of the report. */
function statuses(output: string): Record<string, string> {
  return Object.fromEntries([...output.matchAll(/^ {2}\d+ (\S+) \[([^\]]+)\]/gm)].map((m) => [m[1], m[2]]));
}

const leftovers = (prefix: string) => listNamespaces().filter((ns) => prefix && ns.startsWith(prefix));

const ALL_HELD = {
  'vip-on-highest-priority': 'held',
  'vip-reaches-control-planes': 'held',
  'dead-control-plane-out-of-rotation': 'held',
  'haproxy-stops-vip-moves': 'held',
  'keepalived-stops-vip-moves': 'held',
  'recovery-preemption': 'held',
  'all-control-planes-down': 'held',
};

describe('lab topology from the rendered files', () => {
  it('reads balancers (by priority), control planes and the endpoint from dist/', () => {
    const t = readTopology(DIST);
    expect(t.balancers.map((b) => [b.name, b.priority, b.address, b.interface])).toEqual([
      ['n100-004', 150, '192.168.100.204', 'enp1s0'],
      ['nas-001', 100, '192.168.100.171', 'eth0'],
      ['nas-002', 90, '192.168.100.172', 'eth0'],
    ]);
    expect(t.controlPlanes.map((c) => `${c.name} ${c.address}:${c.port}`)).toEqual([
      'n100-001 192.168.100.201:6443',
      'n100-002 192.168.100.202:6443',
      'n100-003 192.168.100.203:6443',
    ]);
    expect([t.vip, t.port, t.prefixLength, t.endpointSource]).toEqual(['192.168.100.230', 6443, 24, 'kubeadm controlPlaneEndpoint']);
    expect(t.balancers[0].vips).toEqual(['192.168.100.230/24']);
    expect(t.balancers[0].checkScriptPaths).toEqual(['/etc/keepalived/check_apiserver.sh']);
    expect(t.balancers[0].includes).toEqual(['/etc/keepalived/vrrp-auth.conf']);
  });

  it('follows a hand edit (the lab tests the files, not the description)', () => {
    const dir = copyOfDist('topology-edit');
    const p = join(dir, 'hosts/nas-002/keepalived.conf');
    writeFileSync(p, readFileSync(p, 'utf8').replace(/^(\s+priority) 90$/m, '$1 200'));
    expect(readTopology(dir).balancers.map((b) => b.name)).toEqual(['nas-002', 'n100-004', 'nas-001']);
  });

  it('agrees with the docs about preemption: the docs say the MASTER takes the VIP back, no config has nopreempt', () => {
    const t = readTopology(DIST);
    expect(t.docsPreempt).toBe(true);
    expect(t.balancers.every((b) => b.preempt)).toBe(true);
  });
});

describe.concurrent('failover lab (real keepalived and HAProxy in network namespaces)', () => {
  const fixtures = readdirSync(VALID)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('holds every scenario on the committed dist/ within about a minute', async (ctx) => {
    ctx.skip(why !== '', why);
    const r = await labOnce(DIST);
    console.log(`[lab] dist/: ${r.seconds.toFixed(1)}s`);
    expect(statuses(r.output), r.output).toEqual(ALL_HELD);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('Lab substitutions');
    expect(r.output).toMatch(/include \/etc\/keepalived\/vrrp-auth\.conf -> /);
    expect(leftovers(r.prefix)).toEqual([]);
  }, 1_200_000);

  for (const fixture of fixtures) {
    it(`holds every scenario that applies on fixture ${fixture}`, async (ctx) => {
      ctx.skip(why !== '', why);
      const dir = renderTo(fixture);
      const t = readTopology(dir);
      const r = await labOnce(dir);
      console.log(`[lab] ${fixture}: ${r.seconds.toFixed(1)}s`);
      const s = statuses(r.output);
      expect(r.code, r.output).toBe(0);
      const multi = t.balancers.length > 1;
      expect(s, r.output).toEqual({
        ...ALL_HELD,
        'dead-control-plane-out-of-rotation': t.controlPlanes.length > 1 ? 'held' : 'not applicable',
        'haproxy-stops-vip-moves': multi ? 'held' : 'not applicable',
        'keepalived-stops-vip-moves': multi ? 'held' : 'not applicable',
        'recovery-preemption': multi ? 'held' : 'not applicable',
      });
      expect(leftovers(r.prefix)).toEqual([]);
    }, 1_200_000);
  }

  it("fails, naming the scenario, on a wrong backend port planted in one balancer's haproxy.cfg", async (ctx) => {
    ctx.skip(why !== '', why);
    const dir = planted('fault-backend-port', 'hosts/nas-002/haproxy.cfg', '192.168.100.202:6443 check', '192.168.100.202:6444 check');
    const r = await lab(dir);
    expect(r.code, r.output).toBe(1);
    expect(statuses(r.output)['vip-reaches-control-planes'], r.output).toBe('failed');
    expect(r.output).toMatch(/lab: FAILED 2 vip-reaches-control-planes/);
    expect(r.output).toMatch(/HAProxy on nas-002 .*expected every control plane/);
    expect(leftovers(r.prefix)).toEqual([]);
  }, 1_200_000);

  it("fails, naming the scenario, on a wrong VIP planted in the next balancer's keepalived.conf", async (ctx) => {
    ctx.skip(why !== '', why);
    const dir = planted('fault-vip', 'hosts/nas-001/keepalived.conf', '192.168.100.230/24 dev', '192.168.100.231/24 dev');
    const r = await lab(dir);
    expect(r.code, r.output).toBe(1);
    const s = statuses(r.output);
    expect(s['vip-on-highest-priority'], r.output).toBe('held');
    expect(s['haproxy-stops-vip-moves'], r.output).toBe('failed');
    expect(r.output).toMatch(/lab: FAILED 4 haproxy-stops-vip-moves/);
    // The VIP nas-001 should take over never appears there (keepalived complains about the mismatched advert).
    expect(r.output).toMatch(/VIP 192\.168\.100\.230 held by .*expected nas-001/);
    expect(leftovers(r.prefix)).toEqual([]);
  }, 1_200_000);

  it('fails on the deprecated /healthz check a render before the fix had (a draining API server stays in rotation)', async (ctx) => {
    ctx.skip(why !== '', why);
    const dir = copyOfDist('fault-healthz');
    for (const lb of ['n100-004', 'nas-001', 'nas-002']) {
      const p = join(dir, `hosts/${lb}/haproxy.cfg`);
      writeFileSync(p, readFileSync(p, 'utf8').replace('uri /readyz', 'uri /healthz'));
    }
    const r = await lab(dir);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/lab: FAILED 3 dead-control-plane-out-of-rotation/);
    expect(leftovers(r.prefix)).toEqual([]);
  }, 1_200_000);

  it("fails scenario 1, naming the balancer, when the highest-priority balancer's check never passes (the wait for checks to settle masks nothing)", async (ctx) => {
    ctx.skip(why !== '', why);
    const dir = planted('fault-check', 'hosts/n100-004/check_apiserver.sh', "'https://127.0.0.1:6443/readyz'", "'https://127.0.0.1:6443/lab/no-such-path'");
    const r = await lab(dir);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/lab: FAILED 1 vip-on-highest-priority/);
    expect(r.output).toMatch(/the check still fails on n100-004 \(effective priority 89 of 150\) although every API server is healthy/);
    expect(leftovers(r.prefix)).toEqual([]);
  }, 1_200_000);

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`tears everything down on ${signal}`, async (ctx) => {
      ctx.skip(why !== '', why);
      let sent = false;
      const r = await lab(DIST, (line, child) => {
        if (!sent && /scenario 1 vip-on-highest-priority: held/.test(line)) {
          sent = true;
          child.kill(signal);
        }
      });
      expect(sent, r.output).toBe(true);
      expect(r.code, r.output).toBe(code);
      expect(r.output).toContain(`${signal}: torn down`);
      expect(r.prefix).toMatch(/^hclab-\d+-[0-9a-f]+-$/);
      expect(leftovers(r.prefix)).toEqual([]);
    }, 1_200_000);
  }
});
