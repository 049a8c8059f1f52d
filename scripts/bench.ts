/**
 * `npm run bench`: how long `npm run synth` takes and how much memory it needs, against a baseline process
 * that only loads cdk8s and cdk8s-plus-30 and synthesizes one empty chart.
 *
 * - Reference cluster (hostconfig/cluster.yaml): the synth process exactly as `npm run synth` starts it
 *   (`node scripts/cli.cjs synth`, the bundled CLI; the bundle is built first) and the baseline process run
 *   in turn, BENCH_PAIRS pairs (default 9, at least 7), the order flipped every pair. The ratio synth/baseline
 *   is taken pair by pair (so drift in the machine's speed cancels out) and its median printed, with the
 *   median wall times and peak RSS of both. Two cases: after an edit (before each timed synth, an untimed one
 *   renders the description with a line added into the same output, so the timed one replaces every file),
 *   and again without a change (the output already holds the render: the writer compares and writes nothing).
 * - A generated 1000-node description, after an edit as above: median wall time and the largest peak RSS of
 *   BENCH_RUNS runs (default 3).
 * Peak RSS from `/usr/bin/time -v` (or `process.resourceUsage()` in a preload when time(1) is missing).
 * Outputs go to BENCH_TMPDIR (default: the system temporary directory), so the writer's fsyncs cost what they
 * cost on that disk. Prints the figures and the targets (ratio at most 1.5; 1000 nodes within 3 s and
 * 500 MiB); it never fails on timing (machines differ), so CI can run it for information.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDescription } from '../lib/model/load';

const ROOT = resolve(__dirname, '..');
const MiB = 1024 * 1024;

// ------------------------------------------------------------------------------------------ descriptions

/**
 * A valid description with `nodes` Kubernetes nodes: 3 control planes and `nodes - 3` workers (every third
 * an amd64 mini PC, the rest Raspberry Pis) on a /16 LAN, two balancers, a NAS and a VPS.
 */
export function generatedDescription(nodes: number): string {
  if (nodes < 4 || nodes > 3 + 250 * 200) throw new Error(`nodes must be 4..${3 + 250 * 200}, got ${nodes}`);
  const host = (name: string, ip: string, hardware: string, roles: string[], extra = '') =>
    `  - { name: ${name}, ip: ${ip}, hardware: ${hardware}, roles: [${roles.join(', ')}]${extra} }`;
  const hosts = [
    host('cp-1', '10.0.0.11', 'n100', ['control-plane'], ', interface: enp1s0'),
    host('cp-2', '10.0.0.12', 'n100', ['control-plane'], ', interface: enp1s0'),
    host('cp-3', '10.0.0.13', 'n100', ['control-plane'], ', interface: enp1s0'),
    host('lb-1', '10.0.0.5', 'n100', ['load-balancer'], ', interface: enp1s0'),
    host('nas-1', '10.0.0.6', 'nas', ['load-balancer', 'nfs-server'], ', interface: eth0'),
    host('vps', '203.0.113.10', 'vps', ['tunnel-server'], ', external: true'),
  ];
  for (let i = 0; i < nodes - 3; i++) {
    const ip = `10.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
    const name = `w-${String(i + 1).padStart(5, '0')}`;
    hosts.push(i % 3 === 2 ? host(name, ip, 'mini-pc', ['worker'], ', interface: enp2s0') : host(name, ip, 'raspberry-pi', ['worker']));
  }
  return [
    `name: bench-${nodes}`,
    // a /24 per node: 1000 nodes need more than the default /16
    'kubernetes: { version: v1.32.3, podCidr: 10.244.0.0/14 }',
    'lan: { cidr: 10.0.0.0/16, gateway: 10.0.0.1 }',
    'hosts:',
    ...hosts,
    'users: [{ name: ops, sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@laptop"], sshImportIds: [gh:ops] }]',
    'apiServer:',
    '  vip: 10.0.0.10',
    '  balancers: [{ host: lb-1, priority: 150 }, { host: nas-1, priority: 100 }]',
    'metallb: { pools: [{ name: lan-pool, addresses: [10.0.255.1-10.0.255.254] }] }',
    'ingress: { loadBalancerIP: 10.0.255.1 }',
    'acme: { email: ops@my-homelab.net }',
    'tunnel:',
    '  server: vps',
    '  forwardedPorts: [{ name: http, remotePort: 80 }, { name: https, remotePort: 443 }]',
    'storage:',
    '  server: nas-1',
    '  classes: [{ name: nfs, share: /export/k8s, default: true }]',
    'namespaces: [{ name: apps }]',
    'access: [{ kind: User, name: ops, role: admin }]',
    '',
  ].join('\n');
}

// ------------------------------------------------------------------------------------------ measuring

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const HAVE_TIME = existsSync('/usr/bin/time');

interface ProcessRun {
  readonly ms: number;
  readonly rssBytes: number;
}

/** Runs `node <args>` from the repository root; wall time measured here, peak RSS by time(1) or a preload. */
function runNode(args: readonly string[], scratch: string): ProcessRun {
  const rssFile = join(scratch, 'maxrss');
  rmSync(rssFile, { force: true });
  const preload = join(scratch, 'maxrss-preload.cjs');
  const command = HAVE_TIME ? '/usr/bin/time' : process.execPath;
  const argv = HAVE_TIME ? ['-v', process.execPath, ...args] : ['--require', preload, ...args];
  const started = performance.now();
  const result = spawnSync(command, argv, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MAXRSS_FILE: rssFile } });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  const kib = HAVE_TIME ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)?.[1]) : Number(readFileSync(rssFile, 'utf8'));
  return { ms, rssBytes: kib * 1024 };
}

const fmtMs = (ms: number) => `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
const fmtMiB = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

function main(): void {
  const outRoot = process.env.BENCH_TMPDIR ?? tmpdir();
  const scratch = mkdtempSync(join(outRoot, 'homelab-bench-'));
  try {
    writeFileSync(
      join(scratch, 'maxrss-preload.cjs'),
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.MAXRSS_FILE, String(process.resourceUsage().maxRSS)));\n",
    );
    writeFileSync(
      join(scratch, 'baseline.cjs'),
      `const { App, Chart } = require(${JSON.stringify(require.resolve('cdk8s', { paths: [ROOT] }))});\n` +
        `require(${JSON.stringify(require.resolve('cdk8s-plus-30', { paths: [ROOT] }))});\n` +
        "const app = new App({ outdir: process.argv[2] }); new Chart(app, 'empty'); app.synth();\n",
    );
    const nodes1000 = join(scratch, 'nodes-1000.yaml');
    const text = generatedDescription(1000);
    parseDescription(text, nodes1000); // throws with every problem if the generator drifts from the schema
    writeFileSync(nodes1000, text);
    const reference = join(ROOT, 'hostconfig/cluster.yaml');

    const built = spawnSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs')], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`node scripts/bundle.mjs failed:\n${built.stdout}${built.stderr}`);

    const PAIRS = Math.max(7, Number(process.env.BENCH_PAIRS ?? 9));
    const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
    const baseline = () => runNode([join(scratch, 'baseline.cjs'), join(scratch, 'baseline-out')], scratch);
    const synth = (config: string, out: string) => runNode(['scripts/cli.cjs', 'synth', '--config', config, '--out', join(scratch, out)], scratch);
    console.log(
      `homelab-cluster benchmark: node ${process.version}; peak RSS via ${HAVE_TIME ? '/usr/bin/time -v' : 'process.resourceUsage()'}; output in ${outRoot}`,
    );

    // The previous render of a case: the same description with one line more, rendered (not timed) into the
    // output before each timed synth, so the output holds another render and every file is replaced.
    const edited = (config: string) => {
      const file = join(scratch, `edited-${config.split('/').pop()}`);
      if (!existsSync(file)) writeFileSync(file, `${readFileSync(config, 'utf8')}# edited\n`);
      return file;
    };
    const afterEdit = (config: string, out: string) => {
      synth(edited(config), out);
      return synth(config, out);
    };

    // One warm-up of each (disk cache, the bundle's first load), not counted.
    baseline();
    synth(reference, 'out-reference');
    /** PAIRS pairs of the baseline and `run`, the order flipped every pair; ratios taken pair by pair. */
    const paired = (run: () => ProcessRun) => {
      const pairs: { base: ProcessRun; synth: ProcessRun }[] = [];
      for (let i = 0; i < PAIRS; i++) {
        if (i % 2 === 0) {
          const base = baseline();
          pairs.push({ base, synth: run() });
        } else {
          const s = run();
          pairs.push({ base: baseline(), synth: s });
        }
      }
      return {
        pairs,
        ratio: median(pairs.map((p) => p.synth.ms / p.base.ms)),
        baseMs: median(pairs.map((p) => p.base.ms)),
        synthMs: median(pairs.map((p) => p.synth.ms)),
        baseRss: Math.max(...pairs.map((p) => p.base.rssBytes)),
        synthRss: Math.max(...pairs.map((p) => p.synth.rssBytes)),
      };
    };
    const edit = paired(() => afterEdit(reference, 'out-reference'));
    const same = paired(() => synth(reference, 'out-reference'));

    const big: ProcessRun[] = [];
    for (let i = 0; i < RUNS; i++) big.push(afterEdit(nodes1000, 'out-1000'));
    const bigMs = median(big.map((r) => r.ms));
    const bigRss = Math.max(...big.map((r) => r.rssBytes));

    console.log(`\nReference cluster, ${PAIRS} pairs for each case (baseline and synth alternating; medians, peak RSS the largest of the runs):`);
    console.log(
      `  baseline (load cdk8s + cdk8s-plus-30, synth one empty chart): ${fmtMs(edit.baseMs)} / ${fmtMs(same.baseMs)}, peak RSS ${fmtMiB(edit.baseRss)}`,
    );
    const show = (label: string, result: typeof edit) => {
      console.log(`  ${label}: ${fmtMs(result.synthMs)}, peak RSS ${fmtMiB(result.synthRss)}`);
      console.log(
        `    ratio synth/baseline, median of the pairs: ${result.ratio.toFixed(2)}x (pairs: ${result.pairs.map((p) => (p.synth.ms / p.base.ms).toFixed(2)).join(' ')})`,
      );
    };
    show('synth after an edit (node scripts/cli.cjs synth; the output holds the previous render, every file is replaced)', edit);
    show('synth again without a change (the output already holds this render: compared, nothing written)', same);
    console.log(`1000-node description after an edit, ${RUNS} run(s): ${fmtMs(bigMs)} (median), peak RSS ${fmtMiB(bigRss)}`);
    console.log('\nTargets (printed, never enforced):');
    console.log(`- reference synth after an edit within 1.5x of the baseline: ${edit.ratio.toFixed(2)}x: ${verdict(edit.ratio <= 1.5)}`);
    console.log(`- reference synth without a change within 1.5x of the baseline: ${same.ratio.toFixed(2)}x: ${verdict(same.ratio <= 1.5)}`);
    console.log(`- 1000 nodes within 3 s: ${fmtMs(bigMs)}: ${verdict(bigMs <= 3000)}`);
    console.log(`- 1000 nodes within 500 MiB: ${fmtMiB(bigRss)}: ${verdict(bigRss <= 500 * MiB)}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
