/**
 * The description pipeline: YAML text → literal-secret check → JSON Schema (shape, defaults) → semantic
 * rules (meaning) → immutable model. `parseDescription` is pure; `loadDescription` is the only function in
 * the library that reads a description file.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as yaml from 'js-yaml';
import { buildModel } from './build';
import { DescriptionError, type Problem } from './problems';
import { validateShape } from './schema';
import { findLiteralSecrets, findPrivateKeyText } from './secrets';
import { checkSemantics } from './semantic';
import type { ClusterModel } from './types';

/** Parses and validates description text. Throws {@link DescriptionError} with every problem found. */
export function parseDescription(text: string, file = '<description>'): ClusterModel {
  let raw: unknown;
  if (text.length > MAX_DESCRIPTION_BYTES) {
    throw new DescriptionError(file, [
      { path: '(file)', message: `is larger than ${MAX_DESCRIPTION_BYTES / 1024} KiB; a description is a few KiB: give the right file with --config` },
    ]);
  }
  if (text.charCodeAt(0) === 0xfeff) {
    throw new DescriptionError(file, [{ path: '(file)', message: 'starts with a byte-order mark; save it as UTF-8 without BOM' }]);
  }
  try {
    raw = yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA });
  } catch (error) {
    const e = error as yaml.YAMLException;
    const where = e.mark ? `line ${e.mark.line + 1}, column ${e.mark.column + 1}` : 'YAML';
    throw new DescriptionError(file, [{ path: '(yaml)', message: `${where}: ${e.reason ?? e.message}; fix the YAML syntax there` }]);
  }
  // js-yaml shares one object per anchor; walking the tree expands every alias. Count the expanded nodes
  // with a budget first, so a billion-laughs document is refused at once and no later walk can explode.
  const expanded = countNodes(raw, MAX_EXPANDED_NODES);
  if (expanded > MAX_EXPANDED_NODES) {
    throw new DescriptionError(file, [
      {
        path: '(yaml)',
        message: `expands to more than ${MAX_EXPANDED_NODES} values through anchors and aliases (*name); write the values out or use fewer aliases`,
      },
    ]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DescriptionError(file, [{ path: '(root)', message: 'the description must be a YAML mapping (see hostconfig/cluster.yaml)' }]);
  }
  const secretProblems = [...findLiteralSecrets(raw), ...findPrivateKeyText(text)];
  const shape = validateShape(raw);
  const shapeProblems = shape.ok ? [] : shape.problems.filter((p) => !secretProblems.some((s) => s.path === p.path));
  const problems: Problem[] = [...secretProblems, ...shapeProblems];
  if (problems.length || !shape.ok) throw new DescriptionError(file, problems.length ? problems : secretProblems);
  const semanticProblems = checkSemantics(shape.description);
  if (semanticProblems.length) throw new DescriptionError(file, semanticProblems);
  return buildModel(shape.description);
}

/** The largest description accepted, in bytes. The reference description is about 5 KiB. */
export const MAX_DESCRIPTION_BYTES = 1024 * 1024;
/** The most values a description may expand to, counting every alias expansion. */
const MAX_EXPANDED_NODES = 100_000;

/** Counts the values of a parsed tree as a walk sees them (aliases expanded), stopping past `budget`. */
function countNodes(root: unknown, budget: number): number {
  let count = 0;
  const stack: unknown[] = [root];
  while (stack.length && count <= budget) {
    const node = stack.pop();
    count++;
    if (Array.isArray(node)) for (const item of node) stack.push(item);
    else if (node && typeof node === 'object') for (const value of Object.values(node)) stack.push(value);
  }
  return count;
}

const CHUNK = 64 * 1024;

/**
 * Reads a description file as UTF-8 text, in bounded chunks (a device such as /dev/zero is refused after
 * {@link MAX_DESCRIPTION_BYTES}). Throws {@link DescriptionError} for a missing file, a directory, an
 * oversized file, UTF-16, a byte-order mark or bytes that are not UTF-8.
 */
export function readDescriptionText(file: string): string {
  const fail = (message: string): never => {
    throw new DescriptionError(file, [{ path: '(file)', message }]);
  };
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('cannot read: ENOENT (no such file); give the description with --config, e.g. --config hostconfig/cluster.yaml');
    if (code === 'EISDIR') return fail('is a directory; give the description file inside it with --config, e.g. --config hostconfig/cluster.yaml');
    return fail(`cannot read: ${code ?? String(error)}; check the path and its permissions`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    if (fstatSync(fd).isDirectory()) return fail('is a directory; give the description file inside it with --config, e.g. --config hostconfig/cluster.yaml');
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      let n: number;
      try {
        n = readSync(fd, chunk, 0, CHUNK, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EISDIR') return fail('is a directory; give the description file inside it with --config, e.g. --config hostconfig/cluster.yaml');
        return fail(`cannot read: ${code ?? String(error)}; check the path and its permissions`);
      }
      if (n === 0) break;
      total += n;
      if (total > MAX_DESCRIPTION_BYTES)
        return fail(`is larger than ${MAX_DESCRIPTION_BYTES / 1024} KiB; a description is a few KiB: give the right file with --config`);
      chunks.push(chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  const bytes = Buffer.concat(chunks, total);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes.length >= 2 && (bytes[0] === 0 || bytes[1] === 0))) {
    fail('is UTF-16 encoded; save it as UTF-8 (without BOM)');
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) fail('starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return fail('is not valid UTF-8; save it as UTF-8');
  }
}

/** Reads a description file and validates it. Throws {@link DescriptionError}. */
export function loadDescription(file: string): ClusterModel {
  return parseDescription(readDescriptionText(file), file);
}
