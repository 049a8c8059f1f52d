/**
 * The description validator: ajv compiled from {@link DESCRIPTION_SCHEMA}, once per process, on first use.
 * Everything that validates a description gets it from {@link descriptionValidator}, so a build step can
 * replace this module's compilation with precompiled ajv standalone code without touching its callers
 * (`ajv/dist/standalone` accepts these options with `code.source: true`; it inlines the two format regexps).
 *
 * Compiling costs about 55 ms of CPU with these options, 120 ms with ajv's defaults (see
 * {@link DESCRIPTION_AJV_OPTIONS}); loading ajv about 30 ms more.
 */
import type { Options, ValidateFunction } from 'ajv';
import { DESCRIPTION_SCHEMA, type Description } from './description';

/**
 * The ajv options. lib/model/schema.ts turns the errors into problems: it needs every error (`allErrors`)
 * with the failing value and its schema (`verbose`: `data`, `parentSchema`); `useDefaults` fills the schema
 * defaults in place. Three options only make compiling cheaper (about 120 → 55 ms of CPU) and change no
 * result (test/model/schema.test.ts compares with ajv's defaults): `code.optimize: false` skips ajv's
 * optimisation passes over the generated code, which cost more than they save on one description;
 * `inlineRefs: false` compiles each definition once instead of inlining it at every `$ref` (errors then name
 * the definition in `schemaPath`, which no message reads); `validateSchema: false` skips checking our own
 * schema against the draft-07 meta-schema on every run (the test does it once). Strict mode stays on, so a
 * misspelt keyword still fails compilation.
 */
export const DESCRIPTION_AJV_OPTIONS = {
  allErrors: true,
  useDefaults: true,
  verbose: true,
  strict: true,
  strictTypes: false,
  code: { optimize: false },
  inlineRefs: false,
  validateSchema: false,
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
