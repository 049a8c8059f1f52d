/**
 * NetworkPolicies generated from the flow catalogue: default deny in every isolated namespace, then for each
 * required flow the egress rule where the client pods run and the ingress rule where the server pods run,
 * with the peers the dataplane really presents (see ./packets.ts). Named after the flow (`policyName` or id).
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkDnsLabel, problem, throwIfProblems } from '../components/private/validation';
import type { Dataplane } from './dataplane';
import { NAMESPACE_NAME_LABEL, type NetworkPolicyJson, type NetworkPolicyPeerJson, type NetworkPolicyPortJson } from './evaluate';
import { packets, type Source, type Target } from './packets';
import type { Flow, Labels } from './types';

const DEFAULT_DENY_POLICY = 'default-deny';

interface Rule {
  peers?: NetworkPolicyPeerJson[];
  ports?: NetworkPolicyPortJson[];
}

interface Draft {
  readonly namespace: string;
  readonly name: string;
  readonly direction: 'Ingress' | 'Egress';
  readonly podLabels: Labels;
  readonly rules: Rule[];
}

const selector = (labels: Labels) =>
  Object.keys(labels).length ? { matchLabels: Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) } : {};

function podPeer(namespace: string, labels: Labels): NetworkPolicyPeerJson {
  return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } }, podSelector: selector(labels) };
}

function cidrPeers(cidrs: readonly string[]): NetworkPolicyPeerJson[] | undefined {
  if (cidrs.includes('0.0.0.0/0')) return undefined;
  return [...new Set(cidrs)].sort().map((cidr) => ({ ipBlock: { cidr } }));
}

function targetPeers(target: Target): NetworkPolicyPeerJson[] | undefined {
  return target.kind === 'pod' ? [podPeer(target.pods.namespace, target.pods.podLabels)] : cidrPeers(target.cidrs);
}

function sourcePeers(source: Exclude<Source, { kind: 'node-exception' }>): NetworkPolicyPeerJson[] | undefined {
  return source.kind === 'pod' ? [podPeer(source.pods.namespace, source.pods.podLabels)] : cidrPeers(source.cidrs);
}

function portsOf(target: Target): NetworkPolicyPortJson[] | undefined {
  return target.port ? [{ protocol: target.port.protocol, port: target.port.port }] : undefined;
}

/** Adds a rule, merging with a rule that has the same peers (ports joined) or the same ports (peers joined). */
function addRule(rules: Rule[], rule: Rule): void {
  const key = (x: unknown) => JSON.stringify(x ?? null);
  const samePeers = rules.find((r) => key(r.peers) === key(rule.peers));
  if (samePeers) {
    if (!samePeers.ports || !rule.ports) delete samePeers.ports;
    else for (const p of rule.ports) if (!samePeers.ports.some((q) => key(q) === key(p))) samePeers.ports.push(p);
    return;
  }
  const samePorts = rules.find((r) => key(r.ports) === key(rule.ports));
  if (samePorts) {
    if (!samePorts.peers || !rule.peers) delete samePorts.peers;
    else for (const p of rule.peers) if (!samePorts.peers.some((q) => key(q) === key(p))) samePorts.peers.push(p);
    return;
  }
  rules.push({ ...(rule.peers ? { peers: [...rule.peers] } : {}), ...(rule.ports ? { ports: [...rule.ports] } : {}) });
}

/** What {@link generateNetworkPolicies} needs. */
export interface GeneratePoliciesInput {
  readonly flows: readonly Flow[];
  readonly dataplane: Dataplane;
  /** Namespaces that are default-deny (and may carry allows). Others get nothing. */
  readonly isolatedNamespaces: readonly string[];
}

/** The NetworkPolicies (plain JSON, sorted by namespace and name) for the required flows. */
export function generateNetworkPolicies(input: GeneratePoliciesInput): NetworkPolicyJson[] {
  const isolated = new Set(input.isolatedNamespaces);
  const drafts: Draft[] = [];
  const draft = (namespace: string, name: string, direction: Draft['direction'], podLabels: Labels): Draft => {
    const key = JSON.stringify(selector(podLabels));
    let d = drafts.find((x) => x.namespace === namespace && x.name === name && x.direction === direction && JSON.stringify(selector(x.podLabels)) === key);
    if (!d) drafts.push((d = { namespace, name, direction, podLabels, rules: [] }));
    return d;
  };
  for (const flow of input.flows.filter((f) => f.expect === 'allow')) {
    const name = flow.policyName ?? flow.id;
    for (const { source, target } of packets(flow, input.dataplane)) {
      if (source.kind === 'pod' && !source.pods.hostNetwork && isolated.has(source.pods.namespace)) {
        const peers = targetPeers(target);
        addRule(draft(source.pods.namespace, name, 'Egress', source.pods.podLabels).rules, {
          ...(peers ? { peers } : {}),
          ...(portsOf(target) ? { ports: portsOf(target) } : {}),
        });
      }
      if (target.kind === 'pod' && source.kind !== 'node-exception' && isolated.has(target.pods.namespace)) {
        const peers = sourcePeers(source);
        addRule(draft(target.pods.namespace, name, 'Ingress', target.pods.podLabels).rules, {
          ...(peers ? { peers } : {}),
          ...(portsOf(target) ? { ports: portsOf(target) } : {}),
        });
      }
    }
  }
  const out: NetworkPolicyJson[] = [...isolated].map((namespace) => ({
    kind: 'NetworkPolicy',
    metadata: { name: DEFAULT_DENY_POLICY, namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  }));
  // One policy per (namespace, name) when the two directions select the same pods; else suffixed by direction.
  for (const d of drafts) {
    const twin = drafts.find((x) => x !== d && x.namespace === d.namespace && x.name === d.name);
    const merged = twin && JSON.stringify(selector(twin.podLabels)) === JSON.stringify(selector(d.podLabels));
    if (merged && d.direction === 'Egress') continue;
    const name = twin && !merged ? `${d.name}-${d.direction.toLowerCase()}` : d.name;
    const both = merged ? [d, twin!] : [d];
    const ingress = both.find((x) => x.direction === 'Ingress');
    const egress = both.find((x) => x.direction === 'Egress');
    out.push({
      kind: 'NetworkPolicy',
      metadata: { name, namespace: d.namespace },
      spec: {
        podSelector: selector(d.podLabels),
        policyTypes: [...(ingress ? ['Ingress'] : []), ...(egress ? ['Egress'] : [])],
        ...(ingress
          ? { ingress: ingress.rules.map((r) => ({ ...(r.peers ? { from: r.peers } : {}), ...(r.ports ? { ports: sortPorts(r.ports) } : {}) })) }
          : {}),
        ...(egress ? { egress: egress.rules.map((r) => ({ ...(r.peers ? { to: r.peers } : {}), ...(r.ports ? { ports: sortPorts(r.ports) } : {}) })) } : {}),
      },
    });
  }
  const k = (p: NetworkPolicyJson) => `${p.metadata.namespace}\u0000${p.metadata.name}`;
  return out.sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
}

function sortPorts(ports: readonly NetworkPolicyPortJson[]): NetworkPolicyPortJson[] {
  const key = (p: NetworkPolicyPortJson) => `${p.protocol ?? 'TCP'}/${String(p.port ?? '').padStart(5, '0')}`;
  return [...ports].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Emits {@link generateNetworkPolicies} as NetworkPolicy objects. */
export class FlowNetworkPolicies extends Construct {
  readonly policies: readonly NetworkPolicyJson[];

  constructor(scope: Construct, id: string, props: GeneratePoliciesInput) {
    super(scope, id);
    const isolated: readonly unknown[] = Array.isArray(props.isolatedNamespaces) ? props.isolatedNamespaces : [];
    throwIfProblems('FlowNetworkPolicies', [
      Array.isArray(props.flows) ? undefined : problem('flows', props.flows, 'must be a list of flows (Flows.catalogue(app).flows)'),
      Array.isArray(props.isolatedNamespaces) ? undefined : problem('isolatedNamespaces', props.isolatedNamespaces, 'must be a list of namespace names'),
      ...isolated.map((ns, i) =>
        typeof ns === 'string'
          ? checkDnsLabel(`isolatedNamespaces[${i}]`, ns)
          : problem(`isolatedNamespaces[${i}]`, ns, 'must be a namespace name such as "apps"'),
      ),
    ]);
    this.policies = generateNetworkPolicies(props);
    for (const p of this.policies) {
      new ApiObject(this, `${p.metadata.namespace}-${p.metadata.name}`, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: p.metadata.name, namespace: p.metadata.namespace },
        spec: p.spec,
      });
    }
  }
}
