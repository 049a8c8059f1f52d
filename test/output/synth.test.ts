/**
 * lib/synth.ts: the render checked and written with the disk work overlapped. What must hold: a check marked
 * beforeWrite (the secret scan) runs before any file reaches the disk; the other checks run while the files
 * are staged beside the output; a failing check of either kind leaves every output exactly as it was and no
 * staging directory behind; the problems come in the order renderCluster reports them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { OUTPUT_CHECKS } from '../../lib/checks';
import { OutputCheckError, type OutputCheck } from '../../lib/checks/types';
import { MARKER_FILE } from '../../lib/output/writer';
import { renderCluster } from '../../lib/render';
import { synthesize } from '../../lib/synth';
import { scratchDir } from '../helpers/scratch';
import { referenceModel } from './fixtures';

const model = referenceModel();
let parent: string;
let out: string;
beforeEach(() => {
  parent = scratchDir('synth-');
  out = join(parent, 'dist');
});

/** A check that records what beside the output exists when it runs, and fails with `problems`. */
function probe(name: string, beforeWrite: boolean, problems: string[] = []): OutputCheck & { seen: string[][] } {
  const seen: string[][] = [];
  return {
    name,
    description: `probe ${name}`,
    beforeWrite,
    seen,
    run: () => {
      seen.push(readdirSync(parent).sort());
      return problems.map((message) => ({ path: name, message }));
    },
  };
}

const staging = (names: readonly string[]) => names.filter((n) => /^\.dist\.homelab-tmp-[0-9a-f]{24}$/.test(n));

describe('synthesize', () => {
  it('runs the beforeWrite checks with nothing on disk, the others while the complete render is staged beside the output, then puts it in place', async () => {
    const early = probe('early', true);
    const late = probe('late', false);
    let stagedFiles: string[] = [];
    const lateReadsStaging: OutputCheck = {
      name: 'late-reads-staging',
      description: 'reads the staged render',
      run: () => {
        const [dir] = staging(readdirSync(parent));
        stagedFiles = readdirSync(join(parent, dir)).sort();
        return [];
      },
    };
    const result = await synthesize(model, [out], {}, { checks: [...OUTPUT_CHECKS, early, late, lateReadsStaging] });
    expect(early.seen).toEqual([[]]); // no staging directory, no lock, no output yet
    expect(late.seen).toHaveLength(1);
    expect(staging(late.seen[0])).toHaveLength(1);
    expect(late.seen[0]).toContain('.dist.homelab-lock');
    expect(late.seen[0]).not.toContain('dist');
    // the staged directory already holds the whole render and the marker
    expect(stagedFiles).toContain(MARKER_FILE);
    expect(stagedFiles).toContain('README.md');
    expect(stagedFiles).toContain('hosts');
    // in place, nothing left beside it
    expect(readdirSync(parent)).toEqual(['dist']);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe(result.files.find((f) => f.path === 'README.md')!.content);
    expect(result.checks).toEqual([...OUTPUT_CHECKS.map((c) => c.name), 'early', 'late', 'late-reads-staging']);
  });

  it('a failing late check removes the staged render and leaves the previous output byte for byte', async () => {
    mkdirSync(out);
    writeFileSync(join(out, MARKER_FILE), 'homelab-cluster render\n');
    writeFileSync(join(out, 'keep.yaml'), 'previous: render\n');
    const late = probe('late', false, ['planted late problem']);
    const error = await synthesize(model, [out], {}, { checks: [...OUTPUT_CHECKS, late] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputCheckError);
    expect((error as OutputCheckError).problems).toEqual([{ path: 'late', message: 'planted late problem' }]);
    expect(staging(late.seen[0])).toHaveLength(1); // it ran while the render was staged
    expect(readdirSync(parent)).toEqual(['dist']); // staging and lock gone
    expect(readdirSync(out).sort()).toEqual([MARKER_FILE, 'keep.yaml']);
    expect(readFileSync(join(out, 'keep.yaml'), 'utf8')).toBe('previous: render\n');
  });

  it('a failing beforeWrite check writes nothing at all, and every problem comes in the order renderCluster reports', async () => {
    const early = probe('early', true, ['planted early problem']);
    const late = probe('late', false, ['planted late problem']);
    const checks = [late, ...OUTPUT_CHECKS, early];
    const error = await synthesize(model, [out], {}, { checks }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputCheckError);
    const problems = (error as OutputCheckError).problems;
    expect(problems).toEqual([
      { path: 'late', message: 'planted late problem' },
      { path: 'early', message: 'planted early problem' },
    ]);
    expect(late.seen).toEqual([[]]); // the late checks still ran (every problem at once), with nothing on disk
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
    const fromRenderCluster = (() => {
      try {
        renderCluster(model, { checks });
      } catch (e) {
        return e;
      }
    })();
    expect(fromRenderCluster).toBeInstanceOf(OutputCheckError);
    expect((fromRenderCluster as OutputCheckError).problems).toEqual(problems);
  });

  it('writes every output directory it is given, or none', async () => {
    const second = join(parent, 'second');
    await synthesize(model, [out, second]);
    expect(readdirSync(parent).sort()).toEqual(['dist', 'second']);
    expect(readFileSync(join(second, 'README.md'), 'utf8')).toBe(readFileSync(join(out, 'README.md'), 'utf8'));
    const late = probe('late', false, ['planted']);
    writeFileSync(join(out, 'marker-check'), 'x'); // a render directory stays as it was
    await expect(synthesize(model, [out, second], {}, { checks: [late] })).rejects.toThrow(OutputCheckError);
    expect(staging(late.seen[0])).toHaveLength(1);
    expect(late.seen[0].filter((n) => n.startsWith('.second.homelab-tmp-'))).toHaveLength(1); // both staged
    expect(readdirSync(parent).sort()).toEqual(['dist', 'second']);
    expect(readFileSync(join(out, 'marker-check'), 'utf8')).toBe('x');
  });
});
