/**
 * Proofs about our own renderers that synth no longer runs on every render (it never parses its own output
 * back): over every valid fixture and the reference description, every file we write parses in its format,
 * every file that carries the documents it was serialized from parses back to exactly those documents, and
 * the renderers agree with each other (the cross-artifact consistency facts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { consistencyCheck } from '../proofs/consistency';
import { loadDescription } from '../../lib/model/load';
import { renderCluster } from '../../lib/render';
import { validateRenderedFiles } from '../../lib/validate';
import { checkFileFormat } from '../../lib/validate/files';
import { REPO_ROOT } from '../helpers/k8s';

/** A top-level manifest: a YAML file directly in the output directory (what `kubectl apply -f dist` reads). */
const isManifestFile = (path: string) => !path.includes('/') && /\.ya?ml$/.test(path);

const descriptions = [
  join(REPO_ROOT, 'hostconfig/cluster.yaml'),
  ...readdirSync(join(REPO_ROOT, 'test/fixtures/valid'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(REPO_ROOT, 'test/fixtures/valid', f)),
];

describe.each(descriptions.map((d) => [d.slice(REPO_ROOT.length + 1), d]))('%s', (_, description) => {
  const model = loadDescription(description);
  const result = renderCluster(model);

  it('every YAML, TOML and JSON file parses, and user-data starts with #cloud-config', () => {
    const others = result.files.filter((f) => !isManifestFile(f.path));
    expect(others.filter((f) => /\.(ya?ml|toml|json)$/.test(f.path)).length).toBeGreaterThanOrEqual(5);
    expect(others.flatMap((f) => checkFileFormat(f))).toEqual([]);
  });

  it('every file with documents parses back to exactly them; the wave files hold every object', () => {
    const withDocuments = result.files.filter((f) => f.documents);
    expect(withDocuments.filter((f) => isManifestFile(f.path)).length).toBeGreaterThanOrEqual(4);
    for (const file of withDocuments)
      expect(
        yaml.loadAll(file.content).filter((d) => d !== null),
        file.path,
      ).toEqual(file.documents);
    expect(withDocuments.filter((f) => isManifestFile(f.path)).flatMap((f) => f.documents)).toEqual(result.objects);
    // every .yaml file carries them, host files included, so the secret scan in synth parses none back
    expect(result.files.filter((f) => /\.ya?ml$/.test(f.path) && !f.documents).map((f) => f.path)).toEqual([]);
    expect(withDocuments.filter((f) => f.path.startsWith('hosts/')).length).toBeGreaterThanOrEqual(3);
  });

  it('the files, read as text the way validate --dir reads them, pass the full validation', () => {
    const plain = result.files.map(({ path, content, mode }) => ({ path, content, mode }));
    expect(validateRenderedFiles(plain, { kubernetesMinor: model.kubernetes.minor, partOf: model.output.partOf })).toEqual([]);
  });

  it('the renderers agree with each other (cross-artifact consistency)', () => {
    expect(consistencyCheck.run({ model, objects: result.objects, files: result.files })).toEqual([]);
  });
});
