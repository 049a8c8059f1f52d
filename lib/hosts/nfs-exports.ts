/**
 * The NFS server's side of the StorageClasses: an exports snippet (exports(5) syntax) with one entry per
 * distinct share, open to the Kubernetes nodes' addresses only. Pure.
 *
 * Options: `rw,sync,no_subtree_check,no_root_squash`. csi-driver-nfs creates, chmods (`mountPermissions`) and
 * deletes each volume directory as root, and the kubelet applies a pod's `fsGroup` (fsGroupPolicy File) by
 * chown as root: with root squashed, both fail and non-root pods cannot write. The client list is what keeps
 * this safe: only the nodes, each by its address.
 */
import type { ClusterModel } from '../model/types';
import { comment, fileOf, generatedBy } from './text';

export const NFS_EXPORT_OPTIONS = 'rw,sync,no_subtree_check,no_root_squash';

/** Addresses the NFS server must allow: every Kubernetes node (the CSI node plugin mounts from the host). */
function nfsClientAddresses(model: ClusterModel): string[] {
  return model.hosts.filter((h) => h.isNode).map((h) => h.ip);
}

export function renderNfsExports(model: ClusterModel): string {
  const storage = model.storage;
  if (!storage) throw new Error('internal: the model has no storage');
  const shares = [...new Set(storage.classes.map((c) => c.share))];
  const clients = nfsClientAddresses(model);
  const entry = (share: string) => [`${share} \\`, ...clients.map((ip, i) => `    ${ip}(${NFS_EXPORT_OPTIONS})${i < clients.length - 1 ? ' \\' : ''}`)];
  return fileOf([
    ...comment(
      '#',
      generatedBy(model.name),
      `NFS exports on ${storage.server.name} (${storage.server.ip}) for the StorageClasses ${storage.classes.map((c) => c.name).join(', ')}.`,
      'Clients: the Kubernetes nodes only. no_root_squash: csi-driver-nfs creates and chmods volume directories',
      '(mountPermissions) and the kubelet applies fsGroup as root; with root squashed non-root pods cannot write.',
      `Linux server: install as /etc/exports.d/${model.name}.exports and run "exportfs -ra". NAS: create the same`,
      'rules (host, read/write, no squash, sync) in its NFS permissions page.',
    ),
    ...shares.flatMap(entry),
  ]);
}
