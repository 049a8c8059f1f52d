/**
 * Day-2 operations on the hosts (issue #14): etcd snapshots, the audit log, Secret encryption at rest and
 * kubelet serving certificates. One entry point per shared file, so the kubeadm and plan renderers only call
 * {@link day2Artifacts}, {@link day2ApiServer} and {@link day2KubeletConfiguration}.
 */
import type { ClusterModel, Host } from '../../model/types';
import { HOST_PATHS } from '../paths';
import { installed, type HostArtifact } from '../artifact';
import { auditApiServerArgs, auditApiServerVolumes, auditPolicyFile } from './audit-policy';
import { encryptionApiServerArgs, encryptionApiServerVolumes, renderEncryptionScript } from './encryption';
import { renderKubeletCsrApprover } from './kubelet-serving';
import { firstControlPlane } from '../control-plane';
import { renderEtcdSnapshotMount, renderEtcdSnapshotScript, renderEtcdSnapshotService, renderEtcdSnapshotTimer } from './etcd-snapshot';

export { auditPolicy } from './audit-policy';

export { renderEtcdRestoreRunbook } from './etcd-restore';
export { OPERATOR_TASKS, loginCommand } from './logins';
export { renderUpgradeRunbook } from './upgrade';

/** The day-2 files of a host (control planes only). */
export function day2Artifacts(model: ClusterModel, host: Host): HostArtifact[] {
  if (!host.roles.includes('control-plane')) return [];
  const o = model.operations;
  const P = HOST_PATHS;
  const out: HostArtifact[] = [];
  if (o.auditLog) out.push(installed('audit-policy.yaml', P.auditPolicy, 0o644, 'kube-apiserver audit policy (audit.k8s.io/v1)', auditPolicyFile(model)));
  if (o.encryptionAtRest) {
    out.push(
      installed(
        'kube-encryption-config',
        P.encryptionScript,
        0o755,
        'creates, copies and rotates the Secret encryption key on the host (no key in dist/)',
        renderEncryptionScript(model, o.encryptionAtRest.provider),
      ),
    );
  }
  if (o.etcdSnapshots) {
    out.push(
      installed(
        'etcd-snapshot',
        P.etcdSnapshotScript,
        0o755,
        'etcd snapshot to the NAS: save, status check, copy, prune, metrics',
        renderEtcdSnapshotScript(model, host),
      ),
      installed('etcd-snapshot.service', P.etcdSnapshotService, 0o644, 'oneshot unit running the etcd snapshot', renderEtcdSnapshotService(model, host)),
      installed('etcd-snapshot.timer', P.etcdSnapshotTimer, 0o644, 'schedule of the etcd snapshots', renderEtcdSnapshotTimer(model)),
      installed('var-backups-etcd.mount', P.etcdSnapshotMountUnit, 0o644, 'NFS mount of the snapshot share', renderEtcdSnapshotMount(model)),
    );
  }
  if (o.kubeletServingCertificates && host === firstControlPlane(model)) {
    out.push(
      installed(
        'approve-kubelet-serving-csrs',
        P.kubeletCsrScript,
        0o755,
        'approves kubelet serving CSRs of the described nodes only',
        renderKubeletCsrApprover(model),
      ),
    );
  }
  return out;
}

/** kube-apiserver extraArgs and extraVolumes of the day-2 parts that are on. */
export function day2ApiServer(model: ClusterModel) {
  const o = model.operations;
  return {
    extraArgs: [...(o.auditLog ? auditApiServerArgs(o.auditLog) : []), ...(o.encryptionAtRest ? encryptionApiServerArgs() : [])],
    extraVolumes: [...(o.auditLog ? auditApiServerVolumes() : []), ...(o.encryptionAtRest ? encryptionApiServerVolumes() : [])],
  };
}

/** KubeletConfiguration fields: kubelets request serving certificates from the cluster CA. */
export function day2KubeletConfiguration(model: ClusterModel): Record<string, unknown> {
  return model.operations.kubeletServingCertificates ? { serverTLSBootstrap: true } : {};
}

/** Steps on the first control plane before `kubeadm init` (the API server needs the files at start). */
export function day2BeforeInit(model: ClusterModel): string[] {
  return model.operations.encryptionAtRest
    ? ['kube-encryption-config init && kube-encryption-config check   # Secret encryption key: before kubeadm init, never leaves the control planes']
    : [];
}

/** Steps on another control plane before `kubeadm join` (its API server reads the same encryption config). */
export function day2BeforeControlPlaneJoin(model: ClusterModel): string[] {
  return model.operations.encryptionAtRest
    ? [
        `# first, from your workstation: ssh ${firstControlPlane(model).name} sudo kube-encryption-config export | ssh <this host> sudo kube-encryption-config import`,
        'kube-encryption-config check',
      ]
    : [];
}

/** Lines for the kubeadm-init.yaml header: the files kube-apiserver reads besides the PSA config. */
export function day2InitNeeds(model: ClusterModel): string[] {
  const o = model.operations;
  return [
    ...(o.auditLog ? [`Needs ${HOST_PATHS.auditPolicy} (audit-policy.yaml) on every control plane.`] : []),
    ...(o.encryptionAtRest
      ? [`Needs ${HOST_PATHS.encryptionConfig}: run kube-encryption-config init here (import on the others) BEFORE kubeadm init/join.`]
      : []),
  ];
}

/** After `kubeadm init` on the first control plane. */
export function day2AfterInit(model: ClusterModel): string[] {
  const o = model.operations;
  return [
    ...(o.etcdSnapshots ? ['systemctl daemon-reload && systemctl enable --now etcd-snapshot.timer   # etcd snapshots to the NAS'] : []),
    ...(o.kubeletServingCertificates
      ? [`${HOST_PATHS.kubeletCsrScript}   # this kubelet's serving certificate (metrics-server and kubectl logs need it)`]
      : []),
  ];
}

/** After `kubeadm join` on a control plane (`controlPlane`) or a worker. */
export function day2AfterJoin(model: ClusterModel, controlPlane: boolean): string[] {
  const o = model.operations;
  return [
    ...(controlPlane && o.etcdSnapshots ? ['systemctl daemon-reload && systemctl enable --now etcd-snapshot.timer'] : []),
    ...(o.kubeletServingCertificates
      ? [`# then on ${firstControlPlane(model).name}: ${HOST_PATHS.kubeletCsrScript}   # approves this node's kubelet serving certificate`]
      : []),
  ];
}
