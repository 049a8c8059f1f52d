/**
 * The flow check: every required flow is allowed and every must-deny flow is denied by the NetworkPolicies
 * actually emitted, for the packets the dataplane really carries (see ./dataplane.ts and ./packets.ts).
 *
 * Use it on your own charts:
 *
 * ```ts
 * const results = checkFlows({ flows: Flows.catalogue(app).flows, policies: objects, dataplane });
 * const problems = results.filter((r) => !r.ok).map((r) => r.problem);
 * ```
 */
import { podAddresses, type Dataplane } from './dataplane';
import { egressVerdict, ingressVerdict, NAMESPACE_NAME_LABEL, type NamespaceLabels, type NetworkPolicyJson, type SideVerdict } from './evaluate';
import { FlowDeclarationError, packets, type Packet, type Source } from './packets';
import { endpointLabel, portsLabel, type Flow, type Labels } from './types';

/**
 * What {@link checkFlows} needs: the flows, the emitted objects (only NetworkPolicies are read) and the
 * dataplane.
 */
export interface FlowCheckInput {
  readonly flows: readonly Flow[];
  /** Emitted objects; only NetworkPolicies are read. */
  readonly policies: readonly { readonly kind: string }[];
  readonly dataplane: Dataplane;
  /** Extra namespace labels (the name label is always there). @default none */
  readonly namespaceLabels?: Readonly<Record<string, Labels>>;
}

/** What lets a flow through: policies, the node exception, or nothing isolates it. */
const NODE_EXCEPTION = 'node exception';
const NOT_SUBJECT = 'not subject to policy';

/**
 * The verdict on one flow: whether its packets pass, which policies let them through, and the problem when
 * the verdict is not what the flow expects.
 */
export interface FlowResult {
  readonly flow: Flow;
  /** `allowed`: every packet passes; `denied`: none does; `partly`: some do. */
  readonly verdict: 'allowed' | 'denied' | 'partly';
  readonly ok: boolean;
  /** Policies (namespace/name) or NODE_EXCEPTION / NOT_SUBJECT, sorted. */
  readonly allowedBy: readonly string[];
  /** One line, when not ok. */
  readonly problem?: string;
}

interface PacketVerdict {
  readonly full: boolean;
  readonly some: boolean;
  readonly allowedBy: string[];
  /** Why not full: the address presented and the isolating policies. */
  readonly blocked?: string;
}

/** The policies to name: those with a rule on the port (they fail to admit the peer), else every isolating one. */
function blockers(side: SideVerdict): string {
  return (side.onPort.length ? side.onPort : side.isolatedBy).join(', ');
}

function describeSource(source: Source): string {
  return source.kind === 'node-exception' ? source.explain : source.kind === 'pod' ? `pod IP of ${endpointLabel(source.pods)}` : source.explain;
}

function evaluatePacket(packet: Packet, policies: readonly NetworkPolicyJson[], dp: Dataplane, nsLabels: NamespaceLabels): PacketVerdict {
  const { source, target } = packet;
  if (source.kind === 'node-exception') return { full: true, some: true, allowedBy: [NODE_EXCEPTION] };
  const allowedBy: string[] = [];
  let full = true;
  let some = true;
  let blocked: string | undefined;
  const port = target.port ? `${target.port.port}/${target.port.protocol}` : 'every port';
  if (source.kind === 'pod') {
    const egress = egressVerdict(policies, source, target, podAddresses(dp), nsLabels);
    const wanted = target.kind === 'pod' ? podAddresses(dp) : target.addresses;
    if (egress.unrestricted) allowedBy.push(NOT_SUBJECT);
    allowedBy.push(...egress.allowedBy);
    if (!egress.admitted.covers(wanted)) {
      full = false;
      const where = target.kind === 'pod' ? `pods ${endpointLabel(target.pods)}` : wanted.minus(egress.admitted).first();
      blocked = `egress from ${endpointLabel(source.pods)} to ${where} on ${port} blocked by NetworkPolicy ${blockers(egress)}`;
    }
    if (egress.partly.intersect(wanted).isEmpty) some = false;
  }
  if (target.kind === 'pod') {
    const ingress = ingressVerdict(policies, source, target, nsLabels);
    if (ingress.unrestricted) allowedBy.push(NOT_SUBJECT);
    allowedBy.push(...ingress.allowedBy);
    if (!ingress.admitted.covers(source.addresses)) {
      full = false;
      blocked ??= `the dataplane presents ${source.addresses.minus(ingress.admitted).first()} (${describeSource(source)}) to ${endpointLabel(target.pods)} on ${port}, blocked by NetworkPolicy ${blockers(ingress)}`;
    }
    if (ingress.partly.intersect(source.addresses).isEmpty) some = false;
  } else {
    allowedBy.push(NOT_SUBJECT);
  }
  return { full, some, allowedBy, ...(blocked ? { blocked } : {}) };
}

/** Checks every flow against the emitted NetworkPolicies. */
export function checkFlows(input: FlowCheckInput): FlowResult[] {
  const policies = input.policies.filter((o): o is NetworkPolicyJson => o.kind === 'NetworkPolicy');
  const nsLabels: NamespaceLabels = (ns) => ({ ...(input.namespaceLabels?.[ns] ?? {}), [NAMESPACE_NAME_LABEL]: ns });
  return input.flows.map((flow): FlowResult => {
    const head = `flow ${flow.id} (${endpointLabel(flow.from)} -> ${endpointLabel(flow.to)}, ${portsLabel(flow.ports)})`;
    let verdicts: PacketVerdict[];
    try {
      verdicts = packets(flow, input.dataplane).map((p) => ({ ...evaluatePacket(p, policies, input.dataplane, nsLabels), packet: p }));
    } catch (e) {
      if (!(e instanceof FlowDeclarationError)) throw e;
      return { flow, verdict: 'denied', ok: false, allowedBy: [], problem: `${head}: ${e.message}` };
    }
    const allowedBy = [...new Set(verdicts.flatMap((v) => v.allowedBy))].sort();
    const verdict = verdicts.every((v) => v.full) ? 'allowed' : verdicts.some((v) => v.some) ? 'partly' : 'denied';
    if (flow.expect === 'allow') {
      const blocked = verdicts.find((v) => !v.full);
      return blocked
        ? { flow, verdict, ok: false, allowedBy, problem: `${head} is required but ${blocked.blocked ?? 'blocked'}` }
        : { flow, verdict, ok: true, allowedBy };
    }
    const through = verdicts.filter((v) => v.some);
    if (!through.length) return { flow, verdict, ok: true, allowedBy: [] };
    const why = [...new Set(through.flatMap((v) => v.allowedBy))].sort().join(', ');
    return { flow, verdict, ok: false, allowedBy, problem: `${head} must be denied but gets through (allowed by: ${why})` };
  });
}
