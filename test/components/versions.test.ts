/**
 * Every image a construct uses comes from the versions table, every table entry is used, and the table
 * records platforms the arm64 workers can run.
 */
import { describe, expect, it } from 'vitest';
import { AcmeSolver, Flannel, Frpc, IngressNginx, KubeNetworkPolicies, LetsEncryptIssuers, MetricsServer, NfsCsiDriver, Traefik } from '../../lib/components';
import { findImage, IMAGES, imageRef, PREREQUISITE_MANIFESTS, VERSIONS } from '../../lib/versions';
import { allContainers, isWorkload, readSharedYaml, synthChart } from '../helpers/k8s';

const images = synthChart((chart) => {
  new Flannel(chart, 'Flannel', { podCidr: '10.244.0.0/16' });
  new KubeNetworkPolicies(chart, 'Netpol');
  new IngressNginx(chart, 'Ingress');
  new Traefik(chart, 'Traefik');
  new LetsEncryptIssuers(chart, 'Issuers', { email: 'a@my-homelab.net', solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })] });
  new Frpc(chart, 'Frpc', { serverAddr: '203.0.113.1', localIP: '10.0.0.1', proxies: [{ name: 'https', localPort: 443, remotePort: 443 }] });
  new NfsCsiDriver(chart, 'Nfs', { snapshots: true });
  new MetricsServer(chart, 'MetricsServer');
})
  .filter(isWorkload)
  .flatMap(allContainers)
  .map((c) => c.image as string);

/** The images our constructs deploy, written out by hand from the notes and the upstream manifests in ../shared/upstream. */
const EXPECTED_IMAGES = [
  'docker.io/library/traefik:v3.7.9',
  'fatedier/frpc:v0.70.1',
  'ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3',
  'ghcr.io/flannel-io/flannel:v0.28.9',
  'registry.k8s.io/ingress-nginx/controller:v1.15.1',
  'registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9',
  'registry.k8s.io/metrics-server/metrics-server:v0.8.1',
  'registry.k8s.io/networking/kube-network-policies:v1.1.1',
  'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.17.0',
  'registry.k8s.io/sig-storage/csi-provisioner:v6.3.0',
  'registry.k8s.io/sig-storage/csi-resizer:v2.2.0',
  'registry.k8s.io/sig-storage/csi-snapshotter:v8.6.0',
  'registry.k8s.io/sig-storage/livenessprobe:v2.19.0',
  'registry.k8s.io/sig-storage/nfsplugin:v4.13.4',
];

/** `repository:tag` of every container image in an upstream manifest (digest dropped: we pin by tag). */
const upstreamImages = (...files: string[]): string[] =>
  [
    ...new Set(
      files
        .flatMap((f) => readSharedYaml(f))
        .filter(isWorkload)
        .flatMap(allContainers)
        .map((c) => String(c.image).replace(/@sha256:[0-9a-f]+$/, '')),
    ),
  ].sort();

describe('versions table', () => {
  it('the constructs deploy exactly the pinned images', () => {
    expect([...new Set(images)].sort()).toEqual(EXPECTED_IMAGES);
  });

  it('deploys the images of the upstream manifests we conform to', () => {
    const ours = new Set(images);
    const missing = (up: string[]) => up.filter((i) => !ours.has(i));
    expect(upstreamImages('upstream/flannel-v0.28.9/kube-flannel.yml')).toEqual([
      'ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3',
      'ghcr.io/flannel-io/flannel:v0.28.9',
    ]);
    expect(missing(upstreamImages('upstream/flannel-v0.28.9/kube-flannel.yml'))).toEqual([]);
    expect(missing(upstreamImages('upstream/ingress-nginx-v1.15.1/deploy-cloud.yaml'))).toEqual([]);
    expect(missing(upstreamImages('upstream/kube-network-policies-v1.1.1/install.yaml'))).toEqual([]);
    // the NFS driver's controller and node plugin (not the snapshot controller, which we do not deploy)
    expect(missing(upstreamImages('upstream/csi-driver-nfs-v4.13.4/csi-nfs-controller.yaml', 'upstream/csi-driver-nfs-v4.13.4/csi-nfs-node.yaml'))).toEqual([]);
  });

  it('every image a construct uses is in the table', () => {
    for (const image of images) expect(findImage(image), image).toBeDefined();
  });

  it('every table entry is used by a construct', () => {
    expect(
      Object.values(IMAGES)
        .map(imageRef)
        .filter((ref) => !images.includes(ref)),
    ).toEqual([]);
  });

  it('pins the versions from the notes', () => {
    expect(imageRef(IMAGES.flannel)).toBe('ghcr.io/flannel-io/flannel:v0.28.9');
    expect(imageRef(IMAGES.ingressNginxController)).toBe('registry.k8s.io/ingress-nginx/controller:v1.15.1');
    expect(imageRef(IMAGES.frpc)).toBe('fatedier/frpc:v0.70.1');
    expect(imageRef(IMAGES.traefik)).toBe('docker.io/library/traefik:v3.7.9');
    expect(IMAGES.traefik.platforms).toContain('arm64');
    expect(imageRef(IMAGES.nfsPlugin)).toBe('registry.k8s.io/sig-storage/nfsplugin:v4.13.4');
    expect([VERSIONS.metallb, VERSIONS.certManager]).toEqual(['v0.16.1', 'v1.21.1']);
    expect(PREREQUISITE_MANIFESTS.certManager).toContain('/v1.21.1/');
  });

  it('pins every image by an explicit version tag, never latest', () => {
    for (const [name, image] of Object.entries(IMAGES)) {
      expect(image.tag, name).toMatch(/^v\d+\.\d+\.\d+/);
      expect(image.repository, name).not.toMatch(/[:@]/);
    }
  });

  it('records platforms for every image, and every image we deploy runs on arm64 and amd64', () => {
    for (const [name, image] of Object.entries(IMAGES)) {
      expect(image.platforms, name).toEqual(expect.arrayContaining(['amd64', 'arm64']));
      expect(image.platformsSource.length, name).toBeGreaterThan(10);
    }
    expect(IMAGES.kubeNetworkPolicies.platforms).toEqual(['amd64', 'arm64']);
  });

  it('finds nothing for an image outside the table', () => {
    expect(findImage('ghcr.io/flannel-io/flannel:v0.28.8')).toBeUndefined();
    expect(findImage('docker.io/library/nginx:latest')).toBeUndefined();
  });
});
