import type { K8sObject } from '../k8s/object';
import type { ClusterModel } from '../model/types';
import { POD_SECURITY_REASON_ANNOTATION } from '../security/pod-security-namespace';
import { podTemplates } from '../security/pod-template';
import type { ReadmeSection } from './section';

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
  const hostNetwork = podTemplates(objects)
    .filter((t) => t.spec.hostNetwork)
    .map((t) => `${t.object.kind} ${t.namespace}/${t.object.metadata.name}`);
  const access = model.access.map(
    (a) => `- ${a.kind} \`${a.name}\`: ${a.role}${a.namespaces.length ? ` in ${a.namespaces.map((n) => `\`${n}\``).join(', ')}` : ''}`,
  );
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
            'Every namespace above that runs pods with their own network (and every app namespace) is default-deny; the allows are generated from the flows the components declare, and synth proves each one against the dataplane (see the flow matrix in `docs/network.md`).',
            `NetworkPolicy does not apply to hostNetwork pods, so namespaces running only those get none: ${hostNetwork.join(', ') || 'none'}.`,
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
