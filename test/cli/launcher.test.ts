/**
 * scripts/cli.cjs, the launcher `npm run synth` starts: it runs the bundle with V8's code cache. V8 accepts a
 * cache for any source of the same length, so the cache must be keyed on the build, or a rebuilt bundle of the
 * same length would run the previous build's code. These tests run the real launcher in a scratch project
 * (no lib/ there, so it never rebuilds) on hand-made bundles.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scratchDir } from '../helpers/scratch';

let project: string;
beforeEach(() => {
  project = scratchDir('launcher-');
  mkdirSync(join(project, 'scripts'));
  mkdirSync(join(project, 'build/cli'), { recursive: true });
  cpSync('scripts/cli.cjs', join(project, 'scripts/cli.cjs'));
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

const bundle = (text: string) => writeFileSync(join(project, 'build/cli/main.js'), text);
const launch = (args = ['synth', '--x'], status = 0) => {
  const r = spawnSync(process.execPath, [join(project, 'scripts/cli.cjs'), ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(status);
  return r.stdout.trim();
};
const caches = () =>
  readdirSync(join(project, 'build/cli'))
    .filter((f) => f.endsWith('.cache'))
    .sort();

describe('the launcher of the bundled command line', () => {
  it('runs a rebuilt bundle of the same length, not the code cached from the previous build', () => {
    bundle('// build 1111111111111111\nconsole.log("one", process.argv.slice(2).join(" "));\n');
    expect(launch()).toBe('one synth --x'); // writes the cache of build 1111…
    expect(launch()).toBe('one synth --x'); // runs from it
    expect(caches()).toEqual(['main.js.1111111111111111.synth.cache']);
    bundle('// build 2222222222222222\nconsole.log("two", process.argv.slice(2).join(" "));\n');
    expect(readFileSync(join(project, 'build/cli/main.js'), 'utf8')).toHaveLength(79); // the same length as before
    expect(launch()).toBe('two synth --x');
    expect(launch()).toBe('two synth --x');
    expect(caches()).toEqual(['main.js.1111111111111111.synth.cache', 'main.js.2222222222222222.synth.cache']);
  });

  it('runs a bundle without a build id without any cache', () => {
    bundle('console.log("plain");\n');
    expect(launch()).toBe('plain');
    bundle('console.log("other");\n');
    expect(launch()).toBe('other');
    expect(caches()).toEqual([]);
  });

  it('keeps a cache per command, written only by a run that succeeded (a failed or --help run first leaves the synth without the render code)', () => {
    // the bundle compiles a function only on the path a command takes; a cache holds what its run compiled
    bundle(
      '// build 3333333333333333\nconst [cmd, arg] = process.argv.slice(2);\nif (arg === "--fail") process.exit(1);\nconsole.log(cmd === "synth" ? (() => "rendered")() : "other");\n',
    );
    launch(['synth', '--fail'], 1);
    expect(caches()).toEqual([]); // a failed run writes no cache
    expect(launch(['--help'])).toBe('other');
    expect(caches()).toEqual(['main.js.3333333333333333.other.cache']);
    expect(launch(['validate'])).toBe('other');
    expect(launch(['synth'])).toBe('rendered');
    expect(caches()).toEqual(['main.js.3333333333333333.other.cache', 'main.js.3333333333333333.synth.cache', 'main.js.3333333333333333.validate.cache']);
    expect(launch(['synth'])).toBe('rendered');
  });

  it('rebuilds when a source the bundle lists is newer than it or gone, and looks at nothing else', () => {
    // a stand-in for scripts/bundle.mjs: writes a bundle that says how many times it was built
    writeFileSync(
      join(project, 'scripts/bundle.mjs'),
      "import { readFileSync, writeFileSync } from 'node:fs';\n" +
        "const file = new URL('../build/cli/main.js', import.meta.url);\n" +
        'const n = Number(/built (\\d+)/.exec(readFileSync(file, "utf8"))?.[1] ?? 0) + 1;\n' +
        'writeFileSync(file, `console.log("built ${n}");\\n`);\n',
    );
    mkdirSync(join(project, 'lib'));
    const past = new Date(Date.now() - 60_000);
    const source = (name: string, when = past) => {
      writeFileSync(join(project, 'lib', name), '');
      utimesSync(join(project, 'lib', name), when, when);
    };
    source('a.ts');
    bundle('console.log("built 0");\n');
    writeFileSync(join(project, 'build/cli/main.js.sources'), JSON.stringify(['lib/a.ts', 'scripts/bundle.mjs']));
    utimesSync(join(project, 'scripts/bundle.mjs'), past, past);
    expect(launch()).toBe('built 0'); // every listed source older than the bundle
    source('a.ts', new Date(Date.now() + 60_000));
    expect(launch()).toBe('built 1'); // a listed source newer: rebuilt first
    source('a.ts');
    source('unlisted.ts', new Date(Date.now() + 120_000));
    expect(launch()).toBe('built 1'); // a file no listed source imports does not count
    writeFileSync(join(project, 'build/cli/main.js.sources'), JSON.stringify(['lib/a.ts', 'lib/gone.ts']));
    expect(launch()).toBe('built 2'); // a listed source gone: rebuilt (the build then reports what is missing)
    rmSync(join(project, 'build/cli/main.js.sources'));
    expect(launch()).toBe('built 3'); // without the list every file under lib/ counts: unlisted.ts is newer
  });

  it("the real build lists the bundle's sources: the entry, lib/, the precompiled validator's inputs and the build files, nothing from node_modules", () => {
    const built = spawnSync(process.execPath, ['scripts/cli.cjs', '--help'], { encoding: 'utf8' }); // builds when stale
    expect(built.status, built.stderr).toBe(0);
    const builtAt = statSync('build/cli/main.js').mtimeMs;
    const sources = JSON.parse(readFileSync('build/cli/main.js.sources', 'utf8')) as string[];
    for (const path of [
      'main.ts',
      'lib/cli.ts',
      'lib/output/writer.ts',
      'lib/model/validator.ts',
      'lib/model/description.ts',
      'package-lock.json',
      'scripts/bundle.mjs',
      'tsconfig.json',
    ]) {
      expect(sources).toContain(path);
    }
    expect(sources.some((path) => path.startsWith('imports/'))).toBe(true);
    expect(sources.filter((path) => path.includes('node_modules') || path.startsWith('/') || path.startsWith('<'))).toEqual([]);
    // a listed path that is not a file would count as gone: a rebuild at every run
    expect(sources.filter((path) => !statSync(path, { throwIfNoEntry: false })?.isFile())).toEqual([]);
    const again = spawnSync(process.execPath, ['scripts/cli.cjs', '--help'], { encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toBe(''); // no rebuild (bundle.mjs would print esbuild's warnings, if any) ...
    expect(statSync('build/cli/main.js').mtimeMs).toBe(builtAt); // ... and the bundle is the same file
    expect(sources.length).toBeGreaterThan(100);
    // the launcher reads the bundle as Latin-1: the same text as UTF-8 only while every byte is ASCII
    expect(readFileSync('build/cli/main.js').findIndex((byte) => byte > 0x7f)).toBe(-1);
  });
});
