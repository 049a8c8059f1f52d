/**
 * The CLI bundle carries the description validator as ajv standalone code generated at bundle time
 * (scripts/bundle.mjs). It must behave exactly as the validator the library compiles at run time: the same
 * verdict, the same errors (with data and parentSchema, which the messages read) and the same defaults, on
 * every fixture and on mutations of the reference description.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { transformSync } from 'esbuild';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDescriptionValidator } from '../../lib/model/validator';

const ROOT = resolve(__dirname, '../..');

let precompiled: ValidateFunction;
let source: string;
beforeAll(async () => {
  const { precompiledValidatorSource } = await import('../../scripts/bundle.mjs');
  source = await precompiledValidatorSource();
  const cjs = transformSync(source, { format: 'cjs', loader: 'js', target: 'node20' }).code;
  const module = { exports: {} as { descriptionValidator?: () => ValidateFunction } };
  new Function('module', 'exports', 'require', cjs)(module, module.exports, createRequire(join(ROOT, 'package.json')));
  precompiled = module.exports.descriptionValidator!();
}, 60_000);

const fixtures = ['test/fixtures/valid', 'test/fixtures/invalid'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(dir, f)),
);
const read = (path: string): unknown => yaml.load(readFileSync(join(ROOT, path), 'utf8'));
const parses = (path: string) => {
  try {
    read(path);
    return true;
  } catch {
    return false; // a YAML syntax fixture never reaches the validator
  }
};
const errors = (v: ValidateFunction) => v.errors?.map(({ schemaPath: _, ...error }) => error);

describe('the precompiled description validator in the CLI bundle', () => {
  it('is ajv standalone code that neither loads ajv nor compiles a schema', () => {
    expect(source).toContain('export function descriptionValidator()');
    expect(source).not.toMatch(/require\("ajv"\)|new Ajv|\.compile\(/);
  });

  it.each([...fixtures.filter(parses), 'hostconfig/cluster.yaml'])('agrees with the runtime validator on %s', (path) => {
    const runtime = compileDescriptionValidator();
    const [a, b] = [read(path), read(path)];
    expect(precompiled(b)).toBe(runtime(a));
    expect(errors(precompiled)).toEqual(errors(runtime));
    expect(b).toEqual(a); // the same defaults filled in
  });

  it('agrees on a valid description and on one with a problem in every section', () => {
    const runtime = compileDescriptionValidator();
    const valid = read('hostconfig/cluster.yaml') as Record<string, Record<string, unknown>>;
    expect(precompiled(structuredClone(valid))).toBe(true);
    const broken = structuredClone(valid);
    for (const [key, value] of Object.entries(broken)) {
      if (value && typeof value === 'object' && !Array.isArray(value)) value.unknownField = key;
    }
    const copy = structuredClone(broken);
    expect(precompiled(broken)).toBe(false);
    expect(runtime(copy)).toBe(false);
    expect(errors(precompiled)).toEqual(errors(runtime));
    expect(errors(precompiled)!.filter((e) => e.keyword === 'additionalProperties').length).toBeGreaterThanOrEqual(9);
  });
});
