/** Scratch directories for a test file: one root under the system temp dir, removed after the file's tests. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** Returns a function that makes a new, empty directory under the file's scratch root at each call. */
export function scratchDirs(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let count = 0;
  return () => {
    const dir = join(root, String(++count));
    mkdirSync(dir, { recursive: true });
    return dir;
  };
}
