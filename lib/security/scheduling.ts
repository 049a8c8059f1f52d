/**
 * Where a pod template can be scheduled, judged statically against the nodes of a description: nodeSelector,
 * required node affinity and taints/tolerations (the scheduler's hard filters that depend only on the spec).
 */
import type { ClusterModel } from '../model/types';
import type { PodSpecJson, TolerationJson } from './pod-template';

export interface NodeTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeInfo {
  readonly name: string;
  /** `kubernetes.io/arch` */
  readonly arch: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
}

/** kubeadm's taint on control-plane nodes. */
const CONTROL_PLANE_TAINT: NodeTaint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

/** The Kubernetes nodes of a description, with the labels and taints kubelet and kubeadm give them. */
export function modelNodes(model: ClusterModel): NodeInfo[] {
  return model.hosts
    .filter((h) => h.isNode)
    .map((h) => {
      const controlPlane = h.roles.includes('control-plane');
      return {
        name: h.name,
        arch: h.arch,
        labels: {
          ...h.labels,
          'kubernetes.io/arch': h.arch,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/hostname': h.name,
          ...(controlPlane ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
        },
        taints: controlPlane ? [CONTROL_PLANE_TAINT] : [],
      };
    });
}

interface Requirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

function requirementMatches(req: Requirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

function tolerates(tolerations: readonly TolerationJson[], taint: NodeTaint): boolean {
  return tolerations.some(
    (t) =>
      (!t.effect || t.effect === taint.effect) &&
      (t.operator === 'Exists' ? !t.key || t.key === taint.key : t.key === taint.key && (t.value ?? '') === (taint.value ?? '')),
  );
}

/** Whether the scheduler may place the pod on the node (ignoring resources and preferences). */
export function canSchedule(spec: PodSpecJson, node: NodeInfo): boolean {
  const selectorOk = Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => node.labels[k] === v);
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const affinityOk =
    !terms ||
    terms.some(
      (term) =>
        (term.matchExpressions ?? []).every((req) => requirementMatches(req, node.labels[req.key])) &&
        (term.matchFields ?? []).every((req) => requirementMatches(req, req.key === 'metadata.name' ? node.name : undefined)),
    );
  const taintsOk = node.taints.filter((t) => t.effect !== 'PreferNoSchedule').every((t) => tolerates(spec.tolerations ?? [], t));
  return selectorOk && affinityOk && taintsOk;
}

/** The nodes the pod may run on. */
export function schedulableNodes(spec: PodSpecJson, nodes: readonly NodeInfo[]): NodeInfo[] {
  return nodes.filter((n) => canSchedule(spec, n));
}
