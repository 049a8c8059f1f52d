/**
 * Validation of custom resources against the `openAPIV3Schema` of their CustomResourceDefinition, the way
 * the API server sees them: structural schemas where every object with declared `properties` rejects
 * unknown fields (the server would prune them) unless it says `x-kubernetes-preserve-unknown-fields`.
 * `x-kubernetes-int-or-string`, `nullable` and OpenAPI's boolean `exclusiveMinimum/Maximum` are translated
 * to JSON Schema. CEL rules (`x-kubernetes-validations`) are not evaluated.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { default as Ajv, ValidateFunction } from 'ajv';
import * as yaml from 'js-yaml';
import type { K8sObject } from '../k8s/object';
import { describeAjvErrors, uniqueIssues, type AjvErrorLike, type FieldIssue } from './ajv-errors';
import { validateObjectMeta } from './k8s-schema';
import { validationProblem, type ValidationProblem } from './problems';
import { compareCodePoints } from '../compare';

type Json = Record<string, unknown>;

interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly schema?: Json;
}

interface CrdEntry {
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly versions: readonly CrdVersion[];
}

/** Custom resource definitions by group and kind, with compiled validators. */
export class CrdIndex {
  private readonly entries = new Map<string, CrdEntry>();
  /** Compiled validators by CRD entry (identity), shared between copies; ajv is created for the first one. */
  private shared: { ajv?: Ajv; validators: WeakMap<CrdVersion, ValidateFunction> } = { validators: new WeakMap<CrdVersion, ValidateFunction>() };

  constructor(crds: readonly unknown[] = []) {
    for (const crd of crds) this.add(crd);
  }

  /** Adds a CRD object (apiextensions.k8s.io/v1); anything else is ignored. */
  add(crd: unknown): void {
    const o = crd as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown }; spec?: Json };
    if (o?.kind !== 'CustomResourceDefinition' || o.apiVersion !== 'apiextensions.k8s.io/v1' || !o.spec) return;
    const spec = o.spec as {
      group?: string;
      scope?: string;
      names?: { kind?: string; plural?: string };
      versions?: { name: string; served?: boolean; schema?: { openAPIV3Schema?: Json } }[];
    };
    if (!spec.group || !spec.names?.kind) return;
    this.entries.set(`${spec.group}/${spec.names.kind}`, {
      name: String(o.metadata?.name ?? `${spec.names.plural}.${spec.group}`),
      group: spec.group,
      kind: spec.names.kind,
      plural: spec.names.plural ?? '',
      scope: spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced',
      versions: (spec.versions ?? []).map((v) => ({ name: v.name, served: v.served !== false, schema: v.schema?.openAPIV3Schema })),
    });
  }

  /** A copy that shares the compiled validators; CRDs added to it stay out of this index. */
  copy(): CrdIndex {
    const copy = new CrdIndex();
    for (const [key, entry] of this.entries) copy.entries.set(key, entry);
    copy.shared = this.shared;
    return copy;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The CRD for an apiVersion/kind, when known. */
  find(apiVersion: string, kind: string): CrdEntry | undefined {
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
    return this.entries.get(`${group}/${kind}`);
  }

  /** Whether objects of `apiVersion`/`kind` are cluster-scoped, when a CRD says. */
  isClusterScoped(apiVersion: string, kind: string): boolean | undefined {
    const entry = this.find(apiVersion, kind);
    return entry ? entry.scope === 'Cluster' : undefined;
  }

  /**
   * Validates a custom resource against its CRD. Undefined when no CRD for it is known; otherwise every issue
   * (metadata against ObjectMeta, the rest against the version's schema, and the scope).
   */
  validate(object: K8sObject): FieldIssue[] | undefined {
    const entry = this.find(object.apiVersion, object.kind);
    if (!entry) return undefined;
    const issues: FieldIssue[] = [];
    const version = object.apiVersion.slice(object.apiVersion.lastIndexOf('/') + 1);
    const served = entry.versions.find((v) => v.name === version && v.served);
    if (!served) {
      const versions = entry.versions.filter((v) => v.served).map((v) => `${entry.group}/${v.name}`);
      return [{ field: 'apiVersion', message: `CRD ${entry.name} does not serve version ${version}; served: ${versions.join(', ') || 'none'}` }];
    }
    const namespace = object.metadata?.namespace;
    if (entry.scope === 'Namespaced' && !namespace)
      issues.push({ field: 'metadata.namespace', message: `required: ${entry.kind} is namespaced (CRD ${entry.name})` });
    if (entry.scope === 'Cluster' && namespace)
      issues.push({ field: 'metadata.namespace', message: `must be absent: ${entry.kind} is cluster-scoped (CRD ${entry.name})` });
    issues.push(...validateObjectMeta(object.metadata));
    if (served.schema) {
      const validate = this.validatorFor(served);
      if (!validate({ ...object, metadata: {} })) {
        issues.push(...describeAjvErrors(validate.errors as AjvErrorLike[], object, `the CRD schema of ${entry.group}/${served.name} ${entry.kind}`));
      }
    }
    return uniqueIssues(issues);
  }

  private validatorFor(version: CrdVersion): ValidateFunction {
    let validate = this.shared.validators.get(version);
    if (!validate) {
      this.shared.ajv ??= newAjv();
      validate = this.shared.ajv.compile(rootSchema(version.schema!));
      this.shared.validators.set(version, validate);
    }
    return validate;
  }
}

/** ajv and ajv-formats are loaded here, on first use: a synth whose output has no CRDs never needs them. */
function newAjv(): Ajv {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { default: AjvClass } = require('ajv') as typeof import('ajv');
  const { default: addFormats } = require('ajv-formats') as typeof import('ajv-formats');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const ajv = new AjvClass({ allErrors: true, strict: false, logger: false });
  addFormats(ajv, ['date', 'time', 'date-time', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid', 'byte']);
  return ajv;
}

/** The CR root: the CRD schema plus the type fields every object has; metadata is checked separately. */
function rootSchema(schema: Json): Json {
  const converted = toJsonSchema(schema);
  const properties = { ...((converted.properties as Json) ?? {}), apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
  return { ...converted, type: 'object', properties };
}

const COPIED = [
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'multipleOf',
  'minProperties',
  'maxProperties',
  'required',
];

/** OpenAPI v3 structural schema (as in CRDs) → JSON Schema (draft-07) with unknown fields rejected. */
export function toJsonSchema(schema: Json): Json {
  const out: Json = {};
  for (const key of COPIED) if (schema[key] !== undefined) out[key] = schema[key];
  if (schema.type !== undefined) out.type = schema.type;
  if (schema.minimum !== undefined) out[schema.exclusiveMinimum === true ? 'exclusiveMinimum' : 'minimum'] = schema.minimum;
  if (schema.maximum !== undefined) out[schema.exclusiveMaximum === true ? 'exclusiveMaximum' : 'maximum'] = schema.maximum;
  if (schema['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (schema.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  if (schema.properties && typeof schema.properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(schema.properties as Record<string, Json>).map(([k, v]) => [k, toJsonSchema(v)]));
  }
  if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) out.items = toJsonSchema(schema.items as Json);
  if (typeof schema.additionalProperties === 'boolean') out.additionalProperties = schema.additionalProperties;
  else if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    out.additionalProperties = toJsonSchema(schema.additionalProperties as Json);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) out[key] = (schema[key] as Json[]).map((s) => toJsonSchema(s));
  }
  if (schema.not && typeof schema.not === 'object') out.not = toJsonSchema(schema.not as Json);
  if (schema['x-kubernetes-embedded-resource'] === true && out.properties) {
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(out.properties as Json) };
  }
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.properties && out.additionalProperties === undefined && !preserve) out.additionalProperties = false;
  return out;
}

/**
 * Reads every CustomResourceDefinition in the YAML/JSON files under `dir` (recursively). Problems name files
 * that do not parse; a missing directory is a problem too.
 */
export function loadCrdDir(dir: string): { crds: unknown[]; problems: ValidationProblem[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return {
      crds: [],
      problems: [validationProblem(dir, undefined, undefined, 'CRD directory does not exist (expected a directory of CustomResourceDefinition YAML files)')],
    };
  }
  const crds: unknown[] = [];
  const problems: ValidationProblem[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => compareCodePoints(a.name, b.name))) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/.test(entry.name)) {
        try {
          for (const doc of yaml.loadAll(readFileSync(full, 'utf8'))) if ((doc as { kind?: unknown })?.kind === 'CustomResourceDefinition') crds.push(doc);
        } catch (error) {
          problems.push(validationProblem(relative(dir, full), undefined, undefined, `does not parse: ${(error as Error).message.split('\n')[0]}`));
        }
      }
    }
  };
  walk(dir);
  return { crds, problems };
}
