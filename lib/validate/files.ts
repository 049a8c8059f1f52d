/**
 * Format checks for the non-Kubernetes files of a render: YAML, TOML and JSON files parse; cloud-init
 * user-data starts with `#cloud-config`; the Flux kustomizations point at files that exist. The host
 * renderers' own semantic checks live in lib/hosts and can be passed in as `hostFileCheck`.
 */
import { posix } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { Problem } from '../model/problems';
import type { RenderedFile } from '../output/files';
import * as yaml from 'js-yaml';
import { validationProblem, type ValidationProblem } from './problems';

/** Extra check for one host file; its problems are reported against that file. */
export type HostFileCheck = (path: string, content: string) => readonly Problem[];

const firstLine = (message: string) => message.split('\n')[0];

/** Whether a file is a cloud-init user-data file (by name). */
const isUserData = (path: string) => /(^|\/)user-data(\.ya?ml)?$/.test(path);

/** Parse checks for one file that is not a top-level manifest. */
export function checkFileFormat(file: RenderedFile, hostFileCheck?: HostFileCheck): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const { path, content } = file;
  if (isUserData(path) && !content.startsWith('#cloud-config\n')) {
    problems.push(
      validationProblem(
        path,
        undefined,
        undefined,
        `cloud-init user-data must start with a "#cloud-config" line, got ${JSON.stringify(content.split('\n')[0])}`,
      ),
    );
  }
  try {
    if (/\.ya?ml$/.test(path) || isUserData(path)) yaml.loadAll(content);
    else if (/\.toml$/.test(path)) parseToml(content);
    else if (/\.json$/.test(path)) JSON.parse(content);
  } catch (error) {
    problems.push(validationProblem(path, undefined, undefined, `does not parse: ${firstLine((error as Error).message)}`));
  }
  if (hostFileCheck && path.startsWith('hosts/')) {
    for (const p of hostFileCheck(path, content)) problems.push(validationProblem(path, undefined, p.path || undefined, p.message));
  }
  return problems;
}

/**
 * The Flux files refer to each other and to the wave files by path: every kustomization.yaml resource must
 * exist, every Kustomization `spec.path` must be a directory with a kustomization.yaml, every `dependsOn`
 * must name a Kustomization of the set. `distPath` is the `spec.path` prefix of dist/.
 */
export function checkFluxReferences(files: readonly RenderedFile[], fluxDir: string, distPath: string): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const paths = new Set(files.map((f) => f.path));
  const prefix = `${distPath.replace(/^\.\//, '').replace(/\/+$/, '')}/`;
  const names = new Set<string>();
  const kustomizations: { file: string; doc: { metadata?: { name?: string }; spec?: { path?: string; dependsOn?: { name?: string }[] } } }[] = [];
  for (const file of files.filter((f) => f.path.startsWith(`${fluxDir}/`) && /\.ya?ml$/.test(f.path))) {
    let docs: unknown[];
    try {
      docs = (file.documents ?? yaml.loadAll(file.content)).filter(Boolean);
    } catch {
      continue; // reported by checkFileFormat
    }
    for (const doc of docs as { kind?: string; apiVersion?: string; resources?: unknown[] }[]) {
      if (doc.kind === 'Kustomization' && doc.apiVersion?.startsWith('kustomize.config.k8s.io/')) {
        for (const resource of doc.resources ?? []) {
          const target = posix.normalize(posix.join(posix.dirname(file.path), String(resource)));
          if (!paths.has(target))
            problems.push(
              validationProblem(file.path, undefined, 'resources', `${JSON.stringify(resource)} resolves to ${target}, which is not in the output`),
            );
        }
      }
      if (doc.kind === 'Kustomization' && doc.apiVersion?.startsWith('kustomize.toolkit.fluxcd.io/')) {
        const k = doc as (typeof kustomizations)[number]['doc'];
        if (k.metadata?.name) names.add(k.metadata.name);
        kustomizations.push({ file: file.path, doc: k });
      }
    }
  }
  for (const { file, doc } of kustomizations) {
    const object = `Kustomization ${doc.metadata?.name ?? '(unnamed)'}`;
    const specPath = (doc.spec?.path ?? '').replace(/^\.\//, '');
    const dir = specPath.startsWith(prefix) ? specPath.slice(prefix.length) : undefined;
    if (dir === undefined || !paths.has(`${dir}/kustomization.yaml`)) {
      problems.push(
        validationProblem(file, object, 'spec.path', `${JSON.stringify(doc.spec?.path)} is not a directory of the output with a kustomization.yaml`),
      );
    }
    for (const [i, dep] of (doc.spec?.dependsOn ?? []).entries()) {
      if (!dep.name || !names.has(dep.name))
        problems.push(validationProblem(file, object, `spec.dependsOn[${i}].name`, `no Kustomization ${JSON.stringify(dep.name)} in the output`));
    }
  }
  return problems;
}
