/**
 * Typed ends and ports of a NetworkPolicy rule.
 */
import { k8s } from '../../k8s/api';
import { isIpv4, parseCidr } from '../../model/ip';
import { checkDnsLabel, checkLabels, problem, throwIfProblems } from '../../components/private/validation';

/** `kubernetes.io/metadata.name`, set by the API server on every namespace. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

type Labels = Readonly<Record<string, string>>;

/** The other end of a rule: pods (by namespace and labels), an address block, or anywhere. */
export class Peer {
  /** Pods with `podLabels` (all pods when empty) in the namespace `namespace`. */
  static pods(namespace: string, podLabels: Labels = {}): Peer {
    throwIfProblems('Peer.pods', [namespaceProblem('namespace', namespace), ...checkLabels('podLabels', podLabels)]);
    return new Peer([{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } }, podSelector: labelSelector(podLabels) }]);
  }

  /** Pods with `podLabels` in any of `namespaces` (sorted). */
  static podsIn(namespaces: readonly string[], podLabels: Labels = {}): Peer {
    const list: readonly unknown[] = Array.isArray(namespaces) ? namespaces : [];
    throwIfProblems('Peer.podsIn', [
      list.length ? undefined : problem('namespaces', namespaces, 'must list at least one namespace'),
      ...list.map((ns, i) => namespaceProblem(`namespaces[${i}]`, ns)),
      ...checkLabels('podLabels', podLabels),
    ]);
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
    const list: readonly unknown[] = Array.isArray(cidrsOrAddresses) ? cidrsOrAddresses : [];
    throwIfProblems('Peer.ipBlocks', [
      list.length
        ? undefined
        : problem('cidrsOrAddresses', cidrsOrAddresses, 'needs at least one IPv4 address or CIDR (e.g. "192.168.100.201" or "10.0.0.0/8")'),
      ...list.map((c, i) =>
        typeof c === 'string' && (isIpv4(c) || parseCidr(c))
          ? undefined
          : problem(`cidrsOrAddresses[${i}]`, c, 'not an IPv4 address or CIDR; use e.g. "192.168.100.201" or "10.0.0.0/8"'),
      ),
    ]);
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

function namespaceProblem(prop: string, value: unknown): string | undefined {
  return typeof value === 'string' ? checkDnsLabel(prop, value) : problem(prop, value, 'must be a namespace name such as "apps"');
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
    const valid =
      typeof port === 'number'
        ? Number.isInteger(port) && port >= 1 && port <= 65535
        : typeof port === 'string' && /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(port);
    throwIfProblems(`Port.${String(protocol).toLowerCase()}`, [
      protocol === 'TCP' || protocol === 'UDP' ? undefined : problem('protocol', protocol, 'must be "TCP" or "UDP"'),
      valid ? undefined : problem('port', port, 'must be a port number from 1 to 65535 or a container port name (up to 15 lowercase letters, digits, "-")'),
    ]);
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
