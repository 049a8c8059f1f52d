/**
 * Finds the pod template inside any pod-bearing Kubernetes object, as plain JSON. Shared by the Pod Security
 * evaluator, the NetworkPolicy computation and the output checks, so they agree on what a "pod we emit" is.
 */
import type { K8sObject } from '../k8s/object';

/**
 * The JSON shape of the pod fields we read. Everything is optional: the input is any synthesized object.
 * Other pod spec fields (`dnsPolicy`, `priorityClassName`, ...) are there too, untyped.
 */
export interface PodSpecJson {
  readonly [field: string]: unknown;
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly hostUsers?: boolean;
  readonly serviceAccountName?: string;
  /** Deprecated alias of serviceAccountName, still honoured by the API server. */
  readonly serviceAccount?: string;
  readonly automountServiceAccountToken?: boolean;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly affinity?: { readonly nodeAffinity?: { readonly requiredDuringSchedulingIgnoredDuringExecution?: NodeSelectorJson } };
  readonly tolerations?: readonly TolerationJson[];
  readonly os?: { readonly name?: string };
  readonly securityContext?: SecurityContextJson;
  readonly volumes?: readonly VolumeJson[];
  readonly initContainers?: readonly ContainerJson[];
  readonly containers?: readonly ContainerJson[];
  readonly ephemeralContainers?: readonly ContainerJson[];
}

export interface NodeSelectorJson {
  readonly nodeSelectorTerms?: readonly {
    readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
    readonly matchFields?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
  }[];
}

export interface TolerationJson {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

export interface SecurityContextJson {
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly procMount?: string;
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  readonly seccompProfile?: { readonly type?: string };
  readonly appArmorProfile?: { readonly type?: string };
  readonly seLinuxOptions?: { readonly type?: string; readonly user?: string; readonly role?: string };
  readonly windowsOptions?: { readonly hostProcess?: boolean };
  readonly sysctls?: readonly { readonly name: string; readonly value?: string }[];
}

export interface ContainerPortJson {
  readonly name?: string;
  readonly containerPort?: number;
  readonly hostPort?: number;
  readonly protocol?: string;
}

export interface ContainerJson {
  readonly name: string;
  readonly image?: string;
  readonly ports?: readonly ContainerPortJson[];
  readonly securityContext?: SecurityContextJson;
}

export interface VolumeJson {
  readonly name: string;
  readonly [source: string]: unknown;
}

/** Which list a container came from; PSA checks all three. */
export type ContainerList = 'initContainers' | 'containers' | 'ephemeralContainers';

export interface ContainerRef {
  readonly container: ContainerJson;
  readonly list: ContainerList;
  readonly index: number;
  /** Field path of the container inside the pod spec, e.g. `containers[0]`. */
  readonly path: string;
}

/** A pod template found in an object. */
export interface PodTemplate {
  readonly object: K8sObject;
  /** Field path of the pod spec inside the object, e.g. `spec.template.spec`. */
  readonly specPath: string;
  readonly spec: PodSpecJson;
  readonly metadata: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  /** The namespace the pods run in (the object's namespace; `default` when unset). */
  readonly namespace: string;
}

/** Kinds that carry a pod template, and where. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** The kinds {@link podTemplateOf} understands. */
export const POD_TEMPLATE_KINDS: readonly string[] = Object.keys(TEMPLATE_PATHS);

function dig(value: unknown, keys: readonly string[]): unknown {
  return keys.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), value);
}

/** The pod template of a Pod, Deployment, DaemonSet, StatefulSet, ReplicaSet, ReplicationController, Job or CronJob; undefined for other kinds. */
export function podTemplateOf(object: K8sObject): PodTemplate | undefined {
  const keys = TEMPLATE_PATHS[object.kind];
  if (!keys) return undefined;
  const template = (keys.length ? dig(object, keys) : object) as { metadata?: PodTemplate['metadata']; spec?: PodSpecJson } | undefined;
  if (!template || typeof template !== 'object') return undefined;
  return {
    object,
    specPath: [...keys, 'spec'].join('.'),
    spec: template.spec ?? {},
    metadata: template.metadata ?? {},
    namespace: object.metadata.namespace ?? 'default',
  };
}

/** Every pod template among the objects, in order. */
export function podTemplates(objects: readonly K8sObject[]): PodTemplate[] {
  return objects.flatMap((o) => podTemplateOf(o) ?? []);
}

/** Init, regular and ephemeral containers, in the order PSA visits them, with their field paths. */
export function containersOf(spec: PodSpecJson): ContainerRef[] {
  const lists: ContainerList[] = ['initContainers', 'containers', 'ephemeralContainers'];
  return lists.flatMap((list) => (spec[list] ?? []).map((container, index) => ({ container, list, index, path: `${list}[${index}]` })));
}

/** True when `labels` has every key/value of `selector` (an empty selector matches everything). */
export function labelsMatch(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The ServiceAccount the pods run as. */
export function serviceAccountOf(template: PodTemplate): string {
  return template.spec.serviceAccountName ?? template.spec.serviceAccount ?? 'default';
}

/**
 * Whether the pods get an API token mounted: the pod's `automountServiceAccountToken` wins, else the
 * ServiceAccount's (looked up among `objects`), else Kubernetes' default (true).
 */
export function mountsServiceAccountToken(template: PodTemplate, objects: readonly K8sObject[]): boolean {
  if (template.spec.automountServiceAccountToken !== undefined) return template.spec.automountServiceAccountToken;
  const name = serviceAccountOf(template);
  const account = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === name && (o.metadata.namespace ?? 'default') === template.namespace);
  return (account as { automountServiceAccountToken?: boolean } | undefined)?.automountServiceAccountToken !== false;
}
