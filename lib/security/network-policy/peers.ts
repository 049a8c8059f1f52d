/**
 * Typed ends and ports of a NetworkPolicy rule.
 */
import { k8s } from '../../k8s-api';
import { isIpv4, parseCidr } from '../../model/ip';

/** `kubernetes.io/metadata.name`, set by the API server on every namespace. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

type Labels = Readonly<Record<string, string>>;

/** The other end of a rule: pods (by namespace and labels), an address block, or anywhere. */
export class Peer {
  /** Pods with `podLabels` (all pods when empty) in the namespace `namespace`. */
  static pods(namespace: string, podLabels: Labels = {}): Peer {
    return new Peer([
      { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } }, podSelector: labelSelector(podLabels) },
    ]);
  }

  /** Pods with `podLabels` in any of `namespaces` (sorted). */
  static podsIn(namespaces: readonly string[], podLabels: Labels = {}): Peer {
    if (namespaces.length === 1) return Peer.pods(namespaces[0], podLabels);
    const sorted = [...new Set(namespaces)].sort();
    return new Peer([
      {
        namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: sorted }] },
        podSelector: labelSelector(podLabels),
      },
    ]);
  }

  /** One IPv4 address (as a /32) or a CIDR. */
  static ipBlock(cidrOrAddress: string): Peer {
    return Peer.ipBlocks([cidrOrAddress]);
  }

  /** Several IPv4 addresses (as /32) or CIDRs, in one rule (sorted, de-duplicated). */
  static ipBlocks(cidrsOrAddresses: readonly string[]): Peer {
    const bad = cidrsOrAddresses.filter((c) => !(isIpv4(c) || parseCidr(c)));
    if (bad.length || !cidrsOrAddresses.length) {
      const what = bad.length ? `not an IPv4 address or CIDR: ${bad.map((b) => JSON.stringify(b)).join(', ')}` : 'needs at least one IPv4 address or CIDR';
      throw new Error(`Peer.ipBlocks: ${what} (e.g. "192.168.100.201" or "10.0.0.0/8")`);
    }
    const cidrs = [...new Set(cidrsOrAddresses.map((c) => (c.includes('/') ? c : `${c}/32`)))].sort();
    return new Peer(cidrs.map((cidr) => ({ ipBlock: { cidr } })));
  }

  /** Every source or destination, inside the cluster or not. */
  static anywhere(): Peer {
    return new Peer(undefined);
  }

  private constructor(
    /** The `from`/`to` entries; undefined means "any peer" (the field is omitted). */
    readonly entries: readonly k8s.NetworkPolicyPeer[] | undefined,
  ) {}
}

/** `{matchLabels}`, or `{}` (everything) for no labels. */
export function labelSelector(labels: Labels | undefined): k8s.LabelSelector {
  return labels && Object.keys(labels).length ? { matchLabels: { ...labels } } : {};
}

/** A port (number or named container port) and protocol. */
export class Port {
  static tcp(port: number | string): Port {
    return new Port('TCP', port);
  }

  static udp(port: number | string): Port {
    return new Port('UDP', port);
  }

  private constructor(
    readonly protocol: 'TCP' | 'UDP',
    readonly port: number | string,
  ) {
    const valid = typeof port === 'number' ? Number.isInteger(port) && port >= 1 && port <= 65535 : /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(port);
    if (!valid) throw new Error(`Port.${protocol.toLowerCase()}: ${JSON.stringify(port)} is not a port number (1-65535) or a container port name (up to 15 lowercase letters, digits, "-")`);
  }

  /** @internal */
  _toKube(): k8s.NetworkPolicyPort {
    return { protocol: this.protocol, port: typeof this.port === 'number' ? k8s.IntOrString.fromNumber(this.port) : k8s.IntOrString.fromString(this.port) };
  }
}

/** Sorted, de-duplicated ports; an empty list means every port. */
export function sortPorts(ports: readonly Port[]): Port[] {
  const key = (p: Port) => `${p.protocol}/${typeof p.port === 'number' ? String(p.port).padStart(5, '0') : p.port}`;
  const unique = new Map(ports.map((p) => [key(p), p]));
  return [...unique.keys()].sort().map((k) => unique.get(k)!);
}
