'use strict';
/**
 * `npm run synth` / `npm run validate` / cdk8s.yaml: runs the bundled command line (build/cli/main.js, made
 * by scripts/bundle.mjs from main.ts and lib/), rebuilding it first when it is missing or older than any
 * source it is made from (the files bundle.mjs listed in build/cli/main.js.sources, or without that list every
 * file under main.ts, lib/, imports/, package-lock.json). The check costs a millisecond or two; a rebuild about
 * a second. Arguments are passed through to main.ts.
 *
 * The bundle is compiled with V8's code cache (what Node 22's module.enableCompileCache does): the first run
 * after a build writes it at exit, with every function that run compiled, and later runs skip parsing and
 * compiling those. The cache file is keyed on the build (`build/cli/main.js.<id>.cache`, the id a hash of the
 * bundle's content on its first line, see scripts/bundle.mjs): V8 itself accepts a cache for any source of
 * the same length, and would run a previous build's code. A bundle without an id runs without a cache; a
 * cache V8 rejects (another Node version) is rewritten.
 *
 * The cache holds only the functions its first run compiled, so it is kept per command (`synth`, `validate`,
 * anything else) and written only by a run that succeeded: a `--help` or a synth of an invalid description
 * first after a build would otherwise leave a cache without the render's code, and every later synth would
 * compile it again (measured: about 40 ms a synth).
 */
const { readdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { spawnSync } = require('node:child_process');
const vm = require('node:vm');

// No incremental marking: V8 would start marking the old generation once the render has filled it to about
// 18 MB, and finish with a full collection while the writer waits for the disk at the end (the removal of the
// previous render took 20-25 ms instead of 7-9). A synth ends before the old generation reaches its limit, so
// it now never collects it; a 1000-node render still does, in one pause each time (measured: the same wall
// time and peak memory). Set before the bundle loads; the flag is read whenever V8 decides to start marking.
require('node:v8').setFlagsFromString('--no-incremental-marking');

const ROOT = join(__dirname, '..');
const BUNDLE = join(ROOT, 'build/cli/main.js');
/** The bundle's sources as scripts/bundle.mjs listed them (paths relative to ROOT). */
const SOURCES = `${BUNDLE}.sources`;

/** Every file under the directories a bundle is made from: the check when the list is missing or unreadable. */
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

/**
 * Whether the bundle is missing or older than a source. With the list of its sources, only those are looked at
 * (a file gone counts as newer); a new file matters once a listed one imports it, which changes that one.
 */
function stale() {
  const built = statSync(BUNDLE, { throwIfNoEntry: false });
  if (!built) return true;
  let sources;
  try {
    sources = JSON.parse(readFileSync(SOURCES, 'utf8'));
  } catch {
    sources = undefined;
  }
  if (!Array.isArray(sources) || sources.length === 0) return built.mtimeMs < newestSource();
  for (const source of sources) {
    const stat = typeof source === 'string' ? statSync(join(ROOT, source), { throwIfNoEntry: false }) : undefined;
    if (!stat || stat.mtimeMs > built.mtimeMs) return true;
  }
  return false;
}

if (stale()) {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs')], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`error: building ${BUNDLE} failed (node scripts/bundle.mjs exited ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
// The bundle is ASCII (scripts/bundle.mjs makes sure), so Latin-1 decodes it to the same text, as a copy of its
// bytes: about half the time of decoding it as UTF-8.
const source = readFileSync(BUNDLE, 'latin1');
const id = /^\/\/ build ([0-9a-f]{16})\n/.exec(source)?.[1];
const command = ['synth', 'validate'].includes(process.argv[2]) ? process.argv[2] : 'other';
const CACHE = id && `${BUNDLE}.${id}.${command}.cache`;
let cachedData;
try {
  cachedData = CACHE ? readFileSync(CACHE) : undefined;
} catch {
  cachedData = undefined;
}
const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
if (CACHE && (!cachedData || script.cachedDataRejected)) {
  process.once('exit', (code) => {
    if (code !== 0) return;
    try {
      const temporary = `${CACHE}.${process.pid}`;
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, CACHE);
    } catch {
      // a read-only checkout runs without the cache
    }
  });
}
const bundle = new Module(BUNDLE, module);
bundle.filename = BUNDLE;
bundle.paths = Module._nodeModulePaths(dirname(BUNDLE));
script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(BUNDLE), bundle, BUNDLE, dirname(BUNDLE));
