/**
 * Checks that run on a complete render before the output is replaced. A check that finds problems fails the
 * synth, so an invalid render never replaces a valid dist/.
 */
import type { ClusterModel } from '../model/types';
import type { RenderedFile } from '../output/files';
import type { Problem } from '../model/problems';
import type { FlowResult } from '../flows/check';
import type { Flow } from '../flows/types';
import type { K8sObject } from '../k8s/object';

/** What an output check sees: the model, every object and every file of the render. */
export interface CheckContext {
  readonly model: ClusterModel;
  /** Every Kubernetes object we emit. */
  readonly objects: readonly K8sObject[];
  /** Every file that would be written (manifests, host files, docs). */
  readonly files: readonly RenderedFile[];
  /** The flow catalogue of the render. @default - rebuilt from the model */
  readonly flows?: readonly Flow[];
  /**
   * The verdicts of `checkFlows` on `flows` against `objects` and the model's dataplane, when the render has
   * them already (its docs show them). @default - computed by the flow check
   */
  readonly flowResults?: readonly FlowResult[];
}

/** A check on the complete render; problems it returns fail the synth (the output stays as it was). */
export interface OutputCheck {
  /** Short name, listed in the generated docs as a check that held. */
  readonly name: string;
  /** What the check guarantees, one sentence. */
  readonly description: string;
  /**
   * Runs before any file of the render reaches the disk, not even the staging directory beside the output
   * (the secret scan: a secret must never be written). Synth runs the other checks while the staged files
   * are made durable; the output is replaced only once every check holds. @default false
   */
  readonly beforeWrite?: boolean;
  run(context: CheckContext): Problem[];
}

/** Thrown when output checks fail; carries every problem. */
export class OutputCheckError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(`${problems.length} problem(s) in the rendered output`);
    this.name = 'OutputCheckError';
  }
}
