/**
 * `npm run generate`: rewrites the generated files from their sources.
 *
 * - hostconfig/cluster.schema.json: the published JSON Schema of the description format, from its one
 *   definition in lib/model/description.ts. It is committed because descriptions point editors at it
 *   (`# yaml-language-server: $schema=./cluster.schema.json`).
 *
 * `npm run generate -- --check` writes nothing and exits 1 when a generated file is out of date;
 * test/model/schema.test.ts fails in that case too.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DESCRIPTION_SCHEMA } from '../lib/model/description';

const ROOT = resolve(__dirname, '..');

/** The published JSON Schema, as written to hostconfig/cluster.schema.json. */
export function descriptionSchemaJson(): string {
  return `${JSON.stringify(DESCRIPTION_SCHEMA, null, 2)}\n`;
}

/** Every generated file: repository path → expected content. */
export function generatedFiles(): Record<string, string> {
  return { 'hostconfig/cluster.schema.json': descriptionSchemaJson() };
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [path, content] of Object.entries(generatedFiles())) {
    const full = join(ROOT, path);
    let current: string | undefined;
    try {
      current = readFileSync(full, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === content) {
      console.log(`${path} is current`);
    } else if (check) {
      stale++;
      console.error(`${path} is out of date; run npm run generate`);
    } else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      console.log(`${path} updated`);
    }
  }
  if (stale) process.exitCode = 1;
}
