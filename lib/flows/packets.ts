/**
 * A flow, translated into the packets the dataplane really carries: the destination after Service DNAT
 * (pods and container ports, or host addresses) and the source as the destination node sees it.
 */
import { AddressSet } from './addresses';
import { internetClients, lanClients, nodeAddresses, nodeCidrs, podAddresses, remoteHostSource, remotePossible, type Dataplane } from './dataplane';
import { API_SERVER_PORT_NAME, type Endpoint, type Flow, type FlowPort, type NodeSet, type PodsEndpoint } from './types';

/** Where the packet arrives after DNAT. */
export type Target =
  | { readonly kind: 'pod'; readonly pods: PodsEndpoint; readonly port?: FlowPort }
  | { readonly kind: 'address'; readonly addresses: AddressSet; readonly cidrs: readonly string[]; readonly port?: FlowPort; readonly what: string };

/** Who the packet comes from, as the destination sees it. */
export type Source =
  /** A pod (subject to its namespace's egress policies); any pod IP. */
  | { readonly kind: 'pod'; readonly pods: PodsEndpoint; readonly addresses: AddressSet }
  /** A host or an outside client: only ipBlocks can match it. */
  | { readonly kind: 'address'; readonly addresses: AddressSet; readonly cidrs: readonly string[]; readonly explain: string }
  /** A host on the destination pod's own node: always allowed. */
  | { readonly kind: 'node-exception'; readonly explain: string };

export interface Packet {
  readonly source: Source;
  readonly target: Target;
}

/** A flow that cannot be translated (e.g. a port the Service does not have). */
export class FlowDeclarationError extends Error {}

function hostNodes(e: Endpoint): NodeSet | undefined {
  if (e.kind === 'api-server') return 'control-plane';
  if (e.kind === 'nodes') return e.nodes;
  if (e.kind === 'pods' && e.hostNetwork) return e.nodes ?? 'all';
  return undefined;
}

function withName(pods: PodsEndpoint, port: FlowPort): FlowPort {
  const named = pods.ports.find((p) => p.port === port.port && p.protocol === port.protocol && p.name);
  return named ? { ...port, name: named.name } : port;
}

function addressTarget(dp: Dataplane, e: Endpoint, port: FlowPort | undefined): Target {
  const nodes = hostNodes(e);
  if (nodes) return { kind: 'address', addresses: nodeAddresses(dp, nodes), cidrs: nodeCidrs(dp, nodes), port, what: e.name };
  switch (e.kind) {
    case 'lan':
      return { kind: 'address', addresses: lanClients(dp), cidrs: [dp.lanCidr], port, what: e.name };
    case 'internet':
      return { kind: 'address', addresses: internetClients(dp), cidrs: ['0.0.0.0/0'], port, what: e.name };
    case 'external':
      return { kind: 'address', addresses: AddressSet.of(e.address), cidrs: [`${e.address}/32`], port, what: e.name };
    default:
      throw new FlowDeclarationError(`${e.kind} is not an address destination`);
  }
}

/** The destinations of a flow after Service translation, one per port (or one for "every port"). */
function targets(flow: Flow, dp: Dataplane): Target[] {
  const to = flow.to;
  const ports: (FlowPort | undefined)[] = flow.ports.length ? [...flow.ports] : [undefined];
  if (to.kind === 'pods' && !to.hostNetwork) return ports.map((port) => ({ kind: 'pod', pods: to, ...(port ? { port: withName(to, port) } : {}) }));
  if (to.kind !== 'service') return ports.map((port) => addressTarget(dp, to, port));
  const servicePorts = flow.ports.length
    ? flow.ports.map((p) => {
        const sp = to.ports.find((s) => s.port === p.port && s.protocol === p.protocol);
        if (!sp) throw new FlowDeclarationError(`flow ${flow.id}: Service ${to.namespace}/${to.name} has no port ${p.port}/${p.protocol}`);
        return sp;
      })
    : to.ports;
  return servicePorts.map((sp): Target => {
    const backends = to.backends;
    if (backends.kind === 'api-server') {
      const port = typeof sp.targetPort === 'number' ? sp.targetPort : sp.targetPort === API_SERVER_PORT_NAME ? dp.apiServerPort : undefined;
      if (port === undefined) throw new FlowDeclarationError(`flow ${flow.id}: targetPort ${sp.targetPort} of Service ${to.namespace}/${to.name} is unknown`);
      return addressTarget(dp, backends, { protocol: sp.protocol, port });
    }
    const byName = typeof sp.targetPort === 'string' ? backends.ports.find((p) => p.name === sp.targetPort && p.protocol === sp.protocol) : undefined;
    if (typeof sp.targetPort === 'string' && !byName) {
      throw new FlowDeclarationError(
        `flow ${flow.id}: targetPort ${JSON.stringify(sp.targetPort)} of Service ${to.namespace}/${to.name} is not a container port of ${backends.name}`,
      );
    }
    const port = byName ?? withName(backends, { protocol: sp.protocol, port: sp.targetPort as number });
    if (backends.hostNetwork) return addressTarget(dp, backends, port);
    return { kind: 'pod', pods: backends, port };
  });
}

/** The sources the destination may see for `target`. */
function sources(flow: Flow, target: Target, dp: Dataplane): Source[] {
  const from = flow.from;
  const toPod = target.kind === 'pod';
  const nodes = hostNodes(from);
  if (nodes) {
    if (!toPod) return [{ kind: 'address', addresses: nodeAddresses(dp, nodes), cidrs: nodeCidrs(dp, nodes), explain: `${from.name}'s node IP` }];
    const same: Source = { kind: 'node-exception', explain: `${from.name} on the destination pod's own node` };
    if (!remotePossible(dp)) return [same];
    const remote = remoteHostSource(dp, nodes);
    return [same, { kind: 'address', addresses: remote.addresses, cidrs: remote.cidrs, explain: remote.explain }];
  }
  switch (from.kind) {
    case 'pods':
      return [{ kind: 'pod', pods: from, addresses: podAddresses(dp) }];
    case 'internet':
      if (from.via) return [{ kind: 'pod', pods: from.via, addresses: podAddresses(dp) }];
      return clientSources(flow, dp, internetClients(dp), ['0.0.0.0/0'], 'an Internet client address');
    case 'lan':
      return clientSources(flow, dp, lanClients(dp), [dp.lanCidr], 'a LAN client address');
    case 'external':
      return clientSources(flow, dp, AddressSet.of(from.address), [`${from.address}/32`], `${from.name}'s address`);
    default:
      throw new FlowDeclarationError(`flow ${flow.id}: a ${from.kind} cannot open connections`);
  }
}

/** Clients outside the cluster: they keep their address unless a LoadBalancer with policy Cluster masquerades. */
function clientSources(flow: Flow, dp: Dataplane, addresses: AddressSet, cidrs: readonly string[], explain: string): Source[] {
  const to = flow.to;
  if (to.kind === 'service' && to.type === 'LoadBalancer' && (to.externalTrafficPolicy ?? 'Cluster') === 'Cluster') {
    const same: Source = { kind: 'node-exception', explain: 'masqueraded by the receiving node (externalTrafficPolicy Cluster), endpoint on that node' };
    if (!remotePossible(dp)) return [same];
    const remote = remoteHostSource(dp, 'all');
    return [
      same,
      { kind: 'address', addresses: remote.addresses, cidrs: remote.cidrs, explain: `masqueraded to ${remote.explain} (externalTrafficPolicy Cluster)` },
    ];
  }
  return [{ kind: 'address', addresses, cidrs, explain }];
}

/** Every packet of a flow. */
export function packets(flow: Flow, dp: Dataplane): Packet[] {
  return targets(flow, dp).flatMap((target) => sources(flow, target, dp).map((source) => ({ source, target })));
}
