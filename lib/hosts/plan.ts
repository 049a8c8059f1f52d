/**
 * Which files each host gets, where each goes on the host and how it gets there. The one plan behind
 * `renderHostFiles` (dist paths), cloud-init `write_files` (embedded copies) and the README instructions.
 */
import type { ClusterModel, Host } from '../model/types';
import { renderMetaData, renderNetworkConfig, renderUserData } from './cloud-init';
import { frpsHostArtifacts } from '../components/frp/frps';
import { renderHaproxyCfg, renderHaproxyDropIn, renderHaproxyEnvExample } from './haproxy';
import { renderCheckApiserver, renderKeepalivedConf, renderKeepalivedDropIn } from './keepalived';
import { day2Artifacts } from './day2';
import { firstControlPlane } from './control-plane';
import { kubeadmInitFile, kubeadmJoinFile } from './kubeadm';
import { renderNfsExports } from './nfs-exports';
import { installed, secretTemplate, type HostArtifact } from './artifact';
import { HOST_PATHS } from './paths';
import { podSecurityAdmissionFile } from './psa-admission';

export type { HostArtifact } from './artifact';

const byFile = (a: HostArtifact, b: HostArtifact) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);

/** Everything installed on the host by the owner or by cloud-init, without the cloud-init seed. */
function serviceArtifacts(model: ClusterModel, host: Host): HostArtifact[] {
  const P = HOST_PATHS;
  const out: HostArtifact[] = [];
  if (host.roles.includes('control-plane')) {
    out.push(installed('psa-admission.yaml', P.psaFile, 0o644, 'Pod Security Admission defaults read by kube-apiserver', podSecurityAdmissionFile(model)));
  }
  if (host.isNode) {
    out.push(
      host === firstControlPlane(model)
        ? installed('kubeadm-init.yaml', P.kubeadmInit, 0o600, 'kubeadm init configuration (no token, no certificate key)', kubeadmInitFile(model))
        : installed(
            'kubeadm-join.yaml',
            P.kubeadmJoinTemplate,
            0o600,
            'kubeadm join template; secrets filled in with envsubst at join time',
            kubeadmJoinFile(model, host),
          ),
    );
  }
  if (host.roles.includes('load-balancer')) {
    out.push(
      installed('keepalived.conf', P.keepalivedConf, 0o644, 'keepalived VRRP instance for the API VIP', renderKeepalivedConf(model, host)),
      installed('check_apiserver.sh', P.checkApiserverScript, 0o755, 'keepalived health check through the local HAProxy', renderCheckApiserver(model)),
      installed(
        'keepalived.service.d/10-vrrp-auth.conf',
        P.keepalivedDropIn,
        0o644,
        'keepalived does not start without the VRRP auth file',
        renderKeepalivedDropIn(model),
      ),
      installed('haproxy.cfg', P.haproxyCfg, 0o644, 'HAProxy: API frontend, control-plane backends, stats page', renderHaproxyCfg(model, host)),
      installed('haproxy.service.d/10-env.conf', P.haproxyDropIn, 0o644, 'loads the stats credentials into HAProxy', renderHaproxyDropIn(model)),
      secretTemplate('haproxy.env.example', P.haproxyEnv, 'names of the stats credential variables', renderHaproxyEnvExample(model)),
    );
  }
  out.push(...day2Artifacts(model, host));
  if (model.tunnel && model.tunnel.server === host) {
    out.push(...frpsHostArtifacts(model));
  }
  if (model.storage && model.storage.server === host) {
    out.push({
      file: 'nfs-exports',
      content: renderNfsExports(model),
      mode: 0o644,
      delivery: 'reference',
      purpose: 'NFS exports for the StorageClass shares: the nodes only, no root squash (see the comments)',
    });
  }
  return out;
}

/** All files for one host, sorted by file name. Empty for hosts we generate nothing for (e.g. an NFS-only NAS). */
export function hostArtifacts(model: ClusterModel, host: Host): HostArtifact[] {
  const service = serviceArtifacts(model, host);
  const seed = (file: string, purpose: string, content: string): HostArtifact => ({ file, content, mode: 0o644, delivery: 'seed', purpose });
  const seeds: HostArtifact[] = host.provision
    ? [
        seed('user-data', 'cloud-init user-data (#cloud-config)', renderUserData(model, host, service)),
        seed('meta-data', 'cloud-init meta-data (instance-id)', renderMetaData(model, host)),
        // An external host's network is the provider's business.
        ...(host.external ? [] : [seed('network-config', 'cloud-init network-config (static address)', renderNetworkConfig(model, host))]),
      ]
    : [];
  return [...service, ...seeds].sort(byFile);
}

/** Every host's files, rendered once: the render writes them and the README's instructions describe the same. */
export type HostPlan = ReadonlyMap<Host, readonly HostArtifact[]>;

/** The {@link HostPlan} of a model: every host's files, in the model's host order. */
export function planHosts(model: ClusterModel): HostPlan {
  return new Map(model.hosts.map((host) => [host, hostArtifacts(model, host)]));
}
