/**
 * Which namespaces this render owns (creates, labels, isolates) and which belong to someone else.
 *
 * We own every namespace our objects live in, plus the application namespaces of the description, except:
 * - the namespaces Kubernetes itself creates (`default`, `kube-system`, `kube-public`, `kube-node-lease`);
 * - namespaces an upstream install creates together with its own workloads: MetalLB's `metallb-native.yaml`
 *   creates the MetalLB namespace (labelled privileged; we only put the address pools there) and
 *   cert-manager's `cert-manager.yaml` creates `cert-manager` (no Pod Security labels; ClusterIssuer secrets
 *   live there). Labelling or isolating them from here would judge pods we cannot see.
 */
import type { K8sObject } from '../k8s/object';
import type { ClusterModel } from '../model/types';
import type { PodSecurityLevel } from './pod-security/levels';

/** A namespace that exists without us. */
export interface ExternalNamespace {
  readonly name: string;
  /** Who creates it. */
  readonly createdBy: string;
  /** The enforce level its creator labels it with; undefined: no label, the cluster default applies. */
  readonly enforce?: PodSecurityLevel;
}

/** Namespaces Kubernetes creates. */
const KUBERNETES_NAMESPACES: readonly string[] = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** Namespaces created by someone else, for this model. */
export function externalNamespaces(model: ClusterModel): ExternalNamespace[] {
  return [
    ...KUBERNETES_NAMESPACES.map((name) => ({ name, createdBy: 'Kubernetes' })),
    { name: model.metallb.namespace, createdBy: 'the MetalLB install (metallb-native.yaml)', enforce: 'privileged' as const },
    { name: 'cert-manager', createdBy: 'the cert-manager install (cert-manager.yaml)' },
  ];
}

/** The namespaces we own, sorted: every namespace our objects use plus the app namespaces, minus external ones. */
export function ownedNamespaces(model: ClusterModel, objects: readonly K8sObject[]): string[] {
  const external = new Set(externalNamespaces(model).map((n) => n.name));
  const used = [...objects.flatMap((o) => (o.kind === 'Namespace' ? [] : (o.metadata.namespace ?? []))), ...model.namespaces.map((n) => n.name)];
  return [...new Set(used)].filter((n) => !external.has(n)).sort();
}
