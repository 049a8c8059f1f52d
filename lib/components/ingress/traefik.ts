/**
 * Traefik v3.7 with its kubernetesIngressNGINX provider behind a MetalLB LoadBalancer: it serves the Ingress
 * objects written for ingress-nginx (`ingressClassName: nginx`, `nginx.ingress.kubernetes.io/*` annotations)
 * without CRDs. Facts from `../shared/upstream/traefik-v3.7.9/` (provider reference, RBAC, entry points).
 *
 * Public traffic from a tunnel client gets entry points of its own (`tunnel-web`, `tunnel-websecure`) on a
 * ClusterIP Service, so they are not on the LAN LoadBalancer at all; only they honour PROXY protocol, and only
 * from `tunnel.proxyProtocolTrustedIPs`. LAN and in-cluster clients keep plain listeners on the ingress IP.
 *
 * Why "only from frpc" holds: Traefik's `trustedIPs` takes addresses, and frpc's pod address changes, so the
 * list is the pod CIDR. The NetworkPolicies (lib/security) admit only the tunnel client's pods to the tunnel
 * ports; the two together are what restricts PROXY headers to frpc. Without NetworkPolicy enforcement any pod
 * could claim any client address on these ports.
 */
import { k8s } from '../../k8s/api';
import { Construct } from 'constructs';
import { Endpoint, Flows, tcp, type PodsEndpoint, type ServiceEndpoint } from '../../flows';
import { IMAGES, imageRef, VERSIONS } from '../../versions';
import { contentHash } from '../private/hash';
import { containerSecurity, intOrString, LINUX_NODE_SELECTOR, podSecurity, resources } from '../private/pod';
import { clusterRoleFor, rule } from '../private/rbac';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, checkIpv4, checkOneOf, isIpv4, isIpv4Cidr, problem, throwIfProblems } from '../private/validation';
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
import { addIngressClass, addLoadBalancerService, servicePort } from './ingress-objects';
import { renderTraefikConfig, type TraefikEntryPoint } from './traefik-config';

/** The tunnel entry points of {@link Traefik}: where a tunnel client (frpc) sends public traffic. */
export interface TraefikTunnelProps {
  /**
   * Sources whose PROXY protocol header the tunnel entry points honour (CIDRs or addresses): the pod CIDR,
   * paired with a NetworkPolicy that admits only the tunnel client's pods. Empty: PROXY protocol off.
   * @default TRAEFIK_DEFAULT_TUNNEL_TRUSTED_IPS ([])
   */
  readonly proxyProtocolTrustedIPs?: readonly string[];
}

/** Props of {@link Traefik}. */
export interface TraefikProps extends IngressControllerBaseProps {
  /**
   * Namespace whose Ingresses are served (provider `watchNamespace`).
   * @default - every namespace, as ingress-nginx does
   */
  readonly watchNamespace?: string;
  /**
   * Entry points and a ClusterIP Service for a tunnel client.
   * @default - none: no tunnel entry points
   */
  readonly tunnel?: TraefikTunnelProps;
}

export const TRAEFIK_DEFAULT_NAMESPACE = 'traefik';
export const TRAEFIK_DEFAULT_TUNNEL_TRUSTED_IPS: readonly string[] = [];

/**
 * IngressClass `spec.controller` the provider selects by default (`controllerClass`): the same value as
 * ingress-nginx, so the existing `nginx` IngressClass and its Ingresses carry over unchanged.
 */
export const TRAEFIK_CONTROLLER_CLASS = 'k8s.io/ingress-nginx';

const TRAEFIK_NAMES = {
  serviceAccount: 'traefik',
  clusterRole: 'traefik-ingress-nginx-controller',
  configMap: 'traefik-config',
  service: 'traefik',
  tunnelService: 'traefik-tunnel',
  deployment: 'traefik',
  podDisruptionBudget: 'traefik',
} as const;

/** Entry point names and their (unprivileged) container ports. */
export const TRAEFIK_ENTRY_POINTS = {
  web: { name: 'web', port: 8000 },
  websecure: { name: 'websecure', port: 8443 },
  tunnelWeb: { name: 'tunnel-web', port: 8001 },
  tunnelWebsecure: { name: 'tunnel-websecure', port: 8444 },
  /** Internal entry point of `/ping`. */
  traefik: { name: 'traefik', port: 8080 },
} as const;

/** The image runs as this non-root user (no USER in the image; any uid works, nothing is written to /). */
const TRAEFIK_UID = 65532;
const CONFIG_DIR = '/etc/traefik';

/**
 * Traefik behind a MetalLB LoadBalancer IP, serving the Ingress objects written for ingress-nginx (class and
 * annotations) without CRDs; with a tunnel, its own ClusterIP entry points for the tunnel client.
 */
export class Traefik extends Construct implements IIngressController {
  readonly controllerName = 'traefik';
  readonly controllerClass = TRAEFIK_CONTROLLER_CLASS;
  readonly serviceName = TRAEFIK_NAMES.service;
  readonly namespace: string;
  readonly className: string;
  readonly loadBalancerIP: string | undefined;
  /** The LAN listeners never expect PROXY protocol. */
  readonly proxyProtocol = false;
  /** No admission webhook. */
  readonly webhookPort = undefined;
  readonly servicePorts: readonly IngressServicePort[] = [
    { name: 'http', port: 80, targetPort: TRAEFIK_ENTRY_POINTS.web.port, protocol: 'TCP' },
    { name: 'https', port: 443, targetPort: TRAEFIK_ENTRY_POINTS.websecure.port, protocol: 'TCP' },
  ];
  readonly podLabels: Readonly<Record<string, string>> = {
    'app.kubernetes.io/component': 'controller',
    'app.kubernetes.io/instance': 'traefik',
    'app.kubernetes.io/name': 'traefik',
  };
  readonly tunnelTarget: IngressTunnelTarget | undefined;
  /** Flow handle of the controller pods (every entry point). */
  readonly pods: PodsEndpoint;
  /** Flow handle of the LAN LoadBalancer Service. */
  readonly service: ServiceEndpoint;
  /** Flow handle of the tunnel entry points' ClusterIP Service; undefined without a tunnel. */
  readonly tunnelService: ServiceEndpoint | undefined;
  /** The rendered static configuration (`traefik.yml`). */
  readonly config: string;

  constructor(scope: Construct, id: string, props: TraefikProps = {}) {
    super(scope, id);
    this.namespace = props.namespace ?? TRAEFIK_DEFAULT_NAMESPACE;
    this.className = props.className ?? INGRESS_DEFAULT_CLASS_NAME;
    this.loadBalancerIP = props.loadBalancerIP;
    const replicas = props.replicas ?? INGRESS_DEFAULT_REPLICAS;
    const trafficPolicy = props.externalTrafficPolicy ?? INGRESS_DEFAULT_EXTERNAL_TRAFFIC_POLICY;
    const trusted = props.tunnel ? (props.tunnel.proxyProtocolTrustedIPs ?? TRAEFIK_DEFAULT_TUNNEL_TRUSTED_IPS) : [];
    throwIfProblems('Traefik', [
      checkDnsLabel('namespace', this.namespace),
      checkDnsSubdomain('className', this.className),
      checkInteger('replicas', replicas, 1),
      this.loadBalancerIP === undefined ? undefined : checkIpv4('loadBalancerIP', this.loadBalancerIP),
      checkOneOf('externalTrafficPolicy', trafficPolicy, Object.values(ExternalTrafficPolicy)),
      props.watchNamespace === undefined ? undefined : checkDnsLabel('watchNamespace', props.watchNamespace),
      ...trusted.map((cidr, i) =>
        isIpv4Cidr(cidr) || isIpv4(cidr)
          ? undefined
          : problem(`tunnel.proxyProtocolTrustedIPs[${i}]`, cidr, 'must be an IPv4 CIDR such as "10.244.0.0/16" or an IPv4 address'),
      ),
    ]);

    const ep = TRAEFIK_ENTRY_POINTS;
    const tunnelPorts: IngressServicePort[] = [
      { name: 'http', port: 80, targetPort: ep.tunnelWeb.port, protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: ep.tunnelWebsecure.port, protocol: 'TCP' },
    ];
    this.tunnelTarget = props.tunnel
      ? {
          address: `${TRAEFIK_NAMES.tunnelService}.${this.namespace}.svc`,
          serviceName: TRAEFIK_NAMES.tunnelService,
          ports: tunnelPorts,
          proxyProtocol: trusted.length > 0,
        }
      : undefined;

    const proxy = trusted.length ? { proxyProtocolTrustedIPs: trusted } : {};
    const entryPoints: TraefikEntryPoint[] = [
      ep.web,
      ep.websecure,
      ...(props.tunnel
        ? [
            { ...ep.tunnelWeb, ...proxy },
            { ...ep.tunnelWebsecure, ...proxy },
          ]
        : []),
      ep.traefik,
    ];
    const namespace = this.namespace;
    this.config = renderTraefikConfig({
      entryPoints,
      pingEntryPoint: ep.traefik.name,
      ingressClass: this.className,
      controllerClass: this.controllerClass,
      publishService: `${namespace}/${TRAEFIK_NAMES.service}`,
      watchNamespace: props.watchNamespace,
    });

    const names = TRAEFIK_NAMES;
    this.pods = Endpoint.pods({ name: 'traefik controller', namespace, podLabels: this.podLabels, ports: entryPoints.map((e) => tcp(e.port, e.name)) });
    this.service = Endpoint.service({
      name: names.service,
      namespace,
      type: 'LoadBalancer',
      externalTrafficPolicy: trafficPolicy,
      ...(this.loadBalancerIP ? { loadBalancerIP: this.loadBalancerIP } : {}),
      ports: [
        { name: 'http', port: 80, targetPort: ep.web.name, protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: ep.websecure.name, protocol: 'TCP' },
      ],
      backends: this.pods,
    });
    this.tunnelService = props.tunnel
      ? Endpoint.service({
          name: names.tunnelService,
          namespace,
          type: 'ClusterIP',
          ports: [
            { name: 'http', port: 80, targetPort: ep.tunnelWeb.name, protocol: 'TCP' },
            { name: 'https', port: 443, targetPort: ep.tunnelWebsecure.name, protocol: 'TCP' },
          ],
          backends: this.pods,
        })
      : undefined;
    const flows = Flows.of(this);
    flows.require({
      id: 'traefik-apiserver',
      from: this.pods,
      to: Endpoint.kubernetesApi(),
      ports: [tcp(443)],
      purpose: 'watch Ingresses, IngressClasses, Services, EndpointSlices, Secrets; write Ingress status',
    });
    flows.require({
      id: 'traefik-from-lan',
      from: Endpoint.lan(),
      to: this.service,
      ports: [tcp(80), tcp(443)],
      purpose: 'LAN clients reach the apps through the LoadBalancer IP (plain entry points)',
    });
    const internal = [tcp(ep.traefik.port), ...(props.tunnel ? [tcp(ep.tunnelWeb.port), tcp(ep.tunnelWebsecure.port)] : [])];
    flows.forbid({
      id: 'traefik-internal-from-lan',
      from: Endpoint.lan(),
      to: this.pods,
      ports: internal,
      purpose: 'the tunnel entry points (PROXY protocol) and /ping are not for LAN clients',
    });
    flows.forbid({
      id: 'traefik-internal-from-internet',
      from: Endpoint.internet(),
      to: this.pods,
      ports: internal,
      purpose: 'the tunnel entry points are reached through frpc only',
    });
    const version = VERSIONS.traefik.replace(/^v/, '');
    const common = { 'app.kubernetes.io/instance': 'traefik', 'app.kubernetes.io/name': 'traefik', 'app.kubernetes.io/version': version };
    const labels = { ...common, 'app.kubernetes.io/component': 'controller' };

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: names.serviceAccount, namespace, labels } });
    clusterRoleFor(this, 'Controller', { name: names.clusterRole, labels, subject: { name: names.serviceAccount, namespace }, rules: traefikClusterRules() });

    new k8s.KubeConfigMap(this, 'Config', { metadata: { name: names.configMap, namespace, labels }, data: { 'traefik.yml': this.config } });

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
      ports: [
        { port: this.servicePorts[0], targetPort: ep.web.name },
        { port: this.servicePorts[1], targetPort: ep.websecure.name },
      ],
      selector: this.podLabels,
    });
    if (props.tunnel) {
      new k8s.KubeService(this, 'TunnelService', {
        metadata: { name: names.tunnelService, namespace, labels: { ...labels, 'app.kubernetes.io/component': 'tunnel' } },
        spec: {
          type: 'ClusterIP',
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
          ports: [servicePort(tunnelPorts[0], ep.tunnelWeb.name), servicePort(tunnelPorts[1], ep.tunnelWebsecure.name)],
          selector: { ...this.podLabels },
        },
      });
    }

    this.addDeployment(replicas, labels, entryPoints);
    if (replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name: names.podDisruptionBudget, namespace, labels },
        spec: { maxUnavailable: intOrString(1), selector: { matchLabels: { ...this.podLabels } } },
      });
    }
  }

  private addDeployment(replicas: number, labels: Readonly<Record<string, string>>, entryPoints: readonly TraefikEntryPoint[]): void {
    const ping = TRAEFIK_ENTRY_POINTS.traefik;
    const probe = (failureThreshold: number): k8s.Probe => ({
      httpGet: { path: '/ping', port: intOrString(ping.name), scheme: 'HTTP' },
      failureThreshold,
      initialDelaySeconds: 2,
      periodSeconds: 10,
      successThreshold: 1,
      timeoutSeconds: 2,
    });
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: TRAEFIK_NAMES.deployment, namespace: this.namespace, labels: { ...labels } },
      spec: {
        replicas,
        revisionHistoryLimit: 10,
        selector: { matchLabels: { ...this.podLabels } },
        // A new pod is Ready before an old one stops: the LoadBalancer keeps an endpoint during a rollout.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: intOrString(0), maxSurge: intOrString(1) } },
        template: {
          metadata: {
            labels: { ...labels },
            // A changed traefik.yml rolls the pods (Traefik reads its static configuration once).
            annotations: { 'checksum/config': contentHash(this.config) },
          },
          spec: {
            serviceAccountName: TRAEFIK_NAMES.serviceAccount,
            // The provider watches Ingresses, Services, EndpointSlices, Secrets and writes Ingress status.
            automountServiceAccountToken: true,
            nodeSelector: { ...LINUX_NODE_SELECTOR },
            securityContext: podSecurity(TRAEFIK_UID),
            terminationGracePeriodSeconds: 60,
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...this.podLabels } } },
            ],
            containers: [
              {
                name: 'traefik',
                image: imageRef(IMAGES.traefik),
                imagePullPolicy: 'IfNotPresent',
                args: [`--configFile=${CONFIG_DIR}/traefik.yml`],
                ports: entryPoints.map((e) => ({ name: e.name, containerPort: e.port, protocol: 'TCP' })),
                livenessProbe: probe(3),
                readinessProbe: probe(1),
                resources: resources('100m', '64Mi'),
                // Listens on unprivileged ports only, so no capability at all; nothing is written but /tmp.
                securityContext: containerSecurity({ runAsUser: TRAEFIK_UID, runAsGroup: TRAEFIK_UID }),
                volumeMounts: [
                  { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: TRAEFIK_NAMES.configMap } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    });
  }
}

/**
 * ClusterRole of the kubernetesIngressNGINX provider: upstream `kubernetes-ingress-nginx-rbac.yml` (v3.7.9).
 * `namespaces` is only used with `watchNamespaceSelector` and `pods get` only for OpenTelemetry attributes;
 * both stay so the role covers the upstream one exactly.
 */
function traefikClusterRules(): k8s.PolicyRule[] {
  return [
    rule([''], ['services', 'secrets', 'configmaps'], ['list', 'watch']),
    rule([''], ['namespaces'], ['list', 'watch']),
    rule([''], ['pods'], ['get']),
    rule(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch']),
    rule(['networking.k8s.io'], ['ingresses', 'ingressclasses'], ['list', 'watch']),
    rule(['networking.k8s.io'], ['ingresses/status'], ['update']),
  ];
}
