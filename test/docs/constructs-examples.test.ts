/**
 * docs/constructs.md stays true: every public construct has a section, every `ts` block type-checks against
 * the library, and every block that ends with `// emits: …` runs and synthesizes exactly those kinds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import * as library from '../../lib';

const REPO = resolve(__dirname, '../..');
const page = readFileSync(join(REPO, 'docs/constructs.md'), 'utf8');
const blocks = [...page.matchAll(/```ts\n([\s\S]*?)\n```/g)].map((m) => m[1]);
const examples = blocks.filter((b) => /\/\/ emits: .+$/.test(b));
const work = mkdtempSync(join(tmpdir(), 'homelab-examples-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Points the package imports at this checkout, so the blocks run without installing the package. */
const localImports = (source: string) =>
  source.replace(/from 'homelab-cluster'/g, `from ${JSON.stringify(join(REPO, 'lib/index'))}`).replace(/from '(cdk8s|constructs)'/g, (_, m: string) => `from ${JSON.stringify(require.resolve(m))}`);

describe('docs/constructs.md', () => {
  it('has a section for every construct the library exports', () => {
    const constructs = Object.entries(library)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Construct)
      .map(([name]) => name)
      .sort();
    expect(constructs.length).toBeGreaterThan(10);
    const headings = [...page.matchAll(/^###+ (.+)$/gm)].map((m) => m[1]);
    const missing = constructs.filter((name) => !headings.some((h) => h.split(/,\s*/).includes(name)));
    expect(missing).toEqual([]);
  });

  it('every example type-checks against the library', () => {
    const files = blocks.map((b, i) => {
      const file = join(work, `block-${i}.ts`);
      writeFileSync(file, `${b}\nexport {};\n`);
      return file;
    });
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          module: 'commonjs',
          moduleResolution: 'node',
          esModuleInterop: true,
          resolveJsonModule: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(REPO, 'node_modules/@types')],
          paths: { 'homelab-cluster': [join(REPO, 'lib/index.ts')], '*': [join(REPO, 'node_modules/*')] },
        },
        files,
      }),
    );
    const result = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(work, 'tsconfig.json')], { encoding: 'utf8' });
    // Only the blocks are under test here; errors inside lib/ belong to the typecheck of the repository.
    const errors = (result.stdout + result.stderr).split('\n').filter((line) => line.includes('block-'));
    expect(errors).toEqual([]);
    expect(result.error).toBeUndefined();
    // One tsc run over every block: ~50 s alone on two cores, more while other suites share them.
  }, 180_000);

  for (const [i, block] of examples.entries()) {
    const title = /new (\w+)\(chart/.exec(block)?.[1] ?? `example ${i}`;
    it(`${title}: runs and emits the kinds it names`, async () => {
      const file = join(work, `example-${i}.ts`);
      writeFileSync(file, `${localImports(block)}\nexport { chart as __chart };\n`);
      const { __chart } = (await import(file)) as { __chart: Chart };
      const kinds = [...new Set(__chart.toJson().map((o: { kind: string }) => o.kind))].sort();
      const named = /\/\/ emits: (.+)$/.exec(block)![1].split(/,\s*/).sort();
      expect(kinds).toEqual(named);
    });
  }
});
