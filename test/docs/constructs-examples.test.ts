/**
 * docs/constructs.md stays true: every public construct has a section, every `ts` block type-checks against
 * the library, and every block that ends with `// emits: …` runs and synthesizes exactly those kinds.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import ts from 'typescript';
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
  source
    .replace(/from 'homelab-cluster'/g, `from ${JSON.stringify(join(REPO, 'lib/index'))}`)
    .replace(/from '(cdk8s|constructs)'/g, (_, m: string) => `from ${JSON.stringify(require.resolve(m))}`);

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

  /**
   * The compiler's errors for `files` only: asked for their diagnostics, it checks of the library what they use,
   * not every function body (errors inside lib/ belong to `npm run typecheck`). One `file:line: message` each.
   */
  function typeErrors(files: string[]): string[] {
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(REPO, 'node_modules/@types')],
      paths: { 'homelab-cluster': [join(REPO, 'lib/index.ts')], '*': [join(REPO, 'node_modules/*')] },
    });
    const sources = files.map((f) => program.getSourceFile(f));
    expect(sources.every((source) => source !== undefined)).toBe(true);
    return [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...sources.flatMap((source) => [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]),
    ].map(
      (d) =>
        `${d.file ? `${d.file.fileName.slice(work.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
    );
  }

  /** Every block, and one copy of the Flannel example given a prop it does not have, in one program. */
  let checked: { files: string[]; errors: string[] } | undefined;
  const check = () => {
    if (!checked) {
      const files = blocks.map((b, i) => {
        const file = join(work, `block-${i}.ts`);
        writeFileSync(file, `${b}\nexport {};\n`);
        return file;
      });
      const flannel = blocks.find((b) => b.includes("new Flannel(chart, 'Cni', {"))!;
      const broken = join(work, 'broken.ts');
      writeFileSync(broken, `${flannel.replace("new Flannel(chart, 'Cni', {", "new Flannel(chart, 'Cni', { notAProp: 1,")}\nexport {};\n`);
      expect(readFileSync(broken, 'utf8')).toContain('notAProp: 1');
      checked = { files, errors: typeErrors([...files, broken]) };
    }
    return checked;
  };

  it('every example type-checks against the library', () => {
    const { files, errors } = check();
    expect(files.length).toBeGreaterThan(10);
    expect(errors.filter((e) => !e.startsWith('broken.ts:'))).toEqual([]);
  });

  it('the type-check reports an example that does not fit the library (the check is real)', () => {
    expect(check().errors.filter((e) => e.startsWith('broken.ts:'))).toEqual([
      expect.stringMatching(/^broken\.ts:\d+: .*'notAProp' does not exist in type 'FlannelProps'/),
    ]);
  });

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
