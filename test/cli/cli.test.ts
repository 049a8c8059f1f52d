import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../lib/cli';
import { writeOutput } from '../../lib/output/writer';
import { scratchDir } from '../helpers/scratch';

/** Every file below `dir` with its bytes, for byte-for-byte comparison of whole trees. */
function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[relative(dir, full)] = `${(statSync(full).mode & 0o777).toString(8)} ${readFileSync(full).toString('base64')}`;
    }
  };
  walk(dir);
  return out;
}

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), now: () => 0 });
  return { code, out, err };
}

let work: string;
beforeEach(() => {
  work = scratchDir('cli-');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('synth', () => {
  it('renders the reference cluster and prints a summary', async () => {
    const out = join(work, 'dist');
    const result = await run(['synth', '--config', 'hostconfig/cluster.yaml', '--out', out]);
    expect(result.err.filter((l) => !l.startsWith('warning:'))).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out.join('\n')).toMatch(/^wrote \d+ files to .*: \d+ Kubernetes objects in \d+ manifest files, files for \d+ hosts, README.md/);
    const files = Object.keys(snapshotTree(out));
    expect(files).toContain('README.md');
    // kubectl apply -f dist reads only the top level: only numbered manifests may be YAML/JSON there
    for (const top of readdirSync(out).filter((f) => /\.(ya?ml|json)$/.test(f))) expect(top).toMatch(/^\d\d-[a-z0-9-]+\.ya?ml$/);
    expect(files.some((f) => f.startsWith('hosts/n100-001/'))).toBe(true);
  });

  it('warns that ingress-nginx is retired', async () => {
    const result = await run(['synth', '--out', join(work, 'dist')]);
    expect(result.err.join('\n')).toMatch(/^warning: ingress-nginx is retired upstream/m);
  });

  it('is deterministic: two renders are byte-identical', async () => {
    expect((await run(['synth', '--out', join(work, 'a')])).code).toBe(0);
    expect((await run(['synth', '--out', join(work, 'b')])).code).toBe(0);
    expect(snapshotTree(join(work, 'b'))).toEqual(snapshotTree(join(work, 'a')));
  });

  it('replaces a previous output completely, leaving no stale files', async () => {
    const out = join(work, 'dist');
    mkdirSync(join(out, 'hosts', 'gone'), { recursive: true });
    writeFileSync(join(out, '99-stale.yaml'), 'kind: Stale\n');
    writeFileSync(join(out, '.homelab-cluster-render'), 'homelab-cluster render\n'); // an earlier render
    expect((await run(['synth', '--out', out])).code).toBe(0);
    expect(readdirSync(out)).not.toContain('99-stale.yaml');
    expect(readdirSync(join(out, 'hosts'))).not.toContain('gone');
    expect(readdirSync(work).filter((f) => f.startsWith('.'))).toEqual([]); // no staging leftovers
  });

  it('rejects an invalid description with one line per problem and leaves dist/ byte-identical', async () => {
    const out = join(work, 'dist');
    expect((await run(['synth', '--out', out])).code).toBe(0);
    const before = snapshotTree(out);
    const result = await run(['synth', '--config', 'test/fixtures/invalid/vip-is-host-ip.yaml', '--out', out]);
    expect(result.code).toBe(1);
    expect(result.err[0]).toBe('test/fixtures/invalid/vip-is-host-ip.yaml: 1 problem(s); nothing was written');
    expect(result.err[1]).toMatch(/^apiServer\.vip: "192\.168\.1\.11" is the IP of host cp-1/);
    expect(snapshotTree(out)).toEqual(before);
  });

  it('reports a missing description file as a problem, not a crash', async () => {
    const result = await run(['synth', '--config', join(work, 'nope.yaml'), '--out', join(work, 'dist')]);
    expect(result.code).toBe(1);
    expect(result.err[1]).toBe('(file): cannot read: ENOENT (no such file); give the description with --config, e.g. --config hostconfig/cluster.yaml');
  });
});

describe('synth again', () => {
  it('says the output is up to date and leaves every file as it is when it already holds the render', async () => {
    const out = join(work, 'dist');
    expect((await run(['synth', '--out', out])).code).toBe(0);
    const before = Object.fromEntries(readdirSync(out).map((f) => [f, statSync(join(out, f)).mtimeMs]));
    const again = await run(['synth', '--out', out]);
    expect(again.code).toBe(0);
    expect(again.out).toEqual([
      expect.stringMatching(
        / is up to date: it already holds these \d+ files \(\d+ Kubernetes objects in \d+ manifest files, files for \d+ hosts, README.md\), so nothing was written \(\d+ ms\)$/,
      ),
    ]);
    expect(Object.fromEntries(readdirSync(out).map((f) => [f, statSync(join(out, f)).mtimeMs]))).toEqual(before);
  });
});

describe('the command-line process', () => {
  it('writes its lines with write(2): a reader that has gone (`| head`) ends the output quietly, exit 0', () => {
    // the reader closes its end at once, so every line the CLI writes meets a closed pipe (EPIPE)
    const r = spawnSync(
      'bash',
      ['-c', `node scripts/cli.cjs validate --config hostconfig/cluster.yaml 2>${join(work, 'err')} | { exec 0<&-; sleep 0.5; }; echo "\${PIPESTATUS[0]}"`],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stdout.trim()).toBe('0');
    expect(readFileSync(join(work, 'err'), 'utf8')).toBe('');
  });
});

describe('validate', () => {
  it('checks a description without writing anything', async () => {
    const result = await run(['validate', '--config', 'test/fixtures/valid/all-arm64.yaml']);
    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/^test\/fixtures\/valid\/all-arm64\.yaml: valid \(7 hosts, \d+ Kubernetes objects/);
  });

  it('fails on an invalid description', async () => {
    expect((await run(['validate', '--config', 'test/fixtures/invalid/pools-overlap.yaml'])).code).toBe(1);
  });
});

describe('usage errors', () => {
  it.each([[[]], [['deploy']], [['synth', '--bogus']], [['synth', '--config']]])('%j exits 2 with usage', async (argv) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toContain('usage: main.ts synth');
  });
});

describe('writer', () => {
  it('keeps the previous output when a write fails midway', async () => {
    const out = join(work, 'dist');
    await writeOutput(out, [{ path: 'a.yaml', content: 'a: 1\n' }]);
    const before = snapshotTree(out);
    await expect(
      writeOutput(out, [
        { path: 'b.yaml', content: 'b\n' },
        { path: '../escape.yaml', content: 'x' },
      ]),
    ).rejects.toThrow(/outside the output directory/);
    expect(snapshotTree(out)).toEqual(before);
    expect(readdirSync(work)).toEqual(['dist']);
  });

  it('writes file modes', async () => {
    const out = join(work, 'dist');
    await writeOutput(out, [{ path: 'hosts/x/check.sh', content: '#!/bin/sh\n', mode: 0o755 }]);
    expect(statSync(join(out, 'hosts/x/check.sh')).mode & 0o777).toBe(0o755);
  });
});

describe('the real command line (npm run synth)', () => {
  /**
   * What `npm run synth --` runs (package.json), as its own process: the bundled command line (built first
   * when missing or stale), with its exit code and streams as a user sees them.
   */
  const synthProcess = (...args: string[]) => spawnSync(process.execPath, ['scripts/cli.cjs', 'synth', ...args], { encoding: 'utf8' });

  it('the synth script is the command these tests run', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.synth).toBe('node scripts/cli.cjs synth');
  });

  it('exits 1 without a stack trace and leaves dist/ alone', async () => {
    const out = join(work, 'dist');
    cpSync('test/fixtures/valid/minimal.yaml', join(work, 'minimal.yaml'));
    expect((await run(['synth', '--config', join(work, 'minimal.yaml'), '--out', out])).code).toBe(0);
    const before = snapshotTree(out);
    const proc = synthProcess('--config', 'test/fixtures/invalid/unknown-field.yaml', '--out', out);
    expect(proc.status).toBe(1);
    expect(proc.stderr).toContain('hosts[0].ipp: unknown field');
    expect(proc.stderr).not.toMatch(/^\s+at /m);
    expect(snapshotTree(out)).toEqual(before);
  });

  it('exits 2 on a usage error', () => {
    const proc = synthProcess('--nope');
    expect(proc.status).toBe(2);
    expect(proc.stderr).toMatch(/^error: /);
    expect(proc.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('warnings', () => {
  it('warns that PROXY protocol breaks direct LAN clients when it is on, and only then', async () => {
    const withProxy = await run(['synth', '--config', 'test/fixtures/valid/five-control-planes-other-subnet.yaml', '--out', join(work, 'p')]);
    expect(withProxy.code).toBe(0);
    expect(withProxy.err.join('\n')).toMatch(/^warning: tunnel\.proxyProtocol is on: public on 10\.20\.3\.1 now expects a PROXY protocol header/m);
    const without = await run(['synth', '--out', join(work, 'q')]);
    expect(without.err.join('\n')).not.toContain('proxyProtocol');
  });
});
