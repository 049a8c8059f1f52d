/**
 * Small RBAC helpers: a (Cluster)Role plus its binding to one ServiceAccount.
 */
import { k8s } from '../../k8s/api';
import { Construct } from 'constructs';

export interface ServiceAccountRef {
  readonly name: string;
  readonly namespace: string;
}

export interface RbacOptions {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly rules: readonly k8s.PolicyRule[];
  readonly subject: ServiceAccountRef;
  /** @default - the role's name */
  readonly bindingName?: string;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** ClusterRole + ClusterRoleBinding (named `options.name` unless `bindingName` is given). */
export function clusterRoleFor(scope: Construct, id: string, options: RbacOptions): void {
  const metadata = { name: options.name, labels: { ...options.labels } };
  new k8s.KubeClusterRole(scope, `${id}ClusterRole`, { metadata, rules: [...options.rules] });
  new k8s.KubeClusterRoleBinding(scope, `${id}ClusterRoleBinding`, {
    metadata: { ...metadata, name: options.bindingName ?? options.name },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: options.name },
    subjects: [{ kind: 'ServiceAccount', ...options.subject }],
  });
}

/** Role + RoleBinding in the subject's namespace (named `options.name` unless `bindingName` is given). */
export function roleFor(scope: Construct, id: string, options: RbacOptions): void {
  const metadata = { name: options.name, namespace: options.subject.namespace, labels: { ...options.labels } };
  new k8s.KubeRole(scope, `${id}Role`, { metadata, rules: [...options.rules] });
  new k8s.KubeRoleBinding(scope, `${id}RoleBinding`, {
    metadata: { ...metadata, name: options.bindingName ?? options.name },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: options.name },
    subjects: [{ kind: 'ServiceAccount', ...options.subject }],
  });
}

/** One rule; resources and verbs kept in the order written (they read like the upstream manifests). */
export function rule(apiGroups: readonly string[], resources: readonly string[], verbs: readonly string[], resourceNames?: readonly string[]): k8s.PolicyRule {
  return { apiGroups: [...apiGroups], resources: [...resources], verbs: [...verbs], ...(resourceNames ? { resourceNames: [...resourceNames] } : {}) };
}
