/**
 * Shared test helpers for synthesized Kubernetes objects: find objects by kind and name, reach into pod
 * templates, read the shared upstream material (../shared), compare RBAC rules, and validate custom
 * resources against their CRD schemas.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { App, Chart, Testing } from 'cdk8s';
import * as yaml from 'js-yaml';

/** A synthesized Kubernetes object (loosely typed: tests assert the fields they care about). */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: any;
}

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Builds constructs into a bare chart, as another repository would, and synthesizes it. */
export function synthChart(build: (chart: Chart) => void): K8sObject[] {
  const chart = new Chart(new App(), 'test');
  build(chart);
  return Testing.synth(chart) as K8sObject[];
}

/** `Kind namespace/name` */
export function ref(object: Pick<K8sObject, 'kind' | 'metadata'>): string {
  return `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}

export function findObjects(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The one object of `kind` named `name` (in `namespace` when given); throws listing what exists otherwise. */
export function findObject(objects: readonly K8sObject[], kind: string, name: string, namespace?: string): K8sObject {
  const matches = objects.filter((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (matches.length !== 1) {
    const present = findObjects(objects, kind).map(ref).join(', ') || 'none';
    throw new Error(`expected exactly one ${kind} ${namespace ? `${namespace}/` : ''}${name}, found ${matches.length} (${kind} objects: ${present})`);
  }
  return matches[0];
}

/** True when an object of `kind` named `name` exists. */
export function hasObject(objects: readonly K8sObject[], kind: string, name: string, namespace?: string): boolean {
  return objects.some((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
}

const WORKLOAD_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'Job', 'ReplicaSet']);

export function isWorkload(object: K8sObject): boolean {
  return WORKLOAD_KINDS.has(object.kind) || object.kind === 'Pod' || object.kind === 'CronJob';
}

/** The pod spec of a Pod, workload or CronJob. */
export function podSpec(object: K8sObject): any {
  if (object.kind === 'Pod') return object.spec;
  if (object.kind === 'CronJob') return object.spec.jobTemplate.spec.template.spec;
  if (WORKLOAD_KINDS.has(object.kind)) return object.spec.template.spec;
  throw new Error(`${ref(object)} has no pod spec`);
}

/** Pod template metadata (labels, annotations) of a workload. */
export function podTemplateMetadata(object: K8sObject): any {
  if (object.kind === 'CronJob') return object.spec.jobTemplate.spec.template.metadata;
  return object.spec.template.metadata;
}

/** Containers and init containers. */
export function allContainers(object: K8sObject): any[] {
  const spec = podSpec(object);
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** The (init) container called `name`; throws listing the names otherwise. */
export function container(object: K8sObject, name: string): any {
  const found = allContainers(object).find((c) => c.name === name);
  if (!found)
    throw new Error(
      `${ref(object)} has no container ${name} (has ${allContainers(object)
        .map((c) => c.name)
        .join(', ')})`,
    );
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// ../shared (upstream manifests and CRDs)

export const SHARED_MISSING_MESSAGE = '../shared not found: conformance tests need the shared upstream manifests';

/** Absolute path of ../shared (relative to the repository root); throws a clear error when it is absent. */
export function sharedDir(repoRoot: string = REPO_ROOT): string {
  const dir = resolve(repoRoot, '..', 'shared');
  if (!existsSync(dir)) throw new Error(`${SHARED_MISSING_MESSAGE} (looked for ${dir})`);
  return dir;
}

/** Every document of a YAML file under ../shared (e.g. `upstream/flannel-v0.28.9/kube-flannel.yml`). */
export function readSharedYaml(relativePath: string): K8sObject[] {
  const file = join(sharedDir(), relativePath);
  if (!existsSync(file)) throw new Error(`${relativePath} not found under ../shared`);
  return (yaml.loadAll(readFileSync(file, 'utf8')) as unknown[]).filter((d): d is K8sObject => d !== null && typeof d === 'object');
}

// ---------------------------------------------------------------------------------------------------------
// RBAC coverage

export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

export interface Permission {
  readonly apiGroup: string;
  readonly resource: string;
  readonly verb: string;
  /** undefined: any name. */
  readonly resourceName?: string;
}

/** Flattens rules into one (apiGroup, resource, verb[, resourceName]) tuple per combination. */
export function permissions(rules: readonly PolicyRule[]): Permission[] {
  return rules.flatMap((r) =>
    (r.apiGroups ?? []).flatMap((apiGroup) =>
      (r.resources ?? []).flatMap((resource) =>
        r.verbs.flatMap((verb) =>
          r.resourceNames?.length ? r.resourceNames.map((resourceName) => ({ apiGroup, resource, verb, resourceName })) : [{ apiGroup, resource, verb }],
        ),
      ),
    ),
  );
}

function grants(rule: PolicyRule, p: Permission): boolean {
  const has = (list: readonly string[] | undefined, value: string) => (list ?? []).includes('*') || (list ?? []).includes(value);
  if (!has(rule.apiGroups, p.apiGroup) || !has(rule.resources, p.resource) || !has(rule.verbs, p.verb)) return false;
  if (!rule.resourceNames?.length) return true;
  return p.resourceName !== undefined && rule.resourceNames.includes(p.resourceName);
}

export function formatPermission(p: Permission): string {
  return `(${p.apiGroup || '""'}, ${p.resource}, ${p.verb}${p.resourceName ? `, name=${p.resourceName}` : ''})`;
}

/** Every permission `required` grants that no rule of `granted` grants, formatted; empty when covered. */
export function uncoveredPermissions(required: readonly PolicyRule[], granted: readonly PolicyRule[]): string[] {
  return permissions(required)
    .filter((p) => !granted.some((rule) => grants(rule, p)))
    .map(formatPermission);
}

/** The rules of the Role or ClusterRole a ServiceAccount is bound to, across all bindings in `objects`. */
export function rulesBoundTo(objects: readonly K8sObject[], serviceAccount: { name: string; namespace: string }, kind: 'ClusterRole' | 'Role'): PolicyRule[] {
  const bindingKind = kind === 'ClusterRole' ? 'ClusterRoleBinding' : 'RoleBinding';
  const roleNames = findObjects(objects, bindingKind)
    .filter((b) =>
      (b.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === serviceAccount.name && s.namespace === serviceAccount.namespace),
    )
    .filter((b) => b.roleRef.kind === kind && (kind === 'ClusterRole' || b.metadata.namespace === serviceAccount.namespace))
    .map((b) => b.roleRef.name as string);
  return findObjects(objects, kind)
    .filter((r) => roleNames.includes(r.metadata.name) && (kind === 'ClusterRole' || r.metadata.namespace === serviceAccount.namespace))
    .flatMap((r) => r.rules as PolicyRule[]);
}

// ---------------------------------------------------------------------------------------------------------
// CRD schema validation

export type CrValidator = (object: unknown) => string[];

/** Validates objects against the openAPIV3Schema of one CRD file (for the object's apiVersion). */
export function crdValidator(crdFile: string): CrValidator {
  const [crd] = yaml.loadAll(readFileSync(crdFile, 'utf8')).filter((d) => d !== null) as any[];
  if (crd?.kind !== 'CustomResourceDefinition') throw new Error(`${crdFile} is not a CustomResourceDefinition`);
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validators = new Map<string, ReturnType<Ajv['compile']>>(
    crd.spec.versions.map((v: any) => [`${crd.spec.group}/${v.name}`, ajv.compile(v.schema.openAPIV3Schema)]),
  );
  return (object: unknown) => {
    const o = object as K8sObject;
    if (o?.kind !== crd.spec.names.kind) return [`kind ${JSON.stringify(o?.kind)} is not ${crd.spec.names.kind}`];
    const validate = validators.get(o.apiVersion);
    if (!validate) return [`apiVersion ${o.apiVersion} is not served by ${crd.metadata.name}`];
    return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  };
}
