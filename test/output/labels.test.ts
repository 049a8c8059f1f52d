import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../lib/k8s/object';
import { cleanObject, hygieneIssues, toLabelValue } from '../../lib/output/labels';
import { planManifests } from '../../lib/output/manifests';
import { fixtureObjects, referenceModel, referenceRender } from './fixtures';

const raw = (o: Record<string, unknown>) => o as unknown as K8sObject;

describe('cleanObject', () => {
  const dirty = raw({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'p', namespace: 'app', annotations: {}, labels: { app: 'web' }, creationTimestamp: null },
    spec: { podSelector: {}, ingress: [{}], egress: null, policyTypes: ['Ingress', null] },
    status: { conditions: [] },
  });
  const clean = cleanObject(dirty, { partOf: 'homelab', chart: 'security' });

  it('drops status, null values and empty metadata maps', () => {
    expect(clean).not.toHaveProperty('status');
    expect(clean.metadata).not.toHaveProperty('creationTimestamp');
    expect(clean.metadata).not.toHaveProperty('annotations');
    expect(clean.spec).not.toHaveProperty('egress');
    expect((clean.spec as { policyTypes: unknown[] }).policyTypes).toEqual(['Ingress']);
  });

  it('keeps empty values Kubernetes gives meaning to', () => {
    expect((clean.spec as { podSelector: unknown }).podSelector).toEqual({});
    expect((clean.spec as { ingress: unknown }).ingress).toEqual([{}]);
    const volume = cleanObject(
      raw({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'y' }, spec: { volumes: [{ name: 'tmp', emptyDir: {} }] } }),
      { partOf: 'h' },
    );
    expect((volume.spec as { volumes: unknown[] }).volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
  });

  it('adds the common labels, deriving name from the app label and component from the chart', () => {
    expect(clean.metadata.labels).toEqual({
      app: 'web',
      ['app.kubernetes.io/component']: 'security',
      ['app.kubernetes.io/managed-by']: 'homelab-cluster',
      ['app.kubernetes.io/name']: 'web',
      ['app.kubernetes.io/part-of']: 'homelab',
    });
  });

  it('keeps name and component that are set, overrides managed-by and part-of', () => {
    const labelled = cleanObject(
      raw({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'c',
          namespace: 'n',
          labels: {
            ['app.kubernetes.io/name']: 'ingress-nginx',
            ['app.kubernetes.io/component']: 'controller',
            ['app.kubernetes.io/managed-by']: 'Helm',
            ['app.kubernetes.io/part-of']: 'x',
          },
        },
      }),
      { partOf: 'homelab', chart: 'ingress' },
    );
    expect(labelled.metadata.labels).toMatchObject({
      ['app.kubernetes.io/name']: 'ingress-nginx',
      ['app.kubernetes.io/component']: 'controller',
      ['app.kubernetes.io/managed-by']: 'homelab-cluster',
      ['app.kubernetes.io/part-of']: 'homelab',
    });
  });

  it('falls back to the chart for the name and does not mutate its input', () => {
    const input = raw({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } });
    const out = cleanObject(input, { partOf: 'homelab', chart: 'nfs-csi' });
    expect(out.metadata.labels).toMatchObject({ ['app.kubernetes.io/name']: 'nfs-csi', ['app.kubernetes.io/component']: 'nfs-csi' });
    expect(input.metadata).not.toHaveProperty('labels');
  });

  it('makes valid label values', () => {
    expect(toLabelValue('My Cluster!')).toBe('My-Cluster');
    expect(toLabelValue('-x-')).toBe('x');
    expect(toLabelValue('a'.repeat(70))).toHaveLength(63);
  });
});

describe('hygieneIssues', () => {
  const good = cleanObject(
    raw({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n', annotations: { ['argocd.argoproj.io/sync-wave']: '30' } } }),
    { partOf: 'homelab', chart: 'x' },
  );

  it('accepts a clean object', () => {
    expect(hygieneIssues(good, { partOf: 'homelab', requireAnnotations: ['argocd.argoproj.io/sync-wave'] })).toEqual([]);
  });

  it('names every broken rule with its field', () => {
    const bad = raw({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { ['app.kubernetes.io/part-of']: 'other' }, annotations: {} },
      data: { a: null },
      status: {},
    });
    const fields = hygieneIssues(bad, { partOf: 'homelab', requireAnnotations: ['argocd.argoproj.io/sync-wave'] }).map((i) => i.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        `metadata.labels["app.kubernetes.io/managed-by"]`,
        `metadata.labels["app.kubernetes.io/name"]`,
        `metadata.labels["app.kubernetes.io/component"]`,
        `metadata.labels["app.kubernetes.io/part-of"]`,
        `metadata.annotations["argocd.argoproj.io/sync-wave"]`,
        'metadata.annotations',
        'status',
        'data.a',
        'metadata.namespace',
      ]),
    );
  });

  it('wants no namespace on cluster-scoped kinds, including those of CRDs', () => {
    const issuer = { ...good, apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer' } as K8sObject;
    expect(hygieneIssues(issuer).map((i) => i.message)).toContain('must be absent: ClusterIssuer is cluster-scoped');
    const widget = { ...good, kind: 'ClusterWidget', metadata: { ...good.metadata, namespace: undefined } } as K8sObject;
    expect(hygieneIssues(widget).some((i) => i.field === 'metadata.namespace')).toBe(true);
    expect(hygieneIssues(widget, { clusterScopedKinds: new Set(['ClusterWidget']) }).some((i) => i.field === 'metadata.namespace')).toBe(false);
  });
});

describe('every object of a render', () => {
  const { layout } = referenceRender();

  it('carries the four common labels, part-of homelab (the cluster name), and its wave as sync-wave', () => {
    expect(layout.objects.length).toBeGreaterThan(50);
    for (const wave of layout.plan.waves) {
      for (const o of wave.objects) {
        const labels = o.metadata.labels as Record<string, string>;
        expect(labels['app.kubernetes.io/managed-by'], `${o.kind} ${o.metadata.name}`).toBe('homelab-cluster');
        expect(labels['app.kubernetes.io/part-of']).toBe('homelab');
        expect(labels['app.kubernetes.io/name']).toMatch(/^[a-z0-9][-a-z0-9.]*$/);
        expect(labels['app.kubernetes.io/component']).toMatch(/^[a-z0-9][-a-z0-9.]*$/);
        expect((o.metadata.annotations as Record<string, string>)['argocd.argoproj.io/sync-wave']).toBe(String(Number(wave.file.slice(0, 2)))); // the number of the file it is written to
      }
    }
  });

  it('has no status, no null, no empty metadata map, and a namespace exactly when namespaced', () => {
    const issues = layout.objects.flatMap((o) =>
      hygieneIssues(o, { partOf: 'homelab', requireAnnotations: ['argocd.argoproj.io/sync-wave'] }).map(
        (i) => `${o.kind} ${o.metadata.name}: ${i.field}: ${i.message}`,
      ),
    );
    expect(issues).toEqual([]);
  });

  it('writes what it plans: the wave files parse back to the objects', () => {
    for (const wave of layout.plan.waves) {
      const file = layout.files.find((f) => f.path === wave.file)!;
      expect(yaml.loadAll(file.content)).toEqual(JSON.parse(JSON.stringify(wave.objects)));
      expect(file.content).not.toMatch(/: null$/m);
      expect(file.content).not.toMatch(/^status:/m);
    }
  });

  it('takes the component from the chart id', () => {
    const flannel = layout.objects.find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'kube-flannel-ds')!;
    expect((flannel.metadata.labels as Record<string, string>)['app.kubernetes.io/component']).toBe('cni');
  });

  it('is byte-for-byte deterministic', () => {
    const again = planManifests(fixtureObjects(), referenceModel()).files;
    expect(planManifests(fixtureObjects(), referenceModel()).files).toEqual(again);
    expect(referenceRender().layout.files).toEqual(layout.files);
  });
});
