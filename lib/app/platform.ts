/**
 * In-cluster platform components (CNI, MetalLB pools, ingress controller, cert-manager issuers, frpc,
 * NFS CSI), composed from the model. Each component is a construct with typed props in lib/components/.
 */
import type { App } from 'cdk8s';
import type { ClusterModel } from '../model/types';

export function addPlatform(_app: App, _model: ClusterModel): void {
  // filled in by the components work (issue 4)
}
