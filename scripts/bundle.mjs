// Bundles the command line (main.ts + lib + its dependencies) into one CommonJS file, build/cli/main.js, so
// `npm run synth` starts without TypeScript on the hot path: no type-checking, no transpiling, one file to
// compile instead of a few hundred modules to resolve. esbuild only strips types; `npm run typecheck` checks
// them. Usage: `node scripts/bundle.mjs` (scripts/cli.cjs runs it when the bundle is missing or stale).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the bundle goes; scripts/cli.cjs loads it from here. */
export const BUNDLE = join(ROOT, 'build/cli/main.js');

/**
 * esbuild plugins applied to the bundle. This is the place for build-time substitutions, e.g. replacing a
 * module that compiles an ajv schema at start-up with ajv's precompiled standalone code.
 */
export const plugins = [];

export async function bundle() {
  await build({
    entryPoints: [join(ROOT, 'main.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // lib/validate/k8s-schema.ts requires the kubernetes-models schemas of the kinds we emit by literal path
    // (bundled) and any other kind by computed path (left to Node at run time, from node_modules).
    plugins,
    logLevel: 'warning',
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await bundle();
}
