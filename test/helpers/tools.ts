/**
 * Is a real validator (haproxy, keepalived, cloud-init, …) available on this machine? Tests that need one
 * call {@link skipWithout}: a missing tool makes the test SKIPPED, with the install command as the skip
 * note and a console warning, never a silent pass.
 */
import { execFile, spawnSync } from 'node:child_process';

/** How to install each tool on Debian/Ubuntu (CI images included). */
export const INSTALL_HINTS: Readonly<Record<string, string>> = {
  haproxy: 'apt-get install -y haproxy',
  keepalived: 'apt-get install -y keepalived',
  'cloud-init': 'apt-get install -y cloud-init',
  'systemd-analyze': 'apt-get install -y systemd',
  envsubst: 'apt-get install -y gettext-base',
  curl: 'apt-get install -y curl',
  openssl: 'apt-get install -y openssl',
  unshare: 'apt-get install -y util-linux',
  ip: 'apt-get install -y iproute2',
  sh: 'apt-get install -y dash',
  shellcheck: 'apt-get install -y shellcheck',
};

const cache = new Map<string, boolean>();

/** True when `name` is an executable on PATH. */
export function has(name: string): boolean {
  let found = cache.get(name);
  if (found === undefined) {
    found = spawnSync('sh', ['-c', 'command -v "$1" >/dev/null 2>&1', 'sh', name]).status === 0;
    cache.set(name, found);
  }
  return found;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The tools among `names` that are missing, with how to install them; '' when all are there. */
export function missingToolsNote(...names: string[]): string {
  const missing = names.filter((n) => !has(n));
  if (!missing.length) return '';
  return `missing ${missing.join(', ')}; install with: ${missing.map((n) => INSTALL_HINTS[n] ?? `apt-get install -y ${n}`).join(' && ')}`;
}

interface SkipContext {
  skip: (condition: boolean, note?: string) => void;
}

/** Skips the running test (reported as skipped, with the install command) when a tool is missing. */
export function skipWithout(ctx: SkipContext, ...names: string[]): void {
  const note = missingToolsNote(...names);
  if (note) console.warn(`[validator skipped] ${note}`);
  ctx.skip(note !== '', note);
}

/** Skips the running test unless it runs as root (keepalived -t judges script security as root only). */
export function skipUnlessRoot(ctx: SkipContext, why: string): void {
  if (!isRoot()) console.warn(`[validator skipped] needs root: ${why}`);
  ctx.skip(!isRoot(), `needs root: ${why}`);
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command without a shell; output as text. */
export function run(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): RunResult {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    input: options.input,
    env: options.env ?? process.env,
    timeout: options.timeoutMs ?? 30_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like {@link run}, without blocking the event loop (needed when the test itself serves the command). */
export function runAsync(command: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      [...args],
      { encoding: 'utf8', timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ status: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** The interpreter named on the first line of an installed script (e.g. cloud-init's python). */
export function interpreterOf(tool: string): string | undefined {
  const path = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { encoding: 'utf8' }).stdout.trim();
  if (!path) return undefined;
  const first = spawnSync('head', ['-n', '1', path], { encoding: 'utf8' }).stdout;
  return first.startsWith('#!') ? first.slice(2).trim().split(/\s+/)[0] : undefined;
}
