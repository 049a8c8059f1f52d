/**
 * Construct prop errors raised while building from the model, reported against the description's field
 * paths and all at once: each construct is built through {@link ModelProblems.build}, which turns a
 * {@link ComponentPropsError} (`prop: message`) into `description.path: message` problems and carries on
 * with the next construct; {@link ModelProblems.throwIfAny} then throws one {@link DescriptionError}.
 */
import { ComponentPropsError } from '../components/private/validation';
import { DescriptionError, type Problem } from '../model/problems';

/** The `file` of a DescriptionError raised from the model (the CLI puts the description's path there). */
export const MODEL_SOURCE = '<description>';

export class ModelProblems {
  readonly problems: Problem[] = [];

  /**
   * Runs `create`; on a ComponentPropsError records its problems under `base` (the description path of the
   * construct's input) and returns undefined. `paths` maps a prop (its first segment) to another description
   * path where the two differ, e.g. `{ server: 'storage.server' }`; a key may also be a whole prop path
   * (`'isolatedNamespaces[2]'`), which then wins and maps exactly to its value.
   */
  build<T>(base: string, create: () => T, paths: Readonly<Record<string, string>> = {}): T | undefined {
    try {
      return create();
    } catch (error) {
      if (!(error instanceof ComponentPropsError)) throw error;
      for (const line of error.problems) {
        const match = /^([A-Za-z][\w]*)((?:\[\d+\]|\.[A-Za-z]\w*)*): (.*)$/s.exec(line);
        if (!match) {
          this.problems.push({ path: base, message: `${error.component}: ${line}` });
          continue;
        }
        const [, prop, rest, message] = match;
        const exact = paths[`${prop}${rest}`];
        const path = exact !== undefined ? exact : paths[prop] !== undefined ? `${paths[prop]}${rest}` : `${base ? `${base}.` : ''}${prop}${rest}`;
        this.problems.push({ path, message });
      }
      return undefined;
    }
  }

  throwIfAny(): void {
    if (this.problems.length) throw new DescriptionError(MODEL_SOURCE, this.problems);
  }
}
