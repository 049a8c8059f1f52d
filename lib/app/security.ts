/**
 * Cluster security computed from the model and the components: namespaces with Pod Security labels,
 * NetworkPolicies, RBAC for people.
 *
 * It runs after the platform charts exist and reads what they synthesize, so the levels and policies follow
 * the pods we really emit instead of a hand-kept list.
 */
import { Chart, type App } from 'cdk8s';
import type { K8sObject } from '../checks/types';
import { TRAEFIK_TUNNEL_SERVICE } from '../model/build';
import { intToIp, parseCidr } from '../model/ip';
import type { ClusterModel, PodSecurityLevel } from '../model/types';
import { ClusterNetworkPolicies, type ApiEndpoint } from '../security/cluster-network-policies';
import { ownedNamespaces } from '../security/namespaces';
import { PodSecurityNamespace, POD_SECURITY_REASON_ANNOTATION } from '../security/pod-security-namespace';
import type { ReadmeSection } from '../output/readme';
import { admittingLevel, podSecurityViolations, POD_SECURITY_LEVELS } from '../security/pod-security';
import { podTemplates } from '../security/pod-template';
import { AccessRbac } from '../security/rbac';

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

/** Where pods reach the API server: each control plane on bindPort, the VIP on port, the `kubernetes` Service IP on 443. */
export function apiEndpoints(model: ClusterModel): ApiEndpoint[] {
  return [
    ...model.apiServer.controlPlanes.map((h) => ({ address: h.ip, port: model.apiServer.bindPort })),
    { address: model.apiServer.vip, port: model.apiServer.port },
    { address: kubernetesServiceIP(model.kubernetes.serviceCidr), port: 443 },
  ];
}

/** The first address of the Service CIDR: the ClusterIP of `default/kubernetes`. */
export function kubernetesServiceIP(serviceCidr: string): string {
  return intToIp(parseCidr(serviceCidr)!.first + 1);
}

export function addSecurity(app: App, model: ClusterModel): void {
  const objects = app.charts.flatMap((chart) => chart.toJson() as K8sObject[]);
  const chart = new Chart(app, 'security');
  const namespaces = planNamespaces(model, objects);
  for (const ns of namespaces) {
    new PodSecurityNamespace(chart, `Namespace-${ns.name}`, { name: ns.name, enforce: ns.level, version: model.kubernetes.minor, reason: ns.reason });
  }
  if (model.security.networkPolicies) {
    new ClusterNetworkPolicies(chart, 'NetworkPolicies', {
      objects,
      namespaces: namespaces.map((n) => n.name),
      appNamespaces: model.namespaces,
      apiEndpoints: apiEndpoints(model),
      controlPlaneAddresses: model.apiServer.controlPlanes.map((h) => h.ip),
      ingressController: { namespace: model.ingress.namespace, loadBalancerIP: model.ingress.loadBalancerIP },
      acmeHttp01: model.acme?.solver.type === 'http01',
      tunnel: model.tunnel && {
        namespace: model.tunnel.namespace,
        serverAddress: model.tunnel.server.ip,
        serverPort: model.tunnel.bindPort,
        targetAddress: model.tunnel.targetAddress,
        targetPorts: model.tunnel.forwardedPorts.map((p) => p.localPort),
        ...(model.ingress.controller === 'traefik' ? { targetService: { namespace: model.ingress.namespace, name: TRAEFIK_TUNNEL_SERVICE } } : {}),
      },
    });
  }
  new AccessRbac(chart, 'Access', { namePrefix: model.name, subjects: model.access });
}

/**
 * dist/README.md section: per namespace we create, its Pod Security level and why, and the NetworkPolicies
 * that apply there; then who gets which access. Read from the final objects, so it says what was emitted.
 */
export function securityReadmeSection(model: ClusterModel, objects: readonly K8sObject[]): ReadmeSection {
  const rows = objects
    .filter((o) => o.kind === 'Namespace')
    .map((ns) => {
      const name = ns.metadata.name ?? '';
      const labels = (ns.metadata.labels ?? {}) as Record<string, string>;
      const reason = ((ns.metadata.annotations ?? {}) as Record<string, string>)[POD_SECURITY_REASON_ANNOTATION] ?? '';
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === name).map((o) => `\`${o.metadata.name}\``);
      return `| \`${name}\` | ${labels['pod-security.kubernetes.io/enforce']} | ${reason} | ${policies.join(', ') || 'none'} |`;
    });
  const hostNetwork = podTemplates(objects).filter((t) => t.spec.hostNetwork).map((t) => `${t.object.kind} ${t.namespace}/${t.object.metadata.name}`);
  const access = model.access.map((a) => `- ${a.kind} \`${a.name}\`: ${a.role}${a.namespaces.length ? ` in ${a.namespaces.map((n) => `\`${n}\``).join(', ')}` : ''}`);
  return {
    title: 'Security',
    body: [
      `Namespaces we create, with their Pod Security level (enforce = audit = warn, pinned to v${model.kubernetes.minor}). Others keep the cluster default \`${model.security.podSecurity.enforce}\` (exempt: ${model.security.podSecurity.exemptNamespaces.map((n) => `\`${n}\``).join(', ') || 'none'}); \`${model.metallb.namespace}\` and \`cert-manager\` come from their upstream installs.`,
      '',
      '| Namespace | Level | Why | NetworkPolicies |',
      '|---|---|---|---|',
      ...rows,
      '',
      model.security.networkPolicies
        ? [
            'Every namespace above is default-deny; the allows are computed from the emitted workloads.',
            `NetworkPolicy does not apply to hostNetwork pods: ${hostNetwork.join(', ') || 'none'}.`,
            'Pods you add to an app namespace get DNS (and traffic from the ingress controller where the description allows it); anything else they need, such as egress to the Internet or to other apps, needs its own NetworkPolicy.',
          ].join(' ')
        : 'NetworkPolicies are off (`security.networkPolicies: false`).',
      '',
      'Access:',
      '',
      ...(access.length ? access : ['- nobody (no `access` entries)']),
    ].join('\n'),
  };
}
