/**
 * metrics-server v0.8.x (Kubernetes 1.31–1.33), as upstream `manifests/base` of v0.8.1: ServiceAccount, RBAC,
 * Service, Deployment and the `v1beta1.metrics.k8s.io` APIService, so `kubectl top` and the
 * HorizontalPodAutoscaler work.
 *
 * No `--kubelet-insecure-tls`: metrics-server verifies each kubelet's serving certificate against the cluster
 * CA, so the kubelets need CA-signed serving certificates (`serverTLSBootstrap: true`, CSRs approved; see the
 * kubelet-serving part of lib/hosts/day2). The pod meets Pod Security `restricted`.
 *
 * Traffic it needs, declared in the flow catalogue (lib/flows): kube-apiserver → its Service (the aggregated
 * API, checked after DNAT on the pods' {@link METRICS_SERVER_PORT}, from wherever the dataplane presents the API
 * server's packets), the pods → every kubelet on 10250, the pods → the Kubernetes API (authentication
 * delegation, node and pod lists).
 */
import { Construct } from 'constructs';
import { Endpoint, Flows, tcp, type Flow, type PodsEndpoint, type ServiceEndpoint } from '../../flows';
import { k8s } from '../../k8s/api';
import { IMAGES, imageRef } from '../../versions';
import { containerSecurity, intOrString, LINUX_NODE_SELECTOR, podSecurity, resources } from '../private/pod';
import { clusterRoleFor, rule } from '../private/rbac';
import { checkDnsLabel, checkInteger, problem, throwIfProblems } from '../private/validation';

/** Props of {@link MetricsServer}. */
export interface MetricsServerProps {
  /** Namespace of the Deployment and Service (not created here). @default 'kube-system' (as upstream) */
  readonly namespace?: string;
  /** Replicas; with 2 or more a PodDisruptionBudget keeps one up. @default 1 */
  readonly replicas?: number;
  /** How often metrics are scraped from the kubelets (`--metric-resolution`), seconds, at least 10. @default 15 */
  readonly metricResolutionSeconds?: number;
}

const METRICS_SERVER_DEFAULT_NAMESPACE = 'kube-system';
/** The container's secure port (upstream `--secure-port=10250`); the Service maps 443 to it. */
const METRICS_SERVER_PORT = 10250;
/** The kubelet port metrics-server scrapes (`--kubelet-use-node-status-port` reads it from Node status). */
const KUBELET_PORT = 10250;
export const METRICS_SERVER_NAMES = {
  name: 'metrics-server',
  apiService: 'v1beta1.metrics.k8s.io',
  aggregatedReader: 'system:aggregated-metrics-reader',
  role: 'system:metrics-server',
  authReaderBinding: 'metrics-server-auth-reader',
  authDelegatorBinding: 'metrics-server:system:auth-delegator',
} as const;

/**
 * metrics-server (for `kubectl top` and the HorizontalPodAutoscaler): Deployment, Service, RBAC and the
 * `v1beta1.metrics.k8s.io` APIService; it verifies the kubelets' serving certificates.
 */
export class MetricsServer extends Construct {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>> = { 'k8s-app': METRICS_SERVER_NAMES.name };
  readonly port = METRICS_SERVER_PORT;
  readonly serviceName = METRICS_SERVER_NAMES.name;
  readonly apiService = METRICS_SERVER_NAMES.apiService;
  /** The metrics-server pods, as a flow endpoint. */
  readonly pods: PodsEndpoint;
  /** Its Service, which the APIService points at, as a flow endpoint. */
  readonly service: ServiceEndpoint;
  /** The flows it declared: API server → Service, pods → kubelets, pods → Kubernetes API. */
  readonly flows: readonly Flow[];

  constructor(scope: Construct, id: string, props: MetricsServerProps = {}) {
    super(scope, id);
    this.namespace = props.namespace ?? METRICS_SERVER_DEFAULT_NAMESPACE;
    const replicas = props.replicas ?? 1;
    const resolution = props.metricResolutionSeconds ?? 15;
    throwIfProblems('MetricsServer', [
      checkDnsLabel('namespace', this.namespace),
      checkInteger('replicas', replicas, 1),
      Number.isInteger(resolution) && resolution >= 10 ? undefined : problem('metricResolutionSeconds', resolution, 'must be an integer of at least 10'),
    ]);
    const N = METRICS_SERVER_NAMES;
    const namespace = this.namespace;
    const labels = { ...this.podLabels };
    const sa = { name: N.name, namespace };
    this.pods = Endpoint.pods({ name: 'metrics-server', namespace, podLabels: labels, ports: [tcp(METRICS_SERVER_PORT, 'https')] });
    this.service = Endpoint.service({
      name: N.name,
      namespace,
      type: 'ClusterIP',
      ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }],
      backends: this.pods,
    });
    const flows = Flows.of(this);
    this.flows = [
      flows.require({
        id: 'metrics-server-apiservice',
        from: Endpoint.apiServer(),
        to: this.service,
        ports: [tcp(443)],
        purpose: 'aggregated API v1beta1.metrics.k8s.io (kubectl top, HPA)',
      }),
      flows.require({
        id: 'metrics-server-kubelets',
        from: this.pods,
        to: Endpoint.nodes('all'),
        ports: [tcp(KUBELET_PORT)],
        purpose: 'scrape /metrics/resource from every kubelet',
      }),
      flows.require({
        id: 'metrics-server-apiserver',
        from: this.pods,
        to: Endpoint.kubernetesApi(),
        ports: [tcp(443)],
        purpose: 'delegated authentication and authorization, node and pod lists',
      }),
    ];

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { ...sa, labels } });
    new k8s.KubeClusterRole(this, 'AggregatedReader', {
      metadata: {
        name: N.aggregatedReader,
        labels: {
          ...labels,
          'rbac.authorization.k8s.io/aggregate-to-view': 'true',
          'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
          'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
        },
      },
      rules: [rule(['metrics.k8s.io'], ['pods', 'nodes'], ['get', 'list', 'watch'])],
    });
    clusterRoleFor(this, 'Scraper', {
      name: N.role,
      labels,
      subject: sa,
      rules: [rule([''], ['nodes/metrics'], ['get']), rule([''], ['pods', 'nodes'], ['get', 'list', 'watch'])],
    });
    // The Role lives in kube-system whatever our namespace is: it reads the client-CA ConfigMap there.
    new k8s.KubeRoleBinding(this, 'AuthReader', {
      metadata: { name: N.authReaderBinding, namespace: 'kube-system', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' },
      subjects: [{ kind: 'ServiceAccount', ...sa }],
    });
    new k8s.KubeClusterRoleBinding(this, 'AuthDelegator', {
      metadata: { name: N.authDelegatorBinding, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [{ kind: 'ServiceAccount', ...sa }],
    });

    new k8s.KubeService(this, 'Service', {
      metadata: { name: N.name, namespace, labels },
      spec: {
        selector: { ...labels },
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: intOrString('https'), appProtocol: 'https' }],
      },
    });

    const probe = (path: string): k8s.Probe => ({ httpGet: { path, port: intOrString('https'), scheme: 'HTTPS' }, periodSeconds: 10, failureThreshold: 3 });
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: N.name, namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: { ...labels } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: intOrString(0) } },
        template: {
          metadata: { labels: { ...labels } },
          spec: {
            serviceAccountName: N.name,
            priorityClassName: 'system-cluster-critical',
            nodeSelector: { ...LINUX_NODE_SELECTOR },
            securityContext: podSecurity(1000),
            volumes: [{ name: 'tmp-dir', emptyDir: {} }],
            containers: [
              {
                name: N.name,
                image: imageRef(IMAGES.metricsServer),
                imagePullPolicy: 'IfNotPresent',
                args: [
                  '--cert-dir=/tmp',
                  `--secure-port=${METRICS_SERVER_PORT}`,
                  '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
                  '--kubelet-use-node-status-port',
                  `--metric-resolution=${resolution}s`,
                ],
                ports: [{ name: 'https', containerPort: METRICS_SERVER_PORT, protocol: 'TCP' }],
                readinessProbe: { ...probe('/readyz'), initialDelaySeconds: 20 },
                livenessProbe: probe('/livez'),
                resources: resources('100m', '200Mi'),
                securityContext: containerSecurity({ runAsUser: 1000 }),
                volumeMounts: [{ name: 'tmp-dir', mountPath: '/tmp' }],
              },
            ],
          },
        },
      },
    });
    if (replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'Pdb', {
        metadata: { name: N.name, namespace, labels },
        spec: { minAvailable: intOrString(1), selector: { matchLabels: { ...labels } } },
      });
    }

    new k8s.KubeApiService(this, 'ApiService', {
      metadata: { name: N.apiService, labels },
      spec: {
        service: { name: N.name, namespace },
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        // As upstream: metrics-server serves a self-signed certificate from --cert-dir. kube-apiserver reaches
        // it through the Service; the data it returns is read-only resource usage.
        insecureSkipTlsVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    });
  }
}
