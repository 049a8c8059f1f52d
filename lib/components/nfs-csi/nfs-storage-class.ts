/**
 * A StorageClass provisioning csi-driver-nfs volumes as subdirectories of one NFS export.
 */
import { k8s } from '../../k8s/api';
import { Construct } from 'constructs';
import { checkDnsSubdomain, checkOneOf, isIpv4, problem, throwIfProblems } from '../private/validation';

/** CSI driver name (CSIDriver object and StorageClass `provisioner`). */
export const NFS_CSI_DRIVER_NAME = 'nfs.csi.k8s.io';

/** What happens to a volume when its claim is deleted (`reclaimPolicy`). */
export enum ReclaimPolicy {
  /** Delete the volume's directory on the NAS, with the user's files, when its claim is deleted. */
  DELETE = 'Delete',
  /** Keep the PersistentVolume and its files after the claim is deleted (an admin reuses or removes them). */
  RETAIN = 'Retain',
}

/** Props of {@link NfsStorageClass}. */
export interface NfsStorageClassProps {
  /** StorageClass name. */
  readonly name: string;
  /** NFS server address (`parameters.server`). */
  readonly server: string;
  /** Exported path on the server (`parameters.share`). */
  readonly share: string;
  /**
   * `parameters.subDir`: directory under the share per volume; may use `${pvc.metadata.namespace}`,
   * `${pvc.metadata.name}`, `${pv.metadata.name}`.
   * @default - none: the driver names each volume's directory after its PersistentVolume
   */
  readonly subDir?: string;
  /** @default NFS_STORAGE_CLASS_DEFAULT_MOUNT_OPTIONS (['nfsvers=4.1']) */
  readonly mountOptions?: readonly string[];
  /**
   * What deleting a claim does to its files on the NAS. Deletion is an explicit choice: the default keeps them.
   * @default NFS_STORAGE_CLASS_DEFAULT_RECLAIM_POLICY (ReclaimPolicy.RETAIN)
   */
  readonly reclaimPolicy?: ReclaimPolicy;
  /**
   * `parameters.mountPermissions`: octal mode the driver sets on each new volume directory after mounting
   * (the driver's own default 0 leaves it root-owned 0755, which non-root pods cannot write). Pods write with
   * `securityContext.fsGroup` (fsGroupPolicy File), which needs an export without root squash.
   * @default NFS_STORAGE_CLASS_DEFAULT_MOUNT_PERMISSIONS ('0775')
   */
  readonly mountPermissions?: string;
  /** @default NFS_STORAGE_CLASS_DEFAULT_ALLOW_VOLUME_EXPANSION (true) */
  readonly allowVolumeExpansion?: boolean;
  /**
   * Make this the cluster's default StorageClass (`storageclass.kubernetes.io/is-default-class`).
   * @default NFS_STORAGE_CLASS_DEFAULT_DEFAULT_CLASS (false)
   */
  readonly defaultClass?: boolean;
}

export const NFS_STORAGE_CLASS_DEFAULT_MOUNT_OPTIONS: readonly string[] = ['nfsvers=4.1'];
const NFS_STORAGE_CLASS_DEFAULT_MOUNT_PERMISSIONS = '0775';
export const NFS_STORAGE_CLASS_DEFAULT_RECLAIM_POLICY = ReclaimPolicy.RETAIN;
export const NFS_STORAGE_CLASS_DEFAULT_ALLOW_VOLUME_EXPANSION = true;
export const NFS_STORAGE_CLASS_DEFAULT_DEFAULT_CLASS = false;

/** A StorageClass whose volumes are subdirectories of one NFS export, provisioned by csi-driver-nfs. */
export class NfsStorageClass extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: NfsStorageClassProps) {
    super(scope, id);
    this.name = props.name;
    const mountOptions = props.mountOptions ?? NFS_STORAGE_CLASS_DEFAULT_MOUNT_OPTIONS;
    const reclaimPolicy = props.reclaimPolicy ?? NFS_STORAGE_CLASS_DEFAULT_RECLAIM_POLICY;
    throwIfProblems('NfsStorageClass', [
      checkDnsSubdomain('name', props.name),
      /^0?[0-7]{3}$/.test(props.mountPermissions ?? NFS_STORAGE_CLASS_DEFAULT_MOUNT_PERMISSIONS)
        ? undefined
        : problem('mountPermissions', props.mountPermissions, 'must be an octal mode such as "0775"'),
      isIpv4(props.server) || /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(props.server)
        ? undefined
        : problem('server', props.server, 'must be an IPv4 address or a DNS name of the NFS server'),
      props.share.startsWith('/') ? undefined : problem('share', props.share, 'must be an absolute export path such as "/mnt/server"'),
      props.subDir === undefined || (props.subDir.length > 0 && !props.subDir.startsWith('/'))
        ? undefined
        : problem('subDir', props.subDir, 'must be a relative directory such as "${pvc.metadata.namespace}/${pvc.metadata.name}"'),
      ...mountOptions.map((o, i) =>
        /^[A-Za-z0-9_.=:-]+$/.test(o) ? undefined : problem(`mountOptions[${i}]`, o, 'must be one mount option such as "nfsvers=4.1" (no commas or spaces)'),
      ),
      checkOneOf('reclaimPolicy', reclaimPolicy, Object.values(ReclaimPolicy)),
    ]);

    new k8s.KubeStorageClass(this, 'Resource', {
      metadata: {
        name: props.name,
        ...((props.defaultClass ?? NFS_STORAGE_CLASS_DEFAULT_DEFAULT_CLASS) ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
      },
      provisioner: NFS_CSI_DRIVER_NAME,
      parameters: {
        server: props.server,
        share: props.share,
        ...(props.subDir !== undefined ? { subDir: props.subDir } : {}),
        mountPermissions: props.mountPermissions ?? NFS_STORAGE_CLASS_DEFAULT_MOUNT_PERMISSIONS,
      },
      mountOptions: [...mountOptions],
      reclaimPolicy,
      volumeBindingMode: 'Immediate',
      allowVolumeExpansion: props.allowVolumeExpansion ?? NFS_STORAGE_CLASS_DEFAULT_ALLOW_VOLUME_EXPANSION,
    });
  }
}
