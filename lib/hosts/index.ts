/**
 * Host artifacts: kubeadm, keepalived, HAProxy, frps (lib/components/frp) and cloud-init files for every host of the model,
 * under `hosts/<hostname>/`, and the README section that says where they go. Pure: model in, text out.
 */
import type { ClusterModel } from '../model/types';
import { serializedFile, type RenderedFile } from '../output/files';
import { planHosts, type HostPlan } from './plan';

export { hostArtifacts, planHosts, type HostPlan } from './plan';
export { HOST_PATHS } from './paths';
export { CLOUD_CONFIG_TOP_LEVEL_KEYS, renderUserData } from './cloud-init';
export { apiServerBackends, renderHaproxyCfg } from './haproxy';
export { renderCheckApiserver, renderKeepalivedConf, vrrpPlan } from './keepalived';
export { JOIN_SECRETS, renderKubeadmInit, renderKubeadmJoin } from './kubeadm';
export { renderPodSecurityAdmission } from './psa-admission';

/** Every host file, as `hosts/<hostname>/<file>`, sorted by path. `plan`: the host files, rendered once. */
export function renderHostFiles(model: ClusterModel, plan: HostPlan = planHosts(model)): RenderedFile[] {
  return model.hosts
    .flatMap((host) =>
      (plan.get(host) ?? []).map((a) => {
        const path = `hosts/${host.name}/${a.file}`;
        return a.documents ? serializedFile(path, a.content, a.documents, a.mode) : { path, content: a.content, mode: a.mode };
      }),
    )
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
