/**
 * `npm run lab -- --dir <rendered dir>`: the failover lab on a rendered directory (see scripts/lab/lab.ts).
 * Needs root, `ip netns`, keepalived, haproxy, curl and openssl. Exit 0 when every scenario holds, 1 when one
 * fails (named, with what was observed), 2 when the lab cannot run.
 *
 * A tool run on the owner's render, not part of the library: it needs root and starts daemons, so it lives
 * under scripts/ and stays out of the packaged build.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Lab, SCENARIOS } from './lab/lab';
import { readTopology, TopologyError } from './lab/topology';

const USAGE = 'usage: npm run lab -- --dir <rendered directory, e.g. dist>';

/** Why the lab cannot run here ('' when it can). */
export function labPrerequisites(): string {
  const problems: string[] = [];
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) problems.push('needs root (network namespaces, keepalived)');
  for (const tool of ['ip', 'keepalived', 'haproxy', 'curl', 'openssl']) {
    if (spawnSync('sh', ['-c', 'command -v "$1" >/dev/null 2>&1', 'sh', tool]).status !== 0) problems.push(`missing ${tool}`);
  }
  if (!problems.length && spawnSync('ip', ['netns', 'list']).status !== 0) problems.push('`ip netns` does not work here');
  return problems.join('; ');
}

async function main(argv: string[]): Promise<number> {
  const i = argv.indexOf('--dir');
  const dir = i >= 0 ? argv[i + 1] : undefined;
  if (!dir || argv.includes('--help')) {
    process.stderr.write(`${USAGE}\n`);
    return dir ? 0 : 2;
  }
  const why = labPrerequisites();
  if (why) {
    process.stderr.write(`lab: cannot run: ${why}\n`);
    return 2;
  }
  let top;
  try {
    top = readTopology(resolve(dir));
  } catch (e) {
    if (e instanceof TopologyError || (e as NodeJS.ErrnoException).code) {
      process.stderr.write(`lab: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`lab: ${top.balancers.length} balancer(s) ${top.balancers.map((b) => `${b.name} ${b.address} priority ${b.priority}`).join(', ')}`);
  out(`lab: ${top.controlPlanes.length} control plane(s) ${top.controlPlanes.map((c) => `${c.name} ${c.address}:${c.port}`).join(', ')}`);
  out(`lab: API endpoint ${top.vip}:${top.port} (from ${top.endpointSource})`);
  const lab = new Lab(top, { log: (l) => out(`lab: ${l}`) });
  // Ctrl-C reaches npm and the lab at once; a second signal during teardown is ignored, not fatal.
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    lab.teardown();
    process.stderr.write(`lab: ${signal}: torn down\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.once('exit', () => lab.teardown());
  out(`lab: namespaces ${lab.prefix}*`);
  let report;
  try {
    report = await lab.run();
  } finally {
    const problems = lab.teardown();
    for (const p of problems) process.stderr.write(`lab: teardown: ${p}\n`);
  }
  out('');
  out('Lab substitutions (everything else runs as rendered):');
  for (const s of report.substitutions) out(`  - ${s}`);
  out('');
  out('Scenarios:');
  for (const r of report.scenarios) {
    const title = SCENARIOS.find((s) => s.id === r.id)?.title ?? 'starting the lab';
    out(`  ${r.id} ${r.name} [${r.status}] (${r.seconds.toFixed(1)}s) ${title}`);
    out(`      observed: ${r.observed}`);
  }
  const failed = report.scenarios.filter((r) => r.status === 'failed');
  out('');
  out(
    failed.length
      ? `lab: FAILED ${failed.map((r) => `${r.id} ${r.name}`).join(', ')} (${report.seconds.toFixed(1)}s)`
      : `lab: every scenario holds (${report.seconds.toFixed(1)}s)`,
  );
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`lab: ${(e as Error).message}\n`);
      process.exit(2);
    },
  );
}
