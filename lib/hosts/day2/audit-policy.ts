/**
 * The kube-apiserver audit log: an `audit.k8s.io/v1` Policy (first matching rule wins) and the kubeadm
 * ClusterConfiguration flags and mounts that wire it in.
 *
 * - Noisy read-only system traffic (kubelets, controllers, kube-proxy, health and metrics probes, events,
 *   leader-election leases) is dropped.
 * - Secrets, ConfigMaps and token requests are logged at Metadata only: who touched which object, never its
 *   content (bodies would put secret values into the log).
 * - Writes (RBAC changes included) are logged at RequestResponse; other reads at Metadata.
 */
import type { AuditLogModel, ClusterModel } from '../../model/types';
import { HOST_PATHS } from '../paths';
import { comment, generatedBy } from '../text';
import { yamlFile, type YamlFile } from '../yaml';

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_VERBS = ['get', 'list', 'watch'];

/** Users and groups whose read-only requests are dropped. */
const SYSTEM_READERS = {
  users: ['system:apiserver', 'system:kube-controller-manager', 'system:kube-proxy', 'system:kube-scheduler'],
  userGroups: ['system:nodes', 'system:serviceaccounts:kube-system'],
};

export function auditPolicy(): Record<string, unknown> {
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    // RequestReceived doubles every entry without adding information.
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/metrics', '/version', '/openapi*'] },
      {
        level: 'None',
        resources: [
          { group: '', resources: ['events'] },
          { group: 'events.k8s.io', resources: ['events'] },
        ],
      },
      { level: 'None', verbs: ['get', 'update', 'watch'], resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }] },
      { level: 'None', verbs: READ_VERBS, users: SYSTEM_READERS.users },
      { level: 'None', verbs: READ_VERBS, userGroups: SYSTEM_READERS.userGroups },
      {
        level: 'Metadata',
        resources: [
          { group: '', resources: ['configmaps', 'secrets', 'serviceaccounts/token'] },
          { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
        ],
      },
      { level: 'RequestResponse', verbs: WRITE_VERBS, resources: [{ group: 'rbac.authorization.k8s.io' }] },
      { level: 'RequestResponse', verbs: WRITE_VERBS },
      { level: 'Metadata' },
    ],
  };
}

/** `audit-policy.yaml` for every control plane. */
export function renderAuditPolicy(model: ClusterModel): string {
  return auditPolicyFile(model).content;
}

/** {@link renderAuditPolicy} with its documents. */
export function auditPolicyFile(model: ClusterModel): YamlFile {
  return yamlFile(
    comment(
      '#',
      generatedBy(model.name),
      `kube-apiserver audit policy (first matching rule wins), read from ${HOST_PATHS.auditPolicy}; the log goes to ${HOST_PATHS.auditLog}.`,
      'Secrets, ConfigMaps and token requests: Metadata only (never their content). Writes: RequestResponse.',
    ),
    [auditPolicy()],
  );
}

/** kube-apiserver flags for the audit log (kubeadm v1beta4 `{name, value}` list). */
export function auditApiServerArgs(a: AuditLogModel): { name: string; value: string }[] {
  return [
    { name: 'audit-log-maxage', value: String(a.maxAge) },
    { name: 'audit-log-maxbackup', value: String(a.maxBackup) },
    { name: 'audit-log-maxsize', value: String(a.maxSize) },
    { name: 'audit-log-path', value: HOST_PATHS.auditLog },
    { name: 'audit-policy-file', value: HOST_PATHS.auditPolicy },
  ];
}

/** The policy directory read-only, the log directory writable. */
export function auditApiServerVolumes() {
  return [
    { name: 'audit-log', hostPath: HOST_PATHS.auditLogDir, mountPath: HOST_PATHS.auditLogDir, readOnly: false, pathType: 'DirectoryOrCreate' },
    { name: 'audit-policy', hostPath: HOST_PATHS.auditDir, mountPath: HOST_PATHS.auditDir, readOnly: true, pathType: 'DirectoryOrCreate' },
  ];
}
