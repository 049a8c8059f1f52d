/**
 * The "checks" page: the output checks that held for this render (each with the facts it verifies, when it
 * lists them) and the model-level invariants the loader guaranteed.
 */
import type { ClusterModel } from '../model/types';
import { code, table } from './markdown';
import { modelInvariants } from './invariants';

/** What the docs need to know about a check: its name and sentence, and the facts it verifies, if any. */
export interface DocumentedCheck {
  readonly name: string;
  readonly description: string;
  readonly facts?: ReadonlyArray<{ readonly name: string; readonly description: string }>;
}

/** The body of `docs/checks.md`: output checks (with their facts) and model invariants. */
export function checksSection(model: ClusterModel, checks: readonly DocumentedCheck[]): string {
  const lines = [
    'Every synth runs these checks on the complete render before anything is written; a failing check stops the',
    'synth and leaves the previous output in place. So every check listed here held for the files next to this page.',
    '',
    '## Output checks',
    '',
  ];
  if (!checks.length) lines.push('No output checks ran for this render.');
  else
    lines.push(
      table(
        ['Check', 'What it guarantees'],
        checks.map((c) => [code(c.name), c.description]),
      ),
    );
  for (const check of checks.filter((c) => c.facts?.length)) {
    lines.push(
      '',
      `### ${code(check.name)}`,
      '',
      table(
        ['Fact', 'Verified on the rendered files'],
        check.facts!.map((f) => [code(f.name), f.description]),
      ),
    );
  }
  lines.push(
    '',
    '## Model invariants',
    '',
    'The description loader refuses any description that breaks these rules, so they hold for this cluster:',
    '',
    table(
      ['Invariant', 'For this cluster'],
      modelInvariants(model).map((i) => [code(i.name), i.statement]),
    ),
  );
  return lines.join('\n');
}
