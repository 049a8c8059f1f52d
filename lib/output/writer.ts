/**
 * The only writer of dist/. It never deletes anything it did not create and never leaves the output half
 * written:
 *
 * - **Guard.** Every render carries a marker file ({@link MARKER_FILE}). The writer replaces only a directory
 *   that is missing, empty or carries that marker, and never the working directory or its parents, a
 *   repository root, the description's directory, $HOME or `/` ({@link checkOutputDir}).
 * - **Lock.** A sibling lock file (`.<out>.homelab-lock`, created exclusively) holds the pid and the process
 *   start time of the writer; a second writer waits for it (bounded) and then fails with a clear message. A
 *   lock whose process is gone (a killed run, or a reused pid in a container: the start time differs) is
 *   broken by the next run.
 * - **Crash safety.** The render is written into a sibling `.<out>.homelab-tmp-<random>` directory (every
 *   file and directory fsynced, modes set explicitly so the umask does not matter), then the previous output
 *   is renamed to `.<out>.homelab-old-<random>` and the staging directory renamed into place, and the parent
 *   fsynced. A run killed between those two renames leaves the complete previous output as the `old` sibling;
 *   the next run (under the lock, before anything else) renames it back. The old sibling is renamed to a tmp
 *   name before it is deleted, so an `old` sibling is always complete; every tmp sibling is a leftover the
 *   next run removes. `.gitignore` matches all of these names (`.*.homelab-*`).
 * - **Unchanged output.** An output that already holds exactly the render (same files, bytes, modes and
 *   marker, nothing else) is only compared, under the lock: nothing is staged or written ({@link holdsRender}).
 *
 * File-system failures are thrown as {@link OutputError} (`out: <message>`); a refused directory as
 * {@link OutputRefusedError}.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmdir,
  unlink,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { RenderedFile } from './files';

/** The file that marks a directory as a render of this tool. Deterministic content (see {@link markerContent}). */
export const MARKER_FILE = '.homelab-cluster-render';
/** First line of the marker file. */
const MARKER_HEADER = 'homelab-cluster render';
/** Every sibling the writer creates has this infix: `.<out>.homelab-lock|tmp-*|old-*`. */
const SIBLING_INFIX = '.homelab-';

/** A file-system failure while writing the output. The message starts with `out: `. */
export class OutputError extends Error {
  constructor(message: string) {
    super(message.startsWith('out: ') ? message : `out: ${message}`);
    this.name = 'OutputError';
  }
}

/** The output directory is one the writer must not replace (a usage error). */
export class OutputRefusedError extends OutputError {
  constructor(outDir: string, reason: string) {
    super(`out: refusing to write to ${JSON.stringify(outDir)}: ${reason}`);
    this.name = 'OutputRefusedError';
  }
}

/** The description a render came from, recorded in the marker so `validate --dir` can re-render it. */
export interface RenderSource {
  /** Path of the description file (recorded relative to the output directory). */
  readonly file: string;
  /** The description's bytes, hashed into the marker. */
  readonly content: string | Buffer;
}

export interface MarkerInfo {
  /** Description path relative to the output directory, if recorded. */
  readonly description?: string;
  readonly sha256?: string;
}

/** The marker's content: the header, then `description:` (relative to the output) and `sha256:` lines. */
export function markerContent(outDir: string, source?: RenderSource): string {
  const lines = [MARKER_HEADER];
  if (source) {
    lines.push(`description: ${relative(resolve(outDir), resolve(source.file)).split(sep).join('/')}`);
    lines.push(`sha256: ${createHash('sha256').update(source.content).digest('hex')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Parses a marker file's text; undefined when it is not one. */
export function parseMarker(text: string): MarkerInfo | undefined {
  const lines = text.split('\n');
  if (lines[0] !== MARKER_HEADER) return undefined;
  const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
  return { description: field('description'), sha256: field('sha256') };
}

/** What the guard compares the output directory with. Defaults come from the process. */
export interface GuardContext {
  readonly cwd?: string;
  readonly home?: string;
  /** The description file being rendered: its directory (and parents) are refused. */
  readonly descriptionFile?: string;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OutputError(`${path}: ${(error as Error).message}`);
  }
}

/** Resolves symlinks of the longest existing prefix of `path`. */
function realish(path: string): string {
  const abs = resolve(path);
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return abs;
      tail.push(basename(head));
      head = parent;
    }
  }
}

const isSameOrAncestor = (candidate: string, of: string) => of === candidate || of.startsWith(candidate.endsWith(sep) ? candidate : candidate + sep);

/** Why `outDir` must not be replaced, or undefined when it may be. */
export function checkOutputDir(outDir: string, context: GuardContext = {}): string | undefined {
  const out = realish(outDir);
  if (out === sep || dirname(out) === out) return 'it is the file-system root';
  const cwd = realish(context.cwd ?? process.cwd());
  if (isSameOrAncestor(out, cwd)) return out === cwd ? 'it is the working directory' : 'it is a parent of the working directory';
  const home = context.home ?? homedir();
  if (home && isSameOrAncestor(out, realish(home))) return out === realish(home) ? 'it is $HOME' : 'it is a parent of $HOME';
  if (context.descriptionFile && isSameOrAncestor(out, dirname(realish(context.descriptionFile)))) return 'it holds the description';
  const stat = lstatOrUndefined(outDir);
  if (!stat) return undefined;
  if (stat.isSymbolicLink()) return 'it is a symbolic link; give the directory it points to';
  if (!stat.isDirectory()) return 'it is not a directory';
  let entries: string[];
  try {
    entries = readdirSync(outDir);
  } catch (error) {
    throw new OutputError(`${outDir}: ${(error as Error).message}`);
  }
  if (entries.includes('.git')) return 'it is a repository root';
  if (entries.length === 0) return undefined;
  let marker: string | undefined;
  try {
    marker = readFileSync(join(outDir, MARKER_FILE), 'utf8');
  } catch {
    marker = undefined;
  }
  if (marker === undefined || !parseMarker(marker))
    return `it is a non-empty directory without ${MARKER_FILE}, so not a render of this tool (a render from before the marker existed: check it, then delete it or add the marker with: echo '${MARKER_HEADER}' > ${join(outDir, MARKER_FILE)})`;
  return undefined;
}

/** Options of {@link writeOutput}. */
export interface WriteOptions {
  /** The description rendered, recorded in the marker. */
  readonly source?: RenderSource;
  /** Guard context; the guard always runs. */
  readonly guard?: GuardContext;
  /** How long to wait for another writer's lock. @default 15000 */
  readonly lockWaitMs?: number;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Start time of a process (Linux /proc), so a reused pid is not mistaken for the lock holder. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function processAlive(pid: number, start: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (start === '-') return true;
  const now = processStart(pid);
  return now === undefined ? process.platform !== 'linux' : now === start;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Independent file-system calls at once, on libuv's thread pool. One call at a time waits for the disk each
 * time: an fsync costs a journal commit (about 0.2–3 ms on a VM disk: 13 s for a 1000-node render's 4000
 * files one by one), while fsyncs issued together share commits, and unlinks proceed side by side (the
 * reference render's 113 files: 24 ms of fsyncs one by one, 10 ms together; removal 10 ms against 3 ms).
 * The command line raises the pool from 4 to 16 threads (main.ts), so more of them share a commit.
 *
 * - {@link fsyncAll}: every path (files and directories) is durable when it resolves. Order does not matter:
 *   nothing is renamed into place before every one has completed.
 * - {@link removeTree}: the tree is gone (its files unlinked all at once, then its directories, deepest
 *   first); a file or symlink in its place is unlinked; a missing one is fine.
 */
/** Descriptors {@link fsyncAll} opens at once for targets given by path. */
const FSYNC_AT_ONCE = 64;

const closeQuietly = (fd: number) => {
  try {
    closeSync(fd);
  } catch {
    // closing a descriptor of a file already made durable (or already failed) changes nothing
  }
};

/**
 * Starts the fsync of every target at once and resolves when all are durable, rejecting with the first
 * failure. A target is a descriptor the writer kept open from writing the file (fsynced, then closed here), or
 * a path, opened here ({@link FSYNC_AT_ONCE} at a time, the rest as those finish). Each fsync is one call on
 * the pool, so the fsyncs proceed while this thread does other work (the checks, see {@link stageOutput}).
 * Every descriptor given is closed, whatever happens.
 */
function fsyncAll(targets: readonly (number | string)[]): Promise<void> {
  return new Promise((resolveAll, rejectAll) => {
    let next = 0;
    let pending = 0;
    let failed = false;
    const fail = (error: unknown) => {
      failed = true;
      for (; next < targets.length; next++) if (typeof targets[next] === 'number') closeQuietly(targets[next] as number);
      rejectAll(error);
    };
    const issue = (): void => {
      while (!failed && next < targets.length && (typeof targets[next] === 'number' || pending < FSYNC_AT_ONCE)) {
        const target = targets[next++];
        let fd: number;
        try {
          fd = typeof target === 'number' ? target : openSync(target, 'r');
        } catch (error) {
          return fail(error);
        }
        pending++;
        fsync(fd, (error) => {
          pending--;
          closeQuietly(fd);
          if (failed) return;
          if (error) return fail(error);
          issue();
        });
      }
      if (!failed && next === targets.length && pending === 0) resolveAll();
    };
    issue();
  });
}

/** One call on the pool as a promise (the callback API: `node:fs/promises` would load a dozen more modules). */
const onPool = (call: typeof unlink, path: string) =>
  new Promise<void>((resolveCall, rejectCall) => call(path, (error) => (error ? rejectCall(error) : resolveCall())));

/** Removes a file; a missing one is fine. */
const unlinkIfThere = (path: string) => {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
};

async function removeTree(root: string): Promise<void> {
  const stat = lstatOrUndefined(root);
  if (!stat) return;
  // a leftover sibling may be a file (a lock's temporary) or a symlink: never walked, just unlinked
  if (!stat.isDirectory()) return onPool(unlink, root);
  // Every directory is read now (the calls below run up to their first await) and every unlink issued at
  // once, each one call on the pool; a directory goes as soon as everything in it is gone.
  const remove = async (dir: string): Promise<void> => {
    const entries = readdirSync(dir, { withFileTypes: true });
    await Promise.all(entries.map((entry) => (entry.isDirectory() ? remove(join(dir, entry.name)) : onPool(unlink, join(dir, entry.name)))));
    await onPool(rmdir, dir);
  };
  await remove(root);
}

const tempName = (base: string, kind: 'tmp' | 'old') => `.${base}${SIBLING_INFIX}${kind}-${randomBytes(12).toString('hex')}`;

class Lock {
  private constructor(
    readonly path: string,
    readonly token: string,
  ) {}

  static acquire(path: string, tempFor: () => string, waitMs: number): Lock {
    const token = `${process.pid} ${processStart(process.pid) ?? '-'} ${randomBytes(8).toString('hex')}\n`;
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        const fd = openSync(path, 'wx', 0o644);
        try {
          // Not fsynced: other processes read it from the page cache, and after a crash no holder is alive (a
          // lock left empty by the crash is old, so the next run breaks it at once).
          writeSync(fd, token);
        } finally {
          closeSync(fd);
        }
        return new Lock(path, token);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new OutputError(`cannot create the lock ${path}: ${(error as Error).message}`);
      }
      const held = readOrUndefined(path);
      if (held === undefined) continue; // released meanwhile
      const [pid, start] = held.split(' ');
      // An unreadable lock may be one being written this instant: stale only once it is a few seconds old.
      const unreadable = !/^\d+ \S+ \S+\n$/.test(held);
      if (unreadable ? Date.now() - (lstatOrUndefined(path)?.mtimeMs ?? 0) > 3000 : !processAlive(Number(pid), start)) {
        // Stale: move it aside (a tmp name, removed with the other leftovers) and make sure it was the one we read.
        const aside = join(dirname(path), tempFor());
        try {
          renameSync(path, aside);
          if (readOrUndefined(aside) !== held) {
            try {
              linkSync(aside, path);
            } catch {
              /* someone else holds a newer lock; ours will be retried */
            }
          }
          unlinkIfThere(aside);
        } catch {
          /* another process broke it first */
        }
        continue;
      }
      if (Date.now() >= deadline) {
        throw new OutputError(
          `another synth (pid ${unreadable ? '?' : pid}) is writing next to ${path}; wait for it to finish and run again (if no such process runs, delete ${path})`,
        );
      }
      sleep(50);
    }
  }

  /** Throws when the lock file is no longer ours (someone broke it). */
  verify(): void {
    if (readOrUndefined(this.path) !== this.token) throw new OutputError(`lost the lock ${this.path} to another process; run again`);
  }

  release(): void {
    if (readOrUndefined(this.path) === this.token) unlinkIfThere(this.path);
  }
}

/**
 * Restores a previous output a killed run left as its `old` sibling and removes every leftover tmp sibling.
 * Call only under the lock.
 */
async function recover(parent: string, base: string, outDir: string): Promise<void> {
  const prefix = `.${base}${SIBLING_INFIX}`;
  const siblings = readdirSync(parent).filter((name) => name.startsWith(prefix) && name !== `${prefix}lock`);
  const olds = siblings.filter((n) => n.startsWith(`${prefix}old-`)).sort();
  if (!lstatOrUndefined(outDir) && olds.length) {
    renameSync(join(parent, olds[0]), outDir);
    olds.shift();
  }
  for (const name of olds) {
    const trash = join(parent, tempName(base, 'tmp'));
    renameSync(join(parent, name), trash);
    await removeTree(trash);
  }
  for (const name of siblings.filter((n) => n.startsWith(`${prefix}tmp-`))) await removeTree(join(parent, name));
  if (siblings.length) fsyncPath(parent); // nothing to make durable when nothing was left
}

/** Descriptors {@link writeTree} keeps open for {@link fsyncAll}, which then need not open those files again. */
const KEEP_OPEN = 192;

/**
 * Writes the files, the marker (`marker`, its content) and their directories under `staging`; returns what
 * {@link fsyncAll} must make durable: the descriptors of the first {@link KEEP_OPEN} files, still open, then
 * the paths of the other files and of every directory. On failure every descriptor it kept is closed.
 */
function writeTree(staging: string, files: readonly RenderedFile[], marker: string): (number | string)[] {
  const kept: number[] = [];
  const closed: string[] = [];
  const dirs = new Set<string>([staging]);
  const write = (target: string, content: string, mode: number) => {
    const fd = openSync(target, 'wx', mode);
    let keep = false;
    try {
      writeSync(fd, content);
      fchmodSync(fd, mode); // the umask never changes the mode
      keep = kept.length < KEEP_OPEN;
    } finally {
      if (keep) kept.push(fd);
      else closeSync(fd);
    }
    if (!keep) closed.push(target);
  };
  try {
    mkdirSync(staging, { mode: 0o755 });
    chmodSync(staging, 0o755);
    for (const file of files) {
      if (file.path.startsWith('/') || file.path.split('/').includes('..') || file.path === '' || file.path === MARKER_FILE) {
        throw new OutputError(`refusing to write outside the output directory: ${file.path}`);
      }
      const target = join(staging, file.path);
      let dir = dirname(target);
      const missing: string[] = [];
      while (!dirs.has(dir)) {
        missing.push(dir);
        dir = dirname(dir);
      }
      for (const d of missing.reverse()) {
        mkdirSync(d, { mode: 0o755 });
        chmodSync(d, 0o755);
        dirs.add(d);
      }
      write(target, file.content, file.mode ?? 0o644);
    }
    write(join(staging, MARKER_FILE), marker, 0o644);
  } catch (error) {
    kept.forEach(closeQuietly);
    throw error;
  }
  return [...kept, ...closed, ...dirs];
}

/** Whether the regular file `path` (not a symlink) has exactly `content` and `mode`. Any failure reads as no. */
function fileHolds(path: string, content: string, mode: number): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return false;
  }
  try {
    const stat = fstatSync(fd);
    const expected = Buffer.from(content);
    if (!stat.isFile() || (stat.mode & 0o7777) !== mode || stat.size !== expected.length) return false;
    const actual = Buffer.allocUnsafe(expected.length + 1); // one byte more: a file that grew since fstat differs
    let length = 0;
    for (let n; length < actual.length && (n = readSync(fd, actual, length, actual.length - length, length)) > 0;) length += n;
    return actual.subarray(0, length).equals(expected);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether `outDir` already holds exactly this render: `files` and the marker with `marker` as its content, each
 * a regular file with the same bytes and mode, every directory one of the render's with mode 0755, and no other
 * entry. Reads; writes nothing. The marker is compared first, so a render of another description (or of the
 * same one from another path) is told apart at once. Any failure to read reads as no (the full write then
 * reports real errors).
 */
function holdsRender(outDir: string, files: readonly RenderedFile[], marker: string): boolean {
  if (!fileHolds(join(outDir, MARKER_FILE), marker, 0o644)) return false;
  const expected = new Map<string, RenderedFile>();
  const dirs = new Set<string>(['']);
  for (const file of files) {
    expected.set(file.path, file);
    for (let dir = posixDirname(file.path); dir !== '' && !dirs.has(dir); dir = posixDirname(dir)) dirs.add(dir);
  }
  let matched = 0;
  const walk = (dir: string, relativeDir: string): boolean => {
    const stat = lstatOrUndefined(dir);
    if (!stat?.isDirectory() || (stat.mode & 0o7777) !== 0o755) return false;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!dirs.has(path) || !walk(full, path)) return false;
      } else if (path !== MARKER_FILE) {
        const file = expected.get(path);
        if (!entry.isFile() || !file || !fileHolds(full, file.content, file.mode ?? 0o644)) return false;
        matched++;
      } else if (!entry.isFile()) return false;
    }
    return true;
  };
  try {
    return walk(outDir, '') && matched === expected.size;
  } catch {
    return false;
  }
}

const posixDirname = (path: string) => {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
};

/** A render written to its staging directory beside the output, its fsyncs under way, not yet in place. */
export interface StagedOutput {
  /**
   * The output already held exactly this render ({@link holdsRender}), so nothing was staged and nothing will be
   * written: commit leaves it as it is (its files keep their inodes and modification times).
   */
  readonly unchanged: boolean;
  /**
   * Waits until every staged file is durable, then puts the render in place of the output (the previous
   * one removed) and releases the lock. Throws {@link OutputError}; the output is then as it was.
   */
  commit(): Promise<void>;
  /** Removes the staging directory and releases the lock: the output stays exactly as it was. */
  abandon(): Promise<void>;
}

/**
 * The first half of {@link writeOutput}: takes the lock, recovers what a killed run left, writes `files` and
 * the marker into a staging directory beside `outDir` and starts their fsyncs; `outDir` is not touched. The
 * caller may work meanwhile (synth runs the remaining output checks), then commits or abandons. Throws
 * {@link OutputRefusedError} when the guard refuses `outDir`, {@link OutputError} on file-system failures.
 */
export async function stageOutput(outDir: string, files: readonly RenderedFile[], options: WriteOptions = {}): Promise<StagedOutput> {
  const reason = checkOutputDir(outDir, { descriptionFile: options.source?.file, ...options.guard });
  if (reason) throw new OutputRefusedError(outDir, reason);
  const parent = dirname(resolve(outDir));
  const base = basename(resolve(outDir));
  try {
    mkdirSync(parent, { recursive: true });
  } catch (error) {
    throw new OutputError(`cannot create ${parent}: ${(error as Error).message}`);
  }
  let lock: Lock;
  try {
    lock = Lock.acquire(join(parent, `.${base}${SIBLING_INFIX}lock`), () => tempName(base, 'tmp'), options.lockWaitMs ?? 15_000);
  } catch (error) {
    throw error instanceof OutputError ? error : new OutputError((error as Error).message);
  }
  const staging = join(parent, tempName(base, 'tmp'));
  /** Undoes a failed attempt: no staging directory, a killed run's leftovers recovered, and an `out:` error. */
  const failed = async (error: unknown): Promise<never> => {
    try {
      await removeTree(staging);
      await recover(parent, base, outDir);
    } catch {
      /* the next run recovers */
    }
    lock.release();
    if (error instanceof OutputError) throw error;
    throw new OutputError((error as Error).message);
  };
  let durable: Promise<void>;
  try {
    await recover(parent, base, outDir);
    // Check again under the lock: the directory may have changed since the first check.
    const again = checkOutputDir(outDir, { descriptionFile: options.source?.file, ...options.guard });
    if (again) throw new OutputRefusedError(outDir, again);
    const marker = markerContent(outDir, options.source);
    if (holdsRender(outDir, files, marker)) return unchangedOutput(lock);
    // Every file, the marker and every directory (the staging directory included) durable before the renames.
    durable = fsyncAll(writeTree(staging, files, marker));
    durable.catch(() => undefined); // awaited by commit or abandon; a failure before then is not unhandled
  } catch (error) {
    return failed(error);
  }
  let settled = false;
  const settle = () => {
    if (settled) throw new OutputError(`the staged output for ${outDir} was already committed or abandoned`);
    settled = true;
  };
  return {
    unchanged: false,
    async commit() {
      settle();
      try {
        await durable;
        lock.verify();
        const previous = lstatOrUndefined(outDir) ? join(parent, tempName(base, 'old')) : undefined;
        if (previous) renameSync(outDir, previous);
        renameSync(staging, outDir);
        fsyncPath(parent);
        if (previous) {
          const trash = join(parent, tempName(base, 'tmp'));
          renameSync(previous, trash);
          // Not fsynced after: a removal lost in a crash leaves a tmp sibling, which the next run removes.
          await removeTree(trash);
        }
      } catch (error) {
        return failed(error);
      }
      lock.release();
    },
    async abandon() {
      if (settled) return;
      settled = true;
      await durable.catch(() => undefined);
      try {
        await removeTree(staging);
      } catch {
        /* a tmp sibling: the next run removes it */
      }
      lock.release();
    },
  };
}

/** An output that already holds the render: commit and abandon only give the lock back. */
function unchangedOutput(lock: Lock): StagedOutput {
  let settled = false;
  return {
    unchanged: true,
    async commit() {
      if (settled) throw new OutputError(`the staged output next to ${lock.path} was already committed or abandoned`);
      settled = true;
      lock.verify(); // lost: another writer may be replacing the output, so "unchanged" would not hold
      lock.release();
    },
    async abandon() {
      if (settled) return;
      settled = true;
      lock.release();
    },
  };
}

/** What {@link writeOutput} did. */
export interface WriteResult {
  /** The output already held exactly these files and marker, so nothing was written ({@link holdsRender}). */
  readonly unchanged: boolean;
}

/**
 * Replaces `outDir` with exactly `files` plus the marker (see the file comment): {@link stageOutput}, then
 * commit. An output that already holds exactly these files is left as it is. Throws
 * {@link OutputRefusedError} when the guard refuses `outDir`, {@link OutputError} on file-system failures.
 */
export async function writeOutput(outDir: string, files: readonly RenderedFile[], options: WriteOptions = {}): Promise<WriteResult> {
  const staged = await stageOutput(outDir, files, options);
  await staged.commit();
  return { unchanged: staged.unchanged };
}
