/** Models and parsing helpers shared by the host renderer tests. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as yaml from 'js-yaml';
import { renderHostFiles } from '../../lib/hosts';
import { loadDescription, parseDescription } from '../../lib/model/load';
import type { ClusterModel } from '../../lib/model/types';
import type { RenderedFile } from '../../lib/output/files';

export const REFERENCE_FILE = resolve(__dirname, '../../hostconfig/cluster.yaml');

export function reference(): ClusterModel {
  return loadDescription(REFERENCE_FILE);
}

export type RawDescription = Record<string, any>;

/** The reference description, changed by `mutate`, through the real loader (schema, semantic rules, defaults). */
export function variant(mutate: (d: RawDescription) => void): ClusterModel {
  const doc = yaml.load(readFileSync(REFERENCE_FILE, 'utf8')) as RawDescription;
  mutate(doc);
  return parseDescription(yaml.dump(doc), 'variant');
}

/** Drops hosts by name from the description. */
export function withoutHosts(d: RawDescription, ...names: string[]): void {
  d.hosts = d.hosts.filter((h: { name: string }) => !names.includes(h.name));
}

export const variants = {
  ipvs: () => variant((d) => (d.kubernetes.kubeProxyMode = 'ipvs')),
  singleControlPlane: () => variant((d) => withoutHosts(d, 'n100-002', 'n100-003')),
  noTunnel: () =>
    variant((d) => {
      delete d.tunnel;
      withoutHosts(d, 'vps');
    }),
  singleBalancer: () =>
    variant((d) => {
      d.apiServer.balancers = [{ host: 'n100-004', priority: 150 }];
      for (const h of d.hosts) if (h.name.startsWith('nas-')) h.roles = h.roles.filter((r: string) => r !== 'load-balancer');
      withoutHosts(d, 'nas-002');
    }),
};

export function filesByPath(model: ClusterModel): Map<string, RenderedFile> {
  return new Map(renderHostFiles(model).map((f) => [f.path, f]));
}

export function fileOf(model: ClusterModel, path: string): RenderedFile {
  const f = filesByPath(model).get(path);
  if (!f) throw new Error(`no rendered file ${path}`);
  return f;
}

export type Doc = Record<string, any>;

/** All YAML documents of a file (comments and empty documents dropped). */
export function yamlDocs(content: string): Doc[] {
  return yaml.loadAll(content).filter((d) => d !== null && d !== undefined) as Doc[];
}

export function docOfKind(content: string, kind: string): Doc {
  const docs = yamlDocs(content).filter((d) => d.kind === kind);
  if (docs.length !== 1) throw new Error(`expected exactly one ${kind}, found ${docs.length}`);
  return docs[0];
}
