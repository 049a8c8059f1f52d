/**
 * Which control plane does what: a leaf module, so the kubeadm renderer and the day-2 renderers it calls can
 * both ask without importing each other.
 */
import type { ClusterModel, Host } from '../model/types';

/** The host that runs `kubeadm init`: the first control plane in the description. */
export function firstControlPlane(model: ClusterModel): Host {
  const first = model.apiServer.controlPlanes[0];
  if (!first) throw new Error('internal: the model has no control-plane host');
  return first;
}
