/**
 * The app's edge: reads argv and the environment, runs the CLI, sets the exit code.
 * `npx cdk8s synth` runs `main.ts synth --cdk8s-cli` (cdk8s.yaml) with CDK8S_OUTDIR set: only then is
 * CDK8S_OUTDIR honoured (see README "Output directory"); `npm run synth` writes dist/ (or --out).
 * Both run it bundled (scripts/bundle.mjs → build/cli/main.js, started by scripts/cli.cjs); tests and
 * `node --import tsx main.ts` run it from source.
 */
import { runCli } from './lib/cli';

// The writer fsyncs a render's files in parallel on libuv's thread pool (lib/output/writer.ts): more than the
// default 4 threads lets more of them share a journal commit. Read by libuv when the pool starts, on first use.
process.env.UV_THREADPOOL_SIZE ??= '16';

const argv = process.argv.slice(2);
void runCli(
  argv.length ? argv : ['synth'],
  { out: (line) => console.log(line), err: (line) => console.error(line), now: () => Number(process.hrtime.bigint()) / 1e6 },
  { out: 'dist', cdk8sOutdir: process.env.CDK8S_OUTDIR || undefined },
).then((code) => {
  // Exit now rather than when the event loop drains: tearing the environment down costs about 25 ms more,
  // and nothing is pending (the writer awaited its last call; console output to a file, pipe or terminal is
  // written synchronously on Linux).
  process.exit(code);
});
