/** Sorting by code point: the same render under every locale. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '../../lib/compare';
import { scratchDir } from '../helpers/scratch';
import { tree } from './renders';

const REPO = resolve(__dirname, '../..');

describe('code-point order', () => {
  it('orders by code point, not by any locale', () => {
    const words = ['b', 'B', 'a', 'Z', '_x', '-y', 'ä', 'z', 'a-b', 'ab', '\u{1F600}', '\uFF5E', 'I', 'ı'];
    const sorted = [...words].sort(compareCodePoints);
    expect(sorted).toEqual(['-y', 'B', 'I', 'Z', '_x', 'a', 'a-b', 'ab', 'b', 'z', 'ä', 'ı', '\uFF5E', '\u{1F600}']);
    // an astral character sorts after every BMP one (UTF-16 code-unit order would put it before U+FF5E)
    expect(compareCodePoints('\u{1F600}', '\uFF5E')).toBe(1);
    expect(compareCodePoints('a', 'a')).toBe(0);
  });

  it('no source file sorts with localeCompare', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.ts$/.test(entry.name) && full !== join(REPO, 'lib/compare.ts') && /\.localeCompare\(/.test(readFileSync(full, 'utf8')))
          offenders.push(full);
      }
    };
    for (const dir of ['lib', 'scripts']) walk(join(REPO, dir));
    if (/\.localeCompare\(/.test(readFileSync(join(REPO, 'main.ts'), 'utf8'))) offenders.push('main.ts');
    expect(offenders).toEqual([]);
  });

  it('renders byte-identically under different LANG/LC_ALL (child processes)', () => {
    const work = scratchDir('locale-');
    try {
      const renders = ['C', 'sv_SE.UTF-8'].map((locale) => {
        const out = join(work, locale);
        execFileSync(process.execPath, ['--import', 'tsx', 'main.ts', 'synth', '--config', 'test/fixtures/valid/minimal.yaml', '--out', out], {
          cwd: REPO,
          env: { ...process.env, LANG: locale, LC_ALL: locale, LANGUAGE: locale },
          stdio: 'pipe',
        });
        return tree(out);
      });
      expect(renders[1]).toEqual(renders[0]);
      expect(renders[0].size).toBeGreaterThan(20);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
