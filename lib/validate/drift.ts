/**
 * Drift between a rendered directory and a fresh render of the description it was rendered from: files
 * missing, extra or different (first differing line, and how many lines differ), and executable bits. The
 * marker file is compared separately (its recorded description hash), so it is left out here.
 */
import { compareCodePoints } from '../compare';
import type { RenderedFile } from '../output/files';
import { MARKER_FILE } from '../output/writer';
import { validationProblem, type ValidationProblem } from './problems';

const clip = (line: string | undefined) => (line === undefined ? '(end of file)' : JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line));

export function diffRender(expected: readonly RenderedFile[], actual: readonly RenderedFile[]): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const found = new Map(actual.filter((f) => f.path !== MARKER_FILE).map((f) => [f.path, f]));
  const wanted = new Map(expected.map((f) => [f.path, f]));
  for (const path of [...new Set([...found.keys(), ...wanted.keys()])].sort(compareCodePoints)) {
    const want = wanted.get(path);
    const got = found.get(path);
    if (!got) {
      problems.push(validationProblem(path, undefined, undefined, 'missing: a fresh render has this file; run npm run synth'));
      continue;
    }
    if (!want) {
      problems.push(
        validationProblem(path, undefined, undefined, 'not part of a fresh render (added by hand or left from an older render); run npm run synth'),
      );
      continue;
    }
    if (want.content !== got.content) {
      const a = want.content.split('\n');
      const b = got.content.split('\n');
      let first = -1;
      let differing = 0;
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (a[i] !== b[i]) {
          differing++;
          if (first < 0) first = i;
        }
      }
      problems.push(
        validationProblem(
          `${path}:${first + 1}`,
          undefined,
          undefined,
          `differs from a fresh render of the description (${differing} line(s) differ): expected ${clip(a[first])}, found ${clip(b[first])}; edit the description, not the render, and run npm run synth`,
        ),
      );
    }
    const wantExec = Boolean((want.mode ?? 0o644) & 0o111);
    if (got.mode !== undefined && Boolean(got.mode & 0o111) !== wantExec) {
      problems.push(validationProblem(path, undefined, undefined, `should ${wantExec ? '' : 'not '}be executable; run npm run synth`));
    }
  }
  return problems;
}
