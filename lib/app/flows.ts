/**
 * The cluster's flows that span components, composed from their handles (the components declare their own
 * in their constructors), plus the dataplane this description builds. The security layer turns the
 * catalogue into NetworkPolicies; the `flows` output check proves them.
 */
import type { App } from 'cdk8s';
import { Construct } from 'constructs';
import type { IIngressController } from '../components';
import { Endpoint, Flows, tcp, DNS_PORTS, type Dataplane, type PodsEndpoint, type ServiceEndpoint } from '../flows';
import type { ClusterModel } from '../model/types';
import type { Platform } from './platform';

/** Label cert-manager puts on HTTP-01 solver pods, and the port they listen on. */
const ACME_SOLVER_LABELS: Readonly<Record<string, string>> = { 'acme.cert-manager.io/http01-solver': 'true' };
const ACME_SOLVER_PORT = 8089;

/** The dataplane this description builds. */
export function dataplaneOf(model: ClusterModel): Dataplane {
  return {
    podCidr: model.kubernetes.podCidr,
    flannelBackend: model.cni.backend,
    kubeProxyMode: model.kubernetes.kubeProxyMode,
    serviceCidr: model.kubernetes.serviceCidr,
    lanCidr: model.lan.cidr,
    apiServerPort: model.apiServer.bindPort,
    nodes: model.hosts.filter((h) => h.isNode).map((h) => ({ name: h.name, ip: h.ip, controlPlane: h.roles.includes('control-plane') })),
  };
}

/** Handles of an ingress controller: its own when it offers them, else derived from the interface fields. */
function ingressHandles(ingress: IIngressController): { pods: PodsEndpoint; service: ServiceEndpoint } {
  const pods =
    ingress.pods ??
    Endpoint.pods({
      name: `${ingress.controllerName} controller`,
      namespace: ingress.namespace,
      podLabels: ingress.podLabels,
      ports: ingress.servicePorts.map((p) => tcp(p.targetPort, p.name)),
    });
  const service =
    ingress.service ??
    Endpoint.service({
      name: ingress.serviceName,
      namespace: ingress.namespace,
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ...(ingress.loadBalancerIP ? { loadBalancerIP: ingress.loadBalancerIP } : {}),
      ports: ingress.servicePorts.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol })),
      backends: pods,
    });
  return { pods, service };
}

/**
 * Flows between components and toward the application namespaces:
 * - every isolated namespace resolves names (`allow-dns`);
 * - the ingress controller reaches the app pods (every port) and cert-manager's HTTP-01 solvers;
 * - Internet clients reach the ingress through frpc (or, without a tunnel, a router port-forward);
 * - must-deny: the LAN and the Internet straight to app pods, app pods to frpc and to the Kubernetes API.
 */
export function declareClusterFlows(app: App, platform: Platform, model: ClusterModel, isolatedNamespaces: readonly string[]): void {
  const scope = new Construct(app, 'flows');
  const flows = Flows.of(scope);
  const ingress = ingressHandles(platform.ingress);
  for (const ns of isolatedNamespaces) {
    flows.require({
      id: `${ns}-dns`,
      policyName: 'allow-dns',
      from: Endpoint.pods({ name: 'every pod', namespace: ns }),
      to: Endpoint.clusterDns(),
      ports: DNS_PORTS,
      purpose: 'name resolution',
    });
  }
  // The tunnel goes where the controller says: Traefik's ClusterIP Service of tunnel entry points, else the LoadBalancer Service.
  if (platform.frpc) platform.frpc.forwardsTo(platform.ingress.tunnelService ?? ingress.service);
  else {
    // Without a tunnel, the Internet reaches the ingress through a router port-forward to the LoadBalancer IP.
    flows.require({
      id: 'ingress-from-internet',
      from: Endpoint.internet(),
      to: ingress.service,
      ports: ingress.service.ports.map((p) => tcp(p.port)),
      purpose: 'Internet clients through a router port-forward to the LoadBalancer IP',
    });
  }
  if (platform.balancerStats) {
    const stats = platform.balancerStats;
    // The ingress controller proxies the public stats host straight to the balancers' LAN addresses.
    stats.backends.forEach((backend, i) =>
      flows.require({
        id: `ingress-to-${stats.serviceName}-${i}`,
        policyName: `ingress-to-${stats.serviceName}`,
        from: ingress.pods,
        to: backend,
        ports: [stats.backendPort],
        purpose: 'HAProxy stats published over TLS by the ingress',
      }),
    );
  }
  for (const ns of model.namespaces) {
    const appPods = Endpoint.pods({ name: 'app pods', namespace: ns.name });
    if (ns.allowIngressController) {
      flows.require({ id: `ingress-to-${ns.name}`, from: ingress.pods, to: appPods, purpose: 'the ingress controller proxies to app backends' });
    }
    if (model.acme?.solver.type === 'http01') {
      flows.require({
        id: `ingress-to-${ns.name}-acme`,
        from: ingress.pods,
        to: Endpoint.pods({ name: 'ACME HTTP-01 solver', namespace: ns.name, podLabels: ACME_SOLVER_LABELS, ports: [tcp(ACME_SOLVER_PORT, 'http')] }),
        ports: [tcp(ACME_SOLVER_PORT)],
        purpose: "Let's Encrypt HTTP-01 challenges, through the ingress",
      });
    }
    flows.forbid({ id: `lan-to-${ns.name}`, from: Endpoint.lan(), to: appPods, purpose: 'apps are published only through the ingress' });
    flows.forbid({ id: `internet-to-${ns.name}`, from: Endpoint.internet(), to: appPods, purpose: 'apps are published only through the ingress' });
    flows.forbid({
      id: `${ns.name}-to-apiserver`,
      from: appPods,
      to: Endpoint.kubernetesApi(),
      ports: [tcp(443)],
      purpose: 'apps get no API access unless you add a policy',
    });
    if (platform.frpc) flows.forbid({ id: `${ns.name}-to-frpc`, from: appPods, to: platform.frpc.pods, purpose: 'the tunnel client is not an app backend' });
    const tunnelService = platform.ingress.tunnelService;
    if (tunnelService) {
      flows.forbid({
        id: `${ns.name}-to-tunnel-entry-points`,
        from: appPods,
        to: ingress.pods,
        ports: tunnelService.ports.map((p) =>
          tcp(typeof p.targetPort === 'number' ? p.targetPort : (ingress.pods.ports.find((q) => q.name === p.targetPort)?.port ?? 0)),
        ),
        purpose: 'only frpc may reach the entry points that trust PROXY protocol headers',
      });
    }
  }
}
