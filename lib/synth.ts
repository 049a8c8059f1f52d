/**
 * Synth: the render checked and written, with the disk work overlapped. The checks marked `beforeWrite` (the
 * secret scan) run first, so nothing of a render that fails them reaches the disk; then the files are staged
 * beside every output and their fsyncs started, and the other checks run while the disk makes them durable
 * (about 25 ms of fsyncs for the reference render on a VM disk). Only when every check holds are the staged
 * renders put in place; otherwise they are removed and every output stays exactly as it was. An output that
 * already holds exactly this render (a re-run without changes) is only compared, never rewritten: nothing is
 * staged for it and its files keep their modification times.
 */
import { OutputCheckError, type OutputCheck } from './checks/types';
import type { Problem } from './model/problems';
import type { ClusterModel } from './model/types';
import { stageOutput, type StagedOutput, type WriteOptions } from './output/writer';
import { checkedResult, renderUnchecked, type RenderOptions, type RenderResult } from './render';

/** What {@link synthesize} returns: the checked render, and which outputs already held it. */
export interface SynthResult extends RenderResult {
  /** The directories of `outDirs` that already held exactly this render, so nothing was written to them. */
  readonly unchanged: readonly string[];
}

/**
 * Renders `model`, checks the render and writes it to every directory of `outDirs` (see the file comment). A
 * directory that already holds exactly this render is left as it is (see {@link StagedOutput.unchanged}).
 * @throws OutputCheckError with every problem the checks found, in the order of the checks (nothing written)
 * @throws OutputRefusedError, OutputError as {@link stageOutput} and {@link StagedOutput.commit}
 */
export async function synthesize(model: ClusterModel, outDirs: readonly string[], write: WriteOptions = {}, options: RenderOptions = {}): Promise<SynthResult> {
  const render = renderUnchecked(model, options);
  const found = new Map<OutputCheck, Problem[]>();
  const run = (checks: readonly OutputCheck[]): boolean => {
    for (const check of checks) found.set(check, check.run(render.context));
    return checks.some((check) => found.get(check)!.length > 0);
  };
  const fail = (): never => {
    throw new OutputCheckError(render.checks.flatMap((check) => found.get(check) ?? []));
  };
  const early = render.checks.filter((check) => check.beforeWrite);
  const late = render.checks.filter((check) => !check.beforeWrite);
  if (run(early)) {
    run(late); // every problem at once, as renderCluster reports them
    fail();
  }
  const staged: StagedOutput[] = [];
  try {
    for (const dir of outDirs) staged.push(await stageOutput(dir, render.files, write));
    if (run(late)) fail();
    for (const output of staged) await output.commit();
  } catch (error) {
    for (const output of staged) await output.abandon();
    throw error;
  }
  return { ...checkedResult(render), unchanged: outDirs.filter((_, i) => staged[i].unchanged) };
}
