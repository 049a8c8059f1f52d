/**
 * Pod-spec building blocks with secure defaults. Components start from these and relax only what a
 * container truly needs, with a comment saying why.
 */
import { k8s } from '../../k8s/api';

export interface ContainerSecurityOptions {
  /** @default - not set: the image's user (only for containers that must run as root) */
  readonly runAsUser?: number;
  /** @default - not set */
  readonly runAsGroup?: number;
  /** @default true when runAsUser is set and not 0 */
  readonly runAsNonRoot?: boolean;
  /** @default true */
  readonly readOnlyRootFilesystem?: boolean;
  /** Capabilities added after dropping ALL. @default [] */
  readonly addCapabilities?: readonly string[];
}

/** drop ALL, no privilege escalation, RuntimeDefault seccomp, read-only root filesystem. */
export function containerSecurity(options: ContainerSecurityOptions = {}): k8s.SecurityContext {
  const add = options.addCapabilities ?? [];
  const nonRoot = options.runAsNonRoot ?? (options.runAsUser !== undefined && options.runAsUser !== 0);
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'], ...(add.length ? { add: [...add].sort() } : {}) },
    readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
    ...(nonRoot ? { runAsNonRoot: true } : {}),
    ...(options.runAsUser !== undefined ? { runAsUser: options.runAsUser } : {}),
    ...(options.runAsGroup !== undefined ? { runAsGroup: options.runAsGroup } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Pod-level context: RuntimeDefault seccomp, and non-root identity when `uid` is given. */
export function podSecurity(uid?: number): k8s.PodSecurityContext {
  return {
    seccompProfile: { type: 'RuntimeDefault' },
    ...(uid !== undefined ? { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid } : {}),
  };
}

export function resources(cpu: string, memory: string, memoryLimit?: string): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString(memory) },
    ...(memoryLimit ? { limits: { memory: k8s.Quantity.fromString(memoryLimit) } } : {}),
  };
}

export function fieldEnv(name: string, fieldPath: string): k8s.EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

/** Required node affinity / nodeSelector value for Linux nodes. */
export const LINUX_NODE_SELECTOR: Readonly<Record<string, string>> = { 'kubernetes.io/os': 'linux' };

/** Tolerates every NoSchedule taint (control planes included), like upstream node agents. */
export const TOLERATE_ALL_NO_SCHEDULE: readonly k8s.Toleration[] = [{ operator: 'Exists', effect: 'NoSchedule' }];

export const intOrString = (value: number | string): k8s.IntOrString =>
  typeof value === 'number' ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value);
