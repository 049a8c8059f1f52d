/**
 * The flow catalogue's vocabulary: the ends of a connection (endpoints), the ports it uses, and the flow
 * itself. Endpoints are typed handles built from what a construct already knows (its namespace, pod labels,
 * container ports, Services), never read back from synthesized JSON.
 */

export type Labels = Readonly<Record<string, string>>;
export type Protocol = 'TCP' | 'UDP';

/** A port a connection targets. `name` is the container port name, when the port is a container port. */
export interface FlowPort {
  readonly protocol: Protocol;
  readonly port: number;
  readonly name?: string;
}

/** A TCP port of a flow, optionally named (`tcp(443, 'https')`). */
export function tcp(port: number, name?: string): FlowPort {
  return { protocol: 'TCP', port, ...(name ? { name } : {}) };
}

/** A UDP port of a flow, optionally named (`udp(53, 'dns')`). */
export function udp(port: number, name?: string): FlowPort {
  return { protocol: 'UDP', port, ...(name ? { name } : {}) };
}

/** Where hostNetwork pods (and host processes) run. */
export type NodeSet = 'control-plane' | 'all';

/** Pods of one workload (or every pod of a namespace, with empty `podLabels`). */
export interface PodsEndpoint {
  readonly kind: 'pods';
  /** Readable name for messages and the matrix, e.g. `ingress-nginx controller`. */
  readonly name: string;
  readonly namespace: string;
  /** Labels that select the pods; `{}` means every pod of the namespace. */
  readonly podLabels: Labels;
  /** hostNetwork pods carry their node's IP and no NetworkPolicy selects or isolates them. */
  readonly hostNetwork: boolean;
  /** Container ports (with their names), for named-port rules and Service targetPorts. */
  readonly ports: readonly FlowPort[];
  /** Nodes a hostNetwork workload runs on (its address set). @default 'all' */
  readonly nodes?: NodeSet;
}

/** kube-apiserver: a hostNetwork static pod on every control-plane node, listening on the bind port. */
export interface ApiServerEndpoint {
  readonly kind: 'api-server';
  readonly name: string;
}

/** Host processes on the nodes (kubelet, hostNetwork agents): they carry the node IP. */
export interface NodesEndpoint {
  readonly kind: 'nodes';
  readonly name: string;
  readonly nodes: NodeSet;
}

/** Clients on the LAN that are not Kubernetes nodes. */
export interface LanEndpoint {
  readonly kind: 'lan';
  readonly name: string;
}

/**
 * Clients on the Internet. Without `via` they arrive with their own (public) address, e.g. through a router
 * port-forward to a LoadBalancer IP; with `via` they arrive through a tunnel client, and the packet the
 * destination sees comes from those pods.
 */
export interface InternetEndpoint {
  readonly kind: 'internet';
  readonly name: string;
  readonly via?: PodsEndpoint;
}

/** One fixed address outside the cluster, e.g. the VPS running frps. */
export interface ExternalEndpoint {
  readonly kind: 'external';
  readonly name: string;
  readonly address: string;
}

/** A Service port and the port it forwards to on the backends (a number, or a container port name). */
export interface ServicePortSpec {
  readonly name?: string;
  readonly port: number;
  readonly targetPort: number | string;
  readonly protocol: Protocol;
}

/**
 * A Service: traffic to it is DNATed to its endpoints before NetworkPolicy sees it, so the flow is checked
 * (and allowed) against the backends and their target ports.
 */
export interface ServiceEndpoint {
  readonly kind: 'service';
  readonly name: string;
  readonly namespace: string;
  readonly type: 'ClusterIP' | 'LoadBalancer';
  readonly ports: readonly ServicePortSpec[];
  /** What the selector matches (pods), or the API server for `default/kubernetes`. */
  readonly backends: PodsEndpoint | ApiServerEndpoint;
  /** LoadBalancer only. @default 'Cluster' */
  readonly externalTrafficPolicy?: 'Local' | 'Cluster';
  /** LoadBalancer only: the address requested from MetalLB. */
  readonly loadBalancerIP?: string;
}

/**
 * One end of a flow: pods, a Service, nodes, the API server, the LAN, the Internet or an outside address.
 */
export type Endpoint = PodsEndpoint | ApiServerEndpoint | NodesEndpoint | LanEndpoint | InternetEndpoint | ExternalEndpoint | ServiceEndpoint;

/** Label of the API server's port in `default/kubernetes`; resolved to the cluster's bind port by the dataplane. */
export const API_SERVER_PORT_NAME = 'https';

/** Constructors for endpoints. */
export const Endpoint = {
  /** Pods selected by `podLabels` in `namespace` (every pod of it when `podLabels` is `{}`). */
  pods(props: { name: string; namespace: string; podLabels?: Labels; ports?: readonly FlowPort[]; hostNetwork?: boolean; nodes?: NodeSet }): PodsEndpoint {
    return {
      kind: 'pods',
      name: props.name,
      namespace: props.namespace,
      podLabels: { ...(props.podLabels ?? {}) },
      hostNetwork: props.hostNetwork ?? false,
      ports: [...(props.ports ?? [])],
      ...(props.nodes ? { nodes: props.nodes } : {}),
    };
  },
  apiServer(): ApiServerEndpoint {
    return { kind: 'api-server', name: 'kube-apiserver' };
  },
  nodes(nodes: NodeSet = 'all', name = nodes === 'all' ? 'nodes (kubelet)' : 'control-plane nodes'): NodesEndpoint {
    return { kind: 'nodes', name, nodes };
  },
  lan(): LanEndpoint {
    return { kind: 'lan', name: 'LAN clients' };
  },
  internet(via?: PodsEndpoint): InternetEndpoint {
    return { kind: 'internet', name: via ? `Internet clients via ${via.name}` : 'Internet clients', ...(via ? { via } : {}) };
  },
  external(name: string, address: string): ExternalEndpoint {
    return { kind: 'external', name, address };
  },
  service(props: Omit<ServiceEndpoint, 'kind'>): ServiceEndpoint {
    return { kind: 'service', ...props };
  },
  /** `default/kubernetes`: 443 to the API server's bind port on the control-plane nodes. */
  kubernetesApi(): ServiceEndpoint {
    return {
      kind: 'service',
      name: 'kubernetes',
      namespace: 'default',
      type: 'ClusterIP',
      ports: [{ name: 'https', port: 443, targetPort: API_SERVER_PORT_NAME, protocol: 'TCP' }],
      backends: { kind: 'api-server', name: 'kube-apiserver' },
    };
  },
  /** Cluster DNS as kubeadm deploys it: Service `kube-system/kube-dns` in front of the CoreDNS pods. */
  clusterDns(): ServiceEndpoint {
    const coredns = Endpoint.pods({
      name: 'CoreDNS',
      namespace: 'kube-system',
      podLabels: { 'k8s-app': 'kube-dns' },
      ports: [udp(53, 'dns'), tcp(53, 'dns-tcp'), tcp(9153, 'metrics')],
    });
    return {
      kind: 'service',
      name: 'kube-dns',
      namespace: 'kube-system',
      type: 'ClusterIP',
      ports: [
        { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
      ],
      backends: coredns,
    };
  },
};

/** DNS: UDP and TCP 53. */
export const DNS_PORTS: readonly FlowPort[] = [udp(53), tcp(53)];

/** A connection the cluster needs (`allow`) or must never carry (`deny`). */
export interface FlowDeclaration {
  /**
   * Unique in the catalogue; lowercase letters, digits and `-`. Also the name of the NetworkPolicies that
   * allow it (unless `policyName` is given), so keep it short and readable.
   */
  readonly id: string;
  readonly from: Endpoint;
  readonly to: Endpoint;
  /** Ports the client dials (the Service port for a Service). @default [] (every port) */
  readonly ports?: readonly FlowPort[];
  /** Why, in a few words; shown in the flow matrix. */
  readonly purpose: string;
  /** Name of the generated NetworkPolicies. @default the id */
  readonly policyName?: string;
}

/**
 * A declared flow as the catalogue holds it: the declaration, whether it must be allowed or denied, its
 * ports, and who declared it.
 */
export interface Flow extends FlowDeclaration {
  readonly expect: 'allow' | 'deny';
  readonly ports: readonly FlowPort[];
  /** Construct path of the declaring component. */
  readonly declaredBy: string;
}

/** Readable name of an endpoint, with its namespace where it has one. */
export function endpointLabel(e: Endpoint): string {
  switch (e.kind) {
    case 'pods':
      return `${e.namespace}/${e.name}${e.hostNetwork ? ' (hostNetwork)' : ''}`;
    case 'service':
      return `Service ${e.namespace}/${e.name}`;
    case 'external':
      return `${e.name} (${e.address})`;
    default:
      return e.name;
  }
}

export function portsLabel(ports: readonly FlowPort[]): string {
  return ports.length ? ports.map((p) => `${p.port}/${p.protocol}`).join(', ') : 'all';
}
