/**
 * The failover lab: the balancer and control-plane topology of a rendered directory in network namespaces,
 * the real keepalived and HAProxy on the rendered files, fake kube-apiservers, and the failover scenarios.
 *
 * Topology: one namespace per balancer, per control plane, a client, and one holding the bridge they all
 * hang off (so the root namespace keeps its links, addresses and routes untouched). Addresses are the
 * rendered ones, inside these namespaces only; no namespace has a default route.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as ipaddr from 'ipaddr.js';
import { addressesIn, cleanStaleLabs, processAlive, deleteNamespaces, execIn, ip, LAB_NS_PREFIX } from './netns';
import type { LabBalancer, LabControlPlane, LabTopology } from './topology';

export interface ScenarioResult {
  readonly id: number;
  readonly name: string;
  readonly status: 'held' | 'failed' | 'not applicable' | 'not run';
  readonly observed: string;
  readonly seconds: number;
}

export interface LabReport {
  readonly scenarios: readonly ScenarioResult[];
  readonly substitutions: readonly string[];
  readonly seconds: number;
  readonly ok: boolean;
}

export const SCENARIOS = [
  { id: 1, name: 'vip-on-highest-priority', title: 'the VIP is held by the highest-priority balancer' },
  {
    id: 2,
    name: 'vip-reaches-control-planes',
    title: 'a request to VIP:port reaches a healthy control plane; every control plane is reachable through HAProxy',
  },
  { id: 3, name: 'dead-control-plane-out-of-rotation', title: 'a dead control plane is taken out of rotation' },
  { id: 4, name: 'haproxy-stops-vip-moves', title: 'the API path on the VIP holder dies (HAProxy stops): the VIP moves to the next balancer' },
  { id: 5, name: 'keepalived-stops-vip-moves', title: "the VIP holder's keepalived stops: the VIP moves" },
  { id: 6, name: 'recovery-preemption', title: 'the original holder recovers: preemption as the docs say' },
  { id: 7, name: 'all-control-planes-down', title: 'all control planes down: the behaviour the docs promise' },
] as const;

class ScenarioFailure extends Error {}
class NotApplicable extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/**
 * Deadlines are what the rendered timings allow (check interval × fall, advert_int × 3, …) plus a margin, times
 * this factor: a loaded machine (CI, 2 shared cores) must not fail a scenario that holds. The measured times
 * are reported, so a slow failover still shows.
 */
export const DEADLINE_SLACK = 1.5;

/** Polls `probe` until it returns a value (not undefined) or the deadline passes; then `onTimeout` describes why. */
async function waitFor<T>(
  expectedS: number,
  probe: () => Promise<T | undefined>,
  onTimeout: () => Promise<string> | string,
  pollMs = 150,
): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  const deadlineS = Math.round(expectedS * DEADLINE_SLACK);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, ms: Date.now() - start };
    if (Date.now() - start > deadlineS * 1000) throw new ScenarioFailure(`after ${deadlineS}s: ${await onTimeout()}`);
    await sleep(pollMs);
  }
}

/** A process the lab started inside a namespace, with its output kept for event waits and failure reports. */
class Daemon {
  readonly output: string[] = [];
  private exited = false;
  private exitWaiters: (() => void)[] = [];
  constructor(
    readonly label: string,
    readonly proc: ChildProcess,
    logFile: string,
  ) {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      for (const line of text.split('\n')) if (line) this.output.push(`${Date.now()} ${line}`);
      try {
        writeFileSync(logFile, text, { flag: 'a' });
      } catch {
        // the work dir is gone at teardown
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', () => {
      this.exited = true;
      for (const w of this.exitWaiters) w();
    });
  }
  get running(): boolean {
    return !this.exited;
  }
  /** Lines logged at or after `since` (ms epoch) that match. */
  linesSince(since: number, re: RegExp): string[] {
    return this.output.filter((l) => Number(l.slice(0, l.indexOf(' '))) >= since && re.test(l)).map((l) => l.slice(l.indexOf(' ') + 1));
  }
  tail(n = 8): string {
    return this.output
      .slice(-n)
      .map((l) => `    ${this.label}: ${l.slice(l.indexOf(' ') + 1)}`)
      .join('\n');
  }
  /** SIGTERM to its process group, and wait until it is gone (SIGKILL after `graceMs`). */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.exited || this.proc.pid === undefined) return;
    const gone = new Promise<void>((r) => this.exitWaiters.push(r));
    try {
      process.kill(-this.proc.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        if (this.proc.pid !== undefined) process.kill(-this.proc.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, graceMs);
    await gone;
    clearTimeout(timer);
  }
}

/** A fake kube-apiserver, steered over its stdin. */
class FakeApi {
  private acks: { want: string; resolve: () => void }[] = [];
  constructor(
    readonly cp: LabControlPlane,
    readonly daemon: Daemon,
  ) {
    daemon.proc.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        const i = this.acks.findIndex((a) => a.want === line.trim());
        if (i >= 0) this.acks.splice(i, 1)[0].resolve();
      }
    });
  }
  ready(): Promise<void> {
    return this.expect(`listening ${this.cp.name} ${this.cp.address}:${this.cp.port}`);
  }
  private expect(want: string): Promise<void> {
    if (this.daemon.output.some((l) => l.endsWith(` ${want}`))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`fake API server ${this.cp.name}: no "${want}" within 15s\n${this.daemon.tail()}`)), 15_000);
      this.acks.push({ want, resolve: () => (clearTimeout(t), resolve()) });
    });
  }
  async set(state: 'healthy' | 'failing' | 'down' | 'up'): Promise<void> {
    const ack = this.expect(`state ${state}`);
    this.daemon.proc.stdin?.write(`${state}\n`);
    await ack;
  }
}

export interface LabOptions {
  /** Print progress lines. */
  readonly log?: (line: string) => void;
}

export class Lab {
  readonly prefix = `${LAB_NS_PREFIX}${process.pid}-${randomBytes(2).toString('hex')}-`;
  readonly work: string;
  readonly substitutions: string[] = [];
  private readonly namespaces: string[] = [];
  private readonly daemons: Daemon[] = [];
  private readonly balancerNs = new Map<string, string>();
  private readonly cpNs = new Map<string, string>();
  private clientNs = '';
  private clientAddress = '';
  private readonly haproxy = new Map<string, Daemon>();
  private readonly keepalived = new Map<string, Daemon>();
  private readonly fakes = new Map<string, FakeApi>();
  private readonly env: Record<string, string> = {};
  private torn = false;
  private readonly log: (line: string) => void;
  /** Bumped on every keepalived output line: the VIP only moves when keepalived says so. */
  private keepalivedEvents = 0;

  constructor(
    readonly top: LabTopology,
    options: LabOptions = {},
  ) {
    this.log = options.log ?? (() => undefined);
    this.work = mkdtempSync(join(tmpdir(), `hclab-${process.pid}-`));
    chmodSync(this.work, 0o755); // keepalived script security: no part of the script path writable by others
  }

  /** Tears everything down; idempotent and synchronous (exit and signal handlers call it). */
  teardown(): string[] {
    if (this.torn) return [];
    this.torn = true;
    for (const d of this.daemons) {
      if (d.running && d.proc.pid !== undefined) {
        try {
          process.kill(-d.proc.pid, 'SIGTERM');
        } catch {
          // gone
        }
      }
    }
    const problems = deleteNamespaces(this.namespaces);
    rmSync(this.work, { recursive: true, force: true });
    return problems;
  }

  private ns(suffix: string): string {
    const name = `${this.prefix}${suffix}`;
    ip('netns', 'add', name);
    this.namespaces.push(name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    return name;
  }

  /** The bridge namespace, and one veth per member: `v<i>` on the bridge, `inside` in the member's namespace. */
  private buildNetwork(): void {
    const stale = cleanStaleLabs();
    if (stale.length) this.log(`removed ${stale.length} namespace(s) of labs that are no longer running: ${stale.join(', ')}`);
    // Work dirs of labs killed outright (hclab-<pid>-*, pid gone).
    for (const entry of readdirSync(tmpdir())) {
      const m = /^hclab-(\d+)-/.exec(entry);
      if (m && !processAlive(Number(m[1]))) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
    }
    const br = this.ns('bridge');
    ip('-n', br, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', br, 'link', 'set', 'br0', 'up');
    let port = 0;
    const attach = (ns: string, inside: string, address: string) => {
      const v = `v${port++}`;
      ip('-n', br, 'link', 'add', v, 'type', 'veth', 'peer', 'name', inside, 'netns', ns);
      ip('-n', br, 'link', 'set', v, 'master', 'br0', 'up');
      ip('-n', ns, 'addr', 'add', `${address}/${this.top.prefixLength}`, 'dev', inside);
      ip('-n', ns, 'link', 'set', inside, 'up');
    };
    for (const b of this.top.balancers) {
      const ns = this.ns(`lb-${b.name}`);
      this.balancerNs.set(b.name, ns);
      // The link inside carries the rendered interface name, so keepalived.conf keeps its `interface` line.
      attach(ns, b.interface, b.address);
    }
    for (const cp of this.top.controlPlanes) {
      const ns = this.ns(`cp-${cp.name}`);
      this.cpNs.set(cp.name, ns);
      attach(ns, 'eth0', cp.address);
    }
    this.clientNs = this.ns('client');
    this.clientAddress = this.freeAddress();
    attach(this.clientNs, 'eth0', this.clientAddress);
    this.substitutions.push(
      ...this.top.balancers.map(
        (b) => `hosts/${b.name}/keepalived.conf: interface ${b.interface} kept (the lab names the balancer namespace's link ${b.interface})`,
      ),
    );
  }

  /** The highest address of the LAN that no balancer, control plane or the VIP uses. */
  private freeAddress(): string {
    const [net, len] = ipaddr.IPv4.parseCIDR(`${this.top.vip}/${this.top.prefixLength}`);
    const broadcast = ipaddr.IPv4.broadcastAddressFromCIDR(`${net.toString()}/${len}`).toByteArray();
    const used = new Set([this.top.vip, ...this.top.balancers.map((b) => b.address), ...this.top.controlPlanes.map((c) => c.address)]);
    let n = ((broadcast[0] << 24) | (broadcast[1] << 16) | (broadcast[2] << 8) | broadcast[3]) >>> 0;
    for (let i = 0; i < 1024; i++) {
      n -= 1;
      const a = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
      if (!used.has(a)) return a;
    }
    throw new Error('no free address for the lab client in the LAN');
  }

  private start(label: string, ns: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Daemon {
    // cwd: the repository, where `--import tsx` resolves for the fake API servers.
    const proc = spawn('ip', ['netns', 'exec', ns, command, ...args], {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env,
      cwd: join(__dirname, '..', '..'),
    });
    const d = new Daemon(label, proc, join(this.work, `${label}.log`));
    this.daemons.push(d);
    return d;
  }

  private makeCertificate(): { cert: string; key: string } {
    const cert = join(this.work, 'apiserver.crt');
    const key = join(this.work, 'apiserver.key');
    const sans = this.top.controlPlanes.map((c) => `IP:${c.address}`).concat(`IP:${this.top.vip}`, 'IP:127.0.0.1', 'DNS:kubernetes');
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=kube-apiserver',
        '-addext',
        `subjectAltName=${sans.join(',')}`,
      ],
      { encoding: 'utf8' },
    );
    if (r.error || r.status !== 0) throw new Error(`openssl could not make the lab certificate: ${r.error?.message ?? r.stderr.trim()}`);
    return { cert, key };
  }

  private async startFakes(): Promise<void> {
    const { cert, key } = this.makeCertificate();
    const script = join(__dirname, 'fake-apiserver.mjs');
    for (const cp of this.top.controlPlanes) {
      const d = this.start(`fake-${cp.name}`, this.cpNs.get(cp.name)!, process.execPath, [script, cp.name, cp.address, String(cp.port), cert, key]);
      this.fakes.set(cp.name, new FakeApi(cp, d));
    }
    await Promise.all([...this.fakes.values()].map((f) => f.ready()));
  }

  /** keepalived.conf with the lab substitutions, recorded; the check script copied next to it. */
  private prepareKeepalived(b: LabBalancer, auth: string): string {
    const dir = join(this.work, b.name);
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    let text = readFileSync(join(b.dir, 'keepalived.conf'), 'utf8');
    for (const p of b.checkScriptPaths) {
      const local = join(b.dir, basename(p));
      const copy = join(dir, basename(p));
      try {
        copyFileSync(local, copy);
      } catch {
        throw new Error(`hosts/${b.name}/keepalived.conf runs ${p}, but hosts/${b.name}/${basename(p)} is not in the render`);
      }
      chmodSync(copy, 0o755);
      text = text.replace(new RegExp(`^(\\s*script\\s+"?)${escapeRe(p)}`, 'gm'), `$1${copy}`);
      this.substitutions.push(`hosts/${b.name}/keepalived.conf: script ${p} -> ${copy} (a copy of hosts/${b.name}/${basename(p)}, unchanged)`);
    }
    for (const inc of b.includes) {
      text = text.replace(new RegExp(`^(\\s*include\\s+)${escapeRe(inc)}\\s*$`, 'gm'), `$1${auth}`);
      this.substitutions.push(`hosts/${b.name}/keepalived.conf: include ${inc} -> ${auth} (a lab VRRP authentication block, the same on every balancer)`);
    }
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, text, { mode: 0o644 });
    return conf;
  }

  private startHaproxy(b: LabBalancer): void {
    const d = this.start(`haproxy-${b.name}`, this.balancerNs.get(b.name)!, 'haproxy', ['-db', '-f', join(b.dir, 'haproxy.cfg')], {
      ...process.env,
      ...this.env,
    });
    this.haproxy.set(b.name, d);
  }

  private startKeepalived(b: LabBalancer): void {
    const dir = join(this.work, b.name);
    const d = this.start(`keepalived-${b.name}`, this.balancerNs.get(b.name)!, 'keepalived', [
      '-n',
      '-l',
      '-D',
      '-G',
      '-f',
      join(dir, 'keepalived.conf'),
      '-p',
      join(dir, 'keepalived.pid'),
      '-r',
      join(dir, 'vrrp.pid'),
      '-c',
      join(dir, 'checkers.pid'),
      '-b',
      join(dir, 'bfd.pid'),
    ]);
    d.proc.stderr?.on('data', () => this.keepalivedEvents++);
    d.proc.stdout?.on('data', () => this.keepalivedEvents++);
    this.keepalived.set(b.name, d);
  }

  /** Builds the lab and starts every daemon. */
  async up(): Promise<void> {
    this.buildNetwork();
    const auth = join(this.work, 'vrrp-auth.conf');
    writeFileSync(auth, `authentication {\n    auth_type PASS\n    auth_pass ${randomBytes(4).toString('hex')}\n}\n`, { mode: 0o600 });
    for (const b of this.top.balancers) this.prepareKeepalived(b, auth);
    const envNames = [...new Set(this.top.balancers.flatMap((b) => b.haproxyEnv))];
    for (const name of envNames) this.env[name] = `lab-${randomBytes(6).toString('hex')}`;
    for (const b of this.top.balancers)
      this.substitutions.push(
        `hosts/${b.name}/haproxy.cfg: none (run as rendered${envNames.length ? `; ${envNames.join(', ')} set to lab values in its environment` : ''})`,
      );
    await this.startFakes();
    for (const b of this.top.balancers) this.startHaproxy(b);
    await this.checksPassBeforeKeepalived();
    for (const b of this.top.balancers) this.startKeepalived(b);
    await sleep(300);
    for (const d of this.daemons) if (!d.running) throw new Error(`${d.label} exited at start:\n${d.tail(15)}`);
  }

  /**
   * Runs every balancer's check script (the copy keepalived will run) in its namespace until it passes, as on
   * a host where HAProxy is up before keepalived. Otherwise keepalived's first check can run before HAProxy
   * listens, a balancer starts at its failed priority, and scenario 1 would judge a start-up transient. A
   * check that never passes is not a lab error: keepalived starts anyway and the scenarios report it.
   */
  private async checksPassBeforeKeepalived(): Promise<void> {
    const deadline = Date.now() + (this.timing.hapUpS + 10) * 1000;
    const pending = new Set(this.top.balancers.map((b) => b.name));
    while (pending.size && Date.now() < deadline) {
      for (const b of this.top.balancers.filter((x) => pending.has(x.name))) {
        const scripts = b.checkScriptPaths.map((p) => join(this.work, b.name, basename(p)));
        const results = await Promise.all(scripts.map((s) => execIn(this.balancerNs.get(b.name)!, s, [], 10_000)));
        if (results.every((r) => r.code === 0)) pending.delete(b.name);
      }
      if (pending.size) await sleep(250);
    }
    if (pending.size) this.log(`the check did not pass on ${[...pending].join(', ')} before keepalived started`);
  }

  // ---- observations ----

  /**
   * A balancer's effective VRRP priority as its keepalived last logged it (`Changing effective priority from
   * X to Y`), or the configured priority when it logged no change: below it while a check fails.
   */
  private effectivePriority(b: LabBalancer): number {
    const last = this.keepalived
      .get(b.name)
      ?.linesSince(0, /Changing effective priority from \d+ to \d+/)
      .at(-1);
    return last ? Number(/to (\d+)/.exec(last)![1]) : b.priority;
  }

  /** Balancers whose running keepalived has a check failing (effective priority below the configured one). */
  private checksFailing(): LabBalancer[] {
    return this.top.balancers.filter((b) => this.keepalived.get(b.name)?.running && this.effectivePriority(b) < b.priority);
  }

  /** Number of priority changes every keepalived has logged so far: a change means a check failed or recovered. */
  private priorityChanges(): number {
    return [...this.keepalived.values()].reduce((n, d) => n + d.linesSince(0, /Changing effective priority/).length, 0);
  }

  /** Balancers whose namespace holds the VIP. */
  async holders(): Promise<string[]> {
    const held = await Promise.all(
      this.top.balancers.map(async (b) => ((await addressesIn(this.balancerNs.get(b.name)!)).includes(this.top.vip) ? b.name : undefined)),
    );
    return held.filter((h): h is string => h !== undefined);
  }

  /** `n` requests, each on a new connection, from `ns` to `url`; each result is the answering control plane or `!error`. */
  async requests(ns: string, host: string, n: number, path = '/lab/whoami'): Promise<string[]> {
    const url = `https://${host}:${this.top.port}${path}`;
    const script = 'i=0; while [ $i -lt "$1" ]; do if out=$(curl -sk --fail --max-time 5 "$2"); then echo "$out"; else echo "!error"; fi; i=$((i+1)); done';
    const r = await execIn(ns, 'sh', ['-c', script, 'sh', String(n), url], 60_000);
    return r.stdout.split('\n').filter(Boolean);
  }

  viaVip(n: number, path?: string): Promise<string[]> {
    return this.requests(this.clientNs, this.top.vip, n, path);
  }

  // ---- scenarios ----

  private holderText = async () => {
    const h = await this.holders();
    return h.length ? `VIP ${this.top.vip} held by ${h.join(' and ')}` : `VIP ${this.top.vip} held by no balancer`;
  };

  /**
   * Waits until exactly `name` holds the VIP. Looks at the namespaces when keepalived has logged something
   * since the last look (state changes are logged), and at least once a second.
   */
  private async waitHolder(name: string, deadlineS: number, why: string): Promise<number> {
    let seen = -1;
    let lastLook = 0;
    const { ms } = await waitFor(
      deadlineS,
      async () => {
        if (seen === this.keepalivedEvents && Date.now() - lastLook < 1_000) return undefined;
        seen = this.keepalivedEvents;
        lastLook = Date.now();
        const h = await this.holders();
        return h.length === 1 && h[0] === name ? true : undefined;
      },
      async () => `${await this.holderText()}, expected ${name} (${why})`,
      100,
    );
    return ms;
  }

  /** The VIP stays exactly on `name` for `seconds`. */
  private async staysOn(name: string, seconds: number): Promise<void> {
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      const h = await this.holders();
      if (h.length !== 1 || h[0] !== name) throw new ScenarioFailure(`${await this.holderText()} (expected it to stay on ${name})`);
      await sleep(400);
    }
  }

  private count(answers: readonly string[]): string {
    const c = new Map<string, number>();
    for (const a of answers) c.set(a, (c.get(a) ?? 0) + 1);
    return [...c.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}×${v}`)
      .join(', ');
  }

  private get b0(): LabBalancer {
    return this.top.balancers[0];
  }
  private get timing() {
    const b = this.b0;
    const checkFailS = b.checkInterval * b.checkFall + 3; // + the script's own timeout
    const checkRiseS = b.checkInterval * b.checkRise + 3;
    const vrrpS = 3 * b.advertInt + 1;
    const hapDownS = Math.max(...this.top.balancers.map((x) => x.haproxyInter * (x.haproxyFall + 1)));
    const hapUpS = Math.max(...this.top.balancers.map((x) => x.haproxyInter * (x.haproxyRise + 1)));
    return { checkFailS, checkRiseS, vrrpS, hapDownS, hapUpS };
  }

  /**
   * Every API server is healthy, so every check should pass: once they all do, the VIP must be on the
   * highest-priority balancer and stay there. A check that fails meanwhile (every API server healthy: a
   * loaded machine, a curl timeout) moves priorities; the scenario says so and observes again after it
   * recovers, within the deadline, so a check that keeps failing still fails the scenario.
   */
  async s1(): Promise<string> {
    const t = this.timing;
    const start = Date.now();
    const deadlineS = t.checkRiseS + t.vrrpS + 2 * this.b0.advertInt + 10;
    const flaps: string[] = [];
    for (;;) {
      const left = deadlineS - (Date.now() - start) / 1000;
      await waitFor(
        Math.max(1, left / DEADLINE_SLACK),
        async () => (this.checksFailing().length ? undefined : true),
        () =>
          `the check still fails on ${this.checksFailing()
            .map((b) => `${b.name} (effective priority ${this.effectivePriority(b)} of ${b.priority})`)
            .join(', ')} although every API server is healthy`,
      );
      const changes = this.priorityChanges();
      const ms = await this.waitHolder(
        this.b0.name,
        Math.max(1, (deadlineS - (Date.now() - start) / 1000) / DEADLINE_SLACK),
        `highest priority ${this.b0.priority}`,
      );
      try {
        await this.staysOn(this.b0.name, 2 * this.b0.advertInt);
      } catch (e) {
        const flapped = this.priorityChanges() !== changes;
        if (!flapped || (Date.now() - start) / 1000 > deadlineS * DEADLINE_SLACK) throw e;
        flaps.push(`${(e as Error).message} after a check failed although every API server was healthy`);
        continue;
      }
      const others = this.top.balancers.slice(1).map((b) => `${b.name} ${b.priority}`);
      const noted = flaps.length ? ` (observed again after: ${flaps.join('; ')})` : '';
      return `VIP ${this.top.vip} on ${this.b0.name} (priority ${this.b0.priority}) ${secs(Date.now() - start)} after start, ${secs(ms)} after every check passed${others.length ? `, not on ${others.join(', ')}` : ''}${noted}`;
    }
  }

  async s2(): Promise<string> {
    const n = 2 * this.top.controlPlanes.length + 2;
    const names = this.top.controlPlanes.map((c) => c.name);
    const covers = (a: readonly string[]) => a.every((x) => names.includes(x)) && names.every((x) => a.includes(x));
    let last: string[] = [];
    const { ms } = await waitFor(
      this.timing.hapUpS + 5,
      async () => {
        last = await this.viaVip(n);
        return covers(last) ? true : undefined;
      },
      () => `${n} requests via ${this.top.vip}:${this.top.port} answered ${this.count(last)}; expected every control plane (${names.join(', ')}) and no error`,
      300,
    );
    const viaVip = this.count(last);
    const ready = await this.viaVip(1, '/readyz');
    if (ready[0] !== 'ok') throw new ScenarioFailure(`GET /readyz via the VIP answered ${ready[0]}`);
    // Every balancer's HAProxy, from inside its namespace, as its check script sees it.
    const per: string[] = [];
    for (const b of this.top.balancers) {
      let a: string[] = [];
      await waitFor(
        this.timing.hapUpS + 5,
        async () => {
          a = await this.requests(this.balancerNs.get(b.name)!, '127.0.0.1', n);
          return covers(a) ? true : undefined;
        },
        () =>
          `${n} requests to HAProxy on ${b.name} (127.0.0.1:${this.top.port}) answered ${this.count(a)}; expected every control plane (${names.join(', ')})`,
        300,
      );
      per.push(b.name);
    }
    return `${n} requests via ${this.top.vip}:${this.top.port} (${secs(ms)}): ${viaVip}; GET /readyz via the VIP: 200; HAProxy on ${per.join(', ')} reaches every control plane${await this.statsCheck()}`;
  }

  /** The stats page answers on the holder's own LAN address (with the credentials) and not on the VIP. */
  private async statsCheck(): Promise<string> {
    const b = this.b0;
    if (!b.stats) return '';
    const [user, password] = b.stats.authEnv ? [this.env[b.stats.authEnv[0]], this.env[b.stats.authEnv[1]]] : [undefined, undefined];
    const get = async (host: string) => {
      const args = [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--max-time',
        '5',
        ...(user && password ? ['-u', `${user}:${password}`] : []),
        `http://${host}:${b.stats!.port}${b.stats!.uri}`,
      ];
      return (await execIn(this.clientNs, 'curl', args)).stdout.trim() || 'no answer';
    };
    const own = await get(b.address);
    const onVip = await get(this.top.vip);
    const wildcard = b.stats.address === '' || b.stats.address === '*' || b.stats.address === '0.0.0.0';
    if (own !== '200')
      throw new ScenarioFailure(
        `the stats page of ${b.name} (http://${b.address}:${b.stats.port}${b.stats.uri}, lab credentials) answered ${own === '000' ? 'nothing' : `HTTP ${own}`}`,
      );
    return `; stats page on ${b.address}:${b.stats.port}: HTTP ${own}, on the VIP: ${onVip === '000' ? 'no answer' : `HTTP ${onVip}`}${wildcard ? ' (bound to every address)' : ''}`;
  }

  async s3(): Promise<string> {
    if (this.top.controlPlanes.length < 2) throw new NotApplicable('one control plane: nothing left to rotate to (all-control-planes-down covers it)');
    const dead = this.top.controlPlanes[0];
    const fake = this.fakes.get(dead.name)!;
    const n = 2 * this.top.controlPlanes.length;
    let last: string[] = [];
    const ok = (a: readonly string[]) => a.length === n && !a.includes(dead.name) && !a.includes('!error');
    // Not ready first (/readyz 500 while /healthz stays 200, like a draining API server), then gone.
    await fake.set('failing');
    const { ms } = await waitFor(
      this.timing.hapDownS + 5,
      async () => {
        last = await this.viaVip(n);
        return ok(last) ? true : undefined;
      },
      () => `${dead.name} answers /readyz 500, yet ${n} requests via the VIP answered ${this.count(last)}`,
      300,
    );
    const failing = this.count(last);
    await fake.set('down');
    last = await this.viaVip(n);
    if (!ok(last)) throw new ScenarioFailure(`${dead.name} down: ${n} requests via the VIP answered ${this.count(last)}`);
    const down = this.count(last);
    await fake.set('up');
    return `${dead.name} /readyz 500: out of rotation within ${secs(ms)} (${failing}); ${dead.name} down: ${down}`;
  }

  /** The VIP moves from the holder to the next balancer when its HAProxy stops; then HAProxy is back. */
  async s4(): Promise<{ observed: string; recovery: () => Promise<string> }> {
    if (this.top.balancers.length < 2) throw new NotApplicable('one balancer: there is no other to take the VIP (a single point of failure, as the docs say)');
    const [h0, h1] = this.top.balancers;
    const t = this.timing;
    await this.haproxy.get(h0.name)!.stop();
    const ms = await this.waitHolder(h1.name, t.checkFailS + t.vrrpS + 2, `next priority ${h1.priority} after ${h0.name}'s check fails`);
    const answer = (await this.viaVip(1))[0];
    if (!this.top.controlPlanes.some((c) => c.name === answer))
      throw new ScenarioFailure(`VIP moved to ${h1.name}, but a request via the VIP answered ${answer}`);
    const observed = `HAProxy on ${h0.name} stopped; VIP ${this.top.vip} moved to ${h1.name} in ${secs(ms)}; a request via the VIP reached ${answer}`;
    this.startHaproxy(h0);
    const restarted = Date.now();
    const recovery = async () => {
      const expectBack = this.expectPreempt();
      if (expectBack) {
        await this.waitHolder(h0.name, t.checkRiseS + t.vrrpS + 5, `${h0.name}'s check passes again and it preempts`);
        return `after HAProxy on ${h0.name} restarted, the VIP went back to ${h0.name} in ${secs(Date.now() - restarted)}`;
      }
      await sleep((t.checkRiseS + t.vrrpS) * 1000);
      await this.staysOn(h1.name, 2);
      return `after HAProxy on ${h0.name} restarted, the VIP stayed on ${h1.name} (no preemption)`;
    };
    return { observed, recovery };
  }

  /** Whether the VIP returns to the highest priority: what the docs say, checked against the configs. */
  expectPreempt(): boolean {
    const config = this.b0.preempt;
    const docs = this.top.docsPreempt;
    if (docs !== undefined && docs !== config) {
      throw new ScenarioFailure(
        `docs/architecture.md says the highest-priority balancer ${docs ? 'takes the VIP back' : 'does not take the VIP back'}, but hosts/${this.b0.name}/keepalived.conf ${config ? 'preempts (no nopreempt)' : 'has nopreempt'}`,
      );
    }
    return config;
  }

  async s5(): Promise<{ observed: string; holder: string }> {
    if (this.top.balancers.length < 2) throw new NotApplicable('one balancer: there is no other to take the VIP');
    const holders = await this.holders();
    if (holders.length !== 1) throw new ScenarioFailure(`before the test: ${await this.holderText()}`);
    const x = holders[0];
    const next = this.top.balancers.find((b) => b.name !== x)!;
    await this.keepalived.get(x)!.stop();
    const ms = await this.waitHolder(next.name, this.timing.vrrpS + 3, `highest priority left after ${x}`);
    return { observed: `keepalived on ${x} stopped; VIP ${this.top.vip} moved to ${next.name} in ${secs(ms)}`, holder: x };
  }

  async s6(recoveryAfterHaproxy: string, stopped: string): Promise<string> {
    const b = this.top.balancers.find((x) => x.name === stopped)!;
    this.startKeepalived(b);
    const t = this.timing;
    const preempt = this.expectPreempt();
    let after: string;
    if (preempt) {
      const ms = await this.waitHolder(this.b0.name, t.vrrpS + t.checkRiseS + 3, `${this.b0.name} is back and preempts`);
      after = `after keepalived on ${stopped} restarted, the VIP went back to ${this.b0.name} in ${secs(ms)}`;
    } else {
      const h = await this.holders();
      await sleep(t.vrrpS * 1000);
      await this.staysOn(h[0], 2);
      after = `after keepalived on ${stopped} restarted, the VIP stayed on ${h[0]} (no preemption)`;
    }
    return `docs and config: ${preempt ? 'preempt' : 'no preemption'}; ${recoveryAfterHaproxy}; ${after}`;
  }

  async s7(): Promise<string> {
    const t = this.timing;
    // A check that failed in an earlier scenario (a control plane taken down can fail a check through HAProxy
    // before HAProxy marks it down) must have recovered first: keepalived logs a failure only on the change.
    await waitFor(
      t.checkRiseS + t.hapUpS + 5,
      async () => (this.checksFailing().length ? undefined : true),
      () =>
        `before the test: the check had not recovered on ${this.checksFailing()
          .map((b) => b.name)
          .join(', ')}`,
    );
    const before = await this.holders();
    if (before.length !== 1) throw new ScenarioFailure(`before the test: ${await this.holderText()}`);
    const master = before[0];
    const since = Date.now();
    for (const f of this.fakes.values()) await f.set('down');
    const failed = /VRRP_Script\([^)]*\) failed|Script `[^`]*` now returning [1-9]/;
    const { ms } = await waitFor(
      t.checkFailS + t.hapDownS + 5,
      async () => {
        const waiting = this.top.balancers.filter((b) => !this.keepalived.get(b.name)!.linesSince(since, failed).length);
        return waiting.length ? undefined : true;
      },
      () =>
        `the check did not fail on ${this.top.balancers
          .filter((b) => !this.keepalived.get(b.name)!.linesSince(since, failed).length)
          .map((b) => b.name)
          .join(', ')}`,
    );
    // The docs: every balancer loses the same weight, so the VIP stays where it is (no flapping).
    await this.staysOn(master, 3 * this.b0.advertInt + 1);
    const a = await this.viaVip(2);
    if (a.some((x) => x !== '!error')) throw new ScenarioFailure(`all control planes down, yet requests via the VIP answered ${this.count(a)}`);
    return `every balancer's check failed within ${secs(ms)}; the VIP stayed on ${master} (all lose the same weight, as the README says); requests via the VIP fail (${this.count(a)})`;
  }

  /** Runs every scenario in order; stops at the first that does not hold. */
  async run(): Promise<LabReport> {
    const started = Date.now();
    const results: ScenarioResult[] = [];
    const meta = (id: number) => SCENARIOS.find((s) => s.id === id)!;
    let failed = false;
    const record = async <T>(id: number, fn: () => Promise<T>, describe: (v: T) => string): Promise<T | undefined> => {
      const s = meta(id);
      if (failed) {
        results.push({ id, name: s.name, status: 'not run', observed: 'an earlier scenario failed', seconds: 0 });
        return undefined;
      }
      const t0 = Date.now();
      try {
        const v = await fn();
        results.push({ id, name: s.name, status: 'held', observed: describe(v), seconds: (Date.now() - t0) / 1000 });
        this.log(`scenario ${id} ${s.name}: held (${secs(Date.now() - t0)}) — ${describe(v)}`);
        return v;
      } catch (e) {
        const seconds = (Date.now() - t0) / 1000;
        if (e instanceof NotApplicable) {
          results.push({ id, name: s.name, status: 'not applicable', observed: e.message, seconds });
          this.log(`scenario ${id} ${s.name}: not applicable — ${e.message}`);
          return undefined;
        }
        failed = true;
        const msg = e instanceof ScenarioFailure ? e.message : `lab error: ${(e as Error).message}`;
        const tails = this.daemons
          .filter((d) => /keepalived|haproxy/.test(d.label))
          .map((d) => d.tail(6))
          .join('\n');
        results.push({ id, name: s.name, status: 'failed', observed: `${msg}\n  last daemon output:\n${tails}`, seconds });
        this.log(`scenario ${id} ${s.name}: FAILED — ${msg}`);
        return undefined;
      }
    };
    try {
      await this.up();
    } catch (e) {
      failed = true;
      results.push({ id: 0, name: 'lab-start', status: 'failed', observed: (e as Error).message, seconds: (Date.now() - started) / 1000 });
    }
    await record(
      1,
      () => this.s1(),
      (v) => v,
    );
    await record(
      2,
      () => this.s2(),
      (v) => v,
    );
    await record(
      3,
      () => this.s3(),
      (v) => v,
    );
    const s4 = await record(
      4,
      () => this.s4(),
      (v) => v.observed,
    );
    let recovery = 'HAProxy recovery not tested (one balancer)';
    if (s4 && !failed) {
      try {
        recovery = await s4.recovery();
      } catch (e) {
        failed = true;
        const msg = e instanceof ScenarioFailure ? e.message : `lab error: ${(e as Error).message}`;
        results.push({ id: 6, name: meta(6).name, status: 'failed', observed: `after HAProxy came back: ${msg}`, seconds: 0 });
        this.log(`scenario 6 ${meta(6).name}: FAILED — after HAProxy came back: ${msg}`);
      }
    }
    const s5 = await record(
      5,
      () => this.s5(),
      (v) => v.observed,
    );
    if (!results.some((r) => r.id === 6)) {
      if (this.top.balancers.length < 2)
        await record(
          6,
          () => Promise.reject(new NotApplicable('one balancer: nothing to preempt')),
          () => '',
        );
      else if (s5)
        await record(
          6,
          () => this.s6(recovery, s5.holder),
          (v) => v,
        );
      else
        await record(
          6,
          () => Promise.resolve(''),
          () => '',
        );
    }
    await record(
      7,
      () => this.s7(),
      (v) => v,
    );
    const ok = results.every((r) => r.status === 'held' || r.status === 'not applicable');
    return { scenarios: results.sort((a, b) => a.id - b.id), substitutions: this.substitutions, seconds: (Date.now() - started) / 1000, ok };
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
