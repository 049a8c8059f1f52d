/**
 * In-cluster platform components: one typed construct per component, each usable on its own
 * (`new Flannel(chart, 'Cni', { podCidr })`). Images and versions come from lib/versions.ts.
 */
export * from './cert-manager';
export * from './cni';
export * from './frp';
export * from './ingress';
export * from './metallb';
export * from './metrics-server';
export * from './nfs-csi';
export { ComponentPropsError } from './private/validation';
