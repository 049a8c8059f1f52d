/** `validate --dir` re-renders the description recorded in the render and reports every difference. */
import { cpSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../lib/cli';
import { MARKER_FILE } from '../../lib/output/writer';
import { scratchDir } from '../helpers/scratch';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), now: () => 0 });
  return { code, out, err };
}

let work: string;
let pristine: string;
beforeAll(async () => {
  work = scratchDir('drift-');
  cpSync('test/fixtures/valid/minimal.yaml', join(work, 'desc', 'office.yaml'), { recursive: true });
  pristine = join(work, 'pristine');
  expect((await run(['synth', '--config', join(work, 'desc', 'office.yaml'), '--out', pristine])).code).toBe(0); // exit codes as documented in --help: 0 ok, 1 invalid
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function copy(name: string): string {
  const dir = join(work, name);
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

describe('validate --dir', () => {
  it('a fresh render of a non-reference description is valid against its own description', async () => {
    const result = await run(['validate', '--dir', copy('fresh')]);
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out.join('\n')).toContain(`identical to a fresh render of ${join(work, 'desc', 'office.yaml')}`);
  });

  it('reports a hand edit of a host file with file and line, an added file and a removed one', async () => {
    const dir = copy('edited');
    const host = 'hosts/cp-1/kubeadm-init.yaml';
    const lines = readFileSync(join(dir, host), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('advertiseAddress'));
    lines[at] = lines[at].replace(/advertiseAddress: .*/, 'advertiseAddress: 10.9.9.9');
    writeFileSync(join(dir, host), lines.join('\n'));
    writeFileSync(join(dir, 'hosts/cp-1/extra.conf'), 'x\n');
    unlinkSync(join(dir, 'README.md'));
    const result = await run(['validate', '--dir', dir]);
    expect(result.code).toBe(1);
    const text = result.err.join('\n');
    expect(text).toContain(
      `${host}:${at + 1}: differs from a fresh render of the description (1 line(s) differ): expected ${JSON.stringify(readFileSync(join(pristine, host), 'utf8').split('\n')[at])}, found "${lines[at]}"`,
    );
    expect(text).toContain('hosts/cp-1/extra.conf: not part of a fresh render');
    expect(text).toContain('README.md: missing: a fresh render has this file; run npm run synth');
  });

  it('reports a stale render when the description changed since', async () => {
    const dir = copy('stale');
    const desc = join(work, 'desc', 'office.yaml');
    const original = readFileSync(desc, 'utf8');
    try {
      writeFileSync(desc, original.replace(/^name: .*$/m, 'name: renamed'));
      const result = await run(['validate', '--dir', dir]);
      expect(result.code).toBe(1);
      expect(result.err.join('\n')).toContain(
        `.homelab-cluster-render: ${desc} changed since this render (sha256 differs): the render is stale; run npm run synth`,
      );
      expect(result.err.some((l) => /^\d\d-[a-z-]+\.yaml:\d+: differs/.test(l))).toBe(true);
    } finally {
      writeFileSync(desc, original);
    }
  });

  it('without a marker it says how to get one', async () => {
    const dir = copy('unmarked');
    unlinkSync(join(dir, MARKER_FILE));
    const result = await run(['validate', '--dir', dir]);
    expect(result.code).toBe(1);
    expect(result.err[1]).toMatch(/^\.homelab-cluster-render: missing or records no description, .*render it with npm run synth, or give --config$/);
  });
});
