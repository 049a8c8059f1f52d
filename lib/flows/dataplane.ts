/**
 * The packet as the destination sees it, on this cluster's dataplane: Flannel (vxlan or host-gw), kube-proxy
 * (iptables, ipvs or nftables) and kube-network-policies.
 *
 * Rules (sources: /work notes "cluster-facts", Flannel `pkg/trafficmngr/iptables`, kube-network-policies #65,
 * the Kubernetes NetworkPolicy documentation):
 * - A pod's packets carry its pod IP. hostNetwork pods, the API server and the kubelet carry their node IP
 *   and are never matched by podSelector or namespaceSelector.
 * - A host talking to a pod on ANOTHER node: with vxlan the packet leaves through flannel.1 and carries the
 *   sender's flannel.1 address, the `.0` of the sender's pod subnet (Flannel masquerades
 *   `! -s podCidr -d podCidr`, kube-proxy masquerades ClusterIP traffic from outside the cluster CIDR, and the
 *   route via flannel.1 picks that address). Node pod subnets are allocated dynamically, so any
 *   subnet-aligned `.0` in the pod CIDR is possible. With host-gw the route goes out of the LAN interface: the
 *   packet carries the sender's node IP.
 * - Traffic from a pod's own node is always allowed (NetworkPolicy's node exception; kube-network-policies
 *   does not subject node-originated traffic to policy): kubelet probes and same-node calls need no rule.
 * - LoadBalancer with externalTrafficPolicy Local keeps the client address; with Cluster the forwarding
 *   node masquerades (a host source as above). Pods connecting to the LoadBalancer IP are DNATed to the
 *   endpoints by kube-proxy (every mode), keeping the pod address.
 * - Egress to a Service is evaluated against its endpoints after DNAT, on the target port.
 * kube-proxy's mode does not change any of these addresses for the traffic modelled here; it is recorded
 * so the matrix says which dataplane was assumed.
 */
import { ipToInt, parseCidr } from '../model/ip';
import { AddressSet } from './addresses';
import type { NodeSet } from './types';

/** A cluster node as the dataplane sees it. */
export interface DataplaneNode {
  readonly name: string;
  readonly ip: string;
  readonly controlPlane: boolean;
}

/**
 * The addresses a packet really has on this cluster (pod CIDR, Flannel backend, kube-proxy mode, LAN,
 * Service CIDR, API server port, nodes): what the flow checker evaluates NetworkPolicies for.
 */
export interface Dataplane {
  /** The cluster's pod CIDR (Flannel Network, kubeadm podSubnet). */
  readonly podCidr: string;
  /** Prefix length of each node's pod subnet (Flannel SubnetLen). @default 24 */
  readonly nodeSubnetPrefix?: number;
  readonly flannelBackend: 'vxlan' | 'host-gw';
  readonly kubeProxyMode: 'iptables' | 'ipvs' | 'nftables';
  readonly serviceCidr: string;
  readonly lanCidr: string;
  /** Port kube-apiserver binds on the control-plane nodes. */
  readonly apiServerPort: number;
  /** Kubernetes nodes. */
  readonly nodes: readonly DataplaneNode[];
}

const DEFAULT_NODE_SUBNET_PREFIX = 24;

export function nodeAddresses(dp: Dataplane, set: NodeSet): AddressSet {
  return AddressSet.addresses(dp.nodes.filter((n) => set === 'all' || n.controlPlane).map((n) => ipToInt(n.ip)));
}

export function nodeCidrs(dp: Dataplane, set: NodeSet): string[] {
  return [...new Set(dp.nodes.filter((n) => set === 'all' || n.controlPlane).map((n) => `${n.ip}/32`))].sort();
}

/** Every address a pod can have. */
export function podAddresses(dp: Dataplane): AddressSet {
  return AddressSet.of(dp.podCidr);
}

/** The flannel.1 addresses (vxlan): the first address of every possible node pod subnet in the pod CIDR. */
function flannelTunnelAddresses(dp: Dataplane): AddressSet {
  const range = parseCidr(dp.podCidr)!;
  const prefix = Math.max(dp.nodeSubnetPrefix ?? DEFAULT_NODE_SUBNET_PREFIX, Number(dp.podCidr.split('/')[1]));
  const step = 2 ** (32 - prefix);
  const values: number[] = [];
  for (let v = range.first; v <= range.last; v += step) values.push(v);
  return AddressSet.addresses(values);
}

/** What a host on one of `senders` presents to a pod on another node. */
export interface HostPresentation {
  readonly addresses: AddressSet;
  /** For ipBlocks: the narrowest CIDRs that hold every such address. */
  readonly cidrs: readonly string[];
  readonly explain: string;
}

export function remoteHostSource(dp: Dataplane, senders: NodeSet): HostPresentation {
  if (dp.flannelBackend === 'vxlan') {
    return {
      addresses: flannelTunnelAddresses(dp),
      cidrs: [dp.podCidr],
      explain: `the sending node's flannel.1 address (a subnet .0 in ${dp.podCidr})`,
    };
  }
  return { addresses: nodeAddresses(dp, senders), cidrs: nodeCidrs(dp, senders), explain: `the sending node's IP (host-gw)` };
}

/** Whether a host on `senders` can talk to a pod on another node (more than one node). */
export function remotePossible(dp: Dataplane): boolean {
  return dp.nodes.length > 1;
}

/** LAN clients: the LAN minus the Kubernetes nodes. */
export function lanClients(dp: Dataplane): AddressSet {
  return AddressSet.of(dp.lanCidr).minus(nodeAddresses(dp, 'all'));
}

/** Internet clients: every address outside the LAN, the pod and Service CIDRs and loopback. */
export function internetClients(dp: Dataplane): AddressSet {
  return AddressSet.ALL.minus(AddressSet.of(dp.lanCidr))
    .minus(AddressSet.of(dp.podCidr))
    .minus(AddressSet.of(dp.serviceCidr))
    .minus(AddressSet.of('127.0.0.0/8'))
    .minus(AddressSet.of('0.0.0.0/8'));
}
