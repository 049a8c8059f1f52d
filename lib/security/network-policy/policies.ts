/**
 * Intent-level NetworkPolicy constructs: deny everything in a namespace, then allow named traffic. Policy
 * names are given (or derived from namespaces and a purpose), never hashed, so they are readable and stable.
 *
 * Direction matters: under default deny, a connection from pod A to pod B needs an egress allow where A runs
 * and an ingress allow where B runs. {@link allowTraffic} writes both; {@link AllowEgress} and
 * {@link AllowIngress} write one side, for peers whose namespace we do not isolate (kube-dns, the API server,
 * the Internet).
 */
import { Lazy } from 'cdk8s';
import { k8s } from '../../k8s/api';
import { Construct } from 'constructs';
import { checkDnsLabel, checkDnsSubdomain, checkLabels, problem, throwIfProblems } from '../../components/private/validation';
import { labelSelector, Peer, Port, sortPorts } from './peers';

/** `prop` must be a namespace name. */
function namespaceProblem(prop: string, value: unknown): string | undefined {
  return typeof value === 'string' ? checkDnsLabel(prop, value) : problem(prop, value, 'must be a namespace name such as "apps"');
}

/** `prop` must be a NetworkPolicy name. */
function nameProblem(prop: string, value: unknown): string | undefined {
  return typeof value === 'string' ? checkDnsSubdomain(prop, value) : problem(prop, value, 'must be a NetworkPolicy name such as "allow-dns"');
}

function peerProblem(prop: string, value: unknown): string | undefined {
  return value instanceof Peer ? undefined : problem(prop, value, 'must be a Peer (Peer.pods, Peer.podsIn, Peer.ipBlock(s) or Peer.anywhere())');
}

function portsProblems(prop: string, ports: unknown): (string | undefined)[] {
  if (ports === undefined) return [];
  if (!Array.isArray(ports)) return [problem(prop, ports, 'must be a list of Port.tcp(...) / Port.udp(...)')];
  return ports.map((p: unknown, i) => (p instanceof Port ? undefined : problem(`${prop}[${i}]`, p, 'must be Port.tcp(...) or Port.udp(...)')));
}

function podGroupProblems(prop: string, group: PodGroup | undefined): (string | undefined)[] {
  if (group === null || typeof group !== 'object') return [problem(prop, group, 'must be {namespace, podLabels?}')];
  return [namespaceProblem(`${prop}.namespace`, group.namespace), ...checkLabels(`${prop}.podLabels`, group.podLabels)];
}

type Labels = Readonly<Record<string, string>>;

function rulePorts(ports: readonly Port[] | undefined): { ports?: k8s.NetworkPolicyPort[] } {
  return ports?.length ? { ports: sortPorts(ports).map((p) => p._toKube()) } : {};
}

const DEFAULT_DENY_NAME = 'default-deny';

/** Props of {@link DefaultDeny}. */
export interface DefaultDenyProps {
  readonly namespace: string;
  /** @default 'default-deny' */
  readonly name?: string;
}

/** Selects every pod of the namespace for both directions and allows nothing: the base of an allow-list. */
export class DefaultDeny extends Construct {
  constructor(scope: Construct, id: string, props: DefaultDenyProps) {
    super(scope, id);
    throwIfProblems('DefaultDeny', [namespaceProblem('namespace', props.namespace), props.name === undefined ? undefined : nameProblem('name', props.name)]);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name ?? DEFAULT_DENY_NAME, namespace: props.namespace },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }
}

/** Props of {@link AllowEgress}. */
export interface AllowEgressProps {
  /** NetworkPolicy name, unique in the namespace. */
  readonly name: string;
  /** Where the sending pods run. */
  readonly namespace: string;
  /** The sending pods. @default {} (every pod of the namespace) */
  readonly podLabels?: Labels;
  readonly to: Peer;
  /** @default [] (every port) */
  readonly ports?: readonly Port[];
}

/** Lets the selected pods open connections to `to` on `ports`; {@link AllowEgress.addRule} adds more destinations. */
export class AllowEgress extends Construct {
  private readonly rules: k8s.NetworkPolicyEgressRule[] = [];

  constructor(scope: Construct, id: string, props: AllowEgressProps) {
    super(scope, id);
    throwIfProblems('AllowEgress', [
      nameProblem('name', props.name),
      namespaceProblem('namespace', props.namespace),
      ...checkLabels('podLabels', props.podLabels),
      peerProblem('to', props.to),
      ...portsProblems('ports', props.ports),
    ]);
    this.addRule(props.to, props.ports);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: { podSelector: labelSelector(props.podLabels), policyTypes: ['Egress'], egress: Lazy.any({ produce: () => [...this.rules] }) },
    });
  }

  /** Also allow connections to `to` on `ports` (every port when empty). */
  addRule(to: Peer, ports?: readonly Port[]): void {
    throwIfProblems('AllowEgress.addRule', [peerProblem('to', to), ...portsProblems('ports', ports)]);
    this.rules.push({ ...(to.entries ? { to: [...to.entries] } : {}), ...rulePorts(ports) });
  }
}

/** Props of {@link AllowIngress}. */
export interface AllowIngressProps {
  /** NetworkPolicy name, unique in the namespace. */
  readonly name: string;
  /** Where the receiving pods run. */
  readonly namespace: string;
  /** The receiving pods. @default {} (every pod of the namespace) */
  readonly podLabels?: Labels;
  readonly from: Peer;
  /** Ports on the receiving pods (after Service translation: container ports). @default [] (every port) */
  readonly ports?: readonly Port[];
}

/** Lets `from` open connections to the selected pods on `ports`; {@link AllowIngress.addRule} adds more sources. */
export class AllowIngress extends Construct {
  private readonly rules: k8s.NetworkPolicyIngressRule[] = [];

  constructor(scope: Construct, id: string, props: AllowIngressProps) {
    super(scope, id);
    throwIfProblems('AllowIngress', [
      nameProblem('name', props.name),
      namespaceProblem('namespace', props.namespace),
      ...checkLabels('podLabels', props.podLabels),
      peerProblem('from', props.from),
      ...portsProblems('ports', props.ports),
    ]);
    this.addRule(props.from, props.ports);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: { podSelector: labelSelector(props.podLabels), policyTypes: ['Ingress'], ingress: Lazy.any({ produce: () => [...this.rules] }) },
    });
  }

  /** Also allow connections from `from` on `ports` (every port when empty). */
  addRule(from: Peer, ports?: readonly Port[]): void {
    throwIfProblems('AllowIngress.addRule', [peerProblem('from', from), ...portsProblems('ports', ports)]);
    this.rules.push({ ...(from.entries ? { from: [...from.entries] } : {}), ...rulePorts(ports) });
  }
}

/** Pods, by namespace and labels. */
export interface PodGroup {
  readonly namespace: string;
  /** @default {} (every pod of the namespace) */
  readonly podLabels?: Labels;
}

/** Props of {@link AllowTraffic}. */
export interface AllowTrafficProps {
  readonly from: PodGroup;
  readonly to: PodGroup;
  /** Ports on the receiving pods. @default [] (every port) */
  readonly ports?: readonly Port[];
  /** Tells apart several allows between the same two namespaces; appended to both names. @default - none */
  readonly purpose?: string;
}

/**
 * Both halves of pod-to-pod traffic between default-deny namespaces: NetworkPolicy `to-<to namespace>` where
 * `from` runs and `from-<from namespace>` where `to` runs (each followed by `-<purpose>` when given).
 */
export class AllowTraffic extends Construct {
  readonly egress: AllowEgress;
  readonly ingress: AllowIngress;

  constructor(scope: Construct, id: string, props: AllowTrafficProps) {
    super(scope, id);
    throwIfProblems('AllowTraffic', [
      ...podGroupProblems('from', props.from),
      ...podGroupProblems('to', props.to),
      ...portsProblems('ports', props.ports),
      props.purpose === undefined
        ? undefined
        : typeof props.purpose === 'string'
          ? checkDnsLabel('purpose', props.purpose)
          : problem('purpose', props.purpose, 'must be a short name such as "metrics"'),
    ]);
    const suffix = props.purpose ? `-${props.purpose}` : '';
    this.egress = new AllowEgress(this, 'Egress', {
      name: `to-${props.to.namespace}${suffix}`,
      namespace: props.from.namespace,
      podLabels: props.from.podLabels,
      to: Peer.pods(props.to.namespace, props.to.podLabels),
      ports: props.ports,
    });
    this.ingress = new AllowIngress(this, 'Ingress', {
      name: `from-${props.from.namespace}${suffix}`,
      namespace: props.to.namespace,
      podLabels: props.to.podLabels,
      from: Peer.pods(props.from.namespace, props.from.podLabels),
      ports: props.ports,
    });
  }
}

/** Default deny (both directions) in `namespace`, as NetworkPolicy `default-deny`. */
export function denyAll(scope: Construct, namespace: string): DefaultDeny {
  return new DefaultDeny(scope, `${namespace}-default-deny`, { namespace });
}

export interface AllowDnsOptions {
  /** Pods that may resolve. @default {} (every pod of the namespace) */
  readonly podLabels?: Labels;
  /** @default 'allow-dns' */
  readonly name?: string;
  /** @default 'kube-system' */
  readonly dnsNamespace?: string;
  /** @default {'k8s-app': 'kube-dns'} (CoreDNS as kubeadm deploys it) */
  readonly dnsLabels?: Labels;
}

/** DNS egress (UDP and TCP 53) from `namespace` to the cluster DNS pods. */
export function allowDns(scope: Construct, namespace: string, options: AllowDnsOptions = {}): AllowEgress {
  const name = options.name ?? 'allow-dns';
  return new AllowEgress(scope, `${namespace}-${name}`, {
    name,
    namespace,
    podLabels: options.podLabels,
    to: Peer.pods(options.dnsNamespace ?? 'kube-system', options.dnsLabels ?? { 'k8s-app': 'kube-dns' }),
    ports: [Port.udp(53), Port.tcp(53)],
  });
}

/** Pod-to-pod traffic: egress where `from` runs, ingress where `to` runs. */
export function allowTraffic(scope: Construct, id: string, props: AllowTrafficProps): AllowTraffic {
  return new AllowTraffic(scope, id, props);
}
