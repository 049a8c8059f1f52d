/**
 * RBAC for people (admin → cluster-admin, viewer and operator ClusterRoles with explicit rules) and the
 * rbac output check (no wildcards outside the admin role, no API token for pods without a binding).
 */
import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { checkUnusedTokens, checkWildcardRules, rbacCheck } from '../../lib/checks/rbac';
import type { K8sObject } from '../../lib/k8s/object';
import { loadDescription } from '../../lib/model/load';
import { AccessRbac, OPERATOR_RULES, VIEWER_RULES } from '../../lib/security/rbac';
import { findObject, findObjects } from '../helpers/k8s';
import { editObject, referenceModel, renderUnchecked } from './fixtures';

const reference = renderUnchecked(referenceModel()).objects;
const flat = (rules: readonly { apiGroups?: string[]; resources?: string[]; verbs: string[] }[], field: 'apiGroups' | 'resources' | 'verbs') =>
  rules.flatMap((r) => r[field] ?? []);

describe('access roles', () => {
  it('admin: a ClusterRoleBinding to the built-in cluster-admin; we define no wildcard role ourselves', () => {
    const binding = findObject(reference as any, 'ClusterRoleBinding', 'homelab-admin');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
    expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'owner' }]);
    expect(findObjects(reference as any, 'ClusterRole').map((r) => r.metadata.name)).not.toContain('cluster-admin');
  });

  it('viewer: read-only verbs on explicit resources, never Secrets, no wildcard, bound cluster-wide to the viewers', () => {
    const role = findObject(reference as any, 'ClusterRole', 'homelab-viewer');
    expect(new Set(flat(role.rules, 'verbs'))).toEqual(new Set(['get', 'list', 'watch']));
    expect(flat(role.rules, 'resources')).not.toContain('secrets');
    expect(flat(role.rules, 'resources')).toContain('pods');
    for (const field of ['apiGroups', 'resources', 'verbs'] as const)
      expect(
        flat(role.rules, field).some((v) => v.includes('*')),
        field,
      ).toBe(false);
    expect(findObject(reference as any, 'ClusterRoleBinding', 'homelab-viewer').subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'family' },
    ]);
  });

  it('operator: a ClusterRole bound by RoleBinding in each listed namespace only; no RBAC, no escalation, NetworkPolicies read-only', () => {
    const m = loadDescription('test/fixtures/valid/five-control-planes-other-subnet.yaml');
    const objects = renderUnchecked(m).objects as any[];
    const role = findObject(objects, 'ClusterRole', `${m.name}-operator`);
    expect(flat(role.rules, 'apiGroups')).not.toContain('rbac.authorization.k8s.io');
    for (const verb of ['escalate', 'bind', 'impersonate', '*']) expect(flat(role.rules, 'verbs')).not.toContain(verb);
    expect(flat(role.rules, 'resources')).not.toContain('serviceaccounts/token');
    const netpol = role.rules.filter((r: any) => r.resources.includes('networkpolicies'));
    expect(flat(netpol, 'verbs').sort()).toEqual(['get', 'list', 'watch']);
    const bindings = findObjects(objects, 'RoleBinding').filter((b) => b.roleRef.name === `${m.name}-operator`);
    expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual(['batch', 'web']);
    expect(bindings[0].subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'developers' }]);
    expect(objects.some((o) => o.kind === 'ClusterRoleBinding' && o.roleRef?.name === `${m.name}-operator`)).toBe(false);
  });

  it('viewers can run kubectl top nodes/pods (metrics.k8s.io), read-only', () => {
    const metrics = findObject(reference as any, 'ClusterRole', 'homelab-viewer').rules.filter((r: any) => r.apiGroups?.includes('metrics.k8s.io'));
    expect(metrics).toEqual([{ apiGroups: ['metrics.k8s.io'], resources: ['nodes', 'pods'], verbs: ['get', 'list', 'watch'] }]);
  });

  it('emits only the roles someone holds', () => {
    const chart = new Chart(new App(), 'test');
    new AccessRbac(chart, 'a', { namePrefix: 'lab', subjects: [{ kind: 'User', name: 'me', role: 'admin' }] });
    expect(Testing.synth(chart).map((o: any) => `${o.kind}/${o.metadata.name}`)).toEqual(['ClusterRoleBinding/lab-admin']);
  });

  it('the rule tables themselves have no wildcard and give viewers no Secrets', () => {
    for (const rules of [VIEWER_RULES, OPERATOR_RULES]) {
      for (const field of ['apiGroups', 'resources', 'verbs'] as const) expect(flat(rules as any, field).some((v) => v.includes('*'))).toBe(false);
    }
    expect(flat(VIEWER_RULES as any, 'resources')).not.toContain('secrets');
  });
});

describe('the rbac output check', () => {
  it('holds for the reference render and the valid fixtures', () => {
    expect(rbacCheck.run({ model: referenceModel(), objects: reference, files: [] })).toEqual([]);
    for (const fixture of ['minimal', 'five-control-planes-other-subnet', 'single-control-plane-no-tunnel', 'all-arm64']) {
      const m = loadDescription(`test/fixtures/valid/${fixture}.yaml`);
      expect(rbacCheck.run({ model: m, objects: renderUnchecked(m).objects, files: [] }), fixture).toEqual([]);
    }
  });

  it('fails a Role or ClusterRole with "*" in verbs, resources or apiGroups, naming the rule; cluster-admin is the exception', () => {
    const roles: K8sObject[] = [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'greedy' },
        rules: [
          { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
          { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        ],
      } as K8sObject,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'sub', namespace: 'x' },
        rules: [{ apiGroups: [''], resources: ['pods/*'], verbs: ['get'] }],
      } as K8sObject,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'cluster-admin' },
        rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
      } as K8sObject,
    ];
    expect(checkWildcardRules(roles).map((p) => p.path)).toEqual([
      'ClusterRole greedy rules[1].verbs',
      'ClusterRole greedy rules[1].resources',
      'ClusterRole greedy rules[1].apiGroups',
      'Role x/sub rules[0].resources',
    ]);
  });

  it('fails a pod that mounts a token while its ServiceAccount has no binding, and passes once it is bound', () => {
    // frpc opts out twice (pod and ServiceAccount); remove both so the pod gets Kubernetes' default token.
    const podOnly = editObject(reference, 'Deployment', 'frpc', (d) => delete d.spec.template.spec.automountServiceAccountToken);
    expect(checkUnusedTokens(podOnly)).toEqual([]);
    const mounting = editObject(podOnly, 'ServiceAccount', 'frpc', (sa) => delete sa.automountServiceAccountToken);
    expect(checkUnusedTokens(mounting)).toEqual([
      {
        path: 'Deployment frpc/frpc spec.template.spec.automountServiceAccountToken',
        message: expect.stringContaining('ServiceAccount frpc/frpc has no RoleBinding or ClusterRoleBinding'),
      },
    ]);
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'frpc', namespace: 'frpc' },
      subjects: [{ kind: 'ServiceAccount', name: 'frpc', namespace: 'frpc' }],
    } as K8sObject;
    expect(checkUnusedTokens([...mounting, binding])).toEqual([]);
    const elsewhere = { ...binding, metadata: { name: 'frpc-leader', namespace: 'kube-system' } } as K8sObject;
    expect(checkUnusedTokens([...mounting, elsewhere])).toEqual([]);
    const otherAccount = { ...binding, subjects: [{ kind: 'ServiceAccount', name: 'frpc', namespace: 'apps' }] } as K8sObject;
    expect(checkUnusedTokens([...mounting, otherAccount])).toHaveLength(1);
  });
});
