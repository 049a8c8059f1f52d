/**
 * Setup file of the `unit` and `tools` projects, which share one module registry per worker
 * (vitest.config.mts): a test file that leaves the process's environment, working directory or umask changed
 * fails, naming what changed, instead of silently changing the files that run after it in the same worker.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';

interface GlobalState {
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  readonly umask: string;
}

function current(): GlobalState {
  // /proc keeps the umask readable without setting it (process.umask() without an argument is deprecated)
  let umask = '?';
  try {
    umask = /^Umask:\s*(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '?';
  } catch {
    /* not Linux */
  }
  return { env: { ...process.env }, cwd: process.cwd(), umask };
}

/** What differs between two states, one line each; empty when nothing does. */
export function changes(before: GlobalState, after: GlobalState): string[] {
  const found: string[] = [];
  for (const name of new Set([...Object.keys(before.env), ...Object.keys(after.env)])) {
    if (before.env[name] !== after.env[name]) found.push(`environment ${name}: ${JSON.stringify(before.env[name])} → ${JSON.stringify(after.env[name])}`);
  }
  if (before.cwd !== after.cwd) found.push(`working directory: ${before.cwd} → ${after.cwd}`);
  if (before.umask !== after.umask) found.push(`umask: ${before.umask} → ${after.umask}`);
  return found.sort();
}

let before: GlobalState;
beforeAll(() => {
  before = current();
});
afterAll(() => {
  const found = changes(before, current());
  if (found.length)
    throw new Error(
      `this test file left global state behind (other files in the worker would see it; change it in a child process instead): ${found.join('; ')}`,
    );
});
