/**
 * Cleans synthesized objects before they are written: common `app.kubernetes.io/*` labels on every object,
 * no `status`, no null values, no empty metadata maps.
 *
 * Empty `{}` / `[]` outside metadata are kept on purpose: Kubernetes gives several of them meaning
 * (`podSelector: {}` selects every pod, `emptyDir: {}` picks the volume type, `ingress: [{}]` allows all).
 */
import type { K8sObject } from '../k8s/object';
import { compareCodePoints } from '../compare';

/** Value of `app.kubernetes.io/managed-by` on everything we emit. */
export const MANAGED_BY = 'homelab-cluster';

export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';

/**
 * Kinds without a namespace. Built-in cluster-scoped kinds, plus the cluster-scoped custom resources we emit
 * whose CRDs are installed from upstream (ClusterIssuer). CRDs in the output add their own kinds.
 */
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'APIService',
  'CertificateSigningRequest',
  'ClusterRole',
  'ClusterRoleBinding',
  'ClusterTrustBundle',
  'ComponentStatus',
  'CSIDriver',
  'CSINode',
  'CustomResourceDefinition',
  'FlowSchema',
  'IngressClass',
  'IPAddress',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'RuntimeClass',
  'ServiceCIDR',
  'StorageClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
  'VolumeAttributesClass',
  'VolumeSnapshotClass',
  'VolumeSnapshotContent',
  // custom resources of CRDs installed from upstream
  'ClusterIssuer',
]);

/** Kinds made cluster-scoped by CRDs among `objects` (`spec.scope: Cluster`). */
export function clusterScopedCustomKinds(objects: readonly K8sObject[]): Set<string> {
  const kinds = new Set<string>();
  for (const o of objects) {
    const spec = o.spec as { scope?: string; names?: { kind?: string } } | undefined;
    if (o.kind === 'CustomResourceDefinition' && spec?.scope === 'Cluster' && spec.names?.kind) kinds.add(spec.names.kind);
  }
  return kinds;
}

/** Whether objects of this kind live outside namespaces (built-in list plus `extraKinds`). */
export function isClusterScoped(kind: string, extraKinds: ReadonlySet<string> = new Set()): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind) || extraKinds.has(kind);
}

/** Objects as synthesized by one chart: the chart id names the component. */
export interface ChartObjects {
  readonly chart: string;
  readonly objects: readonly K8sObject[];
}

export interface CommonLabelOptions {
  /** `app.kubernetes.io/part-of` (the model's `output.partOf`); no part-of label when absent. */
  readonly partOf?: string;
  /** Chart (component) the object came from: the default of `component`, and of `name` without an app label. */
  readonly chart?: string;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A valid label value made from `text` (at most 63 characters, alphanumeric at both ends). */
export function toLabelValue(text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return LABEL_VALUE.test(cleaned) ? cleaned : '';
}

/** Deep copy without null/undefined values; drops `status` at the top. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(withoutNulls);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (v !== null && v !== undefined) out[key] = withoutNulls(v);
    return out;
  }
  return value;
}

const isEmpty = (v: unknown) => (Array.isArray(v) ? v.length === 0 : v !== null && typeof v === 'object' && Object.keys(v).length === 0);

/**
 * The object as written: a copy with no `status`, no nulls, no empty metadata maps, and the common labels.
 * `managed-by` and `part-of` are always ours; `name` and `component` are kept when set, else derived:
 * `name` from the object's `app` / `k8s-app` label or the chart, `component` from the chart.
 */
export function cleanObject(object: K8sObject, options: CommonLabelOptions): K8sObject {
  const { status: _status, ...rest } = withoutNulls(object) as Record<string, unknown>;
  const metadata = { ...((rest.metadata as Record<string, unknown>) ?? {}) };
  const labels = { ...((metadata.labels as Record<string, string>) ?? {}) };
  const chart = options.chart ? toLabelValue(options.chart) : '';
  const name = labels[LABEL_NAME] ?? toLabelValue(labels.app ?? labels['k8s-app'] ?? chart);
  const component = labels[LABEL_COMPONENT] ?? chart;
  if (name) labels[LABEL_NAME] = name;
  if (component) labels[LABEL_COMPONENT] = component;
  if (options.partOf !== undefined) labels[LABEL_PART_OF] = toLabelValue(options.partOf);
  labels[LABEL_MANAGED_BY] = MANAGED_BY;
  metadata.labels = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => compareCodePoints(a, b)));
  for (const key of ['annotations', 'finalizers', 'ownerReferences']) if (isEmpty(metadata[key])) delete metadata[key];
  const { name: n, namespace, labels: l, annotations, ...more } = metadata;
  const orderedMetadata = {
    name: n,
    ...(namespace !== undefined ? { namespace } : {}),
    labels: l,
    ...(annotations !== undefined ? { annotations } : {}),
    ...more,
  };
  const { apiVersion, kind, metadata: _old, ...body } = rest;
  return { apiVersion, kind, metadata: orderedMetadata, ...body } as K8sObject;
}

/** Sets (or replaces) one annotation on a copy of `object`. */
export function withAnnotation(object: K8sObject, key: string, value: string): K8sObject {
  const annotations = { ...((object.metadata.annotations as Record<string, string>) ?? {}), [key]: value };
  return {
    ...object,
    metadata: { ...object.metadata, annotations: Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => compareCodePoints(a, b))) },
  };
}

/** A problem with an object as written: hygiene rules every emitted object must satisfy. */
export interface HygieneIssue {
  readonly field: string;
  readonly message: string;
}

/**
 * What is wrong with an object as written: missing common labels (or `sync-wave` annotation when
 * `requireAnnotations` lists it), `status`, null values, empty metadata maps, a missing or superfluous namespace.
 */
export function hygieneIssues(
  object: K8sObject,
  options: { readonly partOf?: string; readonly clusterScopedKinds?: ReadonlySet<string>; readonly requireAnnotations?: readonly string[] } = {},
): HygieneIssue[] {
  const issues: HygieneIssue[] = [];
  const labels = (object.metadata?.labels ?? {}) as Record<string, unknown>;
  for (const key of [LABEL_MANAGED_BY, LABEL_PART_OF, LABEL_NAME, LABEL_COMPONENT]) {
    if (typeof labels[key] !== 'string' || labels[key] === '') issues.push({ field: `metadata.labels["${key}"]`, message: 'common label is missing' });
  }
  if (options.partOf !== undefined && labels[LABEL_PART_OF] !== undefined && labels[LABEL_PART_OF] !== toLabelValue(options.partOf)) {
    issues.push({
      field: `metadata.labels["${LABEL_PART_OF}"]`,
      message: `must be ${JSON.stringify(toLabelValue(options.partOf))}, got ${JSON.stringify(labels[LABEL_PART_OF])}`,
    });
  }
  if (labels[LABEL_MANAGED_BY] !== undefined && labels[LABEL_MANAGED_BY] !== MANAGED_BY) {
    issues.push({
      field: `metadata.labels["${LABEL_MANAGED_BY}"]`,
      message: `must be ${JSON.stringify(MANAGED_BY)}, got ${JSON.stringify(labels[LABEL_MANAGED_BY])}`,
    });
  }
  const annotations = (object.metadata?.annotations ?? {}) as Record<string, unknown>;
  for (const key of options.requireAnnotations ?? []) {
    if (typeof annotations[key] !== 'string') issues.push({ field: `metadata.annotations["${key}"]`, message: 'annotation is missing' });
  }
  if (!object.metadata?.name) issues.push({ field: 'metadata.name', message: 'required field is missing' });
  if ('status' in object) issues.push({ field: 'status', message: 'must not be emitted (the cluster owns status)' });
  for (const key of ['labels', 'annotations', 'finalizers', 'ownerReferences']) {
    if (key in (object.metadata ?? {}) && isEmpty((object.metadata as Record<string, unknown>)[key]))
      issues.push({ field: `metadata.${key}`, message: 'empty; leave it out' });
  }
  const walk = (value: unknown, path: string) => {
    if (value === null) issues.push({ field: path, message: 'null value; leave the field out' });
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, /^[A-Za-z_$][\w$-]*$/.test(k) ? (path ? `${path}.${k}` : k) : `${path}[${JSON.stringify(k)}]`);
  };
  walk(object, '');
  const clusterScoped = isClusterScoped(object.kind, options.clusterScopedKinds);
  if (clusterScoped && object.metadata?.namespace) issues.push({ field: 'metadata.namespace', message: `must be absent: ${object.kind} is cluster-scoped` });
  if (!clusterScoped && !object.metadata?.namespace) issues.push({ field: 'metadata.namespace', message: `required: ${object.kind} is namespaced` });
  return issues;
}
