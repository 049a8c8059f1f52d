/**
 * Which built-in API versions a Kubernetes minor serves by default.
 *
 * The schema package (kubernetes-models, see k8s-schema.ts) carries every API version it ever generated,
 * including ones long removed (extensions/v1beta1 Deployment still validates there) and ones newer than
 * the cluster. This table says which of them the model's Kubernetes version actually serves, so a render
 * that uses one it does not is flagged.
 *
 * Sources: the Kubernetes deprecated API migration guide and the release notes of each minor; "off by
 * default" follows KEP-3136 (beta APIs introduced after 1.24 are disabled unless `--runtime-config` enables
 * them).
 */
import { compareCodePoints } from '../compare';

interface ApiLifecycle {
  /** `group/version` as written in `apiVersion` (`v1` for the core group). */
  readonly apiVersion: string;
  /** Kinds this entry is about; all kinds of the group/version when absent. */
  readonly kinds?: readonly string[];
  /** First minor serving it by default (e.g. `1.30`). */
  readonly since?: string;
  /** First minor that no longer serves it. */
  readonly removedIn?: string;
  /** Served only when enabled explicitly (alpha, and beta APIs added after 1.24). */
  readonly offByDefault?: boolean;
  /** What to use instead. */
  readonly replacement?: string;
}

/** Removals and additions that matter for 1.16 and later, newest last. */
const API_LIFECYCLE: readonly ApiLifecycle[] = [
  { apiVersion: 'extensions/v1beta1', kinds: ['DaemonSet', 'Deployment', 'ReplicaSet'], removedIn: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['NetworkPolicy'], removedIn: '1.16', replacement: 'networking.k8s.io/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['PodSecurityPolicy'], removedIn: '1.16', replacement: 'Pod Security Admission labels' },
  { apiVersion: 'extensions/v1beta1', kinds: ['Ingress'], removedIn: '1.22', replacement: 'networking.k8s.io/v1' },
  { apiVersion: 'apps/v1beta1', removedIn: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', removedIn: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'networking.k8s.io/v1beta1', kinds: ['Ingress', 'IngressClass'], removedIn: '1.22', replacement: 'networking.k8s.io/v1' },
  {
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    removedIn: '1.22',
    replacement: 'admissionregistration.k8s.io/v1',
  },
  { apiVersion: 'apiextensions.k8s.io/v1beta1', removedIn: '1.22', replacement: 'apiextensions.k8s.io/v1' },
  { apiVersion: 'apiregistration.k8s.io/v1beta1', removedIn: '1.22', replacement: 'apiregistration.k8s.io/v1' },
  { apiVersion: 'authentication.k8s.io/v1beta1', removedIn: '1.22', replacement: 'authentication.k8s.io/v1' },
  { apiVersion: 'authorization.k8s.io/v1beta1', removedIn: '1.22', replacement: 'authorization.k8s.io/v1' },
  { apiVersion: 'certificates.k8s.io/v1beta1', kinds: ['CertificateSigningRequest'], removedIn: '1.22', replacement: 'certificates.k8s.io/v1' },
  { apiVersion: 'coordination.k8s.io/v1beta1', kinds: ['Lease'], removedIn: '1.22', replacement: 'coordination.k8s.io/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', removedIn: '1.22', replacement: 'rbac.authorization.k8s.io/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1alpha1', removedIn: '1.22', replacement: 'rbac.authorization.k8s.io/v1' },
  { apiVersion: 'scheduling.k8s.io/v1beta1', removedIn: '1.22', replacement: 'scheduling.k8s.io/v1' },
  {
    apiVersion: 'storage.k8s.io/v1beta1',
    kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    removedIn: '1.22',
    replacement: 'storage.k8s.io/v1',
  },
  { apiVersion: 'batch/v1beta1', removedIn: '1.25', replacement: 'batch/v1' },
  { apiVersion: 'discovery.k8s.io/v1beta1', removedIn: '1.25', replacement: 'discovery.k8s.io/v1' },
  { apiVersion: 'events.k8s.io/v1beta1', removedIn: '1.25', replacement: 'events.k8s.io/v1' },
  { apiVersion: 'autoscaling/v2beta1', removedIn: '1.25', replacement: 'autoscaling/v2' },
  { apiVersion: 'policy/v1beta1', removedIn: '1.25', replacement: 'policy/v1 (PodDisruptionBudget); Pod Security Admission labels (PodSecurityPolicy)' },
  { apiVersion: 'node.k8s.io/v1beta1', removedIn: '1.25', replacement: 'node.k8s.io/v1' },
  { apiVersion: 'autoscaling/v2beta2', removedIn: '1.26', replacement: 'autoscaling/v2' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', removedIn: '1.26', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIStorageCapacity'], removedIn: '1.27', replacement: 'storage.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', removedIn: '1.29', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', since: '1.29' },
  { apiVersion: 'admissionregistration.k8s.io/v1', kinds: ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'], since: '1.30' },
  {
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    kinds: ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'],
    offByDefault: true,
    replacement: 'admissionregistration.k8s.io/v1 (1.30+)',
  },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', removedIn: '1.32', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'networking.k8s.io/v1', kinds: ['IPAddress', 'ServiceCIDR'], since: '1.33' },
  { apiVersion: 'networking.k8s.io/v1beta1', kinds: ['IPAddress', 'ServiceCIDR'], offByDefault: true, replacement: 'networking.k8s.io/v1 (1.33+)' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['VolumeAttributesClass'], offByDefault: true },
  { apiVersion: 'resource.k8s.io/v1beta1', offByDefault: true },
  { apiVersion: 'resource.k8s.io/v1beta2', since: '1.33', offByDefault: true },
  { apiVersion: 'coordination.k8s.io/v1beta1', kinds: ['LeaseCandidate'], since: '1.33', offByDefault: true },
  { apiVersion: 'certificates.k8s.io/v1beta1', kinds: ['ClusterTrustBundle'], since: '1.33', offByDefault: true },
];

/** `1.32` → 132, for comparisons. */
function minorNumber(minor: string): number {
  const match = /^v?(\d+)\.(\d+)/.exec(minor);
  if (!match) throw new Error(`not a Kubernetes minor version: ${JSON.stringify(minor)} (expected e.g. "1.32")`);
  return Number(match[1]) * 1000 + Number(match[2]);
}

const appliesTo = (entry: ApiLifecycle, apiVersion: string, kind: string) => entry.apiVersion === apiVersion && (!entry.kinds || entry.kinds.includes(kind));

/**
 * Why `apiVersion`/`kind` is not served by default on Kubernetes `minor`, or undefined when it is (or when the
 * table has nothing to say about it). Alpha versions are never served by default.
 */
export function unservedReason(apiVersion: string, kind: string, minor: string): string | undefined {
  const at = minorNumber(minor);
  for (const entry of API_LIFECYCLE.filter((e) => appliesTo(e, apiVersion, kind))) {
    const instead = entry.replacement ? `; use ${entry.replacement}` : '';
    if (entry.removedIn && at >= minorNumber(entry.removedIn)) return `${apiVersion} ${kind} was removed in Kubernetes ${entry.removedIn}${instead}`;
    if (entry.since && at < minorNumber(entry.since)) return `${apiVersion} ${kind} is served from Kubernetes ${entry.since} on${instead}`;
    if (entry.offByDefault) return `${apiVersion} ${kind} is not served unless enabled with --runtime-config${instead}`;
  }
  if (/\/v\d+alpha\d+$/.test(apiVersion)) return `${apiVersion} is an alpha API, not served unless enabled with --runtime-config`;
  return undefined;
}

/** The table rows that change between `from` and `to` (inclusive), for documentation: `[minor, change]`. */
export function apiChangesBetween(from: string, to: string): [string, string][] {
  const lo = minorNumber(from);
  const hi = minorNumber(to);
  const rows: [string, string][] = [];
  for (const entry of API_LIFECYCLE) {
    const what = `${entry.apiVersion}${entry.kinds ? ` ${entry.kinds.join(', ')}` : ''}`;
    if (entry.removedIn && minorNumber(entry.removedIn) >= lo && minorNumber(entry.removedIn) <= hi) {
      rows.push([entry.removedIn, `removed: ${what}${entry.replacement ? ` (use ${entry.replacement})` : ''}`]);
    }
    if (entry.since && minorNumber(entry.since) >= lo && minorNumber(entry.since) <= hi) {
      rows.push([entry.since, `${entry.offByDefault ? 'added, off by default' : 'added'}: ${what}`]);
    }
  }
  return rows.sort((a, b) => minorNumber(a[0]) - minorNumber(b[0]) || compareCodePoints(a[1], b[1]));
}
