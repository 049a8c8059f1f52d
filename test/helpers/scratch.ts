/** Scratch directories for tests. */
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

let root: string | undefined;

/**
 * The directory tests make their scratch directories in: /dev/shm (tmpfs) when it is a writable directory,
 * otherwise the system temp dir. The writer fsyncs every file and directory it writes; on this machine's disk
 * that costs about 5 ms each (some 70 per render), on tmpfs nothing. No test can tell whether data reached the
 * disk: a killed process's writes survive it in the page cache either way.
 */
export function scratchRoot(): string {
  if (root === undefined) {
    root = tmpdir();
    try {
      if (statSync('/dev/shm').isDirectory()) {
        accessSync('/dev/shm', constants.W_OK);
        root = '/dev/shm';
      }
    } catch {
      /* no tmpfs: the system temp dir */
    }
  }
  return root;
}

/** `mkdtemp` under {@link scratchRoot}: for tests that write renders (nothing is executed from there). */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(scratchRoot(), prefix));
}

/**
 * Returns a function that makes a new, empty directory under one root for the file (in the system temp dir,
 * which never is mounted noexec for scripts run from there), removed after the file's tests.
 */
export function scratchDirs(prefix: string): () => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let count = 0;
  return () => {
    const sub = join(dir, String(++count));
    mkdirSync(sub, { recursive: true });
    return sub;
  };
}
