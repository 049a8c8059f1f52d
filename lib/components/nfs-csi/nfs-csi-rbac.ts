/**
 * RBAC of csi-driver-nfs v4.13.x (upstream `rbac-csi-nfs.yaml`): the controller's provisioner and resizer
 * roles. The node plugin's ServiceAccount has no bindings.
 */
import type { k8s } from '../../k8s/api';
import { rule } from '../private/rbac';

export const NFS_CSI_RBAC_NAMES = {
  controllerServiceAccount: 'csi-nfs-controller-sa',
  nodeServiceAccount: 'csi-nfs-node-sa',
  provisionerRole: 'nfs-external-provisioner-role',
  provisionerBinding: 'nfs-csi-provisioner-binding',
  resizerRole: 'nfs-external-resizer-role',
  resizerBinding: 'nfs-csi-resizer-role',
} as const;

/**
 * csi-provisioner (and csi-snapshotter) permissions. The snapshot rules stay even without the snapshot
 * sidecar, as upstream applies them: the provisioner reads VolumeSnapshots for PVC data sources.
 */
export function provisionerRules(): k8s.PolicyRule[] {
  return [
    rule([''], ['persistentvolumes'], ['get', 'list', 'watch', 'create', 'patch', 'delete']),
    rule([''], ['persistentvolumeclaims'], ['get', 'list', 'watch', 'update']),
    rule(['storage.k8s.io'], ['storageclasses'], ['get', 'list', 'watch']),
    rule(['snapshot.storage.k8s.io'], ['volumesnapshotclasses', 'volumesnapshots'], ['get', 'list', 'watch']),
    rule(['snapshot.storage.k8s.io'], ['volumesnapshotcontents'], ['get', 'list', 'watch', 'update', 'patch']),
    rule(['snapshot.storage.k8s.io'], ['volumesnapshotcontents/status'], ['get', 'update', 'patch']),
    rule([''], ['events'], ['get', 'list', 'watch', 'create', 'update', 'patch']),
    rule(['storage.k8s.io'], ['csinodes'], ['get', 'list', 'watch']),
    rule([''], ['nodes'], ['get', 'list', 'watch']),
    rule(['coordination.k8s.io'], ['leases'], ['get', 'list', 'watch', 'create', 'update', 'patch']),
    rule([''], ['secrets'], ['get']),
  ];
}

/** csi-resizer permissions. */
export function resizerRules(): k8s.PolicyRule[] {
  return [
    rule([''], ['persistentvolumes'], ['get', 'list', 'watch', 'update', 'patch']),
    rule([''], ['persistentvolumeclaims'], ['get', 'list', 'watch']),
    rule([''], ['persistentvolumeclaims/status'], ['update', 'patch']),
    rule([''], ['events'], ['list', 'watch', 'create', 'update', 'patch']),
    rule(['coordination.k8s.io'], ['leases'], ['get', 'list', 'watch', 'create', 'update', 'patch']),
  ];
}
