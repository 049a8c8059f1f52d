/**
 * The output guard, the cdk8s-cli path and the CLI basics (--help, repeated flags, messages that say what to do).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as yaml from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliEnvironment } from '../../lib/cli';
import { checkOutputDir, MARKER_FILE } from '../../lib/output/writer';
import { scratchDir } from '../helpers/scratch';
import { tree } from './renders';

const REPO = resolve(__dirname, '../..');

async function run(argv: string[], env: CliEnvironment = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), now: () => 0 }, env);
  return { code, out, err };
}

let work: string;
beforeEach(() => {
  work = scratchDir('guard-');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('synth refuses an --out it must not replace (exit 2, one line, nothing touched)', () => {
  const cases: [string, () => string, RegExp][] = [
    ['the working directory', () => '.', /it is the working directory/],
    ['a parent of the working directory', () => '..', /it is a parent of the working directory/],
    ['the file-system root', () => '/', /it is the file-system root/],
    ['$HOME', () => homedir(), /it is \$HOME/],
    ["the description's directory", () => 'hostconfig', /it holds the description/],
    [
      'a regular file',
      () => {
        writeFileSync(join(work, 'notes.txt'), 'mine');
        return join(work, 'notes.txt');
      },
      /it is not a directory/,
    ],
    [
      'a non-empty directory without the marker',
      () => {
        mkdirSync(join(work, 'photos'));
        writeFileSync(join(work, 'photos', 'cat.jpg'), 'meow');
        return join(work, 'photos');
      },
      /non-empty directory without \.homelab-cluster-render/,
    ],
    [
      'a repository root',
      () => {
        mkdirSync(join(work, 'repo', '.git'), { recursive: true });
        writeFileSync(join(work, 'repo', MARKER_FILE), 'homelab-cluster render\n');
        return join(work, 'repo');
      },
      /it is a repository root/,
    ],
    [
      'a symbolic link',
      () => {
        mkdirSync(join(work, 'real'));
        symlinkSync(join(work, 'real'), join(work, 'link'));
        return join(work, 'link');
      },
      /symbolic link/,
    ],
  ];
  it.each(cases)('%s', async (_, make, reason) => {
    const out = make();
    const snapshot = () => (statSync(out).isFile() ? readFileSync(out, 'utf8') : JSON.stringify([...tree(out)]));
    const before = out.startsWith(work) ? snapshot() : undefined;
    // The guard must refuse first: if it ever regressed, the CLI below must not get a chance to replace `/`, $HOME or the repository.
    expect(checkOutputDir(out, { descriptionFile: 'hostconfig/cluster.yaml' })).toMatch(reason);
    const result = await run(['synth', '--out', out]);
    expect(result.code).toBe(2);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^out: refusing to write to ".*": /);
    expect(result.err[0]).toMatch(reason);
    expect(result.err[0]).toMatch(/choose a new or empty directory/);
    if (before !== undefined) expect(snapshot()).toBe(before);
  });

  it('the description directory of another --config, and a parent holding it', () => {
    cpSync('test/fixtures/valid/minimal.yaml', join(work, 'desc', 'cluster.yaml'), { recursive: true });
    expect(checkOutputDir(join(work, 'desc'), { descriptionFile: join(work, 'desc', 'cluster.yaml'), cwd: REPO })).toMatch(/holds the description/);
    expect(checkOutputDir(work, { descriptionFile: join(work, 'desc', 'cluster.yaml'), cwd: REPO })).toMatch(/holds the description/);
  });

  it('accepts a new directory, an empty one and a previous render', async () => {
    expect((await run(['synth', '--out', join(work, 'new')])).code).toBe(0);
    expect(readFileSync(join(work, 'new', MARKER_FILE), 'utf8')).toMatch(
      /^homelab-cluster render\ndescription: .*hostconfig\/cluster\.yaml\nsha256: [0-9a-f]{64}\n$/,
    );
    expect((await run(['synth', '--out', join(work, 'new')])).code).toBe(0);
    mkdirSync(join(work, 'empty'));
    expect((await run(['synth', '--out', join(work, 'empty')])).code).toBe(0);
  });

  it('the committed dist/ carries the marker, so an existing checkout keeps rendering into it', () => {
    expect(readFileSync(join(REPO, 'dist', MARKER_FILE), 'utf8').split('\n')[0]).toBe('homelab-cluster render');
    expect(checkOutputDir(join(REPO, 'dist'), { cwd: REPO, descriptionFile: join(REPO, 'hostconfig/cluster.yaml') })).toBeUndefined();
  });
});

describe('CDK8S_OUTDIR', () => {
  it('is ignored (with a warning) unless cdk8s-cli runs the app', async () => {
    const stray = join(work, 'stray');
    mkdirSync(stray);
    writeFileSync(join(stray, 'keep.txt'), 'mine');
    const result = await run(['synth', '--out', join(work, 'dist')], { cdk8sOutdir: stray });
    expect(result.code).toBe(0);
    expect(result.err.join('\n')).toContain(`warning: CDK8S_OUTDIR=${stray} is ignored`);
    expect(readFileSync(join(stray, 'keep.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(work, 'dist', MARKER_FILE))).toBe(true);
  });

  it('--cdk8s-cli writes dist/ and the copy cdk8s-cli lists; an invalid description leaves dist/ and says so', async () => {
    const scratch = join(work, '.cdk8s-out');
    const out = join(work, 'dist');
    expect((await run(['synth', '--cdk8s-cli', '--out', out], { cdk8sOutdir: scratch })).code).toBe(0);
    expect(tree(scratch)).toEqual(tree(out));
    const before = tree(out);
    rmSync(scratch, { recursive: true }); // what cdk8s-cli does before it runs the app
    const bad = await run(['synth', '--cdk8s-cli', '--config', 'test/fixtures/invalid/vip-is-host-ip.yaml', '--out', out], { cdk8sOutdir: scratch });
    expect(bad.code).toBe(1);
    expect(bad.err[0]).toMatch(/nothing was written to .*dist\/ \(left as it was\); cdk8s-cli emptied only its scratch directory/);
    expect(tree(out)).toEqual(before);
  });

  it('--cdk8s-cli without CDK8S_OUTDIR is a usage error', async () => {
    expect((await run(['synth', '--cdk8s-cli'])).code).toBe(2);
  });

  it('cdk8s.yaml points cdk8s-cli (which deletes its output first) at a scratch directory, never dist/', () => {
    const config = yaml.load(readFileSync(join(REPO, 'cdk8s.yaml'), 'utf8')) as { app: string; output: string };
    expect(config.app).toMatch(/^node scripts\/cli\.cjs synth --cdk8s-cli$/);
    expect(config.output).toBe('.cdk8s-out');
    // cdk8s-cli 2.x: `fs.rmSync(outdir, { recursive: true, force: true })` before running the app
    expect(readFileSync(join(REPO, 'node_modules/cdk8s-cli/lib/cli/cmds/synth.js'), 'utf8')).toContain('fs.rmSync(outdir, { recursive: true, force: true })');
  });

  it('npx cdk8s synth with an invalid description leaves dist/ byte-identical (real cdk8s-cli, offline)', () => {
    const project = join(work, 'project');
    mkdirSync(project);
    for (const entry of ['main.ts', 'lib', 'hostconfig', 'imports', 'scripts', 'package.json', 'package-lock.json', 'cdk8s.yaml', 'tsconfig.json', 'dist'])
      cpSync(join(REPO, entry), join(project, entry), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(project, 'node_modules'));
    writeFileSync(join(project, 'hostconfig/cluster.yaml'), `${readFileSync(join(project, 'hostconfig/cluster.yaml'), 'utf8')}bogus: 1\n`);
    const before = tree(join(project, 'dist'));
    const proc = spawnSync('npx', ['cdk8s', 'synth', '--check-upgrade=false'], { cwd: project, encoding: 'utf8', timeout: 90_000 });
    expect(proc.status).not.toBe(0);
    expect(proc.stderr).toContain('bogus: unknown field');
    expect(proc.stderr).toMatch(/nothing was written to dist\/ \(left as it was\)/);
    expect(tree(join(project, 'dist'))).toEqual(before);
    expect(dirname(project)).toBe(work);
  }, 120_000);
});

describe('CLI basics', () => {
  it('--help prints usage on stdout and exits 0', async () => {
    for (const argv of [['--help'], ['-h'], ['synth', '--help'], ['validate', '--help']]) {
      const result = await run(argv);
      expect(result.code).toBe(0);
      expect(result.out.join('\n')).toMatch(/^usage: main\.ts synth/);
      expect(result.out.join('\n')).toContain('previous\n  render');
      expect(result.err).toEqual([]);
    }
  });

  it.each([
    [['synth', '--out', 'a', '--out', 'b'], '--out is given twice; give it once'],
    [['synth', '--config=a.yaml', '--config', 'b.yaml'], '--config is given twice; give it once'],
    [['validate', '--dir', 'a', '--dir=b'], '--dir is given twice; give it once'],
  ])('%j: a repeated flag is an error', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err[0]).toBe(`error: ${message}`);
  });

  it('every usage error says what to do', async () => {
    for (const argv of [[], ['deploy'], ['synth', '--bogus']]) expect((await run(argv)).err[0]).toMatch(/; (use synth or validate|see --help)$/);
  });
});
