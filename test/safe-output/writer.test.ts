/**
 * The output writer under crashes and concurrency: SIGKILL at random points, two writers at once, stale
 * locks, umask, fsync'd renames, git-ignored temp names, `out:` errors.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MARKER_FILE, OutputError, writeOutput } from '../../lib/output/writer';
import { killLoopRender, tree, whichRender } from './renders';

const REPO = resolve(__dirname, '../..');
let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'writer-'));
});
afterEach(() => {
  chmodSync(work, 0o755);
  rmSync(work, { recursive: true, force: true });
});

const siblings = () => readdirSync(work).filter((n) => n !== 'dist');

/**
 * The writer compiled to one plain CommonJS file (it imports only node: modules), so a killed child costs a
 * bare `node` start rather than a TypeScript loader's: many kills fit in a few seconds.
 */
function compileChild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'writer-child-'));
  const writer = ts.transpileModule(readFileSync(join(REPO, 'lib/output/writer.ts'), 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  writeFileSync(join(dir, 'writer.js'), writer.outputText);
  // render A and B as in ./renders.ts; writes alternately until killed, printing each write's duration
  writeFileSync(
    join(dir, 'child.js'),
    `const { writeOutput } = require('./writer.js');
const render = ${killLoopRender.toString()};
const out = process.argv[2];
for (let n = 0; ; n++) {
  const t = Date.now();
  writeOutput(out, render(n % 2 ? 'B' : 'A'));
  process.stdout.write('wrote ' + (Date.now() - t) + '\\n');
}
`,
  );
  return dir;
}

function startChild(childDir: string, out: string) {
  const child = spawn(process.execPath, [join(childDir, 'child.js'), out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const ready = new Promise<number>((ok, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /wrote (\d+)/.exec(d.toString());
      if (m) ok(Number(m[1]));
    });
    child.on('exit', (code) => fail(new Error(`child exited ${code} before its first write: ${stderr}`)));
  });
  const exited = new Promise<void>((ok) => child.on('exit', () => ok()));
  return { child, ready, exited };
}

describe('SIGKILL at random points', () => {
  it('leaves the complete old or new render every time (or the complete old one beside it, restored by the next run), and nothing accumulates', async () => {
    const out = join(work, 'dist');
    const started = Date.now();
    const seen = { A: 0, B: 0, restored: 0 };
    let kills = 0;
    const childDir = compileChild();
    // Bounded in count and time so it stays well within a minute on a loaded CI machine.
    while (kills < 40 && Date.now() - started < 25_000) {
      const { child, ready, exited } = startChild(childDir, out);
      const duration = await ready; // the first write has finished (it recovered whatever the last kill left)
      // a random point within the next two or three writes: staging, fsyncs, renames, deletion of the old one
      await new Promise((ok) => setTimeout(ok, Math.random() * 2.5 * Math.max(duration, 5)));
      child.kill('SIGKILL');
      await exited;
      kills++;
      const state = whichRender(out);
      if (state === 'A' || state === 'B') {
        seen[state]++;
      } else {
        // Killed between the two renames: the output is the complete previous render under its old name.
        expect(existsSync(out), `after kill ${kills}: ${state}`).toBe(false);
        const olds = siblings().filter((n) => n.startsWith('.dist.homelab-old-'));
        expect(olds).toHaveLength(1);
        expect(['A', 'B']).toContain(whichRender(join(work, olds[0])));
        seen.restored++;
      }
      // leftovers are bounded: the lock, at most one staging, one previous, one being deleted
      expect(siblings().length, siblings().join(' ')).toBeLessThanOrEqual(4);
      for (const name of siblings()) expect(name).toMatch(/^\.dist\.homelab-(lock|tmp-[0-9a-f]{24}|old-[0-9a-f]{24})$/);
    }
    expect(kills).toBeGreaterThanOrEqual(8);
    expect(seen.A + seen.B + seen.restored).toBe(kills);
    // The next run recovers: the stale lock is broken, leftovers removed, the output replaced.
    writeOutput(out, killLoopRender('A'));
    expect(whichRender(out)).toBe('A');
    expect(siblings()).toEqual([]);
    rmSync(childDir, { recursive: true, force: true });
    expect(seen.A).toBeGreaterThan(0);
    expect(seen.B).toBeGreaterThan(0);
    console.info(`kill loop: ${kills} kills in ${Date.now() - started} ms, ${JSON.stringify(seen)}`);
  }, 60_000);

  it.skipIf(!existsSync('/usr/bin/strace'))('fsyncs every file, the marker and every directory of the staging tree before renaming it into place, and the parent after (strace; apt-get install strace)', () => {
    const out = join(work, 'dist');
    const childDir = mkdtempSync(join(tmpdir(), 'writer-once-'));
    const writer = ts.transpileModule(readFileSync(join(REPO, 'lib/output/writer.ts'), 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
    writeFileSync(join(childDir, 'writer.js'), writer.outputText);
    writeFileSync(join(childDir, 'once.js'), `require('./writer.js').writeOutput(process.argv[2], ${killLoopRender.toString()}('A'));\n`);
    // -f follows the fsync worker thread; -y prints the path behind each file descriptor.
    const traced = spawnSync('/usr/bin/strace', ['-f', '-y', '-qq', '-e', 'trace=fsync,rename,renameat,renameat2', process.execPath, join(childDir, 'once.js'), out], { encoding: 'utf8' });
    rmSync(childDir, { recursive: true, force: true });
    expect(traced.status, traced.stderr).toBe(0);
    expect(whichRender(out)).toBe('A');
    const lines = traced.stderr.split('\n');
    const synced = lines.map((l) => /fsync\(\d+<([^>]+)>/.exec(l)?.[1]).filter((p): p is string => p !== undefined);
    const staging = synced.map((p) => /^(.*\/\.dist\.homelab-tmp-[0-9a-f]{24})/.exec(p)?.[1]).find(Boolean)!;
    expect(staging, synced.join('\n')).toMatch(/\.dist\.homelab-tmp-[0-9a-f]{24}$/);
    const want = [...killLoopRender('A').map((f) => join(staging, f.path)), join(staging, MARKER_FILE), staging, join(staging, 'd0'), join(staging, 'd1'), join(staging, 'd2')];
    for (const path of want) expect(synced, `fsync of ${path}`).toContain(path);
    // every one of them before the staging directory is renamed into place; the parent after
    const renameLine = lines.findIndex((l) => /rename/.test(l) && l.includes(staging) && l.includes(`${out}"`));
    expect(renameLine, traced.stderr).toBeGreaterThan(0);
    const before = new Set(lines.slice(0, renameLine).map((l) => /fsync\(\d+<([^>]+)>/.exec(l)?.[1]));
    for (const path of want) expect(before.has(path), `fsync of ${path} before the rename`).toBe(true);
    expect(lines.slice(renameLine).some((l) => l.includes(`fsync(`) && l.includes(`<${work}>`))).toBe(true);
  });

  it('the next run restores a previous output a killed run left beside the missing output', () => {
    const out = join(work, 'dist');
    writeOutput(out, killLoopRender('A'));
    // the state right after `rename(out, old)`, before `rename(staging, out)`: simulate the kill there
    execFileSync('mv', [out, join(work, '.dist.homelab-old-0123456789abcdef01234567')]);
    mkdirSync(join(work, '.dist.homelab-tmp-0123456789abcdef01234567', 'd0'), { recursive: true });
    writeFileSync(join(work, '.dist.homelab-lock'), '999999999 1 x\n'); // no such process
    // a run that fails (a bad file) still restores the old output first and leaves it in place
    expect(() => writeOutput(out, [{ path: '../x', content: '' }])).toThrow(OutputError);
    expect(whichRender(out)).toBe('A');
    expect(siblings()).toEqual([]);
  });
});

describe('lock', () => {
  it('a second writer waits for a live holder, then fails clearly', () => {
    const out = join(work, 'dist');
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    writeFileSync(join(work, '.dist.homelab-lock'), `${process.pid} ${start} test\n`);
    const t0 = Date.now();
    expect(() => writeOutput(out, killLoopRender('A'), { lockWaitMs: 300 })).toThrow(
      new RegExp(`^out: another synth \\(pid ${process.pid}\\) is writing next to .*\\.dist\\.homelab-lock; wait for it to finish and run again`),
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(existsSync(out)).toBe(false);
  });

  it('breaks a lock whose pid now belongs to another process (pid reuse in a container)', () => {
    const out = join(work, 'dist');
    writeFileSync(join(work, '.dist.homelab-lock'), `${process.pid} 1 reused\n`); // our pid, another start time
    writeOutput(out, killLoopRender('B'), { lockWaitMs: 300 });
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
    const script = `process.umask(0o077); require(${JSON.stringify(join(REPO, 'lib/output/writer.ts'))}).writeOutput(${JSON.stringify(out)}, [{ path: 'a/x.yaml', content: 'x' }, { path: 'a/run.sh', content: '#!/bin/sh', mode: 0o755 }])`;
    execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO });
    expect(statSync(join(out, 'a/x.yaml')).mode & 0o777).toBe(0o644);
    expect(statSync(join(out, 'a/run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, 'a')).mode & 0o777).toBe(0o755);
    expect(statSync(out).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, MARKER_FILE)).mode & 0o777).toBe(0o644);
  });

  it('reports file-system errors as "out: <message>" and leaves the previous output', () => {
    if (process.getuid?.() === 0) {
      // root ignores directory permissions: make the parent a file-system error another way (a file where a directory must go)
      const out = join(work, 'blocked', 'dist');
      writeFileSync(join(work, 'blocked'), 'a file');
      expect(() => writeOutput(out, killLoopRender('A'))).toThrow(/^out: .*ENOTDIR/);
      return;
    }
    const out = join(work, 'dist');
    writeOutput(out, killLoopRender('A'));
    chmodSync(work, 0o555);
    expect(() => writeOutput(out, killLoopRender('B'))).toThrow(/^out: /);
    expect(whichRender(out)).toBe('A');
  });

  it('.gitignore matches every name the writer creates beside the output, and not the marker', () => {
    const names = ['dist/../.dist.homelab-lock', '.dist.homelab-tmp-0a1b2c3d4e5f60718293a4b5', '.dist.homelab-old-0a1b2c3d4e5f60718293a4b5', 'sub/.out.homelab-tmp-00/x', '.cdk8s-out/10-x.yaml'];
    const ignored = spawnSync('git', ['check-ignore', '--no-index', ...names], { cwd: REPO, encoding: 'utf8' }).stdout.trim().split('\n');
    expect(ignored).toEqual(names);
    expect(spawnSync('git', ['check-ignore', '--no-index', `dist/${MARKER_FILE}`], { cwd: REPO }).status).toBe(1);
  });
});

describe('lock edge cases', () => {
  it('a lock file still being written (empty, fresh) is waited for; an old empty one is broken', () => {
    const out = join(work, 'dist');
    const lock = join(work, '.dist.homelab-lock');
    writeFileSync(lock, '');
    expect(() => writeOutput(out, killLoopRender('A'), { lockWaitMs: 200 })).toThrow(/^out: another synth \(pid \?\) is writing/);
    utimesSync(lock, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    writeOutput(out, killLoopRender('A'), { lockWaitMs: 200 });
    expect(whichRender(out)).toBe('A');
    expect(siblings()).toEqual([]);
  });
});
