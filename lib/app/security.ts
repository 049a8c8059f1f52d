/**
 * Cluster security computed from the model and the components: namespaces with Pod Security labels,
 * NetworkPolicies, RBAC for people.
 *
 * It runs after the platform charts exist and reads their objects (synthesized once, by the composition), so
 * the levels and policies follow the pods we really emit instead of a hand-kept list.
 */
import { Chart, type App } from 'cdk8s';
import type { K8sObject } from '../k8s/object';
import { FlowNetworkPolicies, Flows } from '../flows';
import type { ClusterModel, PodSecurityLevel } from '../model/types';
import { ownedNamespaces } from '../security/namespaces';
import { PodSecurityNamespace } from '../security/pod-security-namespace';
import { admittingLevel, podSecurityViolations, POD_SECURITY_LEVELS } from '../security/pod-security';
import { podTemplates } from '../security/pod-template';
import { AccessRbac } from '../security/rbac';
import { dataplaneOf, declareClusterFlows } from './flows';
import { ModelProblems } from './model-problems';
import type { Platform } from './platform';

export interface NamespacePlan {
  readonly name: string;
  readonly level: PodSecurityLevel;
  /** Why this level, in one sentence. */
  readonly reason: string;
}

/**
 * The Pod Security level of every namespace we own: the description's level for application namespaces,
 * else the most restrictive level that admits every pod we emit there (with the pods that rule out the next
 * stricter level as the reason).
 */
export function planNamespaces(model: ClusterModel, objects: readonly K8sObject[]): NamespacePlan[] {
  const version = model.kubernetes.minor;
  return ownedNamespaces(model, objects).map((name): NamespacePlan => {
    const app = model.namespaces.find((n) => n.name === name);
    if (app) return { name, level: app.podSecurity, reason: `application namespace; level set by the description` };
    const violations = objects.filter((o) => o.metadata.namespace === name).flatMap((o) => podSecurityViolations(o, { version }));
    const level = admittingLevel(violations);
    const stricter = POD_SECURITY_LEVELS[POD_SECURITY_LEVELS.indexOf(level) + 1];
    if (!stricter) return { name, level, reason: `every pod here meets restricted` };
    const blockers = violations.filter((v) => v.level === stricter);
    const byObject = new Map<string, string[]>();
    for (const v of blockers) byObject.set(v.object, [...new Set([...(byObject.get(v.object) ?? []), v.check])]);
    const list = [...byObject.entries()].map(([object, checks]) => `${object} (${checks.join(', ')})`).join('; ');
    return { name, level, reason: `most restrictive level that admits its pods; ${stricter} would reject ${list}` };
  });
}

/**
 * Namespaces that get default deny (and the generated allows): application namespaces, and every other
 * namespace we own that runs a pod with its own network namespace. A namespace whose pods all use host
 * networking (Flannel) gets no NetworkPolicy: nothing there is subject to one.
 */
export function isolatedNamespaces(model: ClusterModel, owned: readonly string[], objects: readonly K8sObject[]): string[] {
  if (!model.security.networkPolicies) return [];
  const apps = new Set(model.namespaces.map((n) => n.name));
  const networked = new Set(
    podTemplates(objects)
      .filter((t) => t.spec.hostNetwork !== true)
      .map((t) => t.namespace),
  );
  return owned.filter((ns) => apps.has(ns) || networked.has(ns));
}

/**
 * The description field a namespace name comes from: an app namespace's `namespaces[i].name`, the ingress or
 * tunnel namespace; `fallback` for namespaces named by the components themselves.
 */
function namespacePath(model: ClusterModel, name: string, fallback: string): string {
  const app = model.namespaces.findIndex((n) => n.name === name);
  if (app >= 0) return `namespaces[${app}].name`;
  if (name === model.ingress.namespace) return 'ingress.namespace';
  if (model.tunnel && name === model.tunnel.namespace) return 'tunnel.namespace';
  return fallback;
}

/** Adds the security chart; `objects` are the platform's objects (every chart so far, synthesized). */
export function addSecurity(app: App, model: ClusterModel, platform: Platform, objects: readonly K8sObject[]): void {
  const chart = new Chart(app, 'security');
  const problems = new ModelProblems();
  const namespaces = planNamespaces(model, objects);
  for (const ns of namespaces) {
    const index = model.namespaces.findIndex((n) => n.name === ns.name);
    const base = index >= 0 ? `namespaces[${index}]` : 'security.podSecurity';
    problems.build(
      base,
      () => new PodSecurityNamespace(chart, `Namespace-${ns.name}`, { name: ns.name, enforce: ns.level, version: model.kubernetes.minor, reason: ns.reason }),
      { name: namespacePath(model, ns.name, base), enforce: index >= 0 ? `${base}.podSecurity` : base, version: 'kubernetes.version' },
    );
  }
  // Flows name their namespaces: declare them only when every namespace is valid (else the problems above say why).
  const isolated = problems.problems.length
    ? []
    : isolatedNamespaces(
        model,
        namespaces.map((n) => n.name),
        objects,
      );
  if (!problems.problems.length) declareClusterFlows(app, platform, model, isolated);
  if (model.security.networkPolicies && !problems.problems.length) {
    problems.build(
      'security.networkPolicies',
      () =>
        new FlowNetworkPolicies(chart, 'NetworkPolicies', { flows: Flows.catalogue(app).flows, dataplane: dataplaneOf(model), isolatedNamespaces: isolated }),
      Object.fromEntries(isolated.map((ns, i) => [`isolatedNamespaces[${i}]`, namespacePath(model, ns, 'security.networkPolicies')])),
    );
  }
  problems.build('access', () => new AccessRbac(chart, 'Access', { namePrefix: model.name, subjects: model.access }), {
    namePrefix: 'name',
    subjects: 'access',
    // The model sorts each grant's namespaces: name the list, the message shows the value.
    ...Object.fromEntries(model.access.flatMap((a, i) => a.namespaces.map((_, j) => [`subjects[${i}].namespaces[${j}]`, `access[${i}].namespaces`]))),
  });
  problems.throwIfAny();
}
