/**
 * Validation of a rendered output: every Kubernetes object against the Kubernetes API schemas (strict,
 * see k8s-schema.ts) and the API versions the cluster serves; every custom resource against its CRD when
 * CRDs are given (or are in the output); the hygiene rules of labels.ts (common labels, sync-wave
 * annotation matching the file, no status, no nulls, namespaces); and the format of every other file.
 *
 * `validateRenderedDir` reads a directory (the CLI's `validate --dir`); `validateRenderedFiles` checks files
 * in memory (the synth's output check). Problems name the file, the object and the field, one per line.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { K8sObject } from '../k8s/object';
import type { RenderedFile } from '../output/files';
import { FLUX_DIR, FLUX_SOURCE_DIST_PATH } from '../output/flux';
import { clusterScopedCustomKinds, hygieneIssues } from '../output/labels';
import { SYNC_WAVE_ANNOTATION } from '../output/manifests';
import { isBuiltinApiVersion } from '../output/waves';
import * as yaml from 'js-yaml';
import { unservedReason } from './api-versions';
import { CrdIndex, loadCrdDir } from './crd';
import { checkFileFormat, checkFluxReferences, type HostFileCheck } from './files';
import { validateBuiltinObject } from './k8s-schema';
import { describeObject, validationProblem, type ValidationProblem } from './problems';
import { compareCodePoints } from '../compare';

export { SCHEMA_SOURCE } from './k8s-schema';

export type { ValidationProblem } from './problems';
export type { HostFileCheck } from './files';

export interface ValidateOptions {
  /** Directory of CustomResourceDefinition YAML files; custom resources without a CRD there (or in the output) are then problems. */
  readonly crdsDir?: string;
  /** Kubernetes minor of the cluster (`1.32`): API versions it does not serve are problems. */
  readonly kubernetesMinor?: string;
  /** Expected `app.kubernetes.io/part-of` value (the model's `output.partOf`). */
  readonly partOf?: string;
  /** Extra checks for files under hosts/ (the host renderers' own format checks). */
  readonly hostFileCheck?: HostFileCheck;
  /** Check the hygiene rules of labels.ts and the sync-wave annotation. @default true */
  readonly hygiene?: boolean;
  /**
   * Check that every file that is not a manifest parses (YAML, TOML, JSON) and the host-file checks. Off in
   * synth, which does not parse its own output back: our serializers write those files, and tests prove over
   * every fixture that they parse. @default true
   */
  readonly fileFormats?: boolean;
}

/** A top-level manifest file: `NN-name.yaml` (or any .yaml/.yml/.json directly in the directory). */
const isManifestFile = (path: string) => !path.includes('/') && /\.(ya?ml|json)$/.test(path);

interface ParsedDocument {
  readonly file: string;
  readonly index: number;
  readonly object: K8sObject;
}

function parseManifests(files: readonly RenderedFile[], problems: ValidationProblem[]): ParsedDocument[] {
  const docs: ParsedDocument[] = [];
  for (const file of files.filter((f) => isManifestFile(f.path))) {
    let parsed: readonly unknown[];
    try {
      parsed = file.documents ?? yaml.loadAll(file.content);
    } catch (error) {
      problems.push(validationProblem(file.path, undefined, undefined, `does not parse: ${(error as Error).message.split('\n')[0]}`));
      continue;
    }
    parsed.forEach((doc, index) => {
      if (doc === null || doc === undefined) return;
      const o = doc as Partial<K8sObject>;
      if (
        typeof doc !== 'object' ||
        Array.isArray(doc) ||
        typeof o.apiVersion !== 'string' ||
        typeof o.kind !== 'string' ||
        typeof o.metadata !== 'object' ||
        o.metadata === null
      ) {
        problems.push(validationProblem(file.path, `document ${index + 1}`, undefined, 'not a Kubernetes object (needs apiVersion, kind and metadata)'));
        return;
      }
      docs.push({ file: file.path, index, object: o as K8sObject });
    });
  }
  return docs;
}

/** Validates parsed objects (see the file comment). `crds` adds CRDs beyond those among the objects. */
function validateObjects(docs: readonly ParsedDocument[], options: ValidateOptions & { readonly crds?: CrdIndex } = {}): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const objects = docs.map((d) => d.object);
  const crds = options.crds ?? new CrdIndex();
  for (const o of objects) if (o.kind === 'CustomResourceDefinition') crds.add(o);
  const clusterScopedKinds = clusterScopedCustomKinds(objects);
  const seen = new Map<string, string>();
  for (const { file, object } of docs) {
    const ref = describeObject(object);
    const add = (field: string, message: string) => problems.push(validationProblem(file, ref, field, message));
    const key = `${object.apiVersion.split('/').slice(0, -1).join('/')}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
    if (seen.has(key)) add('', `duplicate: the same object is also in ${seen.get(key)}`);
    else seen.set(key, file);

    const builtin = validateBuiltinObject(object);
    if (builtin) {
      for (const issue of builtin) add(issue.field, issue.message);
      const reason = options.kubernetesMinor ? unservedReason(object.apiVersion, object.kind, options.kubernetesMinor) : undefined;
      if (reason) add('apiVersion', `not served by Kubernetes ${options.kubernetesMinor}: ${reason}`);
    } else {
      const custom = crds.validate(object);
      if (custom) for (const issue of custom) add(issue.field, issue.message);
      else if (isBuiltinApiVersion(object.apiVersion))
        add('apiVersion', `${object.apiVersion} ${object.kind} is not a Kubernetes API kind (no schema for it; is the apiVersion or kind misspelled?)`);
      else if (options.crdsDir) add('apiVersion', `no CustomResourceDefinition for ${object.apiVersion} ${object.kind} in ${options.crdsDir} or in the output`);
    }
    if (options.hygiene !== false) {
      const crdScope = crds.isClusterScoped(object.apiVersion, object.kind);
      const scopes = new Set(clusterScopedKinds);
      if (crdScope) scopes.add(object.kind);
      for (const issue of hygieneIssues(object, { partOf: options.partOf, clusterScopedKinds: scopes, requireAnnotations: [SYNC_WAVE_ANNOTATION] })) {
        if (issue.field === 'metadata.namespace' && crdScope !== undefined) continue; // the CRD check says it precisely
        add(issue.field, issue.message);
      }
      const wave = /^(\d+)-/.exec(file)?.[1];
      const annotation = (object.metadata.annotations as Record<string, unknown> | undefined)?.[SYNC_WAVE_ANNOTATION];
      if (wave !== undefined && typeof annotation === 'string' && annotation !== String(Number(wave))) {
        add(`metadata.annotations["${SYNC_WAVE_ANNOTATION}"]`, `must be "${Number(wave)}" (the wave of ${file}), got ${JSON.stringify(annotation)}`);
      }
    }
  }
  return problems;
}

const crdCache = new Map<string, { index: CrdIndex; problems: ValidationProblem[] }>();
/** The CRDs of a directory, read and compiled once per process (they do not change during a run). */
function crdIndexFor(dir: string): { index: CrdIndex; problems: ValidationProblem[] } {
  const key = resolve(dir);
  let entry = crdCache.get(key);
  if (!entry) {
    const loaded = loadCrdDir(dir);
    entry = { index: new CrdIndex(loaded.crds), problems: loaded.problems };
    crdCache.set(key, entry);
  }
  return entry;
}

/** Validates rendered files in memory: the manifests at the top level, the Flux files, every other file's format. */
export function validateRenderedFiles(files: readonly RenderedFile[], options: ValidateOptions = {}): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  let crds: CrdIndex | undefined;
  if (options.crdsDir) {
    const loaded = crdIndexFor(options.crdsDir);
    problems.push(...loaded.problems);
    crds = loaded.index.copy();
  }
  problems.push(...validateObjects(parseManifests(files, problems), { ...options, crds }));
  if (options.fileFormats !== false)
    for (const file of files.filter((f) => !isManifestFile(f.path))) problems.push(...checkFileFormat(file, options.hostFileCheck));
  problems.push(...checkFluxReferences(files, FLUX_DIR, FLUX_SOURCE_DIST_PATH));
  return problems;
}

/** Every file under `dir`, as rendered files with paths relative to it. */
export function readRenderedDir(dir: string): RenderedFile[] {
  const files: RenderedFile[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => compareCodePoints(a.name, b.name))) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile())
        files.push({ path: relative(dir, full).split(sep).join('/'), content: readFileSync(full, 'utf8'), mode: statSync(full).mode & 0o777 });
    }
  };
  walk(dir);
  return files;
}

/**
 * Validates a rendered directory (e.g. dist/). Returns every problem; an empty list means valid.
 * `kubernetesMinor` comes from the description (`model.kubernetes.minor`); without it served API versions
 * are not checked.
 */
export function validateRenderedDir(dir: string, options: ValidateOptions = {}): ValidationProblem[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    return [validationProblem(dir, undefined, undefined, 'not a directory (render one with npm run synth)')];
  const files = readRenderedDir(dir);
  if (!files.some((f) => isManifestFile(f.path))) return [validationProblem(dir, undefined, undefined, 'no manifest files (NN-<wave>.yaml) in the directory')];
  return validateRenderedFiles(files, options);
}
