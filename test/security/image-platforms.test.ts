/**
 * Image hygiene: pinned tags, the pinned image table, and architectures. A workload whose pods can land on
 * an arm64 node must use an image published for arm64; nodeSelector, required node affinity and taints
 * decide where pods can land.
 */
import { describe, expect, it } from 'vitest';
import { checkImages, imagePlatformsCheck, parseImageReference } from '../../lib/checks/image-platforms';
import type { K8sObject } from '../../lib/k8s/object';
import { loadDescription } from '../../lib/model/load';
import { renderCluster } from '../../lib/render';
import { canSchedule, modelNodes } from '../../lib/security/scheduling';
import { IMAGES, type ImageSpec } from '../../lib/versions';
import { deployment, editObject, referenceModel, renderUnchecked, restrictedPodSpec } from './fixtures';

const model = referenceModel();
const nodes = modelNodes(model);
const { objects } = renderUnchecked(model);
const amd64Only: ImageSpec = { repository: 'example.org/legacy', tag: 'v1.0.0', platforms: ['amd64'], platformsSource: 'test' };
const images = [...Object.values(IMAGES), amd64Only];
const legacy = (spec: Record<string, unknown> = {}) =>
  deployment('legacy', 'apps', restrictedPodSpec({ containers: [{ name: 'app', image: 'example.org/legacy:v1.0.0' }], ...spec }));

describe('the reference render', () => {
  it('uses only pinned images from lib/versions.ts that run on every node they can land on; synth with the check passes', () => {
    expect(imagePlatformsCheck.run({ model, objects, files: [] })).toEqual([]);
    expect(renderCluster(model, { checks: [imagePlatformsCheck] }).checks).toEqual(['image-platforms']);
    for (const fixture of ['minimal', 'five-control-planes-other-subnet', 'single-control-plane-no-tunnel', 'all-arm64']) {
      const m = loadDescription(`test/fixtures/valid/${fixture}.yaml`);
      expect(imagePlatformsCheck.run({ model: m, objects: renderUnchecked(m).objects, files: [] }), fixture).toEqual([]);
    }
  });
});

describe('architectures', () => {
  it('fails an amd64-only image on a Deployment that can be scheduled on arm64, naming the object, the image and the nodes', () => {
    expect(checkImages([legacy()], { images, nodes })).toEqual([
      {
        path: 'Deployment apps/legacy spec.template.spec.containers[0].image',
        message: expect.stringMatching(
          /^"example\.org\/legacy:v1\.0\.0" is published for amd64 but not arm64, and the pods can be scheduled on arm64 nodes \(raspberry-001, .*raspberry-008\)/,
        ),
      },
    ]);
  });

  it('the same image passes when nodeSelector or required affinity keeps the pods off arm64', () => {
    expect(checkImages([legacy({ nodeSelector: { 'kubernetes.io/arch': 'amd64' } })], { images, nodes })).toEqual([]);
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'NotIn', values: ['arm64'] }] }],
        },
      },
    };
    expect(checkImages([legacy({ affinity })], { images, nodes })).toEqual([]);
    // A pinned hostname on an amd64 worker also keeps it off arm64.
    expect(checkImages([legacy({ nodeSelector: { 'kubernetes.io/hostname': '5825u-001' } })], { images, nodes })).toEqual([]);
  });

  it('an amd64-only image in the real frpc Deployment fails the check (the pods may land on the Raspberry Pis)', () => {
    const frpcOnlyAmd64 = images.map((i) => (i === IMAGES.frpc ? { ...i, platforms: ['amd64'] as const } : i));
    const problems = checkImages(objects, { images: frpcOnlyAmd64, nodes });
    expect(problems.map((p) => p.path)).toEqual(['Deployment frpc/frpc spec.template.spec.containers[0].image']);
    expect(problems[0].message).toContain('"fatedier/frpc:v0.70.1"');
  });

  it('an arm64-only image on a workload that can reach amd64 nodes fails too; on an all-arm64 cluster it passes', () => {
    const armOnly: ImageSpec = { ...amd64Only, platforms: ['arm64'] };
    expect(checkImages([legacy()], { images: [armOnly], nodes })[0].message).toContain('but not amd64');
    const allArm = modelNodes(loadDescription('test/fixtures/valid/all-arm64.yaml'));
    expect(checkImages([legacy()], { images: [armOnly], nodes: allArm })).toEqual([]);
  });

  it('control-plane taints count: only pods that tolerate them can land on control planes', () => {
    const cp = nodes.find((n) => n.name === 'n100-001')!;
    expect(cp.taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    expect(canSchedule({}, cp)).toBe(false);
    expect(canSchedule({ tolerations: [{ operator: 'Exists' }] }, cp)).toBe(true);
    expect(canSchedule({ tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] }, cp)).toBe(true);
    expect(canSchedule({ tolerations: [{ key: 'other', operator: 'Exists' }] }, cp)).toBe(false);
  });
});

describe('pinning', () => {
  const withImage = (image: string | undefined): K8sObject[] =>
    editObject(objects, 'Deployment', 'frpc', (d) => (d.spec.template.spec.containers[0].image = image));
  const messages = (image: string | undefined) => checkImages(withImage(image), { images, nodes }).map((p) => p.message);

  it('fails :latest and untagged images', () => {
    expect(messages('fatedier/frpc:latest')).toEqual([expect.stringContaining('the moving tag "latest"')]);
    expect(messages('fatedier/frpc')).toEqual([expect.stringContaining('untagged')]);
  });

  it('fails an image that is not in the pinned table, even with a proper tag', () => {
    expect(messages('fatedier/frpc:v0.61.0')).toEqual([expect.stringContaining('not in the pinned image table (lib/versions.ts)')]);
    expect(messages('docker.io/library/busybox:1.37')).toEqual([expect.stringContaining('not in the pinned image table')]);
  });

  it('parses registries with ports, tags and digests', () => {
    expect(parseImageReference('registry.local:5000/team/app:v1@sha256:abc')).toEqual({
      repository: 'registry.local:5000/team/app',
      tag: 'v1',
      digest: 'sha256:abc',
    });
    expect(parseImageReference('registry.local:5000/team/app')).toEqual({ repository: 'registry.local:5000/team/app', tag: undefined, digest: undefined });
  });
});
