/**
 * NetworkPolicies computed from what the cluster runs: default deny in every namespace we own, then exactly
 * the traffic the emitted objects and the description imply. Nothing here is a hand-kept list of ports:
 * webhook ports come from the webhook configurations and their Services, public ports from the exposed
 * Services, API server access from the pods that mount a ServiceAccount token.
 *
 * hostNetwork pods (Flannel, CSI node plugins, the MetalLB speaker) share the node's network namespace;
 * NetworkPolicy does not apply to them, so they get no allows (their namespace still gets default deny,
 * which covers any pod added there later).
 */
import { isIPv4 } from 'node:net';
import { Construct } from 'constructs';
import type { K8sObject } from '../checks/types';
import { AllowEgress, AllowIngress, allowDns, allowTraffic, denyAll, Peer, Port, type PodGroup } from './network-policy';
import { mountsServiceAccountToken, podSelectorLabels, podTemplates, type PodTemplate } from './pod-template';
import { findService, isExposedService, isService, requestedLoadBalancerIPs, serviceBackend, webhookServices, type BackendPort, type ServiceBackend, type ServiceJson } from './services';

/** An address and port where pods reach the Kubernetes API. */
export interface ApiEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface AppNamespacePolicy {
  readonly name: string;
  /** Pods here receive traffic from the ingress controller (any port). */
  readonly allowIngressController: boolean;
}

export interface TunnelPolicy {
  /** Namespace of the tunnel client (frpc). */
  readonly namespace: string;
  /** Address and port the client dials (the frps bindPort). */
  readonly serverAddress: string;
  readonly serverPort: number;
  /** Where forwarded connections go: the ingress LoadBalancer IP, or a Service DNS name; and its ports. */
  readonly targetAddress: string;
  readonly targetPorts: readonly number[];
  /**
   * The Service behind `targetAddress`. When it is not exposed (a ClusterIP Service of tunnel entry points),
   * its pods admit the tunnel client's pods, and nobody else, on its ports.
   * @default - the ingress controller's LoadBalancer Service
   */
  readonly targetService?: { readonly namespace: string; readonly name: string };
}

export interface ClusterNetworkPoliciesProps {
  /** Every object the cluster render emits (pods, Services, webhook configurations, ServiceAccounts). */
  readonly objects: readonly K8sObject[];
  /** Namespaces we own; each gets default deny. */
  readonly namespaces: readonly string[];
  /** Application namespaces (a subset of `namespaces`). Their future pods get DNS. */
  readonly appNamespaces: readonly AppNamespacePolicy[];
  /** Where pods reach the API server: control-plane nodes, the VIP, the `kubernetes` Service. */
  readonly apiEndpoints: readonly ApiEndpoint[];
  /** Addresses the API server calls webhooks from (the control-plane nodes). */
  readonly controlPlaneAddresses: readonly string[];
  /** The ingress controller: its namespace and LoadBalancer IP. @default - no ingress controller */
  readonly ingressController?: { readonly namespace: string; readonly loadBalancerIP: string };
  /** ACME HTTP-01 solver pods appear in app namespaces and must be reachable from the ingress controller. @default false */
  readonly acmeHttp01?: boolean;
  /** @default - no tunnel */
  readonly tunnel?: TunnelPolicy;
}

/** Label cert-manager puts on HTTP-01 solver pods, and the port they listen on. */
export const ACME_SOLVER_LABELS: Readonly<Record<string, string>> = { 'acme.cert-manager.io/http01-solver': 'true' };
export const ACME_SOLVER_PORT = 8089;

const toPorts = (ports: readonly BackendPort[]) => ports.map((p) => (p.protocol === 'UDP' ? Port.udp(p.port) : Port.tcp(p.port)));

export class ClusterNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: ClusterNetworkPoliciesProps) {
    super(scope, id);
    const owned = new Set(props.namespaces);
    const networked = podTemplates(props.objects).filter((t) => owned.has(t.namespace) && t.spec.hostNetwork !== true);
    const apps = props.appNamespaces.filter((a) => owned.has(a.name));

    for (const namespace of [...owned].sort()) {
      const scope = new Construct(this, namespace);
      denyAll(scope, namespace);
      if (networked.some((t) => t.namespace === namespace) || apps.some((a) => a.name === namespace)) allowDns(scope, namespace);
    }
    for (const template of networked) this.allowApiServer(template, props);
    this.allowWebhooks(props, owned);
    this.allowExposedServices(props, owned);

    const controller = props.ingressController && ingressControllerBackend(props.objects, props.ingressController.namespace, props.ingressController.loadBalancerIP);
    if (controller && owned.has(controller.namespace)) {
      const from: PodGroup = { namespace: controller.namespace, podLabels: controller.podLabels };
      const scope = new Construct(this, 'IngressController');
      for (const app of apps) {
        if (app.allowIngressController) allowTraffic(scope, app.name, { from, to: { namespace: app.name } });
        if (props.acmeHttp01) {
          allowTraffic(scope, `${app.name}-acme`, { from, to: { namespace: app.name, podLabels: ACME_SOLVER_LABELS }, ports: [Port.tcp(ACME_SOLVER_PORT)], purpose: 'acme-solver' });
        }
      }
    }
    if (props.tunnel && owned.has(props.tunnel.namespace)) this.allowTunnel(props.tunnel, props.objects, networked, controller);
  }

  /** Pods that mount a ServiceAccount token talk to the API server: by node IP, VIP and Service IP (NetworkPolicy may see either side of the DNAT). */
  private allowApiServer(template: PodTemplate, props: ClusterNetworkPoliciesProps): void {
    if (!mountsServiceAccountToken(template, props.objects) || !props.apiEndpoints.length) return;
    const byPort = new Map<number, string[]>();
    for (const e of props.apiEndpoints) byPort.set(e.port, [...(byPort.get(e.port) ?? []), e.address]);
    const [first, ...rest] = [...byPort.entries()].sort(([a], [b]) => a - b);
    const name = template.object.metadata.name ?? 'pods';
    const policy = new AllowEgress(this, `${template.namespace}-${template.object.kind}-${name}-apiserver`, {
      name: `${name}-apiserver`,
      namespace: template.namespace,
      podLabels: podSelectorLabels(template),
      to: Peer.ipBlocks(first[1]),
      ports: [Port.tcp(first[0])],
    });
    for (const [port, addresses] of rest) policy.addRule(Peer.ipBlocks(addresses), [Port.tcp(port)]);
  }

  /** The API server calls admission webhooks from the control-plane nodes, on the container ports behind the webhook Service. */
  private allowWebhooks(props: ClusterNetworkPoliciesProps, owned: ReadonlySet<string>): void {
    const byService = new Map<string, { service: ServiceJson; ports: number[] }>();
    for (const hook of webhookServices(props.objects)) {
      if (!owned.has(hook.namespace)) continue;
      const service = findService(props.objects, hook.namespace, hook.name);
      if (!service) continue;
      const key = `${hook.namespace}/${hook.name}`;
      byService.set(key, { service, ports: [...(byService.get(key)?.ports ?? []), hook.port] });
    }
    for (const [key, { service, ports }] of [...byService.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const backend = serviceBackend(service, props.objects, ports);
      if (!backend.pods.length) continue;
      new AllowIngress(this, `${key.replace('/', '-')}-webhook`, {
        name: `${service.metadata.name}-webhook`,
        namespace: backend.namespace,
        podLabels: backend.podLabels,
        from: Peer.ipBlocks(props.controlPlaneAddresses),
        ports: toPorts(backend.ports),
      });
    }
  }

  /** LoadBalancer and NodePort Services are reachable from anywhere on their target ports. */
  private allowExposedServices(props: ClusterNetworkPoliciesProps, owned: ReadonlySet<string>): void {
    for (const service of props.objects.filter(isService).filter(isExposedService)) {
      const backend = serviceBackend(service, props.objects);
      if (!owned.has(backend.namespace) || !backend.pods.length) continue;
      new AllowIngress(this, `${backend.namespace}-${service.metadata.name}-public`, {
        name: `${service.metadata.name}-public`,
        namespace: backend.namespace,
        podLabels: backend.podLabels,
        from: Peer.anywhere(),
        ports: toPorts(backend.ports),
      });
    }
  }

  /** The tunnel client dials the tunnel server and forwards to the ingress IP (and, after kube-proxy's DNAT, the controller pods). */
  private allowTunnel(tunnel: TunnelPolicy, objects: readonly K8sObject[], networked: readonly PodTemplate[], controller: ServiceBackend | undefined): void {
    for (const template of networked.filter((t) => t.namespace === tunnel.namespace)) {
      const name = template.object.metadata.name ?? 'pods';
      const policy = new AllowEgress(this, `${tunnel.namespace}-${template.object.kind}-${name}-tunnel`, {
        name: `${name}-tunnel`,
        namespace: tunnel.namespace,
        podLabels: podSelectorLabels(template),
        to: Peer.ipBlock(tunnel.serverAddress),
        ports: [Port.tcp(tunnel.serverPort)],
      });
      if (isIPv4(tunnel.targetAddress)) policy.addRule(Peer.ipBlock(tunnel.targetAddress), tunnel.targetPorts.map((p) => Port.tcp(p)));
      const service = tunnel.targetService ? findService(objects, tunnel.targetService.namespace, tunnel.targetService.name) : controller?.service;
      if (!service) continue;
      const backend = serviceBackend(service, objects, tunnel.targetPorts);
      if (!backend.pods.length) continue;
      policy.addRule(Peer.pods(backend.namespace, backend.podLabels), toPorts(backend.ports));
      if (!isExposedService(service)) {
        // Tunnel entry points (they may trust PROXY protocol headers): only the tunnel client reaches them.
        new AllowIngress(this, `${backend.namespace}-${service.metadata.name}-from-${tunnel.namespace}-${name}`, {
          name: `${service.metadata.name}-from-${name}`,
          namespace: backend.namespace,
          podLabels: backend.podLabels,
          from: Peer.pods(tunnel.namespace, podSelectorLabels(template)),
          ports: toPorts(backend.ports),
        });
      }
    }
  }
}

/**
 * The ingress controller's LoadBalancer Service: the one in its namespace that asks for its IP, else the only
 * LoadBalancer Service there.
 */
export function ingressControllerBackend(objects: readonly K8sObject[], namespace: string, loadBalancerIP: string): ServiceBackend | undefined {
  const candidates = objects.filter(isService).filter((s) => (s.metadata.namespace ?? 'default') === namespace && s.spec?.type === 'LoadBalancer');
  const service = candidates.find((s) => requestedLoadBalancerIPs(s).includes(loadBalancerIP)) ?? (candidates.length === 1 ? candidates[0] : undefined);
  if (!service) return undefined;
  const backend = serviceBackend(service, objects);
  return backend.pods.length ? backend : undefined;
}
