/**
 * The public API is what README.md ("Public API") says: lib/index.ts exports exactly the names listed there,
 * by explicit lists (no `export *` that would publish whatever a module happens to export), and the values
 * a consumer gets at run time are exactly the value names of those lists.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as library from '../../lib';

const REPO = resolve(__dirname, '../..');
const index = readFileSync(join(REPO, 'lib/index.ts'), 'utf8');
const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

/** Names of the `export { ... } from` and `export type { ... } from` lists, split into values and types. */
function indexExports(source: string): { values: string[]; types: string[] } {
  const values: string[] = [];
  const types: string[] = [];
  for (const m of source.matchAll(/^export (type )?\{([^}]*)\} from '[^']+';$/gm)) {
    for (const item of m[2]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const typeOnly = Boolean(m[1]) || item.startsWith('type ');
      (typeOnly ? types : values).push(item.replace(/^type /, ''));
    }
  }
  return { values: values.sort(), types: types.sort() };
}

/** The code-formatted identifiers of README.md's "### Public API" section. */
function documentedNames(markdown: string): string[] {
  const start = markdown.indexOf('\n### Public API\n');
  expect(start, 'README.md has a "### Public API" section').toBeGreaterThan(0);
  const rest = markdown.slice(start + 1);
  const section = rest.slice(0, rest.indexOf('\n#', 1));
  const lists = section
    .split('\n')
    .filter((l) => /^(- | {2})/.test(l))
    .join('\n');
  return [...lists.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((m) => m[1]).sort();
}

describe('public API', () => {
  const { values, types } = indexExports(index);

  it('lib/index.ts lists every export by name', () => {
    expect(index).not.toMatch(/^export \*/m);
    expect(index).not.toMatch(/^export (const|function|class|interface|type \w+ =)/m);
    expect(values).toContain('renderCluster');
    expect(types).toContain('ClusterModel');
  });

  it('the run-time exports are exactly the listed values', () => {
    expect(Object.keys(library).sort()).toEqual(values);
  });

  it('README.md lists exactly the exported names, each once', () => {
    const documented = documentedNames(readme);
    expect(documented.filter((n, i) => documented.indexOf(n) !== i)).toEqual([]);
    expect(documented).toEqual([...values, ...types].sort());
  });
});
