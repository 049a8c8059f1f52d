/**
 * The flow check: the emitted NetworkPolicies allow every flow the components declared as required and deny
 * every flow declared as must-deny, for the packets this cluster's dataplane really carries (Flannel
 * backend, kube-proxy, kube-network-policies; see lib/flows/dataplane.ts). Also: every admission webhook and
 * aggregated API we emit has a required flow from the API server to its Service.
 */
import { buildClusterApp } from '../app/cluster-app';
import { dataplaneOf } from '../app/flows';
import { checkFlows, Flows, type Flow } from '../flows';
import type { FlowResult } from '../flows/check';
import type { Problem } from '../model/problems';
import { labelsMatch, mountsServiceAccountToken, podTemplates } from '../security/pod-template';
import { webhookServices } from '../security/services';
import { isDefaultDeny } from './network-policy';
import type { K8sObject } from '../k8s/object';
import type { OutputCheck } from './types';

/** Services the API server calls: webhook configurations and APIServices, as `namespace/name`. */
function apiServerCallees(objects: readonly K8sObject[]): { service: string; by: string }[] {
  const hooks = webhookServices(objects).map((h) => ({ service: `${h.namespace}/${h.name}`, by: h.configuration }));
  const apis = objects
    .filter((o) => o.kind === 'APIService')
    .flatMap((o) => {
      const s = (o as { spec?: { service?: { namespace?: string; name?: string } } }).spec?.service;
      return s?.name ? [{ service: `${s.namespace ?? 'default'}/${s.name}`, by: `APIService ${o.metadata.name}` }] : [];
    });
  return [...hooks, ...apis];
}

/** Labels of the Namespaces we emit, by name. */
export function namespaceLabelsOf(objects: readonly K8sObject[]): Record<string, Record<string, string>> {
  return Object.fromEntries(
    objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name ?? '', (o.metadata.labels ?? {}) as Record<string, string>]),
  );
}

/**
 * The flow check on objects: every declared flow that the NetworkPolicies among `objects` get wrong, and every
 * policy that no declared flow explains, as problems (path `flows`).
 */
export function flowProblems(
  flows: readonly Flow[],
  objects: readonly K8sObject[],
  dataplane: Parameters<typeof checkFlows>[0]['dataplane'],
  results: readonly FlowResult[] = checkFlows({ flows, policies: objects, dataplane, namespaceLabels: namespaceLabelsOf(objects) }),
): Problem[] {
  const problems: Problem[] = results.filter((r) => !r.ok).map((r) => ({ path: 'flows', message: r.problem ?? `flow ${r.flow.id} fails` }));
  const declared = new Set(
    flows
      .filter((f) => f.expect === 'allow' && f.from.kind === 'api-server' && f.to.kind === 'service')
      .map((f) => (f.to.kind === 'service' ? `${f.to.namespace}/${f.to.name}` : '')),
  );
  // A pod that mounts a token in a default-deny namespace needs a declared flow to the API (no more guessing).
  const isolated = new Set(objects.filter(isDefaultDeny).map((p) => p.metadata.namespace ?? 'default'));
  const toApi = flows.filter(
    (f) => f.expect === 'allow' && f.from.kind === 'pods' && (f.to.kind === 'api-server' || (f.to.kind === 'service' && f.to.backends.kind === 'api-server')),
  );
  for (const t of podTemplates(objects)) {
    if (t.spec.hostNetwork || !isolated.has(t.namespace) || !mountsServiceAccountToken(t, objects)) continue;
    const covered = toApi.some((f) => f.from.kind === 'pods' && f.from.namespace === t.namespace && labelsMatch(f.from.podLabels, t.metadata.labels));
    if (!covered) {
      problems.push({
        path: `${t.object.kind} ${t.namespace}/${t.object.metadata.name ?? ''}`,
        message: `mounts a ServiceAccount token in default-deny namespace ${t.namespace}, but no flow lets its pods reach the API server; declare Flows.of(this).require({ from: <its pods>, to: Endpoint.kubernetesApi(), ports: [tcp(443)], ... }) or set automountServiceAccountToken: false`,
      });
    }
  }
  for (const callee of apiServerCallees(objects)) {
    if (!declared.has(callee.service)) {
      problems.push({
        path: callee.by,
        message: `calls Service ${callee.service}, but no component declares that flow from the API server (Flows.of(this).require({ from: Endpoint.apiServer(), to: <its Service handle>, ... }))`,
      });
    }
  }
  return problems;
}

/**
 * The output check `flows`: with `security.networkPolicies`, the emitted NetworkPolicies let every declared
 * flow through and block every must-deny flow, for the addresses the dataplane really presents.
 */
export const flowsCheck: OutputCheck = {
  name: 'flows',
  description:
    'With security.networkPolicies, every declared flow passes and every must-deny flow is blocked by the emitted NetworkPolicies, for the addresses the dataplane really presents; every webhook and APIService has its API server flow.',
  run: ({ model, objects, flows, flowResults }) => {
    if (!model.security.networkPolicies) return [];
    // the render's verdicts hold for its own catalogue only
    if (flows && flowResults) return flowProblems(flows, objects, dataplaneOf(model), flowResults);
    return flowProblems(flows ?? Flows.catalogue(buildClusterApp(model)).flows, objects, dataplaneOf(model));
  },
};
