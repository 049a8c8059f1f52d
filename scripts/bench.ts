/**
 * `npm run bench`: how long a synth takes and how much memory it needs, for the reference cluster and for
 * generated descriptions of 100 and 1000 nodes, against a baseline process that only loads cdk8s and
 * cdk8s-plus-30 and synthesizes one empty chart.
 *
 * - Whole process, two ways: `node --import tsx main.ts synth` (what `npm run synth` runs) and plain `node`
 *   on the compiled library (what a user of the packed library runs; the bench compiles it into a scratch
 *   directory first). Wall time, and peak RSS from `/usr/bin/time -v` (or `process.resourceUsage()` in a
 *   preload when time(1) is missing). The baseline runs the same two ways.
 * - In process: one render split by stage (load + validate, constructs, host renderers, docs, manifest
 *   layout + README, output checks including the cross-artifact consistency check, write).
 * Each measurement is repeated and the median printed. Prints the targets and whether they were met;
 * it never fails on timing (machines differ), so CI can run it for information.
 *
 * `node --import tsx scripts/bench.ts baseline <outdir>` is the baseline child; everything else is the parent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = resolve(__dirname, '..');
const MiB = 1024 * 1024;

// ------------------------------------------------------------------------------------------ baseline child

async function baselineChild(outdir: string): Promise<void> {
  const { App, Chart } = await import('cdk8s');
  await import('cdk8s-plus-30');
  const app = new App({ outdir });
  new Chart(app, 'empty');
  app.synth();
}

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
    host('nas-1', '10.0.0.6', 'nas', ['load-balancer', 'nfs-server']),
    host('vps', '203.0.113.10', 'vps', ['tunnel-server'], ', external: true'),
  ];
  for (let i = 0; i < nodes - 3; i++) {
    const ip = `10.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
    const name = `w-${String(i + 1).padStart(5, '0')}`;
    hosts.push(i % 3 === 2 ? host(name, ip, 'mini-pc', ['worker'], ', interface: enp2s0') : host(name, ip, 'raspberry-pi', ['worker']));
  }
  return [
    `name: bench-${nodes}`,
    'kubernetes: { version: v1.32.3 }',
    'lan: { cidr: 10.0.0.0/16, gateway: 10.0.0.1 }',
    'hosts:',
    ...hosts,
    'users: [{ name: ops, sshImportIds: [gh:ops] }]',
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
function runNode(args: readonly string[], scratch: string, env: Readonly<Record<string, string>> = {}): ProcessRun {
  const rssFile = join(scratch, 'maxrss');
  rmSync(rssFile, { force: true });
  const preload = join(scratch, 'maxrss-preload.cjs');
  const command = HAVE_TIME ? '/usr/bin/time' : process.execPath;
  const argv = HAVE_TIME ? ['-v', process.execPath, ...args] : ['--require', preload, ...args];
  const started = performance.now();
  const result = spawnSync(command, argv, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env, MAXRSS_FILE: rssFile } });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  const kib = HAVE_TIME ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)?.[1]) : Number(readFileSync(rssFile, 'utf8'));
  return { ms, rssBytes: kib * 1024 };
}

interface Case {
  readonly label: string;
  readonly nodes: number;
  readonly config: string;
}

const STAGES = ['load + validate', 'constructs', 'host renderers', 'docs', 'layout + README', 'output checks', 'write'] as const;

/**
 * One render, timed by stage with the library's own functions. `layout + README` is what renderCluster
 * does besides constructs and host files (manifest waves, README sections): its time minus those two stages.
 */
async function inProcess(config: string, outdir: string): Promise<Record<string, number>> {
  const { loadDescription } = await import('../lib/model/load');
  const { buildClusterApp } = await import('../lib/app/cluster-app');
  const { renderCluster } = await import('../lib/render');
  const { renderHostFiles } = await import('../lib/hosts');
  const { renderDocs } = await import('../lib/docs');
  const { OUTPUT_CHECKS } = await import('../lib/checks');
  const { consistencyCheck } = await import('../lib/docs/consistency');
  const { writeOutput } = await import('../lib/output/writer');
  const checks = OUTPUT_CHECKS.some((c) => c.name === consistencyCheck.name) ? OUTPUT_CHECKS : [...OUTPUT_CHECKS, consistencyCheck];

  const time = <T>(f: () => T): [T, number] => {
    const started = performance.now();
    const value = f();
    return [value, performance.now() - started];
  };
  const [model, load] = time(() => loadDescription(config));
  const [, constructs] = time(() => buildClusterApp(model).charts.flatMap((chart) => chart.toJson()));
  // Host artifacts are kept per model once rendered; time them on an equal model so renderCluster below
  // renders its own (and `layout + README` does not lose the host renderers' time).
  const hostModel = loadDescription(config);
  const [, hosts] = time(() => renderHostFiles(hostModel));
  const [result, render] = time(() => renderCluster(model, { checks: [] }));
  const [docsFiles, docs] = time(() => (result.files.some((f) => f.path.startsWith('docs/')) ? [] : renderDocs(model, { checks, warnings: result.warnings })));
  const files = [...result.files, ...docsFiles];
  const [problems, checking] = time(() => checks.flatMap((c) => c.run({ model, objects: result.objects, files })));
  if (problems.length) throw new Error(`${config}: ${problems.length} output check problem(s), first: ${JSON.stringify(problems[0])}`);
  const [, write] = time(() => writeOutput(outdir, files));
  return {
    'load + validate': load,
    constructs,
    'host renderers': hosts,
    docs,
    'layout + README': Math.max(0, render - constructs - hosts),
    'output checks': checking,
    write,
    renderCluster: render,
    files: files.length,
  };
}

// ------------------------------------------------------------------------------------------ report

const fmtMs = (ms: number) => `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
const fmtMiB = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

interface Mode {
  readonly name: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly baseline: readonly string[];
  readonly synth: (config: string, out: string) => readonly string[];
}

async function main(): Promise<void> {
  // Outputs go to tmpfs when there is one, so the numbers are the program's and not the disk's (on a VM disk,
  // replacing 4000 files can take seconds). BENCH_TMPDIR=<dir on a disk> measures a real disk instead.
  const outRoot = process.env.BENCH_TMPDIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
  const scratch = mkdtempSync(join(outRoot, 'homelab-bench-'));
  try {
    writeFileSync(
      join(scratch, 'maxrss-preload.cjs'),
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.MAXRSS_FILE, String(process.resourceUsage().maxRSS)));\n",
    );
    const { parseDescription } = await import('../lib/model/load');
    const cases: Case[] = [{ label: 'reference', nodes: 0, config: join(ROOT, 'hostconfig/cluster.yaml') }];
    for (const nodes of [100, 500, 1000]) {
      const config = join(scratch, `nodes-${nodes}.yaml`);
      const text = generatedDescription(nodes);
      parseDescription(text, config); // throws with every problem if the generator drifts from the schema
      writeFileSync(config, text);
      cases.push({ label: `${nodes} nodes`, nodes, config });
    }
    const refModel = parseDescription(readFileSync(cases[0].config, 'utf8'));
    (cases[0] as { nodes: number }).nodes = refModel.hosts.filter((h) => h.isNode).length;

    // The compiled library, as the package ships it, plus plain-node entry points for it and the baseline.
    const compiled = join(scratch, 'build');
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', compiled], { cwd: ROOT, encoding: 'utf8' });
    // tsc emits despite type errors; only a missing output stops the bench (type errors are the typecheck's job).
    if (!existsSync(join(compiled, 'lib/cli.js'))) throw new Error(`tsc -p tsconfig.build.json produced no output:\n${tsc.stdout}${tsc.stderr}`);
    if (tsc.status !== 0) console.log(`note: the compiled library has type errors (tsc exit ${tsc.status}); timing it anyway\n`);
    writeFileSync(
      join(scratch, 'synth.cjs'),
      `const { runCli } = require(${JSON.stringify(join(compiled, 'lib/cli'))});\n` +
        "process.exitCode = runCli(process.argv.slice(2), { out: console.log, err: console.error, now: () => performance.now() });\n",
    );
    writeFileSync(
      join(scratch, 'baseline.cjs'),
      `const { App, Chart } = require(${JSON.stringify(require.resolve('cdk8s', { paths: [ROOT] }))});\n` +
        `require(${JSON.stringify(require.resolve('cdk8s-plus-30', { paths: [ROOT] }))});\n` +
        "const app = new App({ outdir: process.argv[2] }); new Chart(app, 'empty'); app.synth();\n",
    );
    const modes: Mode[] = [
      {
        name: 'tsx',
        baseline: ['--import', 'tsx', 'scripts/bench.ts', 'baseline', join(scratch, 'baseline-out')],
        synth: (config, out) => ['--import', 'tsx', 'main.ts', 'synth', '--config', config, '--out', out],
      },
      {
        name: 'compiled',
        // The compiled tree lives in the scratch directory; its dependencies come from this checkout.
        env: { NODE_PATH: join(ROOT, 'node_modules') },
        baseline: [join(scratch, 'baseline.cjs'), join(scratch, 'baseline-out')],
        synth: (config, out) => [join(scratch, 'synth.cjs'), 'synth', '--config', config, '--out', out],
      },
    ];

    const RUNS = Number(process.env.BENCH_RUNS ?? 3);
    const wholeCases = cases.filter((c) => c.nodes !== 500);
    console.log(
      `homelab-cluster benchmark: node ${process.version}, ${RUNS} runs each, medians; peak RSS via ${HAVE_TIME ? '/usr/bin/time -v' : 'process.resourceUsage()'}; output in ${outRoot}\n`,
    );

    // Whole process, interleaved so drift (other work on the machine) affects every case alike.
    const whole = new Map<string, ProcessRun[]>();
    const record = (key: string, run: ProcessRun) => whole.set(key, [...(whole.get(key) ?? []), run]);
    for (let i = 0; i < RUNS; i++) {
      for (const mode of modes) {
        record(`${mode.name}/baseline`, runNode(mode.baseline, scratch, mode.env));
        for (const c of wholeCases) record(`${mode.name}/${c.label}`, runNode(mode.synth(c.config, join(scratch, `out-${mode.name}-${c.nodes}`)), scratch, mode.env));
      }
    }
    const wholeMedian = (key: string) => ({ ms: median(whole.get(key)!.map((r) => r.ms)), rss: median(whole.get(key)!.map((r) => r.rssBytes)) });
    console.log('Whole process: tsx = node --import tsx main.ts synth (npm run synth); compiled = node on the tsc output (the packed library)');
    const wholeRow = (label: string, nodes: string) => [
      label,
      nodes,
      ...modes.flatMap((m) => {
        const r = wholeMedian(`${m.name}/${label}`);
        const base = wholeMedian(`${m.name}/baseline`);
        return [fmtMs(r.ms), `${(r.ms / base.ms).toFixed(2)}x`, fmtMiB(r.rss)];
      }),
    ];
    printTable(
      ['case', 'nodes', ...modes.flatMap((m) => [`${m.name} wall`, 'vs base', 'peak RSS'])],
      [wholeRow('baseline', '-'), ...wholeCases.map((c) => wholeRow(c.label, String(c.nodes)))],
    );
    console.log('baseline: a process that loads cdk8s and cdk8s-plus-30 and synthesizes one empty chart');

    // In process, stage by stage; the first pass warms up the module cache and the JIT and is dropped.
    const stageRuns = new Map<string, Array<Record<string, number>>>();
    for (let i = 0; i <= RUNS; i++) {
      for (const c of cases) {
        const r = await inProcess(c.config, join(scratch, `in-${c.nodes}`));
        if (i > 0) stageRuns.set(c.label, [...(stageRuns.get(c.label) ?? []), r]);
      }
    }
    const stageMedian = (label: string, key: string) => median(stageRuns.get(label)!.map((r) => r[key]));
    console.log('\nIn process, by stage (warm)');
    printTable(
      ['case', 'nodes', ...STAGES, 'sum', 'files'],
      cases.map((c) => {
        const stages = STAGES.map((s) => stageMedian(c.label, s));
        return [c.label, String(c.nodes), ...stages.map(fmtMs), fmtMs(stages.reduce((a, b) => a + b, 0)), String(stageMedian(c.label, 'files'))];
      }),
    );

    // Targets.
    const sum = (label: string) => STAGES.reduce((a, st) => a + stageMedian(label, st), 0);
    const slope1 = (sum('500 nodes') - sum('100 nodes')) / 400;
    const slope2 = (sum('1000 nodes') - sum('500 nodes')) / 500;
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    console.log('\nTargets');
    for (const m of modes) {
      const base = wholeMedian(`${m.name}/baseline`);
      const ref = wholeMedian(`${m.name}/reference`);
      const n100 = wholeMedian(`${m.name}/100 nodes`);
      const n1000 = wholeMedian(`${m.name}/1000 nodes`);
      console.log(`- [${m.name}] reference within 1.5x baseline: ${(ref.ms / base.ms).toFixed(2)}x (${fmtMs(ref.ms)} vs ${fmtMs(base.ms)}): ${verdict(ref.ms <= 1.5 * base.ms)}`);
      console.log(`- [${m.name}] 1000 nodes within 3 s and 500 MiB: ${fmtMs(n1000.ms)}, ${fmtMiB(n1000.rss)}: ${verdict(n1000.ms <= 3000 && n1000.rss <= 500 * MiB)}`);
      console.log(`- [${m.name}] slope 100→1000: ${((n1000.ms - n100.ms) / 900).toFixed(2)} ms/node, ${((n1000.rss - n100.rss) / 900 / 1024).toFixed(0)} KiB/node`);
    }
    console.log(`- linear in node count (in process): ${slope1.toFixed(2)} ms/node for 100→500, ${slope2.toFixed(2)} ms/node for 500→1000: ${verdict(slope2 <= 1.5 * Math.max(slope1, 0.01))} (second half at most 1.5x the first)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  if (process.argv[2] === 'baseline') {
    mkdirSync(process.argv[3], { recursive: true });
    baselineChild(process.argv[3]).catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
  } else {
    main().catch((error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
  }
}
