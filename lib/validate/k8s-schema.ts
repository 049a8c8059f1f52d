/**
 * Strict schema validation of built-in Kubernetes objects.
 *
 * Schemas: the `kubernetes-models` npm package (4.5.x, generated from the Kubernetes v1.33 OpenAPI spec; the
 * 5.x line targets v1.36 and needs Node 22). Its validators are precompiled AJV functions that check types,
 * required fields, enums and formats but let unknown fields through. We make them strict without touching
 * the schemas: the object is validated through a Proxy that records which properties the validator looks
 * up. A compiled validator looks up every property its schema declares (`data.replicas === undefined ||
 * ...`), so a key it never asked about is not in the schema: an unknown field, which the API server drops
 * (or rejects under `kubectl apply --validate=strict`). Objects the validator never inspects at all are
 * free-form in the schema (RawExtension, JSON) and are not checked. Maps (labels, data) are iterated by
 * the validator and count as fully known.
 *
 * The schemas follow v1.33 while the cluster may run an older minor: api-versions.ts flags API versions the
 * cluster does not serve; fields added after the cluster's minor are not detected.
 *
 * The package's generator drops every property named `description` or `x-...` from its schemas (it treats
 * them as documentation and vendor extensions), although the API has some: PriorityClass `description`,
 * CRD printer-column `description`, CRD schema `description` and `x-kubernetes-*`. Those names are
 * therefore never reported as unknown, and their values are not checked.
 */
import type { K8sObject } from '../k8s/object';
import { describeAjvErrors, uniqueIssues, type AjvErrorLike, type FieldIssue } from './ajv-errors';
import { fieldPath } from './problems';

/** The schema source, for documentation and reports. */
export const SCHEMA_SOURCE = {
  package: 'kubernetes-models',
  version: '4.5.1',
  /** Kubernetes version the schemas were generated from. */
  kubernetes: '1.33',
} as const;

type ModelClass = { readonly apiVersion?: string; readonly kind?: string; readonly prototype: { validate(this: unknown): void } };

/** Property names the schema package cannot know about (see above). */
const UNCHECKED_PROPERTY = /^(description|x-.+)$/;

const SAFE_API_VERSION = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v\d+((alpha|beta)\d+)?$/;
const SAFE_KIND = /^[A-Z][A-Za-z0-9]*$/;
const modelCache = new Map<string, ModelClass | undefined>();

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The kinds our renders emit, by literal path, so a bundler includes their schemas (no module resolution at
 * run time); loaded on first use. Any other kind is required by computed path below.
 */
const EMITTED_KINDS: Readonly<Record<string, () => unknown>> = {
  'networking.k8s.io/v1/NetworkPolicy': () => require('kubernetes-models/networking.k8s.io/v1/NetworkPolicy'),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'),
  'rbac.authorization.k8s.io/v1/ClusterRole': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole'),
  'v1/ServiceAccount': () => require('kubernetes-models/v1/ServiceAccount'),
  'v1/Namespace': () => require('kubernetes-models/v1/Namespace'),
  'apps/v1/Deployment': () => require('kubernetes-models/apps/v1/Deployment'),
  'v1/Service': () => require('kubernetes-models/v1/Service'),
  'rbac.authorization.k8s.io/v1/RoleBinding': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'),
  'v1/ConfigMap': () => require('kubernetes-models/v1/ConfigMap'),
  'v1/Secret': () => require('kubernetes-models/v1/Secret'),
  'apps/v1/DaemonSet': () => require('kubernetes-models/apps/v1/DaemonSet'),
  'apps/v1/StatefulSet': () => require('kubernetes-models/apps/v1/StatefulSet'),
  'storage.k8s.io/v1/StorageClass': () => require('kubernetes-models/storage.k8s.io/v1/StorageClass'),
  'rbac.authorization.k8s.io/v1/Role': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/Role'),
  'batch/v1/Job': () => require('kubernetes-models/batch/v1/Job'),
  'networking.k8s.io/v1/IngressClass': () => require('kubernetes-models/networking.k8s.io/v1/IngressClass'),
  'apiregistration.k8s.io/v1/APIService': () => require('kubernetes-models/apiregistration.k8s.io/v1/APIService'),
  'storage.k8s.io/v1/CSIDriver': () => require('kubernetes-models/storage.k8s.io/v1/CSIDriver'),
  'policy/v1/PodDisruptionBudget': () => require('kubernetes-models/policy/v1/PodDisruptionBudget'),
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': () =>
    require('kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration'),
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': () =>
    require('kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration'),
  'networking.k8s.io/v1/Ingress': () => require('kubernetes-models/networking.k8s.io/v1/Ingress'),
  'discovery.k8s.io/v1/EndpointSlice': () => require('kubernetes-models/discovery.k8s.io/v1/EndpointSlice'),
  'apiextensions.k8s.io/v1/CustomResourceDefinition': () => require('kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The API groups of Kubernetes itself that have no `.k8s.io` suffix (the rest do; the core group has no name). */
const UNSUFFIXED_GROUPS = new Set(['', 'apps', 'autoscaling', 'batch', 'extensions', 'policy']);

/**
 * Whether `apiVersion` is in an API group of Kubernetes itself, the only ones the schema package has: the core
 * group, the unsuffixed ones and `*.k8s.io` (reserved for Kubernetes' own APIs; a custom resource's group is
 * another domain). A custom resource is then told apart without a `require` that Node would resolve through
 * node_modules only to fail.
 */
export function isKubernetesApiGroup(apiVersion: string): boolean {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  return UNSUFFIXED_GROUPS.has(group) || group.endsWith('.k8s.io');
}

/** The model class for a top-level kind, or undefined when the package has no schema for it. */
function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let model: ModelClass | undefined;
  if (SAFE_API_VERSION.test(apiVersion) && SAFE_KIND.test(kind) && isKubernetesApiGroup(apiVersion)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const module = (EMITTED_KINDS[key]?.() ?? require(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, ModelClass>;
      const candidate = module[kind];
      // Only top-level kinds carry apiVersion/kind; `DeploymentSpec` is not an object one can apply.
      if (candidate && candidate.apiVersion === apiVersion && candidate.kind === kind) model = candidate;
    } catch {
      model = undefined;
    }
  }
  modelCache.set(key, model);
  return model;
}

/** True when the schema package knows `apiVersion`/`kind` as a built-in top-level kind. */
export function hasBuiltinSchema(apiVersion: string, kind: string): boolean {
  return modelFor(apiVersion, kind) !== undefined;
}

interface Access {
  readonly keys: Set<string>;
  iterated: boolean;
}

/** Wraps `root` so every property lookup on it and its descendants is recorded per object. */
function tracked(root: unknown): { proxy: unknown; access: Map<object, Access> } {
  const access = new Map<object, Access>();
  const proxies = new WeakMap<object, unknown>();
  const wrap = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const existing = proxies.get(value);
    if (existing) return existing;
    const record: Access = { keys: new Set(), iterated: false };
    access.set(value, record);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        const result = Reflect.get(target, key, receiver);
        if (typeof key !== 'string') return result;
        record.keys.add(key);
        return Object.prototype.hasOwnProperty.call(target, key) ? wrap(result) : result;
      },
      has(target, key) {
        if (typeof key === 'string') record.keys.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        record.iterated = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  return { proxy: wrap(root), access };
}

/** Paths of every plain object inside `root`, keyed by identity. */
function objectPaths(root: unknown): Map<object, (string | number)[]> {
  const paths = new Map<object, (string | number)[]>();
  const walk = (value: unknown, path: (string | number)[]) => {
    if (value === null || typeof value !== 'object' || paths.has(value)) return;
    paths.set(value, path);
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i]));
    else for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
  };
  walk(root, []);
  return paths;
}

/**
 * Validates one built-in object strictly. Returns undefined when the schema package has no schema for its
 * apiVersion/kind (a custom resource, or an API it does not know); otherwise every issue found.
 */
export function validateBuiltinObject(object: K8sObject): FieldIssue[] | undefined {
  const model = modelFor(object.apiVersion, object.kind);
  if (!model) return undefined;
  const { proxy, access } = tracked(object);
  const issues: FieldIssue[] = [];
  try {
    model.prototype.validate.call(proxy);
  } catch (error) {
    const errors = (error as { errors?: AjvErrorLike[] }).errors;
    if (!errors) throw error;
    issues.push(...describeAjvErrors(errors, object, `the ${object.apiVersion} ${object.kind} schema`));
  }
  let paths: Map<object, (string | number)[]> | undefined; // only needed for an unknown field
  for (const [value, record] of access) {
    if (Array.isArray(value) || record.iterated || record.keys.size === 0) continue;
    for (const key of Object.keys(value)) {
      if (!record.keys.has(key) && !UNCHECKED_PROPERTY.test(key)) {
        paths ??= objectPaths(object);
        issues.push({ field: fieldPath([...(paths.get(value) ?? []), key]), message: `unknown field (not in the ${object.apiVersion} ${object.kind} schema)` });
      }
    }
  }
  return uniqueIssues(issues);
}

/**
 * Validates `metadata` of any object (custom resources included) against ObjectMeta, strictly, by
 * validating it inside a ConfigMap. Field paths start with `metadata`.
 */
export function validateObjectMeta(metadata: unknown): FieldIssue[] {
  const issues = validateBuiltinObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata } as K8sObject) ?? [];
  return issues.filter((i) => i.field === 'metadata' || i.field.startsWith('metadata.') || i.field.startsWith('metadata['));
}
