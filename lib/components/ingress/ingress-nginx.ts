/**
 * ingress-nginx v1.15.1 behind a MetalLB LoadBalancer: the objects of upstream
 * `deploy/static/provider/cloud/deploy.yaml` except the Namespace (the security layer creates it), with
 * the LoadBalancer IP, IngressClass and a hardened ConfigMap from props.
 *
 * ingress-nginx is retired upstream (v1.15.1 is the last release). It implements
 * {@link IIngressController} so a maintained controller can take its place without touching the
 * consumers (issuers, frpc, NetworkPolicies).
 */
import { k8s } from '../../k8s/api';
import { Construct } from 'constructs';
import { Endpoint, Flows, tcp, type PodsEndpoint, type ServiceEndpoint } from '../../flows';
import { IMAGES, imageRef, VERSIONS } from '../../versions';
import { containerSecurity, fieldEnv, intOrString, LINUX_NODE_SELECTOR, podSecurity, resources } from '../private/pod';
import { clusterRoleFor, roleFor, rule } from '../private/rbac';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, checkIpv4, checkOneOf, problem, throwIfProblems } from '../private/validation';
import { INGRESS_NGINX_ADMISSION_NAMES, IngressNginxAdmission } from './ingress-nginx-admission';
import { addIngressClass, addLoadBalancerService } from './ingress-objects';
import {
  ExternalTrafficPolicy,
  INGRESS_DEFAULT_CLASS_NAME,
  INGRESS_DEFAULT_DEFAULT_CLASS,
  INGRESS_DEFAULT_EXTERNAL_TRAFFIC_POLICY,
  INGRESS_DEFAULT_REPLICAS,
  type IIngressController,
  type IngressControllerBaseProps,
  type IngressServicePort,
  type IngressTunnelTarget,
} from './ingress-controller';

/** Props of {@link IngressNginx}. */
export interface IngressNginxProps extends IngressControllerBaseProps {
  /**
   * Expect a PROXY protocol header on every connection (`use-proxy-protocol`), as sent by frpc with
   * `proxyProtocolVersion`. Clients that connect without one (LAN clients hitting the LoadBalancer IP
   * directly) then fail.
   * @default INGRESS_NGINX_DEFAULT_PROXY_PROTOCOL (false)
   */
  readonly proxyProtocol?: boolean;
  /**
   * Run the validating admission webhook (and its certgen Jobs). It rejects broken Ingress objects
   * before they reach nginx; without it, a bad Ingress only shows up in the controller log.
   * @default INGRESS_NGINX_DEFAULT_ADMISSION_WEBHOOK (true)
   */
  readonly admissionWebhook?: boolean;
  /**
   * Extra controller ConfigMap entries; they override the hardened defaults
   * ({@link INGRESS_NGINX_SECURE_CONFIG}).
   * @default INGRESS_NGINX_DEFAULT_EXTRA_CONFIG ({})
   */
  readonly extraConfig?: Readonly<Record<string, string>>;
}

export const INGRESS_NGINX_DEFAULT_NAMESPACE = 'ingress-nginx';
export const INGRESS_NGINX_DEFAULT_PROXY_PROTOCOL = false;
export const INGRESS_NGINX_DEFAULT_ADMISSION_WEBHOOK = true;
export const INGRESS_NGINX_DEFAULT_EXTRA_CONFIG: Readonly<Record<string, string>> = {};

/** Controller ConfigMap entries we always set (v1.15.1 defaults made explicit, plus hardening). */
const INGRESS_NGINX_SECURE_CONFIG: Readonly<Record<string, string>> = {
  'allow-snippet-annotations': 'false',
  'annotations-risk-level': 'High',
  'server-tokens': 'false',
  'ssl-protocols': 'TLSv1.2 TLSv1.3',
  'strict-validate-path-type': 'true',
};

const INGRESS_NGINX_CONTROLLER_CLASS = 'k8s.io/ingress-nginx';

/** Object names, as upstream (an upstream install is updated in place). */
const INGRESS_NGINX_NAMES = {
  serviceAccount: 'ingress-nginx',
  role: 'ingress-nginx',
  configMap: 'ingress-nginx-controller',
  service: 'ingress-nginx-controller',
  deployment: 'ingress-nginx-controller',
  podDisruptionBudget: 'ingress-nginx-controller',
  electionId: 'ingress-nginx-leader',
} as const;

const WEBHOOK_PORT = 8443;
const HEALTH_PORT = 10254;
const CERT_DIR = '/usr/local/certificates';

/**
 * ingress-nginx (retired upstream) behind a MetalLB LoadBalancer IP: controller Deployment, Service,
 * IngressClass, hardened ConfigMap, RBAC and the optional admission webhook.
 */
export class IngressNginx extends Construct implements IIngressController {
  readonly controllerName = 'ingress-nginx';
  readonly controllerClass = INGRESS_NGINX_CONTROLLER_CLASS;
  readonly serviceName = INGRESS_NGINX_NAMES.service;
  readonly namespace: string;
  readonly className: string;
  readonly loadBalancerIP: string | undefined;
  readonly proxyProtocol: boolean;
  readonly webhookPort: number | undefined;
  readonly servicePorts: readonly IngressServicePort[] = [
    { name: 'http', port: 80, targetPort: 80, protocol: 'TCP' },
    { name: 'https', port: 443, targetPort: 443, protocol: 'TCP' },
  ];
  readonly podLabels: Readonly<Record<string, string>> = {
    'app.kubernetes.io/component': 'controller',
    'app.kubernetes.io/instance': 'ingress-nginx',
    'app.kubernetes.io/name': 'ingress-nginx',
  };
  /** Flow handle of the controller pods. */
  readonly pods: PodsEndpoint;
  /** Flow handle of the LoadBalancer Service. */
  readonly service: ServiceEndpoint;
  /** Flow handle of the admission webhook Service; undefined without the webhook. */
  readonly webhookService: ServiceEndpoint | undefined;

  /** The LoadBalancer IP itself: the tunnel shares the LAN listeners (and their PROXY protocol setting). */
  get tunnelTarget(): IngressTunnelTarget | undefined {
    return this.loadBalancerIP === undefined
      ? undefined
      : { address: this.loadBalancerIP, serviceName: this.serviceName, ports: this.servicePorts, proxyProtocol: this.proxyProtocol };
  }

  constructor(scope: Construct, id: string, props: IngressNginxProps = {}) {
    super(scope, id);
    this.namespace = props.namespace ?? INGRESS_NGINX_DEFAULT_NAMESPACE;
    this.className = props.className ?? INGRESS_DEFAULT_CLASS_NAME;
    this.loadBalancerIP = props.loadBalancerIP;
    this.proxyProtocol = props.proxyProtocol ?? INGRESS_NGINX_DEFAULT_PROXY_PROTOCOL;
    const admission = props.admissionWebhook ?? INGRESS_NGINX_DEFAULT_ADMISSION_WEBHOOK;
    this.webhookPort = admission ? WEBHOOK_PORT : undefined;
    const replicas = props.replicas ?? INGRESS_DEFAULT_REPLICAS;
    const trafficPolicy = props.externalTrafficPolicy ?? INGRESS_DEFAULT_EXTERNAL_TRAFFIC_POLICY;
    const extraConfig = props.extraConfig ?? INGRESS_NGINX_DEFAULT_EXTRA_CONFIG;
    throwIfProblems('IngressNginx', [
      checkDnsLabel('namespace', this.namespace),
      checkDnsSubdomain('className', this.className),
      checkInteger('replicas', replicas, 1),
      this.loadBalancerIP === undefined ? undefined : checkIpv4('loadBalancerIP', this.loadBalancerIP),
      checkOneOf('externalTrafficPolicy', trafficPolicy, Object.values(ExternalTrafficPolicy)),
      ...Object.keys(extraConfig).map((key) =>
        /^[a-z0-9][a-z0-9-]*$/.test(key)
          ? undefined
          : problem('extraConfig', key, 'keys must be ingress-nginx ConfigMap option names such as "proxy-body-size"'),
      ),
    ]);

    const names = INGRESS_NGINX_NAMES;
    const namespace = this.namespace;
    this.pods = Endpoint.pods({
      name: 'ingress-nginx controller',
      namespace,
      podLabels: this.podLabels,
      ports: [tcp(80, 'http'), tcp(443, 'https'), ...(admission ? [tcp(WEBHOOK_PORT, 'webhook')] : [])],
    });
    this.service = Endpoint.service({
      name: names.service,
      namespace,
      type: 'LoadBalancer',
      externalTrafficPolicy: trafficPolicy,
      ...(this.loadBalancerIP ? { loadBalancerIP: this.loadBalancerIP } : {}),
      ports: this.servicePorts.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol })),
      backends: this.pods,
    });
    this.webhookService = admission
      ? Endpoint.service({
          name: INGRESS_NGINX_ADMISSION_NAMES.service,
          namespace,
          type: 'ClusterIP',
          ports: [{ name: 'https-webhook', port: 443, targetPort: 'webhook', protocol: 'TCP' }],
          backends: this.pods,
        })
      : undefined;
    const flows = Flows.of(this);
    flows.require({
      id: 'ingress-nginx-apiserver',
      from: this.pods,
      to: Endpoint.kubernetesApi(),
      ports: [tcp(443)],
      purpose: 'watch Ingresses, Services, Secrets; leader Lease',
    });
    flows.require({
      id: 'ingress-nginx-from-lan',
      from: Endpoint.lan(),
      to: this.service,
      ports: this.servicePorts.map((p) => tcp(p.port)),
      purpose: 'LAN clients reach the apps through the LoadBalancer IP',
    });
    if (this.webhookService) {
      flows.require({
        id: 'ingress-nginx-admission-webhook',
        from: Endpoint.apiServer(),
        to: this.webhookService,
        ports: [tcp(443)],
        purpose: 'validating webhook for Ingress create/update (failurePolicy Fail)',
      });
      flows.forbid({
        id: 'ingress-nginx-webhook-from-lan',
        from: Endpoint.lan(),
        to: this.pods,
        ports: [tcp(WEBHOOK_PORT)],
        purpose: 'the webhook port stays inside the cluster',
      });
    }
    const version = VERSIONS.ingressNginx.replace(/^v/, '');
    const common = {
      'app.kubernetes.io/instance': 'ingress-nginx',
      'app.kubernetes.io/name': 'ingress-nginx',
      'app.kubernetes.io/part-of': 'ingress-nginx',
      'app.kubernetes.io/version': version,
    };
    const labels = { ...common, 'app.kubernetes.io/component': 'controller' };
    const subject = { name: names.serviceAccount, namespace };

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: names.serviceAccount, namespace, labels } });
    roleFor(this, 'Controller', { name: names.role, labels, subject, rules: namespacedRules() });
    clusterRoleFor(this, 'Controller', { name: names.role, labels: common, subject, rules: clusterRules() });

    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: names.configMap, namespace, labels },
      data: { ...INGRESS_NGINX_SECURE_CONFIG, 'use-proxy-protocol': String(this.proxyProtocol), ...extraConfig },
    });

    addIngressClass(this, {
      name: this.className,
      controller: this.controllerClass,
      labels,
      defaultClass: props.defaultClass ?? INGRESS_DEFAULT_DEFAULT_CLASS,
    });

    addLoadBalancerService(this, {
      name: names.service,
      namespace,
      labels,
      loadBalancerIP: this.loadBalancerIP,
      externalTrafficPolicy: trafficPolicy,
      ports: this.servicePorts.map((p) => ({ port: p, targetPort: p.name })),
      selector: this.podLabels,
    });

    this.addController(replicas, labels, admission);
    if (replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name: names.podDisruptionBudget, namespace, labels },
        spec: { maxUnavailable: intOrString(1), selector: { matchLabels: { ...this.podLabels } } },
      });
    }
    if (admission) {
      new IngressNginxAdmission(this, 'Admission', {
        namespace,
        controllerSelector: this.podLabels,
        webhookPortName: 'webhook',
        labels: { ...common, 'app.kubernetes.io/component': 'admission-webhook' },
      });
    }
  }

  private addController(replicas: number, labels: Readonly<Record<string, string>>, admission: boolean): void {
    const names = INGRESS_NGINX_NAMES;
    const probe = (failureThreshold: number): k8s.Probe => ({
      httpGet: { path: '/healthz', port: intOrString(HEALTH_PORT), scheme: 'HTTP' },
      failureThreshold,
      initialDelaySeconds: 10,
      periodSeconds: 10,
      successThreshold: 1,
      timeoutSeconds: 1,
    });
    const webhookArgs = [
      `--validating-webhook=:${WEBHOOK_PORT}`,
      `--validating-webhook-certificate=${CERT_DIR}/cert`,
      `--validating-webhook-key=${CERT_DIR}/key`,
    ];
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: names.deployment, namespace: this.namespace, labels: { ...labels } },
      spec: {
        replicas,
        minReadySeconds: 0,
        revisionHistoryLimit: 10,
        selector: { matchLabels: { ...this.podLabels } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: intOrString(1) } },
        template: {
          metadata: { labels: { ...labels } },
          spec: {
            serviceAccountName: names.serviceAccount,
            // The controller watches Ingresses, Services, EndpointSlices, Secrets and holds a Lease.
            automountServiceAccountToken: true,
            dnsPolicy: 'ClusterFirst',
            nodeSelector: { ...LINUX_NODE_SELECTOR },
            securityContext: podSecurity(),
            terminationGracePeriodSeconds: 300,
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...this.podLabels } } },
            ],
            containers: [
              {
                name: 'controller',
                image: imageRef(IMAGES.ingressNginxController),
                imagePullPolicy: 'IfNotPresent',
                args: [
                  '/nginx-ingress-controller',
                  `--publish-service=$(POD_NAMESPACE)/${names.service}`,
                  `--election-id=${names.electionId}`,
                  `--controller-class=${this.controllerClass}`,
                  `--ingress-class=${this.className}`,
                  `--configmap=$(POD_NAMESPACE)/${names.configMap}`,
                  ...(admission ? webhookArgs : []),
                ],
                env: [
                  fieldEnv('POD_NAME', 'metadata.name'),
                  fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                  { name: 'LD_PRELOAD', value: '/usr/local/lib/libmimalloc.so' },
                ],
                lifecycle: { preStop: { exec: { command: ['/wait-shutdown'] } } },
                livenessProbe: probe(5),
                readinessProbe: probe(3),
                ports: [
                  { name: 'http', containerPort: 80, protocol: 'TCP' },
                  { name: 'https', containerPort: 443, protocol: 'TCP' },
                  ...(admission ? [{ name: 'webhook', containerPort: WEBHOOK_PORT, protocol: 'TCP' }] : []),
                ],
                resources: resources('100m', '90Mi'),
                // Non-root (uid 101) binding 80/443 with NET_BIND_SERVICE, the one capability Pod Security
                // `restricted` allows. The root filesystem stays writable: the controller rewrites
                // /etc/nginx/nginx.conf and its Lua state on every reload.
                securityContext: containerSecurity({ runAsUser: 101, runAsGroup: 82, readOnlyRootFilesystem: false, addCapabilities: ['NET_BIND_SERVICE'] }),
                ...(admission ? { volumeMounts: [{ name: 'webhook-cert', mountPath: `${CERT_DIR}/`, readOnly: true }] } : {}),
              },
            ],
            ...(admission ? { volumes: [{ name: 'webhook-cert', secret: { secretName: INGRESS_NGINX_ADMISSION_NAMES.secret } }] } : {}),
          },
        },
      },
    });
  }
}

/** Role `ingress-nginx` (its namespace): what upstream's Role grants. */
function namespacedRules(): k8s.PolicyRule[] {
  return [
    rule([''], ['namespaces'], ['get']),
    rule([''], ['configmaps', 'pods', 'secrets', 'endpoints'], ['get', 'list', 'watch']),
    rule([''], ['services'], ['get', 'list', 'watch']),
    rule(['networking.k8s.io'], ['ingresses'], ['get', 'list', 'watch']),
    rule(['networking.k8s.io'], ['ingresses/status'], ['update']),
    rule(['networking.k8s.io'], ['ingressclasses'], ['get', 'list', 'watch']),
    rule(['coordination.k8s.io'], ['leases'], ['get', 'update'], [INGRESS_NGINX_NAMES.electionId]),
    rule(['coordination.k8s.io'], ['leases'], ['create']),
    rule([''], ['events'], ['create', 'patch']),
    rule(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch', 'get']),
  ];
}

/** ClusterRole `ingress-nginx`: what upstream's ClusterRole grants. */
function clusterRules(): k8s.PolicyRule[] {
  return [
    rule([''], ['configmaps', 'endpoints', 'nodes', 'pods', 'secrets', 'namespaces'], ['list', 'watch']),
    rule(['coordination.k8s.io'], ['leases'], ['list', 'watch']),
    rule([''], ['nodes'], ['get']),
    rule([''], ['services'], ['get', 'list', 'watch']),
    rule(['networking.k8s.io'], ['ingresses'], ['get', 'list', 'watch']),
    rule([''], ['events'], ['create', 'patch']),
    rule(['networking.k8s.io'], ['ingresses/status'], ['update']),
    rule(['networking.k8s.io'], ['ingressclasses'], ['get', 'list', 'watch']),
    rule(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch', 'get']),
  ];
}
