/**
 * Host artifacts: kubeadm, keepalived, HAProxy, frps and cloud-init files for every host of the model,
 * under `hosts/<hostname>/`, and the README section that says where they go. Pure: model in, text out.
 */
import type { ClusterModel } from '../model/types';
import type { RenderedFile } from '../output/files';
import { hostArtifacts } from './plan';

export { hostInstructions } from './instructions';
export { hostArtifacts, type HostArtifact } from './plan';
export { HOST_PATHS } from './paths';
export { CLOUD_CONFIG_TOP_LEVEL_KEYS, renderMetaData, renderNetworkConfig, renderUserData } from './cloud-init';
export { renderFirewallPorts, renderFrpsEnvExample, renderFrpsService, renderFrpsToml, tunnelServerPorts, type TunnelPort } from '../components/frp/frps';
export { apiServerBackends, renderHaproxyCfg, renderHaproxyDropIn, renderHaproxyEnvExample } from './haproxy';
export { healthCheckUrl, renderCheckApiserver, renderKeepalivedConf, renderKeepalivedDropIn, vrrpPlan, type VrrpMember, type VrrpPlan } from './keepalived';
export { controlPlaneEndpoint, firstControlPlane, JOIN_SECRETS, KUBEADM_API_VERSION, renderKubeadmInit, renderKubeadmJoin } from './kubeadm';
export { kernelModules, kubernetesPackageVersion, nodePackages, nriEnabled, pauseImage, PKGS_K8S_KEY_FINGERPRINT, renderContainerdConfig } from './node-prep';
export { renderPodSecurityAdmission } from './psa-admission';

/** Every host file, as `hosts/<hostname>/<file>`, sorted by path. */
export function renderHostFiles(model: ClusterModel): RenderedFile[] {
  return model.hosts
    .flatMap((host) => hostArtifacts(model, host).map((a) => ({ path: `hosts/${host.name}/${a.file}`, content: a.content, mode: a.mode })))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
