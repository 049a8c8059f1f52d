/**
 * A Namespace labelled for Pod Security Admission: a level and a pinned version for enforce, audit and warn.
 */
import { Construct } from 'constructs';
import { checkDnsLabel, checkOneOf, problem, throwIfProblems } from '../components/private/validation';
import { k8s } from '../k8s/api';
import { POD_SECURITY_LEVELS, podSecurityLabels, type PodSecurityLevel } from './pod-security/levels';

/** Props of {@link PodSecurityNamespace}. */
export interface PodSecurityNamespaceProps {
  /** Namespace name. */
  readonly name: string;
  /** The level Pod Security Admission enforces. */
  readonly enforce: PodSecurityLevel;
  /** @default - the enforce level */
  readonly audit?: PodSecurityLevel;
  /** @default - the enforce level */
  readonly warn?: PodSecurityLevel;
  /** Kubernetes minor the levels are pinned to, e.g. `1.32` (labels say `v1.32`). */
  readonly version: string;
  /** Extra labels. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Why this level, for readers of the manifest (annotation `homelab.dev/pod-security-reason`). @default - none */
  readonly reason?: string;
}

/** Annotation that says why a namespace has its level. */
export const POD_SECURITY_REASON_ANNOTATION = 'homelab.dev/pod-security-reason';

/**
 * A Namespace labelled for Pod Security Admission: a level and a pinned version for enforce, audit and warn,
 * and, when given, the reason for the level as an annotation.
 */
export class PodSecurityNamespace extends Construct {
  readonly name: string;
  readonly enforce: PodSecurityLevel;

  constructor(scope: Construct, id: string, props: PodSecurityNamespaceProps) {
    super(scope, id);
    throwIfProblems('PodSecurityNamespace', [
      typeof props.name === 'string' ? checkDnsLabel('name', props.name) : problem('name', props.name, 'must be a namespace name such as "apps"'),
      checkOneOf('enforce', props.enforce, POD_SECURITY_LEVELS),
      props.audit === undefined ? undefined : checkOneOf('audit', props.audit, POD_SECURITY_LEVELS),
      props.warn === undefined ? undefined : checkOneOf('warn', props.warn, POD_SECURITY_LEVELS),
      typeof props.version === 'string' && /^v?1\.\d{1,3}$/.test(props.version)
        ? undefined
        : problem('version', props.version, 'must be the Kubernetes minor the levels are pinned to, such as "1.32" or "v1.32"'),
      ...Object.keys(props.labels ?? {})
        .filter((key) => key.startsWith('pod-security.kubernetes.io/'))
        .map((key) => problem(`labels.${key}`, props.labels?.[key], 'must not set Pod Security labels; use enforce, audit, warn and version')),
    ]);
    this.name = props.name;
    this.enforce = props.enforce;
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: { ...props.labels, ...podSecurityLabels(props) },
        ...(props.reason ? { annotations: { [POD_SECURITY_REASON_ANNOTATION]: props.reason } } : {}),
      },
    });
  }
}
