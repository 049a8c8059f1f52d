/**
 * Pod Security Standards levels and the namespace labels that select them.
 */
import type { PodSecurityLevel } from '../../model/types';

/** A Pod Security Standards level (`privileged`, `baseline`, `restricted`); the same type as the model's. */
export type { PodSecurityLevel };

/** Every level, least restrictive first. */
export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

/** Negative when `a` is less restrictive than `b`. */
export function compareLevels(a: PodSecurityLevel, b: PodSecurityLevel): number {
  return POD_SECURITY_LEVELS.indexOf(a) - POD_SECURITY_LEVELS.indexOf(b);
}

/** Pod Security Admission modes; each gets a level label and a version label on a namespace. */
export const POD_SECURITY_MODES = ['enforce', 'audit', 'warn'] as const;
export type PodSecurityMode = (typeof POD_SECURITY_MODES)[number];

/** `pod-security.kubernetes.io/<mode>` */
export function podSecurityLabel(mode: PodSecurityMode): string {
  return `pod-security.kubernetes.io/${mode}`;
}

/** `pod-security.kubernetes.io/<mode>-version` */
export function podSecurityVersionLabel(mode: PodSecurityMode): string {
  return `pod-security.kubernetes.io/${mode}-version`;
}

/** Options of {@link podSecurityLabels}. */
export interface PodSecurityLabelOptions {
  /** Level for `enforce`. */
  readonly enforce: PodSecurityLevel;
  /** @default - the enforce level */
  readonly audit?: PodSecurityLevel;
  /** @default - the enforce level */
  readonly warn?: PodSecurityLevel;
  /** Kubernetes minor the levels are pinned to, `1.32` or `v1.32`. */
  readonly version: string;
}

/** The six namespace labels: a level and a pinned `v1.x` version for enforce, audit and warn. */
export function podSecurityLabels(options: PodSecurityLabelOptions): Record<string, string> {
  const version = options.version.startsWith('v') ? options.version : `v${options.version}`;
  const levels: Record<PodSecurityMode, PodSecurityLevel> = {
    enforce: options.enforce,
    audit: options.audit ?? options.enforce,
    warn: options.warn ?? options.enforce,
  };
  const labels: Record<string, string> = {};
  for (const mode of POD_SECURITY_MODES) {
    labels[podSecurityLabel(mode)] = levels[mode];
    labels[podSecurityVersionLabel(mode)] = version;
  }
  return labels;
}

/** Whether `value` is a Pod Security level name. */
export function isPodSecurityLevel(value: unknown): value is PodSecurityLevel {
  return typeof value === 'string' && (POD_SECURITY_LEVELS as readonly string[]).includes(value);
}
