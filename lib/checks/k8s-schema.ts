/**
 * Output checks over the files a synth would write, so an invalid render never replaces a valid dist/:
 * every Kubernetes object as written (the documents each wave file was serialized from, by file) against the
 * Kubernetes API schemas, strictly, and against the API versions the model's Kubernetes minor serves; custom
 * resources against the CRDs in the output (more with {@link k8sSchemaCheckWith}); the object hygiene rules
 * (common labels, sync-wave annotation matching the file, no status, no nulls, namespaces); the Flux files'
 * references. Nothing is parsed back: that every YAML, TOML and JSON file we write parses is proven by tests
 * over every fixture, and `validate --dir` checks it on a directory.
 */
import { SCHEMA_SOURCE, validateRenderedFiles, type HostFileCheck } from '../validate';
import type { OutputCheck } from './types';

export interface K8sSchemaCheckOptions {
  /** Directory of CRDs to validate custom resources against (e.g. `../shared/crds`). */
  readonly crdsDir?: string;
  /** Extra checks for files under hosts/. */
  readonly hostFileCheck?: HostFileCheck;
}

/** The schema check, with CRDs from a directory and extra host-file checks. */
export function k8sSchemaCheckWith(options: K8sSchemaCheckOptions = {}): OutputCheck {
  return {
    name: 'kubernetes-schema',
    description: `Every Kubernetes object validates strictly (unknown fields included) against the Kubernetes ${SCHEMA_SOURCE.kubernetes} API schemas (${SCHEMA_SOURCE.package} ${SCHEMA_SOURCE.version}), uses an API version the cluster's Kubernetes serves, and carries the common labels and its sync-wave.`,
    run: ({ model, files }) =>
      validateRenderedFiles(files, {
        kubernetesMinor: model.kubernetes.minor,
        partOf: model.output.partOf,
        crdsDir: options.crdsDir,
        hostFileCheck: options.hostFileCheck,
        // host-file checks need the file-format pass; plain synth does not parse its own files back
        fileFormats: options.hostFileCheck !== undefined,
      }).map(({ path, message }) => ({ path, message })),
  };
}

/** The schema check as run by every synth (CRDs only from the output itself). */
export const k8sSchemaCheck: OutputCheck = k8sSchemaCheckWith();
