import { posix } from 'node:path';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { checkFluxReferences } from '../../lib/validate/files';
import { referenceRender } from './fixtures';

interface FluxKustomization {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: {
    path: string;
    dependsOn?: { name: string }[];
    prune: boolean;
    wait: boolean;
    sourceRef: { kind: string; name: string; namespace: string };
    interval: string;
  };
}

describe('Flux output', () => {
  const { layout, files } = referenceRender({ flux: true });
  /** Where the GitRepository holds dist/ (the repository root is the source). */
  const FLUX_SOURCE_DIST_PATH = './dist';
  const waves = layout.plan.waves;
  const kustomizations = yaml.loadAll(files.find((f) => f.path === 'flux/kustomizations.yaml')!.content) as FluxKustomization[];

  it('is off by default and lives under flux/ when on', () => {
    expect(referenceRender().files.some((f) => f.path.startsWith('flux/'))).toBe(false);
    const fluxFiles = files.filter((f) => f.path.startsWith('flux/')).map((f) => f.path);
    expect(fluxFiles).toEqual([
      'flux/00-namespaces/kustomization.yaml',
      'flux/10-cluster/kustomization.yaml',
      'flux/20-networking/kustomization.yaml',
      'flux/30-controllers/kustomization.yaml',
      'flux/40-custom-resources/kustomization.yaml',
      'flux/50-policies/kustomization.yaml',
      'flux/kustomizations.yaml',
    ]);
  });

  it('emits one kustomize.toolkit.fluxcd.io/v1 Kustomization per wave, chained with dependsOn in wave order', () => {
    expect(kustomizations.map((k) => k.metadata.name)).toEqual([
      'homelab-00-namespaces',
      'homelab-10-cluster',
      'homelab-20-networking',
      'homelab-30-controllers',
      'homelab-40-custom-resources',
      'homelab-50-policies',
    ]);
    kustomizations.forEach((k, i) => {
      expect(k.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
      expect(k.kind).toBe('Kustomization');
      expect(k.metadata.namespace).toBe('flux-system');
      expect(k.spec.dependsOn).toEqual(i === 0 ? undefined : [{ name: kustomizations[i - 1].metadata.name }]);
      expect(k.spec).toMatchObject({ prune: true, wait: true, sourceRef: { kind: 'GitRepository', name: 'homelab', namespace: 'flux-system' } });
    });
  });

  it('points each Kustomization at a directory whose kustomization.yaml lists exactly its wave file', () => {
    const paths = new Set(files.map((f) => f.path));
    kustomizations.forEach((k, i) => {
      expect(k.spec.path).toBe(`./dist/flux/${waves[i].file.replace('.yaml', '')}`);
      const dir = k.spec.path.slice(`${FLUX_SOURCE_DIST_PATH}/`.length);
      const kustomization = yaml.load(files.find((f) => f.path === `${dir}/kustomization.yaml`)!.content) as { kind: string; resources: string[] };
      expect(kustomization.kind).toBe('Kustomization');
      expect(kustomization.resources.map((r) => posix.normalize(posix.join(dir, r)))).toEqual([waves[i].file]);
      expect(paths.has(waves[i].file)).toBe(true);
    });
    expect(checkFluxReferences(files, 'flux', FLUX_SOURCE_DIST_PATH)).toEqual([]);
  });

  it('the reference check catches a broken chain or path', () => {
    const broken = files.map((f) =>
      f.path === 'flux/kustomizations.yaml'
        ? {
            ...f,
            content: f.content.replace(`name: ${kustomizations[1].metadata.name}\n`, 'name: nowhere\n').replace('/flux/50-policies', '/flux/51-policies'),
          }
        : f,
    );
    const messages = checkFluxReferences(broken, 'flux', FLUX_SOURCE_DIST_PATH).map((p) => `${p.object}: ${p.field}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Kustomization homelab-20-networking: spec\.dependsOn\[0\]\.name: no Kustomization "homelab-10-cluster"/),
        expect.stringMatching(/^Kustomization homelab-50-policies: spec\.path: "\.\/dist\/flux\/51-policies" is not a directory/),
      ]),
    );
    const missingWave = files.filter((f) => f.path !== '20-networking.yaml');
    expect(checkFluxReferences(missingWave, 'flux', FLUX_SOURCE_DIST_PATH).map((p) => `${p.file}: ${p.field}: ${p.message}`)).toEqual([
      'flux/20-networking/kustomization.yaml: resources: "../../20-networking.yaml" resolves to 20-networking.yaml, which is not in the output',
    ]);
  });
});
