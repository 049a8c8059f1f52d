import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { k8sSchemaCheck, k8sSchemaCheckWith } from '../../lib/checks/k8s-schema';
import type { K8sObject } from '../../lib/k8s/object';
import { formatProblem } from '../../lib/model/problems';
import type { RenderedFile } from '../../lib/output/files';
import { referenceRender, sharedCrdsDir } from '../output/fixtures';

/** A copy of `files` with one object of a wave file changed. */
function plant(files: readonly RenderedFile[], file: string, kind: string, change: (o: Record<string, any>) => void): RenderedFile[] {
  return files.map((f) => {
    if (f.path !== file) return f;
    const docs = yaml.loadAll(f.content) as Record<string, any>[];
    change(docs.find((d) => d.kind === kind)!);
    return { ...f, content: docs.map((d) => yaml.dump(d)).join('---\n') };
  });
}

describe('k8sSchemaCheck (output check run by synth)', () => {
  const { model, layout, files } = referenceRender({ flux: true });
  const context = (f: readonly RenderedFile[]) => ({ model, objects: layout.objects as K8sObject[], files: f });

  it('holds for the reference render', () => {
    expect(k8sSchemaCheck.name).toBe('kubernetes-schema');
    expect(k8sSchemaCheck.run(context(files)).map(formatProblem)).toEqual([]);
  });

  it('fails on an invalid object in the files that would be written, naming file, object and field', () => {
    const broken = plant(files, '20-networking.yaml', 'DaemonSet', (o) => (o.spec.template.spec.hostNetwork = 'yes'));
    expect(k8sSchemaCheck.run(context(broken)).map(formatProblem)).toEqual([
      '20-networking.yaml: DaemonSet kube-flannel/kube-flannel-ds: spec.template.spec.hostNetwork: must be boolean, got "yes"',
    ]);
  });

  it('uses the Kubernetes minor of the model for served API versions', () => {
    const services = plant(files, '30-controllers.yaml', 'Service', (o) => {
      o.apiVersion = 'networking.k8s.io/v1';
      o.kind = 'ServiceCIDR';
      o.spec = { cidrs: ['10.96.0.0/12'] };
    });
    const messages = k8sSchemaCheck.run(context(services)).map((p) => p.message);
    expect(messages).toContain('not served by Kubernetes 1.32: networking.k8s.io/v1 ServiceCIDR is served from Kubernetes 1.33 on');
  });

  it('checks custom resources against CRDs when given a directory', () => {
    const pool = plant(files, '40-custom-resources.yaml', 'IPAddressPool', (o) => (o.spec.avoidBuggyIps = true));
    expect(k8sSchemaCheck.run(context(pool))).toEqual([]);
    expect(k8sSchemaCheckWith({ crdsDir: sharedCrdsDir() }).run(context(pool)).map(formatProblem)).toEqual([
      '40-custom-resources.yaml: IPAddressPool metallb-system/lan-pool: spec.avoidBuggyIps: unknown field (not in the CRD schema of metallb.io/v1beta1 IPAddressPool)',
    ]);
  });
});
