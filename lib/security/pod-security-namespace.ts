/**
 * A Namespace labelled for Pod Security Admission: a level and a pinned version for enforce, audit and warn.
 */
import { Construct } from 'constructs';
import { k8s } from '../k8s-api';
import { podSecurityLabels, type PodSecurityLevel } from './pod-security/levels';

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

export class PodSecurityNamespace extends Construct {
  readonly name: string;
  readonly enforce: PodSecurityLevel;

  constructor(scope: Construct, id: string, props: PodSecurityNamespaceProps) {
    super(scope, id);
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
