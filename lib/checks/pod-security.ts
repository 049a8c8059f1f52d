/**
 * Pod Security on the final objects: every namespace we emit carries enforce/audit/warn labels pinned to the
 * cluster's minor, and every pod template is admitted by the level its namespace enforces (our label, the
 * label its upstream install sets, or the cluster-wide default unless the namespace is exempt).
 */
import type { ClusterModel } from '../model/types';
import type { Problem } from '../model/problems';
import { externalNamespaces } from '../security/namespaces';
import {
  evaluatePodSecurity,
  isPodSecurityLevel,
  podSecurityLabel,
  podSecurityVersionLabel,
  POD_SECURITY_MODES,
  type PodSecurityLevel,
} from '../security/pod-security';
import { podTemplateOf } from '../security/pod-template';
import { objectRef, type K8sObject } from '../k8s/object';
import type { OutputCheck } from './types';

/** How Pod Security Admission treats a namespace. */
export type NamespaceEnforcement =
  | { readonly exempt: true; readonly source: string }
  | { readonly exempt: false; readonly level: PodSecurityLevel; readonly version: string; readonly source: string };

/** The enforce level (and policy version) that applies to pods in `namespace`. */
export function namespaceEnforcement(model: ClusterModel, objects: readonly K8sObject[], namespace: string): NamespaceEnforcement {
  const version = model.kubernetes.minor;
  const emitted = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === namespace);
  const labels = (emitted?.metadata.labels ?? {}) as Record<string, string>;
  const label = labels[podSecurityLabel('enforce')];
  if (isPodSecurityLevel(label)) {
    const pinned = labels[podSecurityVersionLabel('enforce')];
    return { exempt: false, level: label, version: pinned && pinned !== 'latest' ? pinned : version, source: `namespace ${namespace} enforces ${label}` };
  }
  const external = externalNamespaces(model).find((n) => n.name === namespace);
  if (external?.enforce)
    return {
      exempt: false,
      level: external.enforce,
      version,
      source: `namespace ${namespace} (created by ${external.createdBy}) enforces ${external.enforce}`,
    };
  if (model.security.podSecurity.exemptNamespaces.includes(namespace)) return { exempt: true, source: `namespace ${namespace} is exempt` };
  const level = model.security.podSecurity.enforce;
  return { exempt: false, level, version, source: `namespace ${namespace} has no enforce label, so the cluster default ${level} applies` };
}

/** Problems with the Pod Security labels of the Namespaces we emit. */
export function checkNamespaceLabels(model: ClusterModel, objects: readonly K8sObject[]): Problem[] {
  const version = `v${model.kubernetes.minor}`;
  return objects
    .filter((o) => o.kind === 'Namespace')
    .flatMap((ns) => {
      const labels = (ns.metadata.labels ?? {}) as Record<string, string>;
      return POD_SECURITY_MODES.flatMap((mode): Problem[] => {
        const problems: Problem[] = [];
        const level = labels[podSecurityLabel(mode)];
        if (!isPodSecurityLevel(level)) {
          problems.push({
            path: `${objectRef(ns)} metadata.labels["${podSecurityLabel(mode)}"]`,
            message: `is ${JSON.stringify(level)}; every namespace we create needs privileged, baseline or restricted`,
          });
        }
        if (labels[podSecurityVersionLabel(mode)] !== version) {
          problems.push({
            path: `${objectRef(ns)} metadata.labels["${podSecurityVersionLabel(mode)}"]`,
            message: `is ${JSON.stringify(labels[podSecurityVersionLabel(mode)])}; pin it to ${JSON.stringify(version)} (kubernetes.version)`,
          });
        }
        return problems;
      });
    });
}

/** Problems for every pod template its namespace's enforced level would reject. */
export function checkPodAdmission(model: ClusterModel, objects: readonly K8sObject[]): Problem[] {
  return objects.flatMap((object) => {
    const template = podTemplateOf(object);
    if (!template) return [];
    const enforcement = namespaceEnforcement(model, objects, template.namespace);
    if (enforcement.exempt) return [];
    return evaluatePodSecurity(object, enforcement.level, { version: enforcement.version }).map((v) => ({
      path: `${v.object} ${v.path}`,
      message: `${v.message}; ${enforcement.source} (${v.level} check ${v.check})`,
    }));
  });
}

export const podSecurityCheck: OutputCheck = {
  name: 'pod-security',
  description:
    'Every namespace we create has Pod Security enforce/audit/warn labels pinned to the cluster minor, and every pod template is admitted by the level its namespace enforces.',
  run: ({ model, objects }) => [...checkNamespaceLabels(model, objects), ...checkPodAdmission(model, objects)],
};
