/**
 * NetworkPolicy (networking.k8s.io/v1) semantics, on plain JSON:
 * - a pod is isolated for a direction when a policy in its namespace selects it (podSelector, with
 *   matchLabels and matchExpressions) and has that direction in policyTypes (absent: Ingress, plus Egress
 *   when `egress` has rules);
 * - an isolated pod admits a connection when any rule of any selecting policy admits both the peer and the
 *   port; absent or empty `from`/`to` admits every peer, absent or empty `ports` every port;
 * - peers: podSelector alone (pods of the policy's namespace), namespaceSelector alone (every pod of the
 *   selected namespaces, `{}` = all), both (pods of the selected namespaces), ipBlock (cidr minus except);
 *   pod and namespace selectors never match hostNetwork pods or hosts;
 * - ports: protocol (default TCP), number with optional endPort range, or a container port name resolved on
 *   the destination pod; no port = every port of that protocol.
 */
import { AddressSet } from './addresses';
import type { Source, Target } from './packets';
import type { FlowPort, Labels, PodsEndpoint } from './types';

export interface LabelSelectorJson {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

export interface NetworkPolicyPeerJson {
  readonly podSelector?: LabelSelectorJson;
  readonly namespaceSelector?: LabelSelectorJson;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

export interface NetworkPolicyPortJson {
  readonly protocol?: string;
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface NetworkPolicyJson {
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly podSelector?: LabelSelectorJson;
    readonly policyTypes?: readonly string[];
    readonly ingress?: readonly { readonly from?: readonly NetworkPolicyPeerJson[]; readonly ports?: readonly NetworkPolicyPortJson[] }[];
    readonly egress?: readonly { readonly to?: readonly NetworkPolicyPeerJson[]; readonly ports?: readonly NetworkPolicyPortJson[] }[];
  };
}

import { NAMESPACE_NAME_LABEL } from '../security/network-policy/peers';

export { NAMESPACE_NAME_LABEL };

function selectorMatches(selector: LabelSelectorJson | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export function policyTypes(policy: NetworkPolicyJson): string[] {
  const spec = policy.spec ?? {};
  if (spec.policyTypes?.length) return [...spec.policyTypes];
  return ['Ingress', ...(spec.egress?.length ? ['Egress'] : [])];
}

function policyRef(policy: NetworkPolicyJson): string {
  return `${policy.metadata.namespace ?? 'default'}/${policy.metadata.name ?? '(unnamed)'}`;
}

/** Labels of a namespace: its name label plus whatever the caller knows. */
export type NamespaceLabels = (namespace: string) => Labels;

/** How much of a port the rule's ports admit: all of it, part of it (for "every port"), or nothing. */
function portAdmits(rulePorts: readonly NetworkPolicyPortJson[] | undefined, port: FlowPort | undefined, target: Target): 'all' | 'some' | 'none' {
  if (!rulePorts?.length) return 'all';
  const protocol = port?.protocol ?? 'TCP';
  const pod = target.kind === 'pod' ? target.pods : undefined;
  let some = false;
  for (const p of rulePorts) {
    if ((p.protocol ?? 'TCP') !== protocol) continue;
    if (p.port === undefined) return 'all';
    if (!port) {
      some = true;
      continue;
    }
    if (typeof p.port === 'number' || /^\d+$/.test(p.port)) {
      const first = Number(p.port);
      if (port.port >= first && port.port <= (p.endPort ?? first)) return 'all';
      continue;
    }
    if (pod && pod.ports.some((c) => c.name === p.port && c.protocol === protocol && c.port === port.port)) return 'all';
  }
  return some ? 'some' : 'none';
}

function ipBlockSet(block: { readonly cidr: string; readonly except?: readonly string[] }): AddressSet {
  return AddressSet.of(block.cidr).minus(AddressSet.union((block.except ?? []).map((c) => AddressSet.of(c))));
}

/**
 * The part of `addresses` (belonging to `pod` when the peer is a pod, else to a host or outside client) that
 * the peers admit. `policyNamespace` resolves a podSelector without namespaceSelector.
 */
function peersAdmit(
  peers: readonly NetworkPolicyPeerJson[] | undefined,
  policyNamespace: string,
  pod: PodsEndpoint | undefined,
  addresses: AddressSet,
  namespaceLabels: NamespaceLabels,
): AddressSet {
  if (!peers?.length) return addresses;
  let admitted = AddressSet.EMPTY;
  for (const peer of peers) {
    if (peer.ipBlock) {
      admitted = admitted.union(addresses.intersect(ipBlockSet(peer.ipBlock)));
      continue;
    }
    if (!peer.podSelector && !peer.namespaceSelector) continue;
    if (!pod || pod.hostNetwork) continue;
    const nsOk = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, namespaceLabels(pod.namespace)) : pod.namespace === policyNamespace;
    if (nsOk && selectorMatches(peer.podSelector, pod.podLabels)) return addresses;
  }
  return admitted;
}

/** Policies in `pods`' namespace that select them for `direction`. */
function isolating(policies: readonly NetworkPolicyJson[], pods: PodsEndpoint, direction: 'Ingress' | 'Egress'): NetworkPolicyJson[] {
  if (pods.hostNetwork) return [];
  return policies.filter(
    (p) =>
      p.kind === 'NetworkPolicy' &&
      (p.metadata.namespace ?? 'default') === pods.namespace &&
      policyTypes(p).includes(direction) &&
      selectorMatches(p.spec?.podSelector ?? {}, pods.podLabels),
  );
}

/** The verdict on one side of a connection. */
export interface SideVerdict {
  /** No policy isolates this side. */
  readonly unrestricted: boolean;
  /** Addresses (of the peer) admitted on the whole port. */
  readonly admitted: AddressSet;
  /** Addresses admitted on at least part of the port ("every port" flows). */
  readonly partly: AddressSet;
  /** Policies whose rules admitted something. */
  readonly allowedBy: readonly string[];
  /** Policies isolating this side. */
  readonly isolatedBy: readonly string[];
  /** Isolating policies with a rule on this port (the ones to look at when the peer is not admitted). */
  readonly onPort: readonly string[];
}

function side(
  selecting: readonly NetworkPolicyJson[],
  rulesOf: (p: NetworkPolicyJson) => readonly { peers?: readonly NetworkPolicyPeerJson[]; ports?: readonly NetworkPolicyPortJson[] }[],
  peerPod: PodsEndpoint | undefined,
  peerAddresses: AddressSet,
  port: FlowPort | undefined,
  target: Target,
  namespaceLabels: NamespaceLabels,
): SideVerdict {
  if (!selecting.length) return { unrestricted: true, admitted: peerAddresses, partly: peerAddresses, allowedBy: [], isolatedBy: [], onPort: [] };
  let admitted = AddressSet.EMPTY;
  let partly = AddressSet.EMPTY;
  const allowedBy: string[] = [];
  const onPort: string[] = [];
  for (const policy of selecting) {
    for (const rule of rulesOf(policy)) {
      const ports = portAdmits(rule.ports, port, target);
      if (ports === 'none') continue;
      if (!onPort.includes(policyRef(policy))) onPort.push(policyRef(policy));
      const got = peersAdmit(rule.peers, policy.metadata.namespace ?? 'default', peerPod, peerAddresses, namespaceLabels);
      if (got.isEmpty) continue;
      partly = partly.union(got);
      if (ports === 'all') admitted = admitted.union(got);
      if (!allowedBy.includes(policyRef(policy))) allowedBy.push(policyRef(policy));
    }
  }
  return { unrestricted: false, admitted, partly, allowedBy, isolatedBy: selecting.map(policyRef), onPort };
}

/** Ingress side: does the destination pod admit `source` on `target.port`? */
export function ingressVerdict(
  policies: readonly NetworkPolicyJson[],
  source: Exclude<Source, { kind: 'node-exception' }>,
  target: Target & { kind: 'pod' },
  namespaceLabels: NamespaceLabels,
): SideVerdict {
  return side(
    isolating(policies, target.pods, 'Ingress'),
    (p) => (p.spec?.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })),
    source.kind === 'pod' ? source.pods : undefined,
    source.addresses,
    target.port,
    target,
    namespaceLabels,
  );
}

/** Egress side: does the source pod admit the destination? Peer addresses are the destination's. */
export function egressVerdict(
  policies: readonly NetworkPolicyJson[],
  source: Source & { kind: 'pod' },
  target: Target,
  podCidrAddresses: AddressSet,
  namespaceLabels: NamespaceLabels,
): SideVerdict {
  return side(
    isolating(policies, source.pods, 'Egress'),
    (p) => (p.spec?.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports })),
    target.kind === 'pod' ? target.pods : undefined,
    target.kind === 'pod' ? podCidrAddresses : target.addresses,
    target.port,
    target,
    namespaceLabels,
  );
}
