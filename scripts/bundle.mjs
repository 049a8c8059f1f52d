// Bundles the command line (main.ts + lib + its dependencies) into one CommonJS file, build/cli/main.js, so
// `npm run synth` starts without TypeScript on the hot path: no type-checking, no transpiling, one file to
// compile instead of a few hundred modules to resolve. esbuild only strips types; `npm run typecheck` checks
// them. Usage: `node scripts/bundle.mjs` (scripts/cli.cjs runs it when the bundle is missing or stale).
import { build } from 'esbuild';
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the bundle goes; scripts/cli.cjs loads it from here. */
export const BUNDLE = join(ROOT, 'build/cli/main.js');

/**
 * The description validator as ajv standalone code: the schema (lib/model/description.ts) and the ajv options
 * and formats (lib/model/validator.ts) are read from the source, compiled once here, and emitted as a module
 * that exports `descriptionValidator()` like lib/model/validator.ts does. The CLI then neither loads ajv's
 * compiler nor compiles the schema at start-up (about 85 ms of CPU). Nothing generated is committed: the
 * bundle is rebuilt whenever a source is newer. test/model/precompiled-validator.test.ts proves the
 * precompiled validator reports the same errors and fills the same defaults as the runtime one.
 * @returns the module's source (ES module syntax; `require` of ajv's small runtime helpers stays in it).
 */
export async function precompiledValidatorSource() {
  const probe = await build({
    absWorkingDir: ROOT,
    metafile: true,
    stdin: {
      contents:
        "export { DESCRIPTION_SCHEMA } from './lib/model/description'; export { DESCRIPTION_AJV_OPTIONS, DESCRIPTION_FORMATS } from './lib/model/validator';",
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    external: ['ajv'],
    logLevel: 'warning',
  });
  const require = createRequire(join(ROOT, 'package.json'));
  const module = { exports: {} };
  new Function('module', 'exports', 'require', probe.outputFiles[0].text)(module, module.exports, require);
  for (const input of Object.keys(probe.metafile.inputs)) probeInputs.add(input);
  const { DESCRIPTION_SCHEMA, DESCRIPTION_AJV_OPTIONS, DESCRIPTION_FORMATS } = module.exports;
  const { default: Ajv } = require('ajv');
  const { default: standaloneCode } = require('ajv/dist/standalone');
  const ajv = new Ajv({ ...DESCRIPTION_AJV_OPTIONS, code: { ...DESCRIPTION_AJV_OPTIONS.code, source: true } });
  for (const [name, format] of Object.entries(DESCRIPTION_FORMATS)) ajv.addFormat(name, format);
  const code = standaloneCode(ajv, ajv.compile(DESCRIPTION_SCHEMA));
  return [
    '// Generated at bundle time by scripts/bundle.mjs from lib/model/description.ts and lib/model/validator.ts.',
    'const validate = (() => {',
    '  const module = { exports: {} };',
    '  const exports = module.exports;',
    code,
    '  return module.exports;',
    '})();',
    'export function descriptionValidator() {',
    '  return validate;',
    '}',
    '',
  ].join('\n');
}

/** The inputs of the last {@link precompiledValidatorSource} (paths relative to the repository). */
const probeInputs = new Set();

/**
 * Where the bundle's sources are listed: every file of the repository it was built from (esbuild's inputs,
 * node_modules aside: package-lock.json stands for those), the build script and tsconfig.json. scripts/cli.cjs
 * rebuilds when one of them is newer than the bundle or gone, without walking lib/ and imports/.
 */
export const SOURCES = `${BUNDLE}.sources`;

/** Files that shape the bundle besides its inputs. */
const BUILD_FILES = ['package-lock.json', 'scripts/bundle.mjs', 'tsconfig.json'];

/** Replaces lib/model/validator.ts in the bundle with {@link precompiledValidatorSource}. */
const precompiledValidator = {
  name: 'precompiled-description-validator',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]lib[\\/]model[\\/]validator\.ts$/ }, async () => ({
      contents: await precompiledValidatorSource(),
      loader: 'js',
      resolveDir: ROOT,
    }));
  },
};

/**
 * The formats of ajv-formats-draft2019 that @kubernetes-models/validate spreads into its format table, each
 * loaded on first use instead of at start-up: `iri`, `iri-reference`, `idn-email` and `idn-hostname` load
 * uri-js, the IANA scheme list, an SMTP address grammar and punycode (about 2 ms a synth), and no Kubernetes
 * schema uses them (they use int32, int64, double and byte). `duration` is a regular expression and stays as it
 * is. `resolveFrom` is the directory its `require`s resolve from. Throws when the package no longer exports
 * exactly these formats with these kinds, so the stub never drops or changes one.
 * @returns the module's source (CommonJS).
 */
export function lazyDraft2019FormatsSource(resolveFrom = ROOT) {
  const require = createRequire(join(resolveFrom, 'index.js'));
  const real = require('ajv-formats-draft2019/formats/index.js');
  const lazy = ['iri', 'iri-reference', 'idn-email', 'idn-hostname'];
  const kinds = Object.fromEntries(Object.entries(real).map(([name, format]) => [name, format instanceof RegExp ? 'regexp' : typeof format]));
  const expected = { ...Object.fromEntries(lazy.map((name) => [name, 'function'])), duration: 'regexp' };
  if (JSON.stringify(Object.entries(kinds).sort()) !== JSON.stringify(Object.entries(expected).sort())) {
    throw new Error(
      `ajv-formats-draft2019 exports ${JSON.stringify(kinds)}, not ${JSON.stringify(expected)}: update lazyDraft2019FormatsSource in scripts/bundle.mjs`,
    );
  }
  return [
    '// Generated at bundle time by scripts/bundle.mjs: ajv-formats-draft2019/formats/index.js, each format loaded on first use.',
    'const lazy = (load) => { let format; return (value) => (format ??= load())(value); };',
    ...lazy.map((name) => `module.exports[${JSON.stringify(name)}] = lazy(() => require(${JSON.stringify(`ajv-formats-draft2019/formats/${name}.js`)}));`),
    "module.exports.duration = require('ajv-formats-draft2019/formats/duration.js');",
    '',
  ].join('\n');
}

/** Replaces ajv-formats-draft2019/formats/index.js in the bundle with {@link lazyDraft2019FormatsSource}. */
const lazyDraft2019Formats = {
  name: 'lazy-draft2019-formats',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^ajv-formats-draft2019\/formats\/index\.js$/ }, (args) => ({
      path: 'ajv-formats-draft2019/formats/index.js',
      namespace: 'lazy-draft2019-formats',
      pluginData: { resolveDir: args.resolveDir },
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-draft2019-formats' }, (args) => ({
      contents: lazyDraft2019FormatsSource(args.pluginData.resolveDir),
      loader: 'js',
      resolveDir: args.pluginData.resolveDir,
    }));
  },
};

/** esbuild plugins applied to the bundle: build-time substitutions. */
export const plugins = [precompiledValidator, lazyDraft2019Formats];

/**
 * Builds the bundle. Its first line names the build by a hash of its content (`// build <16 hex>`):
 * scripts/cli.cjs keys V8's code cache on it (`main.js.<id>.<command>.cache`). V8 accepts a code cache for any source of
 * the same length, so a cache keyed on the file name alone would run the previous build's code after a
 * rebuild that happens to keep the length. The bundle is written to a temporary file and renamed into place,
 * so a run starting meanwhile reads the old bundle or the new one, never half of one; caches of other builds
 * are removed.
 */
export async function bundle() {
  probeInputs.clear();
  const result = await build({
    absWorkingDir: ROOT,
    metafile: true,
    entryPoints: [join(ROOT, 'main.ts')],
    outfile: BUNDLE,
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // lib/validate/k8s-schema.ts requires the kubernetes-models schemas of the kinds we emit by literal path
    // (bundled) and any other kind by computed path (left to Node at run time, from node_modules).
    plugins,
    logLevel: 'warning',
    legalComments: 'none',
    charset: 'ascii', // scripts/cli.cjs reads the bundle as Latin-1, which is the same text only for ASCII
    minifyWhitespace: true,
    minifySyntax: true,
  });
  const code = result.outputFiles[0].contents;
  const nonAscii = code.findIndex((byte) => byte > 0x7f);
  if (nonAscii !== -1) throw new Error(`the bundle has a non-ASCII byte at offset ${nonAscii}; scripts/cli.cjs reads it as Latin-1`);
  const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = dirname(BUNDLE);
  mkdirSync(dir, { recursive: true });
  // The list first: a run that reads a newer list with the older bundle only checks more files.
  const sources = [...new Set([...Object.keys(result.metafile.inputs), ...probeInputs, ...BUILD_FILES])]
    // files of the repository only: not node_modules, not stdin (`<stdin>`) or a plugin's virtual module (`namespace:path`)
    .filter((path) => !path.split('/').includes('node_modules') && existsSync(join(ROOT, path)))
    .sort();
  writeFileSync(`${SOURCES}.${process.pid}.tmp`, `${JSON.stringify(sources, null, 1)}\n`);
  renameSync(`${SOURCES}.${process.pid}.tmp`, SOURCES);
  const temporary = `${BUNDLE}.${process.pid}.tmp`;
  writeFileSync(temporary, Buffer.concat([Buffer.from(`// build ${id}\n`), code]));
  renameSync(temporary, BUNDLE);
  for (const name of readdirSync(dir)) {
    if (/^main\.js\.(?:[0-9a-f]{16}\.)?(?:[a-z]+\.)?cache$/.test(name) && !name.startsWith(`main.js.${id}.`)) rmSync(join(dir, name), { force: true });
  }
  return id;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await bundle();
}
