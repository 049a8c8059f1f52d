/**
 * The description validator: ajv compiled from {@link DESCRIPTION_SCHEMA}, once per process, on first use.
 * Everything that validates a description gets it from {@link descriptionValidator}, so a build step can
 * replace this module's compilation with precompiled ajv standalone code without touching its callers
 * (standalone code needs `code: { source: true }` and the formats below as `code.formats`).
 *
 * Compiling costs about 90 ms with these options (180 ms with ajv's defaults and ajv-formats); see
 * {@link DESCRIPTION_AJV_OPTIONS}.
 */
import type { Options, ValidateFunction } from 'ajv';
import { DESCRIPTION_SCHEMA, type Description } from './description';

/**
 * The ajv options. lib/model/schema.ts turns the errors into problems: it needs every error (`allErrors`)
 * with the failing value and its schema (`verbose`: `data`, `parentSchema`); `useDefaults` fills the schema
 * defaults in place. `code.optimize: false` skips ajv's optimisation passes over the generated code, which
 * change its speed, never its result, and cost more at compile time than they save on one description.
 * Strict mode stays on, so a keyword the builder misspells fails compilation (test/model/schema.test.ts).
 */
export const DESCRIPTION_AJV_OPTIONS = {
  allErrors: true,
  useDefaults: true,
  verbose: true,
  strict: true,
  strictTypes: false,
  code: { optimize: false },
} as const satisfies Options;

/**
 * The string formats the schema uses: the regular expressions of ajv-formats' `full` mode (3.0.1), added as
 * they are so the validator does not load ajv-formats (test/model/schema.test.ts proves they are the same).
 */
export const DESCRIPTION_FORMATS = {
  ipv4: /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
  email: /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i,
} as const;

/** Compiles a new validator of the description schema. `options` override {@link DESCRIPTION_AJV_OPTIONS} (tests). */
export function compileDescriptionValidator(options: Options = {}): ValidateFunction<Description> {
  // Loaded here, on first use: importing the library (constructs, renderers) never loads ajv.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: Ajv } = require('ajv') as typeof import('ajv');
  const ajv = new Ajv({ ...DESCRIPTION_AJV_OPTIONS, ...options });
  for (const [name, format] of Object.entries(DESCRIPTION_FORMATS)) ajv.addFormat(name, format);
  return ajv.compile<Description>(DESCRIPTION_SCHEMA);
}

let validator: ValidateFunction<Description> | undefined;

/**
 * The validator of a raw description: a type guard that fills the defaults in place and leaves its errors in
 * `.errors`. Compiled on the first call.
 */
export function descriptionValidator(): ValidateFunction<Description> {
  validator ??= compileDescriptionValidator();
  return validator;
}
