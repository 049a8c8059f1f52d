/**
 * The flow matrix of docs/network.md: every flow the components declared, who talks to whom on which port
 * and why, and what lets it through on this dataplane (the NetworkPolicies by name, the node exception, or
 * nothing isolates it) — or, for must-deny flows, that nothing does.
 */
import type { FlowResult } from '../flows/check';
import type { Dataplane } from '../flows/dataplane';
import { endpointLabel, type FlowPort } from '../flows/types';
import { code, table } from './markdown';

const ports = (p: readonly FlowPort[]) => (p.length ? [...new Set(p.map((x) => String(x.port)))].join(', ') : 'all');
const protocols = (p: readonly FlowPort[]) => (p.length ? [...new Set(p.map((x) => x.protocol))].join(', ') : 'all');

export interface FlowMatrixInput {
  readonly results: readonly FlowResult[];
  readonly dataplane: Dataplane;
  /** False when the description turns NetworkPolicies off: nothing is enforced. */
  readonly enforced: boolean;
}

export function flowMatrixSection(input: FlowMatrixInput): string {
  const { results, dataplane: dp } = input;
  const required = results.filter((r) => r.flow.expect === 'allow');
  const denied = results.filter((r) => r.flow.expect === 'deny');
  const verdict = (r: FlowResult) => (r.ok ? (r.flow.expect === 'allow' ? 'allowed' : 'denied') : `**${r.verdict}** (fails the check)`);
  const HEAD = ['Flow', 'From', 'To', 'Port', 'Protocol', 'Why', 'Verdict'];
  const row = (r: FlowResult) => [
    code(r.flow.id),
    endpointLabel(r.flow.from),
    endpointLabel(r.flow.to),
    ports(r.flow.ports),
    protocols(r.flow.ports),
    r.flow.purpose,
    verdict(r),
  ];
  return [
    '## Flow matrix',
    '',
    `Every connection the components declare, checked by synth against the NetworkPolicies emitted here, for the addresses this dataplane presents: Flannel ${dp.flannelBackend}, kube-proxy ${dp.kubeProxyMode}, kube-network-policies, pod CIDR ${dp.podCidr}. ` +
      (dp.flannelBackend === 'vxlan'
        ? 'A host (the API server, a kubelet, a hostNetwork pod) reaching a pod on another node arrives from its flannel.1 address, the .0 of its pod subnet; '
        : 'A host reaching a pod on another node arrives from its node IP (host-gw); ') +
      "from the pod's own node it is always allowed (node exception). hostNetwork pods are not subject to policy." +
      (input.enforced ? '' : ' **NetworkPolicies are off (`security.networkPolicies: false`): nothing below is enforced, and the must-deny flows are open.**'),
    '',
    '### Required',
    '',
    table(
      [...HEAD, 'Allowed by'],
      required.map((r) => [...row(r), r.allowedBy.map((a) => (a.includes('/') ? code(a) : a)).join(', ')]),
    ),
    '',
    '### Must be denied',
    '',
    table(HEAD, denied.map(row)),
  ].join('\n');
}
