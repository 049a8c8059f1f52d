/**
 * Evaluates pod templates against the Pod Security Standards, the way Pod Security Admission does at a given
 * policy version, and reports every violation with the object, the field and the level.
 *
 * Usable on any synthesized object (`chart.toJson()`, parsed YAML): Pods and the workloads that carry a pod
 * template (Deployment, DaemonSet, StatefulSet, ReplicaSet, ReplicationController, Job, CronJob). Other kinds
 * have no violations.
 *
 * Not modelled: the relaxation for user-namespaced pods (`hostUsers: false`), which up to v1.33 sits behind
 * the alpha feature gate UserNamespacesPodSecurityStandards (off by default), and the v1.34+ checks.
 */
import { objectRef, type K8sObject } from '../../k8s/object';
import { podTemplateOf, type PodTemplate } from '../pod-template';
import { CHECKS, type ViolationLevel } from './checks';
import { compareLevels, POD_SECURITY_LEVELS, type PodSecurityLevel } from './levels';

/** One Pod Security Standards violation of an object's pod template. */
export interface PodSecurityViolation {
  /** The object, `Kind namespace/name`. */
  readonly object: string;
  /** Pod Security Admission check ID, e.g. `capabilities_baseline`, `runAsNonRoot`. */
  readonly check: string;
  /** The least restrictive level that forbids this value; every more restrictive level forbids it too. */
  readonly level: ViolationLevel;
  /** Field path inside the object, e.g. `spec.template.spec.containers[0].securityContext.capabilities.add`. */
  readonly path: string;
  /** The value found and what the level allows. */
  readonly message: string;
}

/** Options of the Pod Security evaluator. */
export interface PodSecurityOptions {
  /**
   * Pod Security Standards policy version (a Kubernetes minor, `1.32` or `v1.32`), as in the
   * `pod-security.kubernetes.io/<mode>-version` label. Supported: 1.25 to 1.33.
   * @default '1.32'
   */
  readonly version?: string;
}

/** The policy versions whose rules this evaluator implements. */
const SUPPORTED_POLICY_MINORS = { min: 25, max: 33 } as const;
const DEFAULT_POLICY_VERSION = '1.32';

function policyMinor(version: string = DEFAULT_POLICY_VERSION): number {
  const match = /^v?1\.(\d+)$/.exec(version);
  const minor = match ? Number(match[1]) : NaN;
  if (!(minor >= SUPPORTED_POLICY_MINORS.min && minor <= SUPPORTED_POLICY_MINORS.max)) {
    throw new RangeError(
      `Pod Security policy version ${JSON.stringify(version)} is not supported; use 1.${SUPPORTED_POLICY_MINORS.min} to 1.${SUPPORTED_POLICY_MINORS.max} (e.g. "1.32")`,
    );
  }
  return minor;
}

function templateViolations(template: PodTemplate, minor: number): PodSecurityViolation[] {
  const view = { spec: template.spec, annotations: template.metadata.annotations ?? {}, minor };
  const metadataPath = template.specPath.replace(/(^|\.)spec$/, '$1metadata');
  const ref = objectRef(template.object);
  return [...CHECKS.baseline, ...CHECKS.restricted].flatMap((check) =>
    check(view).map((f) => ({
      object: ref,
      check: f.check,
      level: f.level,
      path: `${f.field.in === 'spec' ? template.specPath : metadataPath}.${f.field.path}`,
      message: f.message,
    })),
  );
}

/**
 * Every Pod Security Standards violation of the object's pod template, each tagged with the least restrictive
 * level that forbids it. Empty for objects without a pod template.
 */
export function podSecurityViolations(object: K8sObject, options: PodSecurityOptions = {}): PodSecurityViolation[] {
  const minor = policyMinor(options.version);
  const template = podTemplateOf(object);
  return template ? templateViolations(template, minor) : [];
}

/** The violations that stop the object's pods from being admitted at `level` (none at privileged). */
export function evaluatePodSecurity(object: K8sObject, level: PodSecurityLevel, options: PodSecurityOptions = {}): PodSecurityViolation[] {
  return podSecurityViolations(object, options).filter((v) => compareLevels(v.level, level) <= 0);
}

/** The most restrictive level at which none of `violations` applies (restricted when there are none). */
export function admittingLevel(violations: readonly PodSecurityViolation[]): PodSecurityLevel {
  return [...POD_SECURITY_LEVELS].reverse().find((level) => violations.every((v) => compareLevels(v.level, level) > 0)) ?? 'privileged';
}

/** The most restrictive level that admits the pods of every object (restricted when there are none). */
export function strictestAdmittingLevel(objects: readonly K8sObject[], options: PodSecurityOptions = {}): PodSecurityLevel {
  return admittingLevel(objects.flatMap((o) => podSecurityViolations(o, options)));
}
