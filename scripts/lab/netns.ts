/**
 * Network namespaces for the lab. Every namespace it makes carries the run's prefix
 * (`hclab-<pid>-<random>-`), so teardown — and the stale-lab cleanup at the next start — removes only what
 * a lab made. Nothing here touches the root namespace's links, addresses or routes: links are created inside
 * the lab's namespaces (`ip -n <ns> link add … peer … netns <ns>`).
 */
import { execFile, spawnSync } from 'node:child_process';

/** Common start of every lab namespace name. */
export const LAB_NS_PREFIX = 'hclab-';

export class IpError extends Error {}

/** Runs `ip` synchronously; throws with its stderr. */
export function ip(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 15_000 });
  if (r.error) throw new IpError(`ip ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new IpError(`ip ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.status}`}`);
  return r.stdout;
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command inside a namespace without blocking the event loop. */
export function execIn(ns: string, command: string, args: readonly string[], timeoutMs = 15_000): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns, command, ...args], { encoding: 'utf8', timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The IPv4 addresses of a namespace (every link). */
export function addressesIn(ns: string): Promise<string[]> {
  return new Promise((resolve) => {
    execFile('ip', ['-n', ns, '-4', '-o', 'addr', 'show'], { encoding: 'utf8', timeout: 5_000 }, (error, stdout) => {
      if (error) resolve([]);
      else resolve([...stdout.matchAll(/\sinet\s+(\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]));
    });
  });
}

export function listNamespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);
}

function pidsIn(ns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  return r.stdout
    .split('\n')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Whether a process exists (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Ends what still runs in the namespaces (SIGTERM, then SIGKILL after a grace period; only processes inside
 * these namespaces, found by `ip netns pids`), then deletes them. Synchronous: safe in exit/signal handlers.
 */
export function deleteNamespaces(names: readonly string[], graceMs = 2_000): string[] {
  const problems: string[] = [];
  const existing = new Set(listNamespaces());
  const mine = names.filter((n) => existing.has(n));
  for (const ns of mine) for (const pid of pidsIn(ns)) safeKill(pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (Date.now() < until && mine.some((ns) => pidsIn(ns).some(processAlive))) sleepSync(50);
  for (const ns of mine) for (const pid of pidsIn(ns)) safeKill(pid, 'SIGKILL');
  for (const ns of mine) {
    const r = spawnSync('ip', ['netns', 'del', ns], { encoding: 'utf8' });
    if (r.status !== 0) problems.push(`ip netns del ${ns}: ${r.stderr.trim()}`);
  }
  return problems;
}

function safeKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Removes namespaces of earlier labs whose process is gone (a lab killed with SIGKILL cannot clean up). */
export function cleanStaleLabs(): string[] {
  const stale = listNamespaces().filter((ns) => {
    const m = /^hclab-(\d+)-[0-9a-f]+-/.exec(ns);
    return m !== null && !processAlive(Number(m[1]));
  });
  if (stale.length) deleteNamespaces(stale, 1_000);
  return stale;
}
