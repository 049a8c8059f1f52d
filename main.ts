/**
 * The app's edge: reads argv and the environment, runs the CLI, sets the exit code.
 * `npx cdk8s synth` runs `main.ts synth --cdk8s-cli` (cdk8s.yaml) with CDK8S_OUTDIR set: only then is
 * CDK8S_OUTDIR honoured (see README "Output directory"); `npm run synth` writes dist/ (or --out).
 * Both run it bundled (scripts/bundle.mjs → build/cli/main.js, started by scripts/cli.cjs); tests and
 * `node --import tsx main.ts` run it from source.
 */
import { writeSync } from 'node:fs';
import { runCli } from './lib/cli';

// The writer fsyncs a render's files in parallel on libuv's thread pool (lib/output/writer.ts): more than the
// default 4 threads lets more of them share a journal commit. Read by libuv when the pool starts, on first use.
process.env.UV_THREADPOOL_SIZE ??= '16';

/**
 * Writes a line to a file descriptor (1 or 2) with write(2) at once: no process.stdout/stderr stream is set up
 * for a few lines (that costs about 5 ms a run). A full non-blocking pipe is waited for; a pipe whose reader
 * has gone (`| head`) ends the output quietly, as it would end it for `cat`.
 */
function writeLine(fd: number, line: string): void {
  const bytes = Buffer.from(`${line}\n`);
  for (let offset = 0; offset < bytes.length;) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

const argv = process.argv.slice(2);
void runCli(
  argv.length ? argv : ['synth'],
  { out: (line) => writeLine(1, line), err: (line) => writeLine(2, line), now: () => Number(process.hrtime.bigint()) / 1e6 },
  { out: 'dist', cdk8sOutdir: process.env.CDK8S_OUTDIR || undefined },
).then((code) => {
  // Exit now rather than when the event loop drains: tearing the environment down costs about 25 ms more,
  // and nothing is pending (the writer awaited its last call; every line was written before writeLine returned).
  process.exit(code);
});
