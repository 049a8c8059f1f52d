/**
 * The description pipeline: YAML text → literal-secret check → JSON Schema (shape, defaults) → semantic
 * rules (meaning) → immutable model. `parseDescription` is pure; `loadDescription` is the only function in
 * the library that reads a description file.
 */
import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import { buildModel } from './build';
import type { Description } from './description';
import { DescriptionError, type Problem } from './problems';
import { validateShape } from './schema';
import { findLiteralSecrets, findPrivateKeyText } from './secrets';
import { checkSemantics } from './semantic';
import type { ClusterModel } from './types';

/** Parses and validates description text. Throws {@link DescriptionError} with every problem found. */
export function parseDescription(text: string, file = '<description>'): ClusterModel {
  let raw: unknown;
  try {
    raw = yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA });
  } catch (error) {
    const e = error as yaml.YAMLException;
    const where = e.mark ? `line ${e.mark.line + 1}, column ${e.mark.column + 1}` : 'YAML';
    throw new DescriptionError(file, [{ path: '(yaml)', message: `${where}: ${e.reason ?? e.message}` }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DescriptionError(file, [{ path: '(root)', message: 'the description must be a YAML mapping (see hostconfig/cluster.yaml)' }]);
  }
  const secretProblems = [...findLiteralSecrets(raw), ...findPrivateKeyText(text)];
  const shapeProblems = validateShape(raw);
  const problems: Problem[] = [...secretProblems, ...shapeProblems.filter((p) => !secretProblems.some((s) => s.path === p.path))];
  if (problems.length) throw new DescriptionError(file, problems);
  const description = raw as Description;
  const semanticProblems = checkSemantics(description);
  if (semanticProblems.length) throw new DescriptionError(file, semanticProblems);
  return buildModel(description);
}

/** Reads a description file and validates it. Throws {@link DescriptionError}. */
export function loadDescription(file: string): ClusterModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DescriptionError(file, [{ path: '(file)', message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }]);
  }
  return parseDescription(text, file);
}
