/**
 * Cluster security computed from the model and the components: namespaces with Pod Security labels,
 * NetworkPolicies, RBAC for people.
 *
 * It runs after the platform charts exist and reads what they synthesize, so the levels and policies follow
 * the pods we really emit instead of a hand-kept list.
 */
import { Chart, type App } from 'cdk8s';
import type { K8sObject } from '../checks/types';
import type { ClusterModel, PodSecurityLevel } from '../model/types';
import { ClusterNetworkPolicies, type ApiEndpoint } from '../security/cluster-network-policies';
import { ownedNamespaces } from '../security/namespaces';
import { PodSecurityNamespace } from '../security/pod-security-namespace';
import { admittingLevel, podSecurityViolations, POD_SECURITY_LEVELS } from '../security/pod-security';
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
  const [base] = serviceCidr.split('/');
  const n = base.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0) + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
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
        targetAddress: model.tunnel.targetIP,
        targetPorts: model.tunnel.forwardedPorts.map((p) => p.localPort),
      },
    });
  }
  new AccessRbac(chart, 'Access', { namePrefix: model.name, subjects: model.access });
}
