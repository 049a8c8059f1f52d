/**
 * dist/README.md "Apply": the order to apply the wave files in, the upstream installs between them, the
 * waits and webhook retries, and the Secrets to create. Read from the objects as written.
 */
import * as yaml from 'js-yaml';
import type { K8sObject } from '../k8s/object';
import type { ClusterModel } from '../model/types';
import { PREREQUISITE_MANIFESTS, VERSIONS } from '../versions';
import type { RenderedFile } from '../output/files';
import { SYNC_WAVE_ANNOTATION } from '../output/manifests';
import { FLUX_DIR, FLUX_NAMESPACE, FLUX_SOURCE_DIST_PATH, fluxKustomizationName } from '../output/flux';
import { LABEL_MANAGED_BY, LABEL_PART_OF, MANAGED_BY, toLabelValue } from '../output/labels';
import { podTemplateOf } from '../security/pod-template';
import { isBuiltinApiVersion, podReferences } from '../output/waves';
import { compareCodePoints } from '../compare';

/** Controllers of custom resources that the user installs from upstream before our custom-resource wave. */
interface UpstreamController {
  readonly name: string;
  readonly version: string;
  /** API groups of its custom resources. */
  readonly groups: readonly string[];
  readonly namespace: (model: ClusterModel) => string;
  readonly install: string;
  readonly deployments: readonly string[];
  readonly daemonSets: readonly string[];
}

/** How long the apply sequence waits for admission webhooks to accept the custom resources. */
export const WEBHOOK_READY_ATTEMPTS = 60;
const WEBHOOK_READY_INTERVAL_SECONDS = 5;

/**
 * Rollout status does not mean a webhook serves (MetalLB starts its webhook after certificate rotation,
 * cert-manager's CA injection lags): retry a server-side dry-run of the wave, which goes through every
 * admission webhook, until it succeeds or the deadline passes. Nothing is changed by a dry-run.
 */
function webhookReadyCommands(file: string): string[] {
  const seconds = WEBHOOK_READY_ATTEMPTS * WEBHOOK_READY_INTERVAL_SECONDS;
  return [
    `# webhooks must answer before the custom resources go in: retry a server-side dry-run (up to ${seconds / 60} min)`,
    `n=0; until kubectl apply --dry-run=server -f dist/${file} >/dev/null; do n=$((n+1)); [ "$n" -lt ${WEBHOOK_READY_ATTEMPTS} ] || { echo "webhooks still refuse dist/${file} after ${seconds / 60} min" >&2; false; break; }; sleep ${WEBHOOK_READY_INTERVAL_SECONDS}; done`,
  ];
}

const UPSTREAM_CONTROLLERS: readonly UpstreamController[] = [
  {
    name: 'MetalLB',
    version: VERSIONS.metallb,
    groups: ['metallb.io'],
    namespace: (m) => m.metallb.namespace,
    install: `kubectl apply -f ${PREREQUISITE_MANIFESTS.metallb}`,
    deployments: ['controller'],
    daemonSets: ['speaker'],
  },
  {
    name: 'cert-manager',
    version: VERSIONS.certManager,
    groups: ['cert-manager.io', 'acme.cert-manager.io'],
    namespace: () => 'cert-manager',
    install: `kubectl apply -f ${PREREQUISITE_MANIFESTS.certManager}`,
    deployments: ['cert-manager', 'cert-manager-cainjector', 'cert-manager-webhook'],
    daemonSets: [],
  },
];

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');
/** Default CRD plural of a kind (lowercase + s/es/ies), as the CRDs we depend on use. */
const plural = (kind: string) => {
  const lower = kind.toLowerCase();
  return /(s|x|ch|sh)$/.test(lower) ? `${lower}es` : /[^aeiou]y$/.test(lower) ? `${lower.slice(0, -1)}ies` : `${lower}s`;
};
const nsFlag = (o: K8sObject) => (o.metadata.namespace ? `-n ${o.metadata.namespace} ` : '');

/** Waits that make a wave's objects usable before the next wave: CRDs established, workloads rolled out. */
function waitCommands(objects: readonly K8sObject[]): string[] {
  const commands: string[] = [];
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => `crd/${o.metadata.name}`);
  if (crds.length) commands.push(`kubectl wait --for=condition=Established --timeout=2m ${crds.join(' ')}`);
  for (const o of objects) {
    const resource = { Deployment: 'deployment', DaemonSet: 'daemonset', StatefulSet: 'statefulset' }[o.kind];
    if (resource) commands.push(`kubectl ${nsFlag(o)}rollout status ${resource}/${o.metadata.name} --timeout=5m`);
    // A Job that deletes itself when done (ttlSecondsAfterFinished) cannot be waited for reliably; the rollout
    // of the workload that needs its result covers it.
    if (o.kind === 'Job' && (o.spec as { ttlSecondsAfterFinished?: number } | undefined)?.ttlSecondsAfterFinished === undefined) {
      commands.push(`kubectl ${nsFlag(o)}wait --for=condition=complete --timeout=5m job/${o.metadata.name}`);
    }
  }
  return commands;
}

/**
 * Secrets the workloads use that dist/ does not contain and that no Job of the same namespace creates
 * (a Job whose arguments name it, like `--secret-name=<name>`): `namespace/name`, sorted.
 */
export function secretsToCreate(objects: readonly K8sObject[]): string[] {
  const present = new Set(objects.filter((o) => o.kind === 'Secret').map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
  const missing = new Set<string>();
  // each Job's pod spec as JSON, once: a Job that creates a Secret names it as `...=<name>"` in its arguments
  const jobs = objects.filter((j) => j.kind === 'Job').map((j) => ({ namespace: j.metadata.namespace, spec: JSON.stringify(podTemplateOf(j)?.spec ?? {}) }));
  for (const o of objects) {
    const pod = podTemplateOf(o);
    for (const ref of pod ? podReferences(pod.spec).filter((r) => r.kind === 'Secret') : []) {
      const key = `${o.metadata.namespace}/${ref.name}`;
      const createdByJob = jobs.some((j) => j.namespace === o.metadata.namespace && j.spec.includes(`=${ref.name}"`));
      if (!present.has(key) && !createdByJob) missing.add(key);
    }
  }
  return [...missing].sort();
}

/** Prune allowlist entries (`group/version/Kind`, core as `core/v1/Kind`) for the kinds we emit. */
function pruneAllowlist(objects: readonly K8sObject[]): string[] {
  const entries = new Set(objects.map((o) => `${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}/${o.kind}`));
  return [...entries].sort();
}

export interface ApplyReadmeOptions {
  /** Pinned install commands of the upstream prerequisites by name (`MetalLB`, `cert-manager`). */
  readonly installCommands?: Readonly<Record<string, readonly string[]>>;
}

/** Objects of the wave files among `files` (top-level `NN-*.yaml`), by file, in order. */
function waveFiles(files: readonly RenderedFile[]): { file: string; number: number; objects: K8sObject[] }[] {
  return files
    .filter((f) => /^\d+-[a-z0-9-]+\.yaml$/.test(f.path))
    .sort((a, b) => compareCodePoints(a.path, b.path))
    .map((f) => ({ file: f.path, number: Number(f.path.split('-')[0]), objects: ((f.documents ?? yaml.loadAll(f.content)) as K8sObject[]).filter(Boolean) }));
}

const WAVE_PURPOSE: Record<string, string> = {
  namespaces: 'Namespaces, with their Pod Security labels',
  cluster: 'cluster-scoped objects that need nothing namespaced: CRDs, ClusterRoles and their bindings, classes',
  networking: 'the CNI and NetworkPolicy agents; every other pod needs the pod network',
  controllers: 'controllers and what they use (ServiceAccounts, ConfigMaps, Services, RBAC, webhooks)',
  'custom-resources': 'custom resources, after every controller is running',
  policies: 'NetworkPolicies, last: they only restrict, so nothing waits on them',
  config: 'namespaced configuration',
};

/** The dist/README.md section on applying the manifests, derived from the wave files among `files`. */
export function applyReadmeSection(model: ClusterModel, files: readonly RenderedFile[], options: ApplyReadmeOptions = {}): { title: string; body: string } {
  const waves = waveFiles(files);
  const all = waves.flatMap((w) => w.objects);
  const partOf = toLabelValue(model.output.partOf);
  const lines: string[] = [
    'The manifests are split into waves derived from the dependencies between the objects: a Namespace before what lives in it, a CRD before its resources, ServiceAccounts, ConfigMaps, bindings and Services before the workloads that use them, the CNI before pods that need the pod network, controllers before the custom resources they handle, NetworkPolicies last.',
    `Every object carries the annotation \`${SYNC_WAVE_ANNOTATION}\` with its wave number and the labels \`${LABEL_PART_OF}=${partOf}\` and \`${LABEL_MANAGED_BY}=${MANAGED_BY}\`.`,
    '',
    '| Wave | File | Objects | Holds |',
    '|---|---|---|---|',
    ...waves.map(
      (w) =>
        `| ${w.number} | \`${w.file}\` | ${w.objects.length} | ${
          WAVE_PURPOSE[
            w.file
              .replace(/^\d+-/, '')
              .replace(/\.yaml$/, '')
              .replace(/-\d+$/, '')
          ] ?? ''
        } |`,
    ),
    '',
    '### With kubectl',
    '',
    'Run from the directory that holds `dist/`, one wave at a time; each wait must succeed before the next `apply`.',
    '',
    '```sh',
  ];
  const installed = new Set<string>();
  for (const wave of waves) {
    for (const controller of UPSTREAM_CONTROLLERS) {
      const resources = wave.objects.filter((o) => controller.groups.includes(groupOf(o.apiVersion)) && !isBuiltinApiVersion(o.apiVersion));
      if (!resources.length || installed.has(controller.name)) continue;
      installed.add(controller.name);
      const namespace = controller.namespace(model);
      const crds = [
        ...new Set(all.filter((o) => controller.groups.includes(groupOf(o.apiVersion))).map((o) => `crd/${plural(o.kind)}.${groupOf(o.apiVersion)}`)),
      ].sort();
      lines.push(
        `# prerequisite: ${controller.name} ${controller.version} from upstream, now that pods have a network (${wave.file} needs its CRDs and webhooks)`,
        ...(options.installCommands?.[controller.name] ?? [controller.install]),
        `kubectl wait --for=condition=Established --timeout=2m ${crds.join(' ')}`,
        ...controller.deployments.map((d) => `kubectl -n ${namespace} rollout status deployment/${d} --timeout=5m`),
        ...controller.daemonSets.map((d) => `kubectl -n ${namespace} rollout status daemonset/${d} --timeout=5m`),
      );
    }
    const custom = wave.objects.some((o) => UPSTREAM_CONTROLLERS.some((c) => c.groups.includes(groupOf(o.apiVersion))) && !isBuiltinApiVersion(o.apiVersion));
    if (custom) lines.push(...webhookReadyCommands(wave.file));
    lines.push(`kubectl apply -f dist/${wave.file}`, ...waitCommands(wave.objects));
    const secrets = secretsToCreate(all).filter((s) => wave.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === s.split('/')[0]));
    if (secrets.length) lines.push(`# now create the Secrets dist/ only references (see "Secrets to create"): ${secrets.join(', ')}`);
  }
  lines.push('```', '');
  lines.push(
    'Applying everything at once also works once the upstream prerequisites are installed: `kubectl apply -f dist` run twice converges. The first run creates what it can (objects whose Namespace, CRD or webhook is not there yet fail and are reported); the second run, once the controllers are up, creates the rest and leaves the rest unchanged. Run it a third time if the webhooks were still starting.',
    '',
    '### Pruning',
    '',
    `To delete objects that are no longer generated, apply the whole directory at once with a label selector (pruning while applying a single wave file would delete the objects of every other wave). \`kubectl\` prunes only the kinds it is told to:`,
    '',
    '```sh',
    `kubectl apply -f dist/ --prune -l ${LABEL_PART_OF}=${partOf} \\`,
    ...pruneAllowlist(all).map((entry, i, list) => `  --prune-allowlist=${entry}${i < list.length - 1 ? ' \\' : ''}`),
    '```',
    '',
    '`--prune` deletes every object with that label and one of those kinds that the files do not contain, Namespaces included (and with them everything inside). Run it with `--dry-run=server` first.',
    '',
    '### Argo CD',
    '',
    `Argo CD orders the sync by the \`${SYNC_WAVE_ANNOTATION}\` annotations and waits for each wave to be healthy before the next. Install the upstream prerequisites first (above). Example Application, reading only the wave files (\`hosts/\` and \`${FLUX_DIR}/\` stay out):`,
    '',
    '```yaml',
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${model.name}`,
    '  namespace: argocd',
    'spec:',
    '  project: default',
    '  source:',
    '    repoURL: https://git.example.com/you/cluster.git   # the repository holding dist/',
    '    targetRevision: main',
    '    path: dist',
    '    directory:',
    '      recurse: false',
    '  destination:',
    '    server: https://kubernetes.default.svc',
    '  syncPolicy:',
    '    automated: {prune: true, selfHeal: true}',
    '    syncOptions: [ServerSideApply=true]',
    '```',
    '',
    '### Flux',
    '',
  );
  if (model.output.flux) {
    const customWave = waves.find((w) => w.objects.some((o) => !isBuiltinApiVersion(o.apiVersion)));
    const firstCustom = customWave && fluxKustomizationName(model, customWave);
    lines.push(
      `\`dist/${FLUX_DIR}/kustomizations.yaml\` holds one \`kustomize.toolkit.fluxcd.io/v1\` Kustomization per wave, each \`dependsOn\` the one before, with \`wait: true\` (the next wave starts when this one is healthy) and \`prune: true\`. Each points at \`dist/${FLUX_DIR}/<wave>/\`, whose kustomization.yaml lists just that wave's file.`,
      `They read a GitRepository named \`${model.name}\` in \`${FLUX_NAMESPACE}\` (a placeholder: create it for the repository holding dist/; \`spec.path\` assumes dist/ at the repository root, \`${FLUX_SOURCE_DIST_PATH}\`). Install the upstream prerequisites first, or manage them in Flux too and add their Kustomizations to the \`dependsOn\` of the first wave with custom resources${firstCustom ? ` (\`${firstCustom}\`)` : ''}.`,
      '',
      '```sh',
      `flux create source git ${model.name} --url=<repository URL> --branch=main`,
      `kubectl apply -f dist/${FLUX_DIR}/kustomizations.yaml`,
      'flux get kustomizations --watch',
      '```',
    );
  } else {
    lines.push('Set `output.flux: true` in the description to also get Flux Kustomizations, one per wave, chained with `dependsOn`.');
  }
  return { title: 'Applying the manifests', body: lines.join('\n') };
}
