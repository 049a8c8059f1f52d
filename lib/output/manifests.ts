/**
 * Lays Kubernetes objects out as numbered files at the top of dist/, so `kubectl apply -f dist` (which
 * reads that level in lexical order) applies namespaces first and custom resources last.
 */
import * as yaml from 'js-yaml';
import type { K8sObject } from '../checks/types';
import type { RenderedFile } from './files';

interface Wave {
  readonly file: string;
  readonly accepts: (object: K8sObject) => boolean;
}

const CLUSTER_KINDS = new Set(['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'CSIDriver', 'IngressClass', 'StorageClass']);
const isCustom = (o: K8sObject) => !/^(v1|[a-z.]*k8s\.io\/.*|apps\/v1|batch\/v1|policy\/v1|autoscaling\/v\d)$/.test(o.apiVersion) || o.apiVersion.startsWith('apiextensions');

const WAVES: readonly Wave[] = [
  { file: '00-namespaces.yaml', accepts: (o) => o.kind === 'Namespace' },
  { file: '10-cluster.yaml', accepts: (o) => CLUSTER_KINDS.has(o.kind) },
  { file: '40-policies.yaml', accepts: (o) => o.kind === 'NetworkPolicy' },
  { file: '30-custom-resources.yaml', accepts: (o) => isCustom(o) },
  { file: '20-workloads.yaml', accepts: () => true },
];

export function serializeObjects(objects: readonly K8sObject[]): string {
  return objects.map((o) => yaml.dump(o, { lineWidth: -1, noRefs: true, quotingType: '"' })).join('---\n');
}

export function layoutManifests(objects: readonly K8sObject[]): RenderedFile[] {
  const buckets = new Map<string, K8sObject[]>();
  for (const object of objects) {
    const wave = WAVES.find((w) => w.accepts(object))!;
    buckets.set(wave.file, [...(buckets.get(wave.file) ?? []), object]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, items]) => ({ path, content: serializeObjects(items) }));
}
