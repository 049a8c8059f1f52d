export * from './nfs-csi-driver';
export * from './nfs-csi-rbac';
export * from './nfs-storage-class';
