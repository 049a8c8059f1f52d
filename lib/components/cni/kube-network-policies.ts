/**
 * kube-network-policies (SIG Network, v1.1.x): enforces Kubernetes NetworkPolicy next to a CNI that does
 * not (Flannel). The objects of upstream `install.yaml`, with the NRI and fail-open behaviour from props.
 */
import type { ApiObject } from 'cdk8s';
import { k8s } from '../../k8s/api';
import { Construct } from 'constructs';
import { IMAGES, imageRef } from '../../versions';
import { Endpoint, Flows, tcp, type PodsEndpoint } from '../../flows';
import { fieldEnv, intOrString, LINUX_NODE_SELECTOR, podSecurity, resources, TOLERATE_ALL_NO_SCHEDULE } from '../private/pod';
import { clusterRoleFor, rule } from '../private/rbac';
import { checkDnsLabel, checkInteger, checkIpv4, checkPort, problem, throwIfProblems } from '../private/validation';
import type { INetworkPolicyEnforcer } from './cni-provider';

/** Props of {@link KubeNetworkPolicies}. */
export interface KubeNetworkPoliciesProps {
  /**
   * Namespace of the DaemonSet and ServiceAccount. Not created here; it must allow Pod Security `privileged`.
   * @default KUBE_NETWORK_POLICIES_DEFAULT_NAMESPACE ('kube-system', as upstream)
   */
  readonly namespace?: string;
  /**
   * Hook into containerd through NRI (hostPath /var/run/nri). containerd 2.x enables NRI by default,
   * 1.7 does not: the hosts must agree. `false` runs the agent with `--disable-nri`.
   * @default KUBE_NETWORK_POLICIES_DEFAULT_NRI (true)
   */
  readonly nri?: boolean;
  /**
   * `--fail-open`: let traffic through when the agent cannot evaluate it. Upstream's binary default is
   * true; we default to failing closed, which is what a policy promises.
   * @default KUBE_NETWORK_POLICIES_DEFAULT_FAIL_OPEN (false)
   */
  readonly failOpen?: boolean;
  /**
   * `--nfqueue-id` the agent uses for packets awaiting a verdict.
   * @default KUBE_NETWORK_POLICIES_DEFAULT_NFQUEUE_ID (98)
   */
  readonly nfqueueId?: number;
  /**
   * klog verbosity (`--v`). At 2 or more (upstream's install.yaml uses 2) the agent adds its logging
   * evaluator, which logs every packet it queues (cmd/kube-network-policies/standard/main.go:
   * `if klog.V(2).Enabled() { evaluators = append(evaluators, networkpolicy.NewLoggingPolicy()) }`): on
   * SD-card nodes that is a write per new connection. 1 keeps startup and error logs.
   * @default KUBE_NETWORK_POLICIES_DEFAULT_VERBOSITY (1)
   */
  readonly verbosity?: number;
  /**
   * `--metrics-bind-address`. The binary's default `:9080` listens on every address of the host (the pod
   * uses host networking), i.e. the whole LAN; loopback keeps /metrics for the readiness probe and node-local
   * scraping only.
   * @default KUBE_NETWORK_POLICIES_DEFAULT_METRICS_ADDRESS ('127.0.0.1:9080')
   */
  readonly metricsBindAddress?: string;
}

export const KUBE_NETWORK_POLICIES_DEFAULT_NAMESPACE = 'kube-system';
export const KUBE_NETWORK_POLICIES_DEFAULT_NRI = true;
export const KUBE_NETWORK_POLICIES_DEFAULT_FAIL_OPEN = false;
export const KUBE_NETWORK_POLICIES_DEFAULT_NFQUEUE_ID = 98;
const KUBE_NETWORK_POLICIES_DEFAULT_VERBOSITY = 1;
const KUBE_NETWORK_POLICIES_DEFAULT_METRICS_ADDRESS = '127.0.0.1:9080';

/** Name of every object (ServiceAccount, ClusterRole, binding, DaemonSet), as upstream. */
const KUBE_NETWORK_POLICIES_NAME = 'kube-network-policies';

/**
 * kube-network-policies: the DaemonSet that enforces NetworkPolicy next to a CNI that does not (Flannel),
 * with its ServiceAccount and RBAC.
 */
export class KubeNetworkPolicies extends Construct implements INetworkPolicyEnforcer {
  readonly enforcerName = KUBE_NETWORK_POLICIES_NAME;
  readonly namespace: string;
  readonly nri: boolean;
  readonly failOpen: boolean;
  readonly podLabels: Readonly<Record<string, string>> = {
    app: KUBE_NETWORK_POLICIES_NAME,
    'k8s-app': KUBE_NETWORK_POLICIES_NAME,
    tier: 'node',
  };
  /** Flow handle of the agents (hostNetwork: not subject to NetworkPolicy). */
  readonly pods: PodsEndpoint;
  /** Port of /metrics (the readiness probe target). */
  readonly metricsPort: number;
  /** The kube-network-policies DaemonSet. */
  readonly agents: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: KubeNetworkPoliciesProps = {}) {
    super(scope, id);
    this.namespace = props.namespace ?? KUBE_NETWORK_POLICIES_DEFAULT_NAMESPACE;
    this.nri = props.nri ?? KUBE_NETWORK_POLICIES_DEFAULT_NRI;
    this.failOpen = props.failOpen ?? KUBE_NETWORK_POLICIES_DEFAULT_FAIL_OPEN;
    const nfqueueId = props.nfqueueId ?? KUBE_NETWORK_POLICIES_DEFAULT_NFQUEUE_ID;
    const verbosity = props.verbosity ?? KUBE_NETWORK_POLICIES_DEFAULT_VERBOSITY;
    const metrics = props.metricsBindAddress ?? KUBE_NETWORK_POLICIES_DEFAULT_METRICS_ADDRESS;
    const metricsMatch = /^(\d{1,3}(?:\.\d{1,3}){3})?:(\d{1,5})$/.exec(metrics);
    throwIfProblems('KubeNetworkPolicies', [
      checkDnsLabel('namespace', this.namespace),
      checkInteger('nfqueueId', nfqueueId, 0, 65535),
      checkInteger('verbosity', verbosity, 0, 10),
      metricsMatch && (metricsMatch[1] === undefined || checkIpv4('metricsBindAddress', metricsMatch[1]) === undefined)
        ? checkPort('metricsBindAddress', Number(metricsMatch[2]))
        : problem('metricsBindAddress', metrics, 'must be "<IPv4>:<port>" or ":<port>", e.g. "127.0.0.1:9080"'),
    ]);
    const metricsHost = metricsMatch?.[1] ?? '';
    this.metricsPort = Number(metricsMatch?.[2] ?? 0);
    // The probe reaches the listener from the host network namespace: loopback when bound there or to all.
    const probeHost = metricsHost === '' || metricsHost === '0.0.0.0' ? '127.0.0.1' : metricsHost;
    this.pods = Endpoint.pods({ name: 'kube-network-policies', namespace: this.namespace, podLabels: this.podLabels, hostNetwork: true });
    Flows.of(this).require({
      id: 'kube-network-policies-apiserver',
      from: this.pods,
      to: Endpoint.kubernetesApi(),
      ports: [tcp(443)],
      purpose: 'watch Pods, Namespaces, NetworkPolicies',
    });

    const name = KUBE_NETWORK_POLICIES_NAME;
    const namespace = this.namespace;
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name, namespace } });
    clusterRoleFor(this, 'Agent', {
      name,
      subject: { name, namespace },
      rules: [rule([''], ['pods', 'namespaces'], ['list', 'watch']), rule(['networking.k8s.io'], ['networkpolicies'], ['list', 'watch'])],
    });

    const args = [
      '/bin/netpol',
      '--hostname-override=$(MY_NODE_NAME)',
      `--v=${verbosity}`,
      `--nfqueue-id=${nfqueueId}`,
      `--fail-open=${this.failOpen}`,
      `--metrics-bind-address=${metrics}`,
      ...(this.nri ? [] : ['--disable-nri']),
    ];
    const nriMount: k8s.VolumeMount[] = this.nri ? [{ name: 'nri-plugin', mountPath: '/var/run/nri' }] : [];
    const nriVolume: k8s.Volume[] = this.nri ? [{ name: 'nri-plugin', hostPath: { path: '/var/run/nri' } }] : [];

    const daemonSet = new k8s.KubeDaemonSet(this, 'DaemonSet', {
      metadata: { name, namespace, labels: { ...this.podLabels } },
      spec: {
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { ...this.podLabels } },
          spec: {
            hostNetwork: true,
            nodeSelector: { ...LINUX_NODE_SELECTOR },
            priorityClassName: 'system-node-critical',
            tolerations: [...TOLERATE_ALL_NO_SCHEDULE],
            serviceAccountName: name,
            // The agent watches Pods, Namespaces and NetworkPolicies.
            automountServiceAccountToken: true,
            securityContext: podSecurity(),
            containers: [
              {
                name,
                image: imageRef(IMAGES.kubeNetworkPolicies),
                args,
                env: [fieldEnv('MY_NODE_NAME', 'spec.nodeName')],
                resources: resources('100m', '50Mi'),
                // The binary serves only /metrics (pkg/cmd/cmd.go: http.Handle("/metrics", promhttp.Handler()));
                // it starts listening in cmd.Start, right before the dataplane controller, after the
                // informers. So `rollout status` waits for an agent that got that far on every node.
                readinessProbe: {
                  httpGet: { host: probeHost, path: '/metrics', port: intOrString(this.metricsPort), scheme: 'HTTP' },
                  periodSeconds: 10,
                  timeoutSeconds: 2,
                  failureThreshold: 3,
                },
                // Privileged as upstream: it enters every pod network namespace (/var/run/netns) and owns the
                // nftables/nfqueue rules of the host.
                securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] }, readOnlyRootFilesystem: true },
                volumeMounts: [...nriMount, { name: 'netns', mountPath: '/var/run/netns', mountPropagation: 'HostToContainer' }],
              },
            ],
            volumes: [...nriVolume, { name: 'netns', hostPath: { path: '/var/run/netns' } }],
          },
        },
      },
    });
    this.agents = [daemonSet];
  }
}
