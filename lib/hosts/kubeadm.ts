/**
 * kubeadm configuration (`kubeadm.k8s.io/v1beta4`, Kubernetes v1.31+).
 *
 * Secrets: no bootstrap token, CA hash or certificate key is ever rendered.
 * - Init: `bootstrapTokens` and `certificateKey` are omitted; `kubeadm init --config … --upload-certs`
 *   generates both and prints them (`--upload-certs` is one of the few flags allowed next to `--config`).
 * - Join: `--token`, `--discovery-token-ca-cert-hash` and `--certificate-key` cannot be mixed with
 *   `--config`, so the join file carries `${KUBEADM_*}` placeholders that `envsubst` fills on the joining
 *   host just before `kubeadm join --config` (see {@link JOIN_SECRETS} and the README).
 */
import type { ClusterModel, Host } from '../model/types';
import { day2ApiServer, day2InitNeeds, day2KubeletConfiguration } from './day2';
import { firstControlPlane } from './control-plane';
import { HOST_PATHS } from './paths';
import { comment, envName, generatedBy } from './text';
import { yamlFile, type YamlFile } from './yaml';

const KUBEADM_API_VERSION = 'kubeadm.k8s.io/v1beta4';

/** Environment variables whose values `envsubst` writes into the join file at join time. */
export const JOIN_SECRETS = {
  /** Bootstrap token `abcdef.0123456789abcdef` (`kubeadm token create`). */
  token: 'KUBEADM_TOKEN',
  /** `sha256:<hex>` pin of the cluster CA public key, as printed by `kubeadm token create --print-join-command`. */
  caCertHash: 'KUBEADM_CA_CERT_HASH',
  /** Control planes only: the key printed by `kubeadm init phase upload-certs --upload-certs` (valid 2 h). */
  certificateKey: 'KUBEADM_CERTIFICATE_KEY',
} as const;

const placeholder = (name: string) => `\${${envName(name)}}`;

/** The `host:port` every client and joining node uses: the keepalived VIP in front of HAProxy. */
export function controlPlaneEndpoint(model: ClusterModel): string {
  return `${model.apiServer.vip}:${model.apiServer.port}`;
}

function nodeRegistration(model: ClusterModel, host: Host) {
  const labels = Object.entries(host.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    name: host.name,
    criSocket: model.kubernetes.criSocket,
    kubeletExtraArgs: [
      { name: 'node-ip', value: host.ip },
      ...(labels.length ? [{ name: 'node-labels', value: labels.map(([k, v]) => `${k}=${v}`).join(',') }] : []),
    ],
  };
}

function clusterConfiguration(model: ClusterModel) {
  const api = model.apiServer;
  const day2 = day2ApiServer(model);
  return {
    apiVersion: KUBEADM_API_VERSION,
    kind: 'ClusterConfiguration',
    clusterName: model.name,
    kubernetesVersion: model.kubernetes.version,
    controlPlaneEndpoint: controlPlaneEndpoint(model),
    networking: {
      podSubnet: model.kubernetes.podCidr,
      serviceSubnet: model.kubernetes.serviceCidr,
      dnsDomain: model.kubernetes.dnsDomain,
    },
    apiServer: {
      // kubeadm adds the controlPlaneEndpoint host itself; listing the VIP keeps the certificate readable.
      certSANs: [...new Set([api.vip, ...api.certSANs])],
      extraArgs: [{ name: 'admission-control-config-file', value: HOST_PATHS.psaFile }, ...day2.extraArgs],
      extraVolumes: [
        { name: 'psa', hostPath: HOST_PATHS.psaDir, mountPath: HOST_PATHS.psaDir, readOnly: true, pathType: 'DirectoryOrCreate' },
        ...day2.extraVolumes,
      ],
    },
  };
}

function kubeProxyConfiguration(model: ClusterModel) {
  const mode = model.kubernetes.kubeProxyMode;
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode,
    // MetalLB L2 needs strict ARP in IPVS mode only.
    ...(mode === 'ipvs' ? { ipvs: { strictARP: true } } : {}),
  };
}

/** `kubeadm-init.yaml` for the first control plane: Init, Cluster, Kubelet and KubeProxy configuration. */
export function renderKubeadmInit(model: ClusterModel): string {
  return kubeadmInitFile(model).content;
}

/** {@link renderKubeadmInit} with its documents. */
export function kubeadmInitFile(model: ClusterModel): YamlFile {
  const host = firstControlPlane(model);
  const api = model.apiServer;
  return yamlFile(
    comment(
      '#',
      generatedBy(model.name),
      `kubeadm init configuration for ${host.name}, the first control plane.`,
      `Run: kubeadm init --config ${HOST_PATHS.kubeadmInit} --upload-certs`,
      'No bootstrap token and no certificate key are written here: kubeadm generates both and prints the join',
      'commands; --upload-certs stores the control-plane certificates encrypted for 2 hours.',
      `Needs ${HOST_PATHS.psaFile} (psa-admission.yaml) on every control plane and the VIP ${api.vip} up.`,
      ...day2InitNeeds(model),
    ),
    [
      {
        apiVersion: KUBEADM_API_VERSION,
        kind: 'InitConfiguration',
        localAPIEndpoint: { advertiseAddress: host.ip, bindPort: api.bindPort },
        nodeRegistration: nodeRegistration(model, host),
      },
      clusterConfiguration(model),
      { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', cgroupDriver: 'systemd', ...day2KubeletConfiguration(model) },
      kubeProxyConfiguration(model),
    ],
  );
}

/** `kubeadm-join.yaml` template for a control plane other than the first, or a worker. */
export function renderKubeadmJoin(model: ClusterModel, host: Host): string {
  return kubeadmJoinFile(model, host).content;
}

/** {@link renderKubeadmJoin} with its documents. */
export function kubeadmJoinFile(model: ClusterModel, host: Host): YamlFile {
  const isControlPlane = host.roles.includes('control-plane');
  if (!isControlPlane && !host.roles.includes('worker')) throw new Error(`internal: ${host.name} is not a Kubernetes node`);
  if (host === firstControlPlane(model)) throw new Error(`internal: ${host.name} runs kubeadm init, not join`);
  const secrets = isControlPlane ? Object.values(JOIN_SECRETS) : [JOIN_SECRETS.token, JOIN_SECRETS.caCertHash];
  return yamlFile(
    comment(
      '#',
      generatedBy(model.name),
      `kubeadm join template for ${host.name} (${isControlPlane ? 'control plane' : 'worker'}). It holds no secret: kubeadm join`,
      `cannot combine --token or --certificate-key with --config, so envsubst fills in ${secrets.join(', ')}`,
      `on the host at join time, into ${HOST_PATHS.kubeadmJoinRendered} (root-only, tmpfs), which is deleted after`,
      `kubeadm join --config ${HOST_PATHS.kubeadmJoinRendered}; the README "Hosts" section has the commands.`,
      'Strings are double-quoted so the substituted values stay strings.',
    ),
    [
      {
        apiVersion: KUBEADM_API_VERSION,
        kind: 'JoinConfiguration',
        discovery: {
          bootstrapToken: {
            apiServerEndpoint: controlPlaneEndpoint(model),
            token: placeholder(JOIN_SECRETS.token),
            caCertHashes: [placeholder(JOIN_SECRETS.caCertHash)],
          },
        },
        nodeRegistration: nodeRegistration(model, host),
        ...(isControlPlane
          ? {
              controlPlane: {
                localAPIEndpoint: { advertiseAddress: host.ip, bindPort: model.apiServer.bindPort },
                certificateKey: placeholder(JOIN_SECRETS.certificateKey),
              },
            }
          : {}),
      },
    ],
    { quoteStrings: true },
  );
}
