/**
 * NetworkPolicy coverage on the final objects, when the description asks for policies: every namespace we
 * create that runs pods with their own network (or is an application namespace) is default-deny in both
 * directions; a namespace whose pods all use host networking carries no NetworkPolicy (nothing there is
 * subject to one, and a policy there only suggests protection that does not exist); no two policies share a
 * name, and no policy lands in a namespace we don't own (a policy there would isolate pods we neither emit
 * nor allow, e.g. CoreDNS in kube-system).
 */
import type { Problem } from '../model/problems';
import { podTemplates } from '../security/pod-template';
import { objectRef, type K8sObject } from '../k8s/object';
import type { OutputCheck } from './types';

interface NetworkPolicyJson extends K8sObject {
  readonly spec?: {
    readonly podSelector?: Record<string, unknown>;
    readonly policyTypes?: readonly string[];
    readonly ingress?: unknown[];
    readonly egress?: unknown[];
  };
}

/** A policy that selects every pod for ingress and egress and allows nothing. */
export function isDefaultDeny(object: K8sObject): boolean {
  if (object.kind !== 'NetworkPolicy') return false;
  const spec = (object as NetworkPolicyJson).spec ?? {};
  const selector = spec.podSelector ?? {};
  const selectsAll = Object.values(selector).every((v) => v === undefined || (typeof v === 'object' && v !== null && Object.keys(v).length === 0));
  const types = spec.policyTypes ?? [];
  return selectsAll && types.includes('Ingress') && types.includes('Egress') && !spec.ingress?.length && !spec.egress?.length;
}

export function checkNetworkPolicyCoverage(objects: readonly K8sObject[], appNamespaces: readonly string[] = []): Problem[] {
  const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name ?? '');
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const templates = podTemplates(objects);
  const hostOnly = (ns: string) =>
    !appNamespaces.includes(ns) && templates.some((t) => t.namespace === ns) && templates.every((t) => t.namespace !== ns || t.spec.hostNetwork === true);
  return [
    ...namespaces
      .filter(hostOnly)
      .flatMap((ns) => policies.filter((p) => p.metadata.namespace === ns))
      .map((p) => ({ path: objectRef(p), message: 'is in a namespace whose pods all use host networking; NetworkPolicy does not apply to them, so drop it' })),
    ...namespaces
      .filter((ns) => !hostOnly(ns))
      .filter((ns) => !policies.some((p) => p.metadata.namespace === ns && isDefaultDeny(p)))
      .map((ns) => ({
        path: `Namespace ${ns}`,
        message: 'has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, Egress], no rules); every namespace we own starts closed',
      })),
    ...policies
      .filter((p, i) => policies.findIndex((q) => q.metadata.namespace === p.metadata.namespace && q.metadata.name === p.metadata.name) !== i)
      .map((p) => ({ path: objectRef(p), message: 'is emitted twice; the second would silently replace the first when applied' })),
    ...policies
      .filter((p) => !namespaces.includes(p.metadata.namespace ?? 'default'))
      .map((p) => ({
        path: objectRef(p),
        message: `is in namespace ${JSON.stringify(p.metadata.namespace ?? 'default')}, which this render does not create; a policy there would isolate pods we do not manage`,
      })),
  ];
}

export const networkPolicyCheck: OutputCheck = {
  name: 'network-policy',
  description:
    'With security.networkPolicies, every namespace we create is default-deny both ways (except those running only hostNetwork pods, which get none), and no NetworkPolicy lands in a namespace we do not own.',
  run: ({ model, objects }) =>
    model.security.networkPolicies
      ? checkNetworkPolicyCoverage(
          objects,
          model.namespaces.map((n) => n.name),
        )
      : [],
};
