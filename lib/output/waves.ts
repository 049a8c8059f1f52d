/**
 * Apply waves derived from a dependency graph of the objects we emit.
 *
 * Edges come from the objects themselves: a Namespace before everything in it; a CRD before its custom
 * resources; ServiceAccounts, ConfigMaps, Secrets, PVCs, bindings and Services before the workloads that use
 * or select them; (Cluster)Roles before their bindings; IngressClass before Ingresses; CSIDriver before
 * StorageClass before PVCs; a webhook configuration after the Service and workloads behind it. "Ready"
 * edges need the dependency running (or established) before the dependent is applied, so they separate
 * waves: the CNI DaemonSet before every pod that needs the pod network; every workload before custom
 * resources whose CRD (and controller) we do not install; the NetworkPolicy agent, workloads and custom
 * resources before NetworkPolicies.
 *
 * Placement: Namespaces form the first wave; cluster-scoped objects that need nothing namespaced the second.
 * Every other object gets a depth: the number of ready edges on the longest path to it. Supporting objects
 * (ServiceAccount, ConfigMap, Secret, Role, RoleBinding, Service, PVC) move as late as their first consumer
 * allows, so they ship in the file of the workload that uses them. Each depth is one wave, named by what it
 * holds (networking, controllers, custom-resources, policies).
 */
import { POD_TEMPLATE_KINDS, podTemplateOf } from '../security/pod-template';
import type { K8sObject } from '../k8s/object';
import { clusterScopedCustomKinds, isClusterScoped } from './labels';
import { compareCodePoints } from '../compare';

export type EdgeKind = 'order' | 'ready';

export interface DependencyEdge {
  /** Index of the dependency in `objects`. */
  readonly from: number;
  /** Index of the dependent. */
  readonly to: number;
  /** `order`: apply before (same file is fine). `ready`: must be running or established first (a later wave). */
  readonly kind: EdgeKind;
  readonly reason: string;
}

export interface DependencyGraph {
  readonly objects: readonly K8sObject[];
  readonly edges: readonly DependencyEdge[];
  /** Indexes of CNI agents: host-network DaemonSets that write the node's CNI configuration. */
  readonly cniAgents: ReadonlySet<number>;
  /** Indexes of NetworkPolicy agents: host-network DaemonSets whose ServiceAccount may watch NetworkPolicies. */
  readonly policyAgents: ReadonlySet<number>;
  /** Indexes of custom resources (a CRD in the output defines them, or their API group is not built in). */
  readonly customResources: ReadonlySet<number>;
}

export type WaveName = 'namespaces' | 'cluster' | 'networking' | 'controllers' | 'custom-resources' | 'policies' | 'config';

export interface Wave {
  /** Sync-wave number, also the file prefix (`20`). Increasing in apply order. */
  readonly number: number;
  /** `networking`, or `controllers-2` when a name repeats. */
  readonly name: string;
  readonly kind: WaveName;
  /** `20-networking.yaml` */
  readonly file: string;
  /** In apply order. */
  readonly objects: readonly K8sObject[];
}

export interface WavePlan {
  readonly waves: readonly Wave[];
  readonly graph: DependencyGraph;
}

const WORKLOAD_KINDS = new Set(POD_TEMPLATE_KINDS);
const SUPPORTING_KINDS = new Set(['ServiceAccount', 'ConfigMap', 'Secret', 'Role', 'RoleBinding', 'Service', 'PersistentVolumeClaim']);
const WEBHOOK_KINDS = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);

/** Apply order of kinds inside a wave; consistent with every `order` edge. Unknown kinds follow, by name. */
const KIND_ORDER: readonly string[] = [
  ...['Namespace', 'ResourceQuota', 'LimitRange', 'PriorityClass', 'CustomResourceDefinition', 'RuntimeClass', 'CSIDriver', 'StorageClass', 'IngressClass'],
  ...[
    'ServiceAccount',
    'Secret',
    'ConfigMap',
    'PersistentVolume',
    'PersistentVolumeClaim',
    'ClusterRole',
    'ClusterRoleBinding',
    'Role',
    'RoleBinding',
    'Service',
  ],
  ...[
    'DaemonSet',
    'Deployment',
    'StatefulSet',
    'ReplicaSet',
    'ReplicationController',
    'Pod',
    'Job',
    'CronJob',
    'HorizontalPodAutoscaler',
    'PodDisruptionBudget',
  ],
  ...[
    'Ingress',
    'APIService',
    'MutatingWebhookConfiguration',
    'ValidatingWebhookConfiguration',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
  ],
  'NetworkPolicy',
];

const BASE_NUMBER: Record<WaveName, number> = { namespaces: 0, cluster: 10, networking: 20, controllers: 30, config: 30, 'custom-resources': 40, policies: 50 };

/** Built-in API groups (core, the unsuffixed ones and `*.k8s.io`, except groups served by CRDs). */
const CRD_GROUPS_UNDER_K8S_IO = new Set(['snapshot.storage.k8s.io', 'gateway.networking.k8s.io', 'policy.networking.k8s.io']);
export function isBuiltinApiVersion(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  if (['', 'apps', 'batch', 'policy', 'autoscaling', 'extensions'].includes(group)) return true;
  return /\.k8s\.io$/.test(group) && !CRD_GROUPS_UNDER_K8S_IO.has(group);
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');

/** What a pod spec refers to by name, in its own namespace (and the cluster-scoped classes it names). */
export function podReferences(podSpec: Json): { kind: string; name: string }[] {
  const refs: { kind: string; name: string }[] = [];
  const add = (kind: string, name: unknown) => str(name) && refs.push({ kind, name: name as string });
  add('ServiceAccount', podSpec.serviceAccountName ?? podSpec.serviceAccount);
  add('PriorityClass', podSpec.priorityClassName);
  add('RuntimeClass', podSpec.runtimeClassName);
  for (const s of arr(podSpec.imagePullSecrets)) add('Secret', obj(s).name);
  for (const v of arr(podSpec.volumes).map(obj)) {
    add('ConfigMap', obj(v.configMap).name);
    add('Secret', obj(v.secret).secretName);
    add('PersistentVolumeClaim', obj(v.persistentVolumeClaim).claimName);
    for (const source of arr(obj(v.projected).sources).map(obj)) {
      add('ConfigMap', obj(source.configMap).name);
      add('Secret', obj(source.secret).name);
    }
  }
  for (const c of [...arr(podSpec.initContainers), ...arr(podSpec.containers), ...arr(podSpec.ephemeralContainers)].map(obj)) {
    for (const from of arr(c.envFrom).map(obj)) {
      add('ConfigMap', obj(from.configMapRef).name);
      add('Secret', obj(from.secretRef).name);
    }
    for (const env of arr(c.env).map(obj)) {
      add('ConfigMap', obj(obj(env.valueFrom).configMapKeyRef).name);
      add('Secret', obj(obj(env.valueFrom).secretKeyRef).name);
    }
  }
  return refs;
}

/** Pods of this spec need the CNI: everything except host-network pods that resolve through the host. */
function needsPodNetwork(podSpec: Json): boolean {
  return podSpec.hostNetwork !== true || podSpec.dnsPolicy === 'ClusterFirstWithHostNet';
}

/** Whether a container's command, args or env values name `name` as a whole token (`--configmap=$(NS)/name`). */
function mentions(podSpec: Json, name: string): boolean {
  if (!name) return false;
  const texts = [...arr(podSpec.initContainers), ...arr(podSpec.containers)]
    .map(obj)
    .flatMap((c) => [...arr(c.command), ...arr(c.args), ...arr(c.env).map((e) => obj(e).value)])
    .filter((t): t is string => typeof t === 'string');
  return texts.some((t) => t.split(/[\s=,/:]+/).includes(name));
}

const selects = (selector: Record<string, string>, labels: Readonly<Record<string, string>> = {}) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/**
 * The node agents the components declare through their handles (`ICniProvider.agents`,
 * `INetworkPolicyEnforcer.agents`), as object references `Kind/namespace/name` ({@link objectKey}).
 */
export interface DeclaredAgents {
  /** The CNI's agents: every pod on the pod network is applied after they run. */
  readonly cni: readonly string[];
  /** The NetworkPolicy enforcer's agents: NetworkPolicies are applied after they run. */
  readonly policy: readonly string[];
}

/** `Kind/namespace/name`: the key of an object in the dependency graph, and how {@link DeclaredAgents} names them. */
export const objectKey = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ''}/${name}`;

/**
 * Builds the dependency graph (see the file comment for the edges). The network agents are the `declared`
 * ones when given (the app passes its components' handles); without them (objects from elsewhere) they are
 * recognised by what they do: host-network DaemonSets that mount the node's CNI directories, or whose
 * ServiceAccount may watch NetworkPolicies.
 */
export function buildDependencyGraph(objects: readonly K8sObject[], declared?: DeclaredAgents): DependencyGraph {
  const edges: DependencyEdge[] = [];
  const add = (from: number, to: number, kind: EdgeKind, reason: string) => from !== to && edges.push({ from, to, kind, reason });
  const index = new Map<string, number>();
  objects.forEach((o, i) => index.set(objectKey(o.kind, o.metadata.namespace, o.metadata.name ?? ''), i));
  const find = (kind: string, namespace: string | undefined, name: string) => index.get(objectKey(kind, isClusterScoped(kind) ? undefined : namespace, name));
  const ref = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

  const crds = new Map<string, number>();
  objects.forEach((o, i) => {
    const spec = obj(o.spec);
    if (o.kind === 'CustomResourceDefinition') crds.set(`${str(spec.group)}/${str(obj(spec.names).kind)}`, i);
  });
  const isCustom = (o: K8sObject) => crds.has(`${groupOf(o.apiVersion)}/${o.kind}`) || !isBuiltinApiVersion(o.apiVersion);
  const pods = objects.map(podTemplateOf);
  const workloads = objects.map((_, i) => i).filter((i) => pods[i]);

  // Who runs as which ServiceAccount, and which ClusterRoles let a ServiceAccount watch NetworkPolicies.
  const workloadsBySa = new Map<string, number[]>();
  for (const w of workloads) {
    const sa = `${objects[w].metadata.namespace}/${str(pods[w]!.spec.serviceAccountName ?? pods[w]!.spec.serviceAccount) ?? 'default'}`;
    workloadsBySa.set(sa, [...(workloadsBySa.get(sa) ?? []), w]);
  }
  const policyWatchers = new Set<string>();

  objects.forEach((o, i) => {
    const ns = o.metadata.namespace;
    const spec = obj(o.spec);
    if (ns !== undefined) {
      const n = find('Namespace', undefined, ns);
      if (n !== undefined) add(n, i, 'order', `${ref(o)} lives in Namespace ${ns}`);
    }
    const crd = crds.get(`${groupOf(o.apiVersion)}/${o.kind}`);
    if (crd !== undefined) add(crd, i, 'ready', `${ref(o)} needs its CRD established`);
    if (o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding') {
      const roleRef = obj(o.roleRef);
      const role = find(str(roleRef.kind) ?? '', ns, str(roleRef.name) ?? '');
      if (role !== undefined) add(role, i, 'order', `${ref(o)} binds ${ref(objects[role])}`);
      const rules = role !== undefined ? arr(objects[role].rules).map(obj) : [];
      const watchesPolicies = rules.some(
        (r) =>
          arr(r.apiGroups).some((g) => g === 'networking.k8s.io' || g === '*') &&
          arr(r.resources).some((res) => res === 'networkpolicies' || res === '*') &&
          arr(r.verbs).some((v) => v === 'watch' || v === 'list' || v === '*'),
      );
      for (const subject of arr(o.subjects).map(obj)) {
        if (subject.kind !== 'ServiceAccount') continue;
        const sa = `${str(subject.namespace) ?? ns}/${str(subject.name)}`;
        if (watchesPolicies) policyWatchers.add(sa);
        for (const w of workloadsBySa.get(sa) ?? []) add(i, w, 'order', `${ref(objects[w])} runs as ServiceAccount ${sa}, bound by ${ref(o)}`);
      }
    }
    if (o.kind === 'Ingress') {
      const cls = str(spec.ingressClassName) ?? str(obj(o.metadata.annotations)['kubernetes.io/ingress.class']);
      const c = cls ? find('IngressClass', undefined, cls) : undefined;
      if (c !== undefined) add(c, i, 'order', `${ref(o)} uses IngressClass ${cls}`);
    }
    if (o.kind === 'PersistentVolumeClaim') {
      const sc = str(spec.storageClassName) ? find('StorageClass', undefined, spec.storageClassName as string) : undefined;
      if (sc !== undefined) add(sc, i, 'order', `${ref(o)} uses StorageClass ${spec.storageClassName}`);
    }
    if (o.kind === 'StorageClass') {
      const driver = str(o.provisioner) ? find('CSIDriver', undefined, o.provisioner as string) : undefined;
      if (driver !== undefined) add(driver, i, 'order', `${ref(o)} provisions with CSIDriver ${o.provisioner}`);
    }
    const pod = pods[i];
    if (pod) {
      for (const r of podReferences(pod.spec)) {
        const dep = find(r.kind, ns, r.name);
        if (dep !== undefined) add(dep, i, 'order', `${ref(o)} uses ${r.kind} ${r.name}`);
      }
      for (const template of arr(spec.volumeClaimTemplates).map(obj)) {
        const name = str(obj(template.spec).storageClassName);
        const sc = name ? find('StorageClass', undefined, name) : undefined;
        if (sc !== undefined) add(sc, i, 'order', `${ref(o)} claims volumes of StorageClass ${name}`);
      }
    }
    if (o.kind === 'ConfigMap' || o.kind === 'Secret' || o.kind === 'Service') {
      for (const w of workloads) {
        if (objects[w].metadata.namespace === ns && mentions(pods[w]!.spec, o.metadata.name ?? ''))
          add(i, w, 'order', `${ref(objects[w])} names ${ref(o)} in its arguments`);
      }
    }
    if (o.kind === 'Service') {
      const selector = obj(spec.selector) as Record<string, string>;
      for (const w of workloads) {
        if (objects[w].metadata.namespace === ns && selects(selector, pods[w]!.metadata.labels))
          add(i, w, 'order', `${ref(o)} selects the pods of ${ref(objects[w])}`);
      }
    }
    if (o.kind === 'PodDisruptionBudget') {
      const selector = obj(obj(spec.selector).matchLabels) as Record<string, string>;
      for (const w of workloads) {
        if (objects[w].metadata.namespace === ns && selects(selector, pods[w]!.metadata.labels))
          add(w, i, 'order', `${ref(o)} covers the pods of ${ref(objects[w])}`);
      }
    }
    if (WEBHOOK_KINDS.has(o.kind)) {
      for (const hook of arr(o.webhooks).map(obj)) {
        const svcRef = obj(obj(hook.clientConfig).service);
        const svc = str(svcRef.name) ? find('Service', str(svcRef.namespace), svcRef.name as string) : undefined;
        if (svc === undefined) continue;
        add(svc, i, 'order', `${ref(o)} calls ${ref(objects[svc])}`);
        const selector = obj(obj(objects[svc].spec).selector) as Record<string, string>;
        for (const w of workloads) {
          if (objects[w].metadata.namespace === objects[svc].metadata.namespace && selects(selector, pods[w]!.metadata.labels)) {
            add(w, i, 'order', `${ref(o)} is served by ${ref(objects[w])}`);
          }
        }
      }
    }
  });

  // Network agents: the CNI writes the node's CNI config; the policy agent may watch NetworkPolicies.
  const cniAgents = new Set<number>();
  const policyAgents = new Set<number>();
  const declaredIndex = (refs: readonly string[]) =>
    refs.map((r) => {
      const i = index.get(r);
      if (i === undefined) throw new Error(`internal: the declared agent ${r} is not among the objects`);
      return i;
    });
  if (declared) {
    for (const i of declaredIndex(declared.cni)) cniAgents.add(i);
    for (const i of declaredIndex(declared.policy)) policyAgents.add(i);
  } else
    for (const w of workloads) {
      const o = objects[w];
      const spec = pods[w]!.spec;
      if (o.kind !== 'DaemonSet' || spec.hostNetwork !== true) continue;
      const hostPaths = arr(spec.volumes).map((v) => str(obj(obj(v).hostPath).path) ?? '');
      if (hostPaths.some((p) => p.startsWith('/etc/cni') || p.startsWith('/opt/cni'))) cniAgents.add(w);
      if (policyWatchers.has(`${o.metadata.namespace}/${str(spec.serviceAccountName ?? spec.serviceAccount) ?? 'default'}`)) policyAgents.add(w);
    }
  for (const w of workloads) {
    if (cniAgents.has(w) || !needsPodNetwork(pods[w]!.spec)) continue;
    for (const cni of cniAgents) add(cni, w, 'ready', `${ref(objects[w])} needs the pod network of ${ref(objects[cni])}`);
  }
  const all = objects.map((_, i) => i);
  const customResources = new Set(all.filter((i) => isCustom(objects[i])));
  for (const cr of customResources) {
    if (crds.has(`${groupOf(objects[cr].apiVersion)}/${objects[cr].kind}`)) continue;
    for (const w of workloads) add(w, cr, 'ready', `${ref(objects[cr])} needs its controller, installed from upstream, and goes after every workload`);
  }
  for (const p of all.filter((i) => objects[i].kind === 'NetworkPolicy')) {
    for (const agent of policyAgents) add(agent, p, 'ready', `${ref(objects[p])} is enforced by ${ref(objects[agent])}`);
    for (const other of [...workloads, ...customResources]) {
      if (!policyAgents.has(other)) add(other, p, 'ready', `NetworkPolicies go last, after ${ref(objects[other])}`);
    }
  }
  return { objects, edges, cniAgents, policyAgents, customResources };
}

/** Position of a kind in {@link KIND_ORDER} (unknown kinds after all known ones). */
export function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

/** Apply order inside a wave: kind order, then namespace, then name. */
function compareObjects(a: K8sObject, b: K8sObject): number {
  return (
    kindRank(a.kind) - kindRank(b.kind) ||
    (kindRank(a.kind) === KIND_ORDER.length ? compareCodePoints(a.kind, b.kind) : 0) ||
    compareCodePoints(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
    compareCodePoints(a.metadata.name ?? '', b.metadata.name ?? '') ||
    compareCodePoints(a.apiVersion, b.apiVersion)
  );
}

/** Topological order (ties broken by {@link compareObjects}); throws on a cycle, naming its objects. */
function topologicalOrder(graph: DependencyGraph): number[] {
  const n = graph.objects.length;
  const incoming = new Array<number>(n).fill(0);
  const out = graph.objects.map(() => [] as number[]);
  for (const e of graph.edges) {
    incoming[e.to]++;
    out[e.from].push(e.to);
  }
  const byOrder = (a: number, b: number) => compareObjects(graph.objects[a], graph.objects[b]) || a - b;
  const ready = graph.objects
    .map((_, i) => i)
    .filter((i) => incoming[i] === 0)
    .sort(byOrder);
  const order: number[] = [];
  while (ready.length) {
    const next = ready.shift()!;
    order.push(next);
    for (const to of out[next]) if (--incoming[to] === 0) ready.push(to);
    ready.sort(byOrder);
  }
  if (order.length < n) {
    const stuck = graph.objects
      .filter((_, i) => incoming[i] > 0)
      .map((o) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`);
    throw new Error(`the objects depend on each other in a cycle; involved: ${stuck.join(', ')}`);
  }
  return order;
}

/** Places every object into a wave (see the file comment). Deterministic. */
export function planWaves(objects: readonly K8sObject[], declared?: DeclaredAgents): WavePlan {
  const graph = buildDependencyGraph(objects, declared);
  const order = topologicalOrder(graph);
  const ins = objects.map(() => [] as DependencyEdge[]);
  const outs = objects.map(() => [] as DependencyEdge[]);
  for (const e of graph.edges) {
    ins[e.to].push(e);
    outs[e.from].push(e);
  }
  const gap = (e: DependencyEdge) => (e.kind === 'ready' ? 1 : 0);
  const customClusterKinds = clusterScopedCustomKinds(objects);
  const asap = new Array<number>(objects.length).fill(0);
  const preWave = new Array<WaveName | undefined>(objects.length);
  for (const i of order) {
    asap[i] = Math.max(0, ...ins[i].map((e) => asap[e.from] + gap(e)));
    const o = objects[i];
    if (o.kind === 'Namespace') preWave[i] = 'namespaces';
    else if (isClusterScoped(o.kind, customClusterKinds) && asap[i] === 0 && ins[i].every((e) => preWave[e.from] !== undefined)) preWave[i] = 'cluster';
  }
  // Supporting objects move to their first consumer; one nobody references goes with its namespace's workloads.
  const depth = [...asap];
  for (const i of [...order].reverse()) {
    if (preWave[i] || !SUPPORTING_KINDS.has(objects[i].kind)) continue;
    const neighbours = outs[i].length
      ? outs[i].map((e) => depth[e.to] - gap(e))
      : objects.flatMap((o, j) => (podTemplateOf(o) && o.metadata.namespace === objects[i].metadata.namespace ? [depth[j]] : []));
    if (neighbours.length) depth[i] = Math.max(asap[i], Math.min(...neighbours));
  }

  const groups: { kind: WaveName; members: number[] }[] = [];
  for (const pre of ['namespaces', 'cluster'] as const) {
    const members = objects.map((_, i) => i).filter((i) => preWave[i] === pre);
    if (members.length) groups.push({ kind: pre, members });
  }
  const depths = [
    ...new Set(
      objects
        .map((_, i) => i)
        .filter((i) => !preWave[i])
        .map((i) => depth[i]),
    ),
  ].sort((a, b) => a - b);
  for (const d of depths) {
    const members = objects.map((_, i) => i).filter((i) => !preWave[i] && depth[i] === d);
    const has = (test: (i: number) => boolean) => members.some(test);
    const kind: WaveName = has((i) => graph.cniAgents.has(i) || graph.policyAgents.has(i))
      ? 'networking'
      : has((i) => WORKLOAD_KINDS.has(objects[i].kind))
        ? 'controllers'
        : has((i) => graph.customResources.has(i))
          ? 'custom-resources'
          : members.every((i) => objects[i].kind === 'NetworkPolicy')
            ? 'policies'
            : 'config';
    groups.push({ kind, members });
  }

  const waves: Wave[] = [];
  const used = new Map<string, number>();
  for (const group of groups) {
    const number = Math.max(BASE_NUMBER[group.kind], waves.length ? waves[waves.length - 1].number + 1 : 0);
    const count = (used.get(group.kind) ?? 0) + 1;
    used.set(group.kind, count);
    const name = count === 1 ? group.kind : `${group.kind}-${count}`;
    const members = group.members.map((i) => objects[i]).sort(compareObjects);
    waves.push({ number, name, kind: group.kind, file: `${String(number).padStart(2, '0')}-${name}.yaml`, objects: members });
  }
  return { waves, graph };
}
