/**
 * Flux output (`model.output.flux`): one `kustomize.toolkit.fluxcd.io/v1` Kustomization per wave, chained
 * with `dependsOn`, each waiting for its objects to be healthy (`wait: true`) before the next wave starts.
 *
 * A Flux Kustomization reconciles a directory, not a file, and a directory without kustomization.yaml is
 * taken whole (recursively). So each wave gets `flux/<wave>/kustomization.yaml` listing just its wave file
 * (`../../<wave>.yaml`). kustomize-controller builds with load restrictions off, inside the source
 * artifact, so the file outside the kustomization root is allowed; plain `kubectl kustomize` needs
 * `--load-restrictor LoadRestrictionsNone` for the same directory. The files live under `flux/`, a
 * subdirectory, so `kubectl apply -f dist` does not pick them up.
 */
import type { ClusterModel } from '../model/types';
import { serializedFile, type RenderedFile } from './files';
import { LABEL_MANAGED_BY, LABEL_NAME, MANAGED_BY, toLabelValue } from './labels';
import type { Wave } from './waves';
import { dumpYaml } from './yaml';

/** Folder of the Flux files inside dist/. */
export const FLUX_DIR = 'flux';
/** Namespace of the Kustomizations (and of the GitRepository they read). */
export const FLUX_NAMESPACE = 'flux-system';
/**
 * Where dist/ sits in the Git repository Flux reads, as a `spec.path` prefix. Change it (or move dist/) when the
 * rendered directory is not at the repository root.
 */
export const FLUX_SOURCE_DIST_PATH = './dist';

export interface FluxOptions {
  /** `spec.path` prefix of dist/ inside the source. @default FLUX_SOURCE_DIST_PATH ('./dist') */
  readonly distPath?: string;
  /** GitRepository the Kustomizations read. @default model.name (in flux-system) */
  readonly sourceName?: string;
}

/** Name of the Kustomization for a wave: `<cluster>-<wave file without .yaml>`. */
export function fluxKustomizationName(model: ClusterModel, wave: Pick<Wave, 'file'>): string {
  return toLabelValue(`${model.name}-${wave.file.replace(/\.yaml$/, '')}`).toLowerCase();
}

const dump = (docs: readonly unknown[]) => docs.map((d) => dumpYaml(d, { quotingType: '"' })).join('---\n');

/** The Flux Kustomization objects, one per wave, each depending on the one before. */
function fluxKustomizations(model: ClusterModel, waves: readonly Wave[], options: FluxOptions = {}): Record<string, unknown>[] {
  const distPath = (options.distPath ?? FLUX_SOURCE_DIST_PATH).replace(/\/+$/, '');
  const sourceName = options.sourceName ?? model.name;
  return waves.map((wave, i) => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name: fluxKustomizationName(model, wave),
      namespace: FLUX_NAMESPACE,
      labels: { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_NAME]: toLabelValue(model.name) },
    },
    spec: {
      ...(i > 0 ? { dependsOn: [{ name: fluxKustomizationName(model, waves[i - 1]) }] } : {}),
      interval: '10m',
      retryInterval: '1m',
      timeout: '5m',
      path: `${distPath}/${FLUX_DIR}/${wave.file.replace(/\.yaml$/, '')}`,
      prune: true,
      wait: true,
      sourceRef: { kind: 'GitRepository', name: sourceName, namespace: FLUX_NAMESPACE },
    },
  }));
}

/** Files under `flux/`: a kustomization.yaml per wave and `kustomizations.yaml` with the Flux objects. */
export function renderFluxFiles(model: ClusterModel, waves: readonly Wave[], options: FluxOptions = {}): RenderedFile[] {
  const perWave = waves.map((wave) => {
    const documents = [{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [`../../${wave.file}`] }];
    return serializedFile(`${FLUX_DIR}/${wave.file.replace(/\.yaml$/, '')}/kustomization.yaml`, dump(documents), documents);
  });
  const header = [
    `# Flux Kustomizations for ${model.name}: one per wave, applied in order through dependsOn.`,
    `# They read the GitRepository "${options.sourceName ?? model.name}" in ${FLUX_NAMESPACE} (create it for the repository holding dist/);`,
    `# spec.path assumes dist/ at ${options.distPath ?? FLUX_SOURCE_DIST_PATH} in that repository.`,
    '',
  ].join('\n');
  const kustomizations = fluxKustomizations(model, waves, options);
  return [...perWave, serializedFile(`${FLUX_DIR}/kustomizations.yaml`, header + dump(kustomizations), kustomizations)];
}
