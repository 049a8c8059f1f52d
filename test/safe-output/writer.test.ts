/**
 * The output writer under crashes and concurrency: SIGKILL at every step, two writers at once, stale
 * locks, umask, fsync'd renames, git-ignored temp names, `out:` errors.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MARKER_FILE, OutputError, writeOutput } from '../../lib/output/writer';
import { scratchDir } from '../helpers/scratch';
import { killLoopRender, manyFileRender, tree, whichRender } from './renders';

const REPO = resolve(__dirname, '../..');
let work: string;
beforeEach(() => {
  work = scratchDir('writer-');
});
afterEach(() => {
  chmodSync(work, 0o755);
  rmSync(work, { recursive: true, force: true });
});

const siblings = () => readdirSync(work).filter((n) => n !== 'dist');

/**
 * The writer compiled to one plain CommonJS file (it imports only node: modules), so a killed child costs a
 * bare `node` start rather than a TypeScript loader's. The child wraps the `fs` calls the writer makes (before
 * loading it) and SIGKILLs itself as call number `killAt` starts; with `killAt` -1 it writes to the end and
 * prints every call: `[op, path]` (plus an open's flags, and 'failed' when the call threw), the path relative to
 * the output's parent, a file descriptor's call named by the path it was opened with.
 */
function compileChild(): string {
  const dir = scratchDir('writer-child-');
  const writer = ts.transpileModule(readFileSync(join(REPO, 'lib/output/writer.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  writeFileSync(join(dir, 'writer.js'), writer.outputText);
  writeFileSync(
    join(dir, 'child.js'),
    `const fs = require('node:fs');
const path = require('node:path');
const [out, tag, killAt] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const parent = path.dirname(out);
const calls = [];
const fds = new Map();
const traced = [
  [fs, '', ${JSON.stringify(TRACED_CALLS)}],
  [fs, 'pool.', ${JSON.stringify(TRACED_ASYNC_CALLS)}],
];
for (const [module, prefix, ops] of traced) {
  for (const op of ops) {
    const original = module[op];
    module[op] = function (...args) {
      if (calls.length === killAt) {
        process.kill(process.pid, 'SIGKILL');
        for (;;);
      }
      const target = typeof args[0] === 'number' ? fds.get(args[0]) : path.relative(parent, path.resolve(String(args[0])));
      const call = op === 'openSync' ? [op, target, String(args[1])] : [prefix + op, target];
      calls.push(call);
      const failed = (error) => {
        call.push('failed');
        throw error;
      };
      const callback = args[args.length - 1];
      if (typeof callback === 'function') {
        // a call on the thread pool: its error arrives in the callback
        args[args.length - 1] = (error, ...results) => {
          if (error) call.push('failed');
          callback(error, ...results);
        };
      }
      try {
        const result = original.apply(this, args);
        if (op === 'openSync') fds.set(result, target);
        return result;
      } catch (error) {
        return failed(error);
      }
    };
  }
}
const { writeOutput } = require('./writer.js');
const render = ${killLoopRender.toString()};
writeOutput(out, render(tag)).then(() => process.stdout.write(JSON.stringify(calls)));
`,
  );
  return dir;
}

/** Every fs call of the writer that the child can be killed at (the writer reads and stats with others). */
const TRACED_CALLS = [
  'mkdirSync',
  'chmodSync',
  'openSync',
  'writeSync',
  'fchmodSync',
  'fsyncSync',
  'closeSync',
  'renameSync',
  'linkSync',
  'rmSync',
  'rmdirSync',
  'unlinkSync',
];

/** The same for the writer's parallel calls on libuv's thread pool (a tree's removal), callback API. */
const TRACED_ASYNC_CALLS = ['unlink', 'rmdir'];

type Call = [op: string, target: string, ...more: string[]];

/** Runs the child to the end (`killAt` -1, returns its calls) or until it kills itself (returns undefined). */
function runChild(childDir: string, out: string, tag: string, killAt: number): Call[] | undefined {
  const r = spawnSync(process.execPath, [join(childDir, 'child.js'), out, tag, String(killAt)], { encoding: 'utf8', timeout: 20_000 });
  if (killAt < 0) {
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Call[];
  }
  expect(r.signal, `child with killAt ${killAt}: ${r.stderr}`).toBe('SIGKILL');
  return undefined;
}

/**
 * Calls that change what a later run finds: not fsync, close or a read-only open (a killed process's page cache
 * survives it), nor a call that failed (a lock that exists, a directory not yet empty); a kill just before one of
 * those finds what a kill before the next changing call finds. (rmSync counts: Node 20 deletes through rmdir and
 * unlink calls the child sees, later versions in native code it does not.)
 */
const changes = ([op, , ...more]: Call) => !['fsyncSync', 'closeSync'].includes(op) && !(op === 'openSync' && more[0] === 'r') && !more.includes('failed');

/**
 * Where to kill: before every call that changes the directory, except inside long runs of calls on one
 * directory's contents (writing the staged files, deleting a tree), where the first, a middle and the last do.
 */
function killPoints(calls: readonly Call[], until = calls.length): number[] {
  const group = ([op, target]: Call) => {
    const [top, ...inside] = target.split('/');
    return inside.length ? `inside ${top.replace(/[0-9a-f]{24}$/, '')}` : `${op} ${top}`;
  };
  const changing = calls.map((c, i) => [c, i] as const).filter(([c, i]) => i < until && changes(c));
  const points = new Set<number>();
  for (let k = 0; k < changing.length;) {
    let end = k;
    while (end + 1 < changing.length && group(changing[end + 1][0]).startsWith('inside') && group(changing[end + 1][0]) === group(changing[k][0])) end++;
    for (const j of new Set([k, Math.floor((k + end) / 2), end])) points.add(changing[j][1]);
    k = end + 1;
  }
  return [...points].sort((a, b) => a - b);
}

/** After a kill: a lock the child had created but not yet written is empty; it would be broken only once 3 s old. */
function ageEmptyLock(): void {
  const lock = join(work, '.dist.homelab-lock');
  if (existsSync(lock) && readFileSync(lock, 'utf8') === '') utimesSync(lock, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
}

/** The leftovers beside the output stay bounded and named as .gitignore expects. */
function expectTidyLeftovers(when: string): void {
  expect(siblings().length, `${when}: ${siblings().join(' ')}`).toBeLessThanOrEqual(4);
  for (const name of siblings()) expect(name, when).toMatch(/^\.dist\.homelab-(lock|tmp-[0-9a-f]{24}|old-[0-9a-f]{24})$/);
}

const olds = () => siblings().filter((n) => n.startsWith('.dist.homelab-old-'));

describe('SIGKILL at every step', () => {
  it('replacing A with B: killed before any step, the output is the complete A, the complete B, or (between the two renames) no output and A beside it; the next run always recovers', async () => {
    const out = join(work, 'dist');
    const childDir = compileChild();
    await writeOutput(out, killLoopRender('A'));
    const calls = runChild(childDir, out, 'B', -1)!;
    expect(whichRender(out)).toBe('B');
    // the trace really is the writer's: the staged files, the two renames around which everything turns
    const renames = calls.map((c, i) => [c, i] as const).filter(([[op]]) => op === 'renameSync');
    expect(renames.map(([[, target]]) => target.replace(/[0-9a-f]{24}$/, ''))).toEqual(['dist', '.dist.homelab-tmp-', '.dist.homelab-old-']);
    const staged = calls.filter(([, target]) => /^\.dist\.homelab-tmp-[0-9a-f]{24}\/d\d\/f\d+\.yaml$/.test(target));
    expect(staged.filter(([op, , flags]) => op === 'openSync' && flags === 'wx')).toHaveLength(12); // written
    // fsynced through the descriptors the writes kept open, never opened again (the strace test below proves every file is fsynced before the rename)
    expect(staged.filter(([op, , flags]) => op === 'openSync' && flags === 'r')).toHaveLength(0);
    // the previous render (A) is removed in parallel too: its 12 files unlinked, then its 4 directories
    const removal = calls.filter(([op, target]) => /^\.dist\.homelab-tmp-[0-9a-f]{24}\//.test(`${target}/`) && ['pool.unlink', 'pool.rmdir'].includes(op));
    expect(removal.filter(([op]) => op === 'pool.unlink').length).toBe(13); // 12 files and the marker
    const [outAside, stagingIn] = [renames[0][1], renames[1][1]];

    const points = killPoints(calls);
    expect(points.length).toBeGreaterThanOrEqual(15);
    const seen = { old: 0, new: 0, restored: 0 };
    let current = 'B'; // what the output holds before each kill; the child writes the other one
    for (const at of points) {
      const [before, after] = current === 'A' ? ['A', 'B'] : ['B', 'A'];
      runChild(childDir, out, after, at);
      const when = `${before} → ${after} killed before call ${at} (${calls[at].join(' ')})`;
      if (at <= outAside) {
        expect(whichRender(out), when).toBe(before);
        seen.old++;
      } else if (at <= stagingIn) {
        // between the renames: no output, the complete previous one beside it
        expect(existsSync(out), when).toBe(false);
        expect(olds(), when).toHaveLength(1);
        expect(whichRender(join(work, olds()[0])), when).toBe(before);
        seen.restored++;
      } else {
        expect(whichRender(out), when).toBe(after);
        seen.new++;
      }
      expectTidyLeftovers(when);
      // the next run recovers: a stale lock broken, leftovers removed, the output replaced
      ageEmptyLock();
      current = at % 2 ? 'A' : 'B';
      await writeOutput(out, killLoopRender(current));
      expect(whichRender(out), `next run after ${when}`).toBe(current);
      expect(siblings(), `next run after ${when}`).toEqual([]);
    }
    expect(seen.restored).toBeGreaterThanOrEqual(1);
    expect(seen.old).toBeGreaterThanOrEqual(5);
    expect(seen.new).toBeGreaterThanOrEqual(3);
    rmSync(childDir, { recursive: true, force: true });
  });

  it('a run that recovers a killed run (stale lock, old render beside no output, a half-written staging) can itself be killed at every step of that recovery', async () => {
    const out = join(work, 'dist');
    const childDir = compileChild();
    const template = join(scratchDir('writer-template-'), 'dist');
    await writeOutput(template, killLoopRender('A'));
    const killedBetweenRenames = () => {
      rmSync(out, { recursive: true, force: true });
      cpSync(template, join(work, '.dist.homelab-old-0123456789abcdef01234567'), { recursive: true });
      mkdirSync(join(work, '.dist.homelab-tmp-0123456789abcdef01234567', 'd0'), { recursive: true });
      writeFileSync(join(work, '.dist.homelab-tmp-0123456789abcdef01234567', 'd0', 'f0.yaml'), 'tag: B\n');
      writeFileSync(join(work, '.dist.homelab-lock'), '999999999 1 x\n'); // no such process
    };
    killedBetweenRenames();
    const calls = runChild(childDir, out, 'B', -1)!;
    expect(whichRender(out)).toBe('B');
    expect(siblings()).toEqual([]);
    // its recovery: break the lock, take the lock, put the old render back, remove the leftovers; then it writes
    const restore = calls.findIndex(([op, target]) => op === 'renameSync' && target.startsWith('.dist.homelab-old-0123'));
    expect(restore).toBeGreaterThan(0);
    const staging = calls.findIndex(([op, target], i) => i > restore && op === 'mkdirSync' && /^\.dist\.homelab-tmp-[0-9a-f]{24}$/.test(target));
    expect(staging).toBeGreaterThan(restore);
    const points = killPoints(calls, staging + 1);
    expect(points.length).toBeGreaterThanOrEqual(6);
    for (const at of points) {
      killedBetweenRenames();
      runChild(childDir, out, 'B', at);
      const when = `killed before call ${at} (${calls[at].join(' ')})`;
      if (at <= restore) {
        expect(existsSync(out), when).toBe(false);
        expect(olds(), when).toHaveLength(1);
        expect(whichRender(join(work, olds()[0])), when).toBe('A');
      } else {
        expect(whichRender(out), when).toBe('A');
      }
      expectTidyLeftovers(when);
      ageEmptyLock();
      await writeOutput(out, killLoopRender('B'));
      expect(whichRender(out), `next run after ${when}`).toBe('B');
      expect(siblings(), `next run after ${when}`).toEqual([]);
    }
    rmSync(childDir, { recursive: true, force: true });
    rmSync(dirname(template), { recursive: true, force: true });
  });

  it.skipIf(!existsSync('/usr/bin/strace')).each([
    [12, "in parallel on libuv's thread pool"],
    [450, "in parallel on libuv's thread pool"],
  ])(
    '%i files (fsyncs %s): every file, the marker and every directory of the staging tree is fsynced before it is renamed into place, and the parent after (strace; apt-get install strace)',
    async (count) => {
      const out = join(work, 'dist');
      const childDir = scratchDir('writer-once-');
      const writer = ts.transpileModule(readFileSync(join(REPO, 'lib/output/writer.ts'), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      });
      writeFileSync(join(childDir, 'writer.js'), writer.outputText);
      writeFileSync(join(childDir, 'once.js'), `void require('./writer.js').writeOutput(process.argv[2], (${manyFileRender.toString()})('A', ${count}));\n`);
      // -f follows libuv's thread pool, where the fsyncs run; -y prints the path behind each file descriptor.
      const traced = spawnSync(
        '/usr/bin/strace',
        ['-f', '-y', '-qq', '-e', 'trace=fsync,rename,renameat,renameat2', process.execPath, join(childDir, 'once.js'), out],
        { encoding: 'utf8' },
      );
      rmSync(childDir, { recursive: true, force: true });
      expect(traced.status, traced.stderr).toBe(0);
      const written = tree(out);
      expect(written.size).toBe(count + 1);
      expect(written.get('d2/f5.yaml')).toEqual({ content: 'tag: A\nfile: 5\n', mode: 0o755 });
      const lines = traced.stderr.split('\n');
      const synced = lines.map((l) => /fsync\(\d+<([^>]+)>/.exec(l)?.[1]).filter((p): p is string => p !== undefined);
      const staging = synced.map((p) => /^(.*\/\.dist\.homelab-tmp-[0-9a-f]{24})/.exec(p)?.[1]).find(Boolean)!;
      expect(staging, synced.join('\n')).toMatch(/\.dist\.homelab-tmp-[0-9a-f]{24}$/);
      const want = [
        ...manyFileRender('A', count).map((f) => join(staging, f.path)),
        join(staging, MARKER_FILE),
        staging,
        join(staging, 'd0'),
        join(staging, 'd1'),
        join(staging, 'd2'),
      ];
      for (const path of want) expect(synced, `fsync of ${path}`).toContain(path);
      // every one of them before the staging directory is renamed into place; the parent after
      const renameLine = lines.findIndex((l) => /rename/.test(l) && l.includes(staging) && l.includes(`${out}"`));
      expect(renameLine, traced.stderr).toBeGreaterThan(0);
      const before = new Set(lines.slice(0, renameLine).map((l) => /fsync\(\d+<([^>]+)>/.exec(l)?.[1]));
      for (const path of want) expect(before.has(path), `fsync of ${path} before the rename`).toBe(true);
      expect(lines.slice(renameLine).some((l) => l.includes(`fsync(`) && l.includes(`<${work}>`))).toBe(true);
      // the next render replaces it; the previous one is removed
      await writeOutput(out, manyFileRender('B', count));
      expect(tree(out).get('d2/f5.yaml')?.content).toBe('tag: B\nfile: 5\n');
      expect(tree(out).size).toBe(count + 1);
      expect(siblings()).toEqual([]);
    },
  );

  it('the next run restores a previous output a killed run left beside the missing output', async () => {
    const out = join(work, 'dist');
    await writeOutput(out, killLoopRender('A'));
    // the state right after `rename(out, old)`, before `rename(staging, out)`: simulate the kill there
    execFileSync('mv', [out, join(work, '.dist.homelab-old-0123456789abcdef01234567')]);
    mkdirSync(join(work, '.dist.homelab-tmp-0123456789abcdef01234567', 'd0'), { recursive: true });
    writeFileSync(join(work, '.dist.homelab-lock'), '999999999 1 x\n'); // no such process
    // a run that fails (a bad file) still restores the old output first and leaves it in place
    await expect(writeOutput(out, [{ path: '../x', content: '' }])).rejects.toThrow(OutputError);
    expect(whichRender(out)).toBe('A');
    expect(siblings()).toEqual([]);
  });
});

describe('lock', () => {
  it('a second writer waits for a live holder, then fails clearly', async () => {
    const out = join(work, 'dist');
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    writeFileSync(join(work, '.dist.homelab-lock'), `${process.pid} ${start} test\n`);
    const t0 = Date.now();
    await expect(writeOutput(out, killLoopRender('A'), { lockWaitMs: 300 })).rejects.toThrow(
      new RegExp(`^out: another synth \\(pid ${process.pid}\\) is writing next to .*\\.dist\\.homelab-lock; wait for it to finish and run again`),
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(existsSync(out)).toBe(false);
  });

  it('breaks a lock whose pid now belongs to another process (pid reuse in a container)', async () => {
    const out = join(work, 'dist');
    writeFileSync(join(work, '.dist.homelab-lock'), `${process.pid} 1 reused\n`); // our pid, another start time
    await writeOutput(out, killLoopRender('B'), { lockWaitMs: 300 });
    expect(whichRender(out)).toBe('B');
    expect(siblings()).toEqual([]);
  });

  it('two syntheses at once both succeed, one after the other, and leave one complete render', async () => {
    const out = join(work, 'dist');
    const runSynth = () =>
      new Promise<{ code: number | null; stderr: string }>((ok) => {
        const p = spawn(process.execPath, ['--import', 'tsx', 'main.ts', 'synth', '--out', out], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        p.stderr.on('data', (d) => (stderr += d));
        p.on('exit', (code) => ok({ code, stderr }));
      });
    const [a, b] = await Promise.all([runSynth(), runSynth()]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const files = tree(out);
    const committed = tree(join(REPO, 'dist'));
    expect([...files.keys()].sort()).toEqual([...committed.keys()].sort());
    for (const [path, file] of committed) if (path !== MARKER_FILE) expect(files.get(path)?.content, path).toBe(file.content);
    expect(siblings()).toEqual([]);
  }, 60_000);
});

describe('files', () => {
  it('sets modes independently of the umask', () => {
    const out = join(work, 'dist');
    const childDir = compileChild();
    const script = `process.umask(0o077); require(${JSON.stringify(join(childDir, 'writer.js'))}).writeOutput(${JSON.stringify(out)}, [{ path: 'a/x.yaml', content: 'x' }, { path: 'a/run.sh', content: '#!/bin/sh', mode: 0o755 }])`;
    execFileSync(process.execPath, ['-e', script]);
    rmSync(childDir, { recursive: true, force: true });
    expect(statSync(join(out, 'a/x.yaml')).mode & 0o777).toBe(0o644);
    expect(statSync(join(out, 'a/run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, 'a')).mode & 0o777).toBe(0o755);
    expect(statSync(out).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, MARKER_FILE)).mode & 0o777).toBe(0o644);
  });

  it('reports file-system errors as "out: <message>" and leaves the previous output', async () => {
    if (process.getuid?.() === 0) {
      // root ignores directory permissions: make the parent a file-system error another way (a file where a directory must go)
      const out = join(work, 'blocked', 'dist');
      writeFileSync(join(work, 'blocked'), 'a file');
      await expect(writeOutput(out, killLoopRender('A'))).rejects.toThrow(/^out: .*ENOTDIR/);
      return;
    }
    const out = join(work, 'dist');
    await writeOutput(out, killLoopRender('A'));
    chmodSync(work, 0o555);
    await expect(writeOutput(out, killLoopRender('B'))).rejects.toThrow(/^out: /);
    expect(whichRender(out)).toBe('A');
  });

  it('.gitignore matches every name the writer creates beside the output, and not the marker', () => {
    const names = [
      'dist/../.dist.homelab-lock',
      '.dist.homelab-tmp-0a1b2c3d4e5f60718293a4b5',
      '.dist.homelab-old-0a1b2c3d4e5f60718293a4b5',
      'sub/.out.homelab-tmp-00/x',
      '.cdk8s-out/10-x.yaml',
    ];
    const ignored = spawnSync('git', ['check-ignore', '--no-index', ...names], { cwd: REPO, encoding: 'utf8' })
      .stdout.trim()
      .split('\n');
    expect(ignored).toEqual(names);
    expect(spawnSync('git', ['check-ignore', '--no-index', `dist/${MARKER_FILE}`], { cwd: REPO }).status).toBe(1);
  });
});

describe('lock edge cases', () => {
  it('a lock file still being written (empty, fresh) is waited for; an old empty one is broken', async () => {
    const out = join(work, 'dist');
    const lock = join(work, '.dist.homelab-lock');
    writeFileSync(lock, '');
    await expect(writeOutput(out, killLoopRender('A'), { lockWaitMs: 200 })).rejects.toThrow(/^out: another synth \(pid \?\) is writing/);
    utimesSync(lock, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    await writeOutput(out, killLoopRender('A'), { lockWaitMs: 200 });
    expect(whichRender(out)).toBe('A');
    expect(siblings()).toEqual([]);
  });
});

describe('recovery of leftovers', () => {
  it("removes a leftover temporary that is a file, not a directory (a killed run's lock temporary), and writes", async () => {
    const out = join(work, 'dist');
    await writeOutput(out, killLoopRender('A'));
    writeFileSync(join(work, '.dist.homelab-tmp-0123456789abcdef01234567'), '12345 1 x\n');
    await writeOutput(out, killLoopRender('B'));
    expect(whichRender(out)).toBe('B');
    expect(readdirSync(work).sort()).toEqual(['dist']);
  });
});

describe('an output that already holds the render', () => {
  /** Every entry below `dir` (the directory itself included) → inode and modification time. */
  const identities = (dir: string) => {
    const out = new Map<string, string>();
    const walk = (path: string, name: string) => {
      const stat = statSync(path);
      out.set(name, `${stat.ino} ${stat.mtimeMs}`);
      if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry), `${name}/${entry}`);
    };
    walk(dir, '.');
    return out;
  };

  it('is left as it is: nothing staged, every file and directory keeps its inode and modification time', async () => {
    const out = join(work, 'dist');
    expect(await writeOutput(out, killLoopRender('A'), { source: { file: join(work, 'cluster.yaml'), content: 'a: 1\n' } })).toEqual({ unchanged: false });
    const before = identities(out);
    expect(before.size).toBe(1 + 1 + 3 + 12); // the directory, the marker, 3 directories, 12 files
    expect(await writeOutput(out, killLoopRender('A'), { source: { file: join(work, 'cluster.yaml'), content: 'a: 1\n' } })).toEqual({ unchanged: true });
    expect(identities(out)).toEqual(before);
    expect(whichRender(out)).toBe('A');
    expect(readdirSync(work)).toEqual(['dist']); // no staging directory, no old render, the lock released
  });

  it('writes nothing at all: the only files it creates or removes are its lock (strace)', () => {
    const out = join(work, 'dist');
    const childDir = compileChild();
    const write = `require(${JSON.stringify(join(childDir, 'writer.js'))}).writeOutput(${JSON.stringify(out)}, (${killLoopRender.toString()})('A'))`;
    execFileSync(process.execPath, ['-e', write]);
    const trace = join(work, 'trace');
    const run = spawnSync(
      'strace',
      [
        '-f',
        '-qq',
        '-e',
        'trace=openat,mkdir,rename,renameat2,unlink,unlinkat,rmdir,chmod,fchmod',
        '-o',
        trace,
        process.execPath,
        '-e',
        `${write}.then((r) => process.stdout.write(JSON.stringify(r)))`,
      ],
      { encoding: 'utf8' },
    );
    rmSync(childDir, { recursive: true, force: true });
    expect(run.status, `strace is needed (apt-get install strace): ${run.stderr}`).toBe(0);
    expect(run.stdout).toBe('{"unchanged":true}');
    const changes = readFileSync(trace, 'utf8')
      .split('\n')
      .filter((line) => line.includes(work) && !/ = -1 E/.test(line)) // calls that changed something
      .filter((line) => /O_(?:WRONLY|RDWR|CREAT)/.test(line) || /\b(?:mkdir|rename|renameat2|unlink|unlinkat|rmdir|chmod|fchmod)\(/.test(line))
      .map((line) =>
        line
          .replace(/^\d+\s+/, '')
          .replace(work, '<work>')
          .replace(/, 0o?\d+\).*$|\).*$/, ')'),
      );
    expect(changes).toEqual([
      `openat(AT_FDCWD, "<work>/.dist.homelab-lock", O_WRONLY|O_CREAT|O_EXCL|O_TRUNC|O_CLOEXEC)`,
      'unlink("<work>/.dist.homelab-lock")',
    ]);
  });

  const differences: [string, (out: string) => void][] = [
    [
      'a byte of a file (same length)',
      (out) => writeFileSync(join(out, 'd1/f4.yaml'), readFileSync(join(out, 'd1/f4.yaml'), 'utf8').replace('tag: A', 'tag: Z')),
    ],
    ['a byte appended to a file', (out) => writeFileSync(join(out, 'd1/f4.yaml'), `${readFileSync(join(out, 'd1/f4.yaml'), 'utf8')}\n`)],
    ["a file's mode", (out) => chmodSync(join(out, 'd1/f4.yaml'), 0o600)],
    ["a directory's mode", (out) => chmodSync(join(out, 'd2'), 0o700)],
    ["the output directory's mode", (out) => chmodSync(out, 0o750)],
    ['a file more', (out) => writeFileSync(join(out, 'd0/extra.yaml'), 'x: 1\n')],
    ['a file less', (out) => unlinkSync(join(out, 'd2/f11.yaml'))],
    ['an empty directory more', (out) => mkdirSync(join(out, 'd3'))],
    [
      'a symbolic link to an identical file in place of the file',
      (out) => {
        cpSync(join(out, 'd1/f4.yaml'), join(work, 'f4.yaml'));
        unlinkSync(join(out, 'd1/f4.yaml'));
        symlinkSync(join(work, 'f4.yaml'), join(out, 'd1/f4.yaml'));
      },
    ],
    [
      'the marker (another description)',
      (out) => writeFileSync(join(out, MARKER_FILE), readFileSync(join(out, MARKER_FILE), 'utf8').replace(/sha256: ./, 'sha256: -')),
    ],
  ];
  it.each(differences)('is replaced when it differs in %s', async (_, change) => {
    const out = join(work, 'dist');
    const source = { file: join(work, 'cluster.yaml'), content: 'a: 1\n' };
    await writeOutput(out, killLoopRender('A'), { source });
    const marker = readFileSync(join(out, MARKER_FILE), 'utf8');
    change(out);
    expect(await writeOutput(out, killLoopRender('A'), { source })).toEqual({ unchanged: false });
    expect(whichRender(out)).toBe('A');
    expect(statSync(out).mode & 0o7777).toBe(0o755);
    expect(statSync(join(out, 'd2')).mode & 0o7777).toBe(0o755);
    expect(readFileSync(join(out, MARKER_FILE), 'utf8')).toBe(marker);
    expect(readdirSync(work).filter((n) => n !== 'f4.yaml')).toEqual(['dist']);
  });
});
