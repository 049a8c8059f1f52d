/**
 * Hostile input: size cap with bounded reads, alias-expansion cap, truncated echoes, encodings, paths.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDescription, parseDescription } from '../../lib/model/load';
import { DescriptionError, formatProblem } from '../../lib/model/problems';
import { findLiteralSecrets } from '../../lib/model/secrets';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'input-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** The problems of loading `file`, formatted; fails when it loads. */
function problems(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(DescriptionError);
    return (error as DescriptionError).problems.map(formatProblem);
  }
  throw new Error('loaded');
}

const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from(
    { length: 8 },
    (_, i) =>
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(97 + i)}`)
        .join(',')}]`,
  ),
  'name: x',
  'hosts: *i',
  '',
].join('\n');

describe('bounded input', () => {
  it('refuses /dev/zero in well under a second, reading at most the cap', () => {
    const t0 = performance.now();
    expect(problems(() => loadDescription('/dev/zero'))).toEqual([
      '(file): is larger than 1024 KiB; a description is a few KiB: give the right file with --config',
    ]);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('refuses a file over the cap', () => {
    writeFileSync(join(work, 'big.yaml'), `name: x\n# ${'x'.repeat(1024 * 1024)}\n`);
    expect(problems(() => loadDescription(join(work, 'big.yaml')))[0]).toMatch(/^\(file\): is larger than 1024 KiB/);
  });

  it('refuses a billion-laughs document at once, before any walk expands it', () => {
    const t0 = performance.now();
    expect(problems(() => parseDescription(BILLION_LAUGHS))).toEqual([
      '(yaml): expands to more than 100000 values through anchors and aliases (*name); write the values out or use fewer aliases',
    ]);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('the secret scan visits each aliased object once, so it cannot be what expands aliases', () => {
    // 9^8 = 43 million strings once expanded; the scan sees 9 * 9 values
    const raw = { a: ['lol'] as unknown[] };
    let level: unknown[] = Array(9).fill('lol');
    for (let i = 0; i < 8; i++) level = Array(9).fill(level);
    raw.a = level;
    const t0 = performance.now();
    expect(findLiteralSecrets({ ...raw, token: 'hunter2hunter2' })).toHaveLength(1);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('truncates long echoed values', () => {
    const long = 'x'.repeat(100_000);
    const text = readFileSync('test/fixtures/valid/minimal.yaml', 'utf8').replace(/^name: .*$/m, `name: ${long}`);
    const lines = problems(() => parseDescription(text));
    for (const line of lines) expect(line.length).toBeLessThan(600);
    expect(lines.join('\n')).toMatch(/"x{120}…" \(100000 characters\)/);
  });
});

describe('clear messages for the wrong file', () => {
  const minimal = readFileSync('test/fixtures/valid/minimal.yaml', 'utf8');
  it.each([
    [
      'UTF-16 LE with BOM',
      () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(minimal, 'utf16le')]),
      '(file): is UTF-16 encoded; save it as UTF-8 (without BOM)',
    ],
    [
      'UTF-16 BE with BOM',
      () => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(minimal, 'utf16le').swap16()]),
      '(file): is UTF-16 encoded; save it as UTF-8 (without BOM)',
    ],
    ['UTF-16 LE without BOM', () => Buffer.from(minimal, 'utf16le'), '(file): is UTF-16 encoded; save it as UTF-8 (without BOM)'],
    [
      'a UTF-8 BOM',
      () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(minimal)]),
      '(file): starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM',
    ],
    ['Latin-1 bytes', () => Buffer.from(`${minimal}# caf\xe9\n`, 'latin1'), '(file): is not valid UTF-8; save it as UTF-8'],
  ])('%s', (_, bytes, message) => {
    writeFileSync(join(work, 'c.yaml'), bytes());
    expect(problems(() => loadDescription(join(work, 'c.yaml')))).toEqual([message]);
  });

  it('a missing file and a directory', () => {
    expect(problems(() => loadDescription(join(work, 'nope.yaml')))).toEqual([
      '(file): cannot read: ENOENT (no such file); give the description with --config, e.g. --config hostconfig/cluster.yaml',
    ]);
    expect(problems(() => loadDescription(work))).toEqual([
      '(file): is a directory; give the description file inside it with --config, e.g. --config hostconfig/cluster.yaml',
    ]);
  });

  it('the minimal description still loads', () => {
    writeFileSync(join(work, 'ok.yaml'), minimal);
    expect(loadDescription(join(work, 'ok.yaml')).hosts.length).toBeGreaterThan(0);
  });
});
