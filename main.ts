/**
 * The app's edge: reads argv and the environment, runs the CLI, sets the exit code.
 * `cdk8s synth` runs this with CDK8S_OUTDIR set; `npm run synth` uses dist/.
 */
import { performance } from 'node:perf_hooks';
import { runCli } from './lib/cli';

const argv = process.argv.slice(2);
process.exitCode = runCli(
  argv.length ? argv : ['synth'],
  { out: (line) => console.log(line), err: (line) => console.error(line), now: () => performance.now() },
  { out: process.env.CDK8S_OUTDIR || 'dist' },
);
