/**
 * RBAC hygiene on the final objects:
 * - no Role or ClusterRole we emit uses `*` in verbs, resources, apiGroups or nonResourceURLs (the admin
 *   grant binds the built-in `cluster-admin` instead of defining a wildcard role);
 * - pods whose ServiceAccount has no RoleBinding or ClusterRoleBinding don't mount an API token.
 */
import type { Problem } from '../model/problems';
import { mountsServiceAccountToken, podTemplates, serviceAccountOf } from '../security/pod-template';
import { ADMIN_CLUSTER_ROLE } from '../security/rbac/rules';
import { objectRef, type K8sObject } from '../k8s/object';
import type { OutputCheck } from './types';

interface RuleJson {
  readonly verbs?: readonly string[];
  readonly resources?: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

interface SubjectJson {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** Roles allowed to use wildcards: only the admin role. */
const WILDCARD_ROLES: readonly string[] = [ADMIN_CLUSTER_ROLE];

export function checkWildcardRules(objects: readonly K8sObject[]): Problem[] {
  return objects
    .filter((o) => (o.kind === 'Role' || o.kind === 'ClusterRole') && !(o.kind === 'ClusterRole' && WILDCARD_ROLES.includes(o.metadata.name ?? '')))
    .flatMap((role) =>
      (((role as { rules?: RuleJson[] }).rules ?? []) as RuleJson[]).flatMap((rule, i) =>
        (['verbs', 'resources', 'apiGroups', 'nonResourceURLs'] as const)
          .filter((field) => rule[field]?.some((v) => v.includes('*')))
          .map((field) => ({
            path: `${objectRef(role)} rules[${i}].${field}`,
            message: `uses a wildcard (${JSON.stringify(rule[field])}); list the ${field} explicitly (only ${WILDCARD_ROLES.join(', ')} may use "*")`,
          })),
      ),
    );
}

/** Whether any RoleBinding or ClusterRoleBinding names this ServiceAccount (directly or via its service-account groups). */
function serviceAccountIsBound(objects: readonly K8sObject[], namespace: string, name: string): boolean {
  return objects.some((o) => {
    // A RoleBinding anywhere counts: one in kube-system may grant a ServiceAccount of another namespace (leader election).
    if (o.kind !== 'RoleBinding' && o.kind !== 'ClusterRoleBinding') return false;
    const subjects = ((o as { subjects?: SubjectJson[] }).subjects ?? []) as SubjectJson[];
    return subjects.some(
      (s) =>
        (s.kind === 'ServiceAccount' && s.name === name && (s.namespace ?? o.metadata.namespace) === namespace) ||
        (s.kind === 'Group' && (s.name === 'system:serviceaccounts' || s.name === `system:serviceaccounts:${namespace}`)) ||
        (s.kind === 'User' && s.name === `system:serviceaccount:${namespace}:${name}`),
    );
  });
}

export function checkUnusedTokens(objects: readonly K8sObject[]): Problem[] {
  return podTemplates(objects).flatMap((t) => {
    const account = serviceAccountOf(t);
    if (!mountsServiceAccountToken(t, objects) || serviceAccountIsBound(objects, t.namespace, account)) return [];
    return [
      {
        path: `${objectRef(t.object)} ${t.specPath}.automountServiceAccountToken`,
        message: `the pod mounts an API token but ServiceAccount ${t.namespace}/${account} has no RoleBinding or ClusterRoleBinding; set automountServiceAccountToken: false (on the pod or the ServiceAccount)`,
      },
    ];
  });
}

export const rbacCheck: OutputCheck = {
  name: 'rbac',
  description:
    'No Role or ClusterRole we emit uses a wildcard (admins are bound to the built-in cluster-admin), and pods whose ServiceAccount has no binding mount no API token.',
  run: ({ objects }) => [...checkWildcardRules(objects), ...checkUnusedTokens(objects)],
};
