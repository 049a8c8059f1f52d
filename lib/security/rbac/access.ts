/**
 * RBAC for the people of the description: admins get `cluster-admin`, viewers a read-only ClusterRole,
 * operators an edit ClusterRole bound by RoleBinding in each of their namespaces.
 */
import { Construct } from 'constructs';
import { k8s } from '../../k8s/api';
import type { AccessRole } from '../../model/types';
import { ADMIN_CLUSTER_ROLE, OPERATOR_RULES, VIEWER_RULES } from './rules';
import { compareCodePoints } from '../../compare';
import { checkDnsLabel, checkOneOf, problem, throwIfProblems } from '../../components/private/validation';

/** `admin`, `viewer` or `operator`; the same type as the model's. */
export type { AccessRole };

/** A user or group and the access role it gets. */
export interface AccessSubject {
  readonly kind: 'User' | 'Group';
  readonly name: string;
  readonly role: AccessRole;
  /** Namespaces, for `operator` only. @default [] */
  readonly namespaces?: readonly string[];
}

/** Props of {@link AccessRbac}. */
export interface AccessRbacProps {
  /** Prefix of the object names: `<prefix>-admin`, `<prefix>-viewer`, `<prefix>-operator`. */
  readonly namePrefix: string;
  readonly subjects: readonly AccessSubject[];
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function toSubjects(subjects: readonly AccessSubject[]): k8s.Subject[] {
  return [...subjects]
    .sort((a, b) => compareCodePoints(`${a.kind}/${a.name}`, `${b.kind}/${b.name}`))
    .map((s) => ({ apiGroup: RBAC_GROUP, kind: s.kind, name: s.name }));
}

/** Objects (only for the roles someone holds): ClusterRoleBinding `<prefix>-admin` → cluster-admin; ClusterRole + ClusterRoleBinding `<prefix>-viewer`; ClusterRole `<prefix>-operator` + RoleBinding `<prefix>-operator` per namespace. */
export class AccessRbac extends Construct {
  constructor(scope: Construct, id: string, props: AccessRbacProps) {
    super(scope, id);
    const subjects: readonly AccessSubject[] = Array.isArray(props.subjects) ? props.subjects : [];
    throwIfProblems('AccessRbac', [
      checkDnsLabel('namePrefix', String(props.namePrefix)),
      Array.isArray(props.subjects) ? undefined : problem('subjects', props.subjects, 'must be a list of {kind, name, role}'),
      ...subjects.flatMap((s, i) => [
        checkOneOf(`subjects[${i}].kind`, s.kind, ['User', 'Group']),
        typeof s.name === 'string' && s.name.trim() !== '' ? undefined : problem(`subjects[${i}].name`, s.name, 'must be a user or group name'),
        checkOneOf<AccessRole>(`subjects[${i}].role`, s.role, ['admin', 'viewer', 'operator']),
        ...(s.namespaces ?? []).map((ns: string, j: number) => checkDnsLabel(`subjects[${i}].namespaces[${j}]`, ns)),
      ]),
    ]);
    const holders = (role: AccessRole) => props.subjects.filter((s) => s.role === role);
    const admins = holders('admin');
    if (admins.length) {
      new k8s.KubeClusterRoleBinding(this, 'Admin', {
        metadata: { name: `${props.namePrefix}-admin` },
        roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: ADMIN_CLUSTER_ROLE },
        subjects: toSubjects(admins),
      });
    }
    const viewers = holders('viewer');
    if (viewers.length) {
      const name = `${props.namePrefix}-viewer`;
      new k8s.KubeClusterRole(this, 'ViewerRole', { metadata: { name }, rules: [...VIEWER_RULES] });
      new k8s.KubeClusterRoleBinding(this, 'Viewer', {
        metadata: { name },
        roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
        subjects: toSubjects(viewers),
      });
    }
    const operators = holders('operator');
    if (operators.length) {
      const name = `${props.namePrefix}-operator`;
      new k8s.KubeClusterRole(this, 'OperatorRole', { metadata: { name }, rules: [...OPERATOR_RULES] });
      const namespaces = [...new Set(operators.flatMap((o) => o.namespaces ?? []))].sort();
      for (const namespace of namespaces) {
        new k8s.KubeRoleBinding(this, `Operator-${namespace}`, {
          metadata: { name, namespace },
          roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
          subjects: toSubjects(operators.filter((o) => o.namespaces?.includes(namespace))),
        });
      }
    }
  }
}
