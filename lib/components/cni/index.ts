export * from './cni-provider';
export * from './flannel';
export * from './kube-network-policies';
