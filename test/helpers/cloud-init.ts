/**
 * cloud-init's validators for many files in one process. `cloud-init schema` takes one `--config-file` per run
 * and each run starts python and imports cloudinit (about 0.3 s); ./cloud-init-batch.py runs every job in one
 * interpreter through the same functions the command line calls, and reports each job on its own, so a
 * failure names its file. native-validators.test.ts also runs the real command line on a valid and a broken
 * file and checks that the batch agrees with it.
 */
import { join } from 'node:path';
import { interpreterOf, runAsync } from './tools';

export type CloudInitJob = { readonly schema: string } | { readonly netConvert: readonly string[] };

export interface CloudInitResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the jobs in one python process (the interpreter of the installed `cloud-init`); results in job order. */
export async function cloudInitBatch(jobs: readonly CloudInitJob[]): Promise<CloudInitResult[]> {
  const python = interpreterOf('cloud-init');
  if (!python) throw new Error('cannot tell which python runs cloud-init (no #! line in its script)');
  const r = await runAsync(python, [join(__dirname, 'cloud-init-batch.py')], { input: JSON.stringify(jobs), timeoutMs: 120_000 });
  if (r.status !== 0) throw new Error(`cloud-init batch failed (exit ${r.status}):\n${r.stderr}`);
  const results = JSON.parse(r.stdout) as CloudInitResult[];
  if (results.length !== jobs.length) throw new Error(`cloud-init batch answered ${results.length} of ${jobs.length} jobs`);
  return results;
}
