/**
 * Our own typed descriptions of formats whose real validators (`kubeadm config validate`, `frps verify`) are
 * not available here: the field names each kind accepts, from ../shared/notes/host-facts.md (§1.3, §1.4,
 * §3.2) and the upstream reference docs it cites. {@link unknownKeys} lists every emitted key that is not
 * in the description, so a typo or an invented field fails a test.
 */

/** `true`: any value (leaf or opaque). An object: known keys. A one-element array: each item has that shape. */
export type Shape = true | { readonly [key: string]: Shape } | readonly [Shape];

const nameValueList: Shape = [{ name: true, value: true }];
const hostPathMount: Shape = [{ name: true, hostPath: true, mountPath: true, readOnly: true, pathType: true }];
const envList: Shape = [{ name: true, value: true, valueFrom: true }];
const controlPlaneComponent: Shape = { extraArgs: nameValueList, extraVolumes: hostPathMount, extraEnvs: envList };
const apiEndpoint: Shape = { advertiseAddress: true, bindPort: true };
const taint: Shape = [{ key: true, value: true, effect: true, timeAdded: true }];
const timeouts: Shape = {
  controlPlaneComponentHealthCheck: true,
  kubeletHealthCheck: true,
  kubernetesAPICall: true,
  etcdAPICall: true,
  tlsBootstrap: true,
  discovery: true,
  upgradeManifests: true,
};
const nodeRegistration: Shape = {
  name: true,
  criSocket: true,
  taints: taint,
  kubeletExtraArgs: nameValueList,
  ignorePreflightErrors: true,
  imagePullPolicy: true,
  imagePullSerial: true,
};
const typeMeta = { apiVersion: true, kind: true } as const;

/** kubeadm.k8s.io/v1beta4 kinds and the component configs kubeadm accepts next to them. */
export const KUBEADM_SHAPES: Readonly<Record<string, Shape>> = {
  InitConfiguration: {
    ...typeMeta,
    bootstrapTokens: [{ token: true, description: true, ttl: true, expires: true, usages: true, groups: true }],
    nodeRegistration,
    localAPIEndpoint: apiEndpoint,
    certificateKey: true,
    skipPhases: true,
    patches: { directory: true },
    dryRun: true,
    timeouts,
  },
  ClusterConfiguration: {
    ...typeMeta,
    kubernetesVersion: true,
    controlPlaneEndpoint: true,
    clusterName: true,
    imageRepository: true,
    certificatesDir: true,
    featureGates: true,
    encryptionAlgorithm: true,
    certificateValidityPeriod: true,
    caCertificateValidityPeriod: true,
    networking: { podSubnet: true, serviceSubnet: true, dnsDomain: true },
    apiServer: { ...controlPlaneComponent, certSANs: true },
    controllerManager: controlPlaneComponent,
    scheduler: controlPlaneComponent,
    etcd: {
      local: { imageRepository: true, imageTag: true, dataDir: true, extraArgs: nameValueList, extraEnvs: envList, serverCertSANs: true, peerCertSANs: true },
      external: { endpoints: true, caFile: true, certFile: true, keyFile: true },
    },
    dns: { disabled: true, imageRepository: true, imageTag: true },
    proxy: { disabled: true },
  },
  JoinConfiguration: {
    ...typeMeta,
    nodeRegistration,
    caCertPath: true,
    discovery: {
      bootstrapToken: { token: true, apiServerEndpoint: true, caCertHashes: true, unsafeSkipCAVerification: true },
      file: { kubeConfigPath: true },
      tlsBootstrapToken: true,
    },
    controlPlane: { localAPIEndpoint: apiEndpoint, certificateKey: true },
    skipPhases: true,
    patches: { directory: true },
    timeouts,
    dryRun: true,
  },
  // Only the KubeletConfiguration / KubeProxyConfiguration fields this project may set.
  KubeletConfiguration: { ...typeMeta, cgroupDriver: true, serverTLSBootstrap: true, failSwapOn: true },
  KubeProxyConfiguration: {
    ...typeMeta,
    mode: true,
    clusterCIDR: true,
    ipvs: { strictARP: true, scheduler: true, excludeCIDRs: true },
    iptables: { masqueradeAll: true, syncPeriod: true, minSyncPeriod: true },
    nftables: { masqueradeAll: true, syncPeriod: true, minSyncPeriod: true },
  },
  AdmissionConfiguration: {
    ...typeMeta,
    plugins: [
      {
        name: true,
        path: true,
        configuration: {
          ...typeMeta,
          defaults: { enforce: true, 'enforce-version': true, audit: true, 'audit-version': true, warn: true, 'warn-version': true },
          exemptions: { usernames: true, runtimeClasses: true, namespaces: true },
        },
      },
    ],
  },
};

/** apiVersion each kind must carry. */
export const API_VERSIONS: Readonly<Record<string, string>> = {
  InitConfiguration: 'kubeadm.k8s.io/v1beta4',
  ClusterConfiguration: 'kubeadm.k8s.io/v1beta4',
  JoinConfiguration: 'kubeadm.k8s.io/v1beta4',
  KubeletConfiguration: 'kubelet.config.k8s.io/v1beta1',
  KubeProxyConfiguration: 'kubeproxy.config.k8s.io/v1alpha1',
  AdmissionConfiguration: 'apiserver.config.k8s.io/v1',
};

/** frps.toml (frp v0.70, `pkg/config/v1/server.go`, `conf/frps_full_example.toml`). */
export const FRPS_SHAPE: Shape = {
  bindAddr: true,
  bindPort: true,
  kcpBindPort: true,
  quicBindPort: true,
  proxyBindAddr: true,
  vhostHTTPPort: true,
  vhostHTTPSPort: true,
  vhostHTTPTimeout: true,
  tcpmuxHTTPConnectPort: true,
  subDomainHost: true,
  custom404Page: true,
  auth: {
    method: true,
    additionalScopes: true,
    token: true,
    tokenSource: { type: true, file: { path: true } },
    oidc: true,
  },
  webServer: { addr: true, port: true, user: true, password: true, tls: { certFile: true, keyFile: true }, pprofEnable: true },
  enablePrometheus: true,
  log: { to: true, level: true, maxDays: true, disablePrintColor: true },
  transport: {
    tls: { force: true, certFile: true, keyFile: true, trustedCaFile: true },
    maxPoolCount: true,
    tcpMux: true,
    heartbeatTimeout: true,
  },
  allowPorts: [{ start: true, end: true, single: true }],
  maxPortsPerClient: true,
  detailedErrorsToClient: true,
  userConnTimeout: true,
  udpPacketSize: true,
  httpPlugins: true,
};

/** Dotted paths of keys in `value` that `shape` does not know. */
export function unknownKeys(value: unknown, shape: Shape, path = ''): string[] {
  if (shape === true || value === null || typeof value !== 'object') return [];
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return [`${path || '(root)'}: expected a list`];
    return value.flatMap((item, i) => unknownKeys(item, shape[0], `${path}[${i}]`));
  }
  if (Array.isArray(value)) return [`${path || '(root)'}: expected a mapping`];
  const known = shape as Record<string, Shape>;
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const at = path ? `${path}.${key}` : key;
    return key in known ? unknownKeys(child, known[key], at) : [at];
  });
}
