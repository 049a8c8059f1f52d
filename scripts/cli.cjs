'use strict';
/**
 * `npm run synth` / `npm run validate` / cdk8s.yaml: runs the bundled command line (build/cli/main.js, made
 * by scripts/bundle.mjs from main.ts and lib/), rebuilding it first when it is missing or older than any
 * source it is made from (main.ts, lib/, imports/, package-lock.json). The check costs a few milliseconds;
 * a rebuild about a second. Arguments are passed through to main.ts.
 */
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = join(__dirname, '..');
const BUNDLE = join(ROOT, 'build/cli/main.js');

function newestSource() {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else if (stat.mtimeMs > newest) newest = stat.mtimeMs;
  };
  for (const source of ['main.ts', 'lib', 'imports', 'package-lock.json', 'scripts/bundle.mjs']) visit(join(ROOT, source));
  return newest;
}

const built = statSync(BUNDLE, { throwIfNoEntry: false });
if (!built || built.mtimeMs < newestSource()) {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs')], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`error: building ${BUNDLE} failed (node scripts/bundle.mjs exited ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
require(BUNDLE);
