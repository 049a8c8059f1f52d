/**
 * Flannel (v0.28.x) as the cluster CNI: the objects of upstream `Documentation/kube-flannel.yml` except
 * the Namespace (the security layer creates it, Pod Security `privileged`), with `net-conf.json` built
 * from props and tighter container security contexts.
 */
import type { ApiObject } from 'cdk8s';
import { k8s } from '../../k8s/api';
import { Construct } from 'constructs';
import { Endpoint, Flows, tcp, udp } from '../../flows';
import { IMAGES, imageRef } from '../../versions';
import { contentHash } from '../private/hash';
import { containerSecurity, fieldEnv, podSecurity, resources, TOLERATE_ALL_NO_SCHEDULE } from '../private/pod';
import { clusterRoleFor, rule } from '../private/rbac';
import { checkDnsLabel, checkIpv4Cidr, checkOneOf, throwIfProblems } from '../private/validation';
import type { ICniProvider } from './cni-provider';

/** Flannel backend (`net-conf.json` `Backend.Type`). */
export enum FlannelBackend {
  /** VXLAN overlay; works across any L3 network. */
  VXLAN = 'vxlan',
  /** Direct routes between nodes; needs every node on one L2 segment. */
  HOST_GW = 'host-gw',
}

/** Props of {@link Flannel}. */
export interface FlannelProps {
  /** Pod network: `net-conf.json` `Network`; must equal kubeadm `networking.podSubnet`. */
  readonly podCidr: string;
  /**
   * Namespace of the DaemonSet, ServiceAccount and ConfigMap. Not created here; it must allow
   * Pod Security `privileged`.
   * @default FLANNEL_DEFAULT_NAMESPACE ('kube-flannel')
   */
  readonly namespace?: string;
  /** @default FLANNEL_DEFAULT_BACKEND (FlannelBackend.VXLAN) */
  readonly backend?: FlannelBackend;
  /**
   * `net-conf.json` `EnableNFTables`: masquerade with nftables instead of iptables (match kube-proxy's mode).
   * @default FLANNEL_DEFAULT_ENABLE_NFTABLES (false)
   */
  readonly enableNFTables?: boolean;
}

export const FLANNEL_DEFAULT_NAMESPACE = 'kube-flannel';
export const FLANNEL_DEFAULT_BACKEND = FlannelBackend.VXLAN;
export const FLANNEL_DEFAULT_ENABLE_NFTABLES = false;

/** Object names (same as upstream, so an upstream install is updated in place). */
const FLANNEL_NAMES = {
  serviceAccount: 'flannel',
  clusterRole: 'flannel',
  configMap: 'kube-flannel-cfg',
  daemonSet: 'kube-flannel-ds',
} as const;

/** Health port of flanneld (`--healthz-port`). */
const FLANNEL_HEALTHZ_PORT = 8081;

/** `net-conf.json` contents. Pure. */
function renderFlannelNetConf(podCidr: string, backend: FlannelBackend, enableNFTables: boolean): string {
  return `${JSON.stringify({ Network: podCidr, EnableNFTables: enableNFTables, Backend: { Type: backend } }, null, 2)}\n`;
}

/** `cni-conf.json`: the CNI plugin chain flannel installs on each node (flannel + portmap). */
function renderFlannelCniConf(): string {
  const conf = {
    name: 'cbr0',
    cniVersion: '0.3.1',
    plugins: [
      { type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true } },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  return `${JSON.stringify(conf, null, 2)}\n`;
}

/**
 * Flannel as the cluster CNI: its ServiceAccount, RBAC, ConfigMap (`net-conf.json` from props) and the
 * host-network DaemonSet on every Linux node. It does not enforce NetworkPolicy (see {@link KubeNetworkPolicies}).
 */
export class Flannel extends Construct implements ICniProvider {
  readonly pluginName = 'flannel';
  readonly enforcesNetworkPolicy = false;
  readonly namespace: string;
  readonly podCidr: string;
  readonly backend: FlannelBackend;
  /** Labels of the flannel pods (the DaemonSet selector is `app: flannel`). */
  readonly podLabels: Readonly<Record<string, string>> = { app: 'flannel', tier: 'node' };
  /** The flannel DaemonSet. */
  readonly agents: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: FlannelProps) {
    super(scope, id);
    this.namespace = props.namespace ?? FLANNEL_DEFAULT_NAMESPACE;
    this.podCidr = props.podCidr;
    this.backend = props.backend ?? FLANNEL_DEFAULT_BACKEND;
    const enableNFTables = props.enableNFTables ?? FLANNEL_DEFAULT_ENABLE_NFTABLES;
    throwIfProblems('Flannel', [
      checkIpv4Cidr('podCidr', this.podCidr),
      checkDnsLabel('namespace', this.namespace),
      checkOneOf('backend', this.backend, Object.values(FlannelBackend)),
    ]);

    const labels = { app: 'flannel', 'k8s-app': 'flannel', tier: 'node' };
    const namespace = this.namespace;
    const agents = Endpoint.pods({ name: 'flanneld', namespace, podLabels: this.podLabels, hostNetwork: true });
    const flows = Flows.of(this);
    flows.require({ id: 'flannel-apiserver', from: agents, to: Endpoint.kubernetesApi(), ports: [tcp(443)], purpose: 'node subnets (kube-subnet-mgr)' });
    if (this.backend === FlannelBackend.VXLAN) {
      flows.require({
        id: 'flannel-vxlan',
        from: Endpoint.nodes(),
        to: Endpoint.nodes('all', 'nodes (flannel.1)'),
        ports: [udp(8472)],
        purpose: 'VXLAN overlay between nodes',
      });
    }
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: FLANNEL_NAMES.serviceAccount, namespace, labels: { 'k8s-app': 'flannel' } },
    });
    clusterRoleFor(this, 'Flannel', {
      name: FLANNEL_NAMES.clusterRole,
      labels: { 'k8s-app': 'flannel' },
      subject: { name: FLANNEL_NAMES.serviceAccount, namespace },
      rules: [rule([''], ['pods'], ['get']), rule([''], ['nodes'], ['get', 'list', 'watch']), rule([''], ['nodes/status'], ['patch'])],
    });

    const data = {
      'cni-conf.json': renderFlannelCniConf(),
      'net-conf.json': renderFlannelNetConf(this.podCidr, this.backend, enableNFTables),
    };
    new k8s.KubeConfigMap(this, 'Config', { metadata: { name: FLANNEL_NAMES.configMap, namespace, labels }, data });

    const image = imageRef(IMAGES.flannel);
    const daemonSet = new k8s.KubeDaemonSet(this, 'DaemonSet', {
      metadata: { name: FLANNEL_NAMES.daemonSet, namespace, labels },
      spec: {
        selector: { matchLabels: { app: 'flannel' } },
        template: {
          metadata: {
            labels: { ...this.podLabels },
            // A changed net-conf.json restarts flanneld on every node.
            annotations: { 'checksum/config': contentHash(JSON.stringify(data)) },
          },
          spec: {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }],
                },
              },
            },
            hostNetwork: true,
            priorityClassName: 'system-node-critical',
            tolerations: [...TOLERATE_ALL_NO_SCHEDULE],
            serviceAccountName: FLANNEL_NAMES.serviceAccount,
            // flanneld watches Nodes (kube-subnet-mgr) and patches their status.
            automountServiceAccountToken: true,
            securityContext: podSecurity(),
            initContainers: [
              {
                name: 'install-cni-plugin',
                image: imageRef(IMAGES.flannelCniPlugin),
                command: ['cp'],
                args: ['-f', '/flannel', '/opt/cni/bin/flannel'],
                // Root (the image default) writes into the host's root-owned /opt/cni/bin; no capabilities needed.
                securityContext: containerSecurity(),
                resources: resources('10m', '16Mi'),
                volumeMounts: [{ name: 'cni-plugin', mountPath: '/opt/cni/bin' }],
              },
              {
                name: 'install-cni',
                image,
                command: ['/opt/bin/install-conf'],
                args: ['/etc/kube-flannel/cni-conf.json', '/etc/cni/net.d/10-flannel.conflist'],
                securityContext: containerSecurity(),
                resources: resources('10m', '16Mi'),
                volumeMounts: [
                  { name: 'cni', mountPath: '/etc/cni/net.d' },
                  { name: 'flannel-cfg', mountPath: '/etc/kube-flannel/' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            containers: [
              {
                name: 'kube-flannel',
                image,
                command: ['/opt/bin/flanneld'],
                args: ['--ip-masq', '--kube-subnet-mgr', `--healthz-port=${FLANNEL_HEALTHZ_PORT}`],
                ports: [{ name: 'healthz', containerPort: FLANNEL_HEALTHZ_PORT, protocol: 'TCP' }],
                livenessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('healthz') }, initialDelaySeconds: 10, periodSeconds: 30 },
                readinessProbe: { httpGet: { path: '/readyz', port: k8s.IntOrString.fromString('healthz') }, initialDelaySeconds: 5, periodSeconds: 10 },
                resources: resources('100m', '50Mi'),
                // Needs root with NET_ADMIN and NET_RAW to program routes, VXLAN devices and masquerade rules
                // in the host network namespace; everything else is dropped (upstream keeps the runtime defaults).
                securityContext: { ...containerSecurity({ addCapabilities: ['NET_ADMIN', 'NET_RAW'] }), privileged: false },
                env: [
                  fieldEnv('POD_NAME', 'metadata.name'),
                  fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                  { name: 'EVENT_QUEUE_DEPTH', value: '5000' },
                  { name: 'CONT_WHEN_CACHE_NOT_READY', value: 'false' },
                ],
                volumeMounts: [
                  { name: 'run', mountPath: '/run/flannel' },
                  { name: 'flannel-cfg', mountPath: '/etc/kube-flannel/' },
                  { name: 'xtables-lock', mountPath: '/run/xtables.lock' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'run', hostPath: { path: '/run/flannel' } },
              { name: 'cni-plugin', hostPath: { path: '/opt/cni/bin' } },
              { name: 'cni', hostPath: { path: '/etc/cni/net.d' } },
              { name: 'flannel-cfg', configMap: { name: FLANNEL_NAMES.configMap } },
              { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
              // Scratch space, since the root filesystems are read-only.
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    });
    this.agents = [daemonSet];
  }
}
