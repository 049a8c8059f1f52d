/**
 * Every version and container image we deploy, in one place.
 *
 * Images are pinned by tag only. Digests cannot be resolved here (synth and CI run offline, with no
 * registry access), and a digest copied from a third-party manifest cannot be checked against the
 * registry either. Add `@sha256:` digests once a step that can reach the registries verifies them.
 *
 * `platforms` lists the Linux architectures each image is published for, from the upstream build
 * definitions quoted in ../shared/notes/cluster-facts.md. An output check uses it to fail synth when a
 * workload that may be scheduled on an arm64 node uses an image without `arm64`.
 */

/** A Linux platform an image is published for (`kubernetes.io/arch`, plus the variant for 32-bit arm). */
export type ImagePlatform = 'amd64' | 'arm64' | 'arm' | 'arm/v7' | 'ppc64le' | 's390x' | 'riscv64';

/** An image we deploy: repository, pinned tag and the platforms it is built for. */
export interface ImageSpec {
  /** Registry and repository, without tag. */
  readonly repository: string;
  readonly tag: string;
  /** Linux platforms the image is published for. */
  readonly platforms: readonly ImagePlatform[];
  /** Where `platforms` comes from. */
  readonly platformsSource: string;
}

const SIG_STORAGE_PLATFORMS: readonly ImagePlatform[] = ['amd64', 'arm', 'arm/v7', 'arm64', 'ppc64le', 's390x'];
const SIG_STORAGE_SOURCE = 'kubernetes-csi release-tools prow.sh CSI_PROW_BUILD_PLATFORMS (cluster-facts §4)';
const INGRESS_NGINX_SOURCE = 'ingress-nginx Makefile PLATFORMS ?= amd64 arm arm64 (cluster-facts §3.3)';

/** Component versions: what we deploy ourselves, and the prerequisites the user installs from upstream. */
export const VERSIONS = {
  flannel: 'v0.28.9',
  flannelCniPlugin: 'v1.9.1-flannel3',
  /** v1.1.1 stops hostNetwork pods leaking node IPs into the set of pod addresses policies select. */
  kubeNetworkPolicies: 'v1.1.1',
  ingressNginx: 'v1.15.1',
  /** The release whose docs, RBAC and examples are in ../shared/upstream/traefik-v3.7.9/. */
  traefik: 'v3.7.9',
  kubeWebhookCertgen: 'v1.6.9',
  frp: 'v0.70.1',
  /** v0.8.x supports Kubernetes 1.31+ (v0.9 needs 1.34). */
  metricsServer: 'v0.8.1',
  csiDriverNfs: 'v4.13.4',
  /** Installed by the user from the upstream native manifest (dist/README.md apply sequence); we emit its custom resources. */
  metallb: 'v0.16.1',
  /** Installed by the user from the upstream static manifest (dist/README.md apply sequence); we emit its custom resources. */
  certManager: 'v1.21.1',
} as const;

/** Every image a construct in lib/components uses. Constructs take images only from here. */
export const IMAGES = {
  flannel: {
    repository: 'ghcr.io/flannel-io/flannel',
    tag: VERSIONS.flannel,
    platforms: ['amd64', 'arm', 'arm64', 'ppc64le', 's390x', 'riscv64'],
    platformsSource: 'flannel Makefile arches (cluster-facts §5.1)',
  },
  flannelCniPlugin: {
    repository: 'ghcr.io/flannel-io/flannel-cni-plugin',
    tag: VERSIONS.flannelCniPlugin,
    platforms: ['amd64', 'arm', 'arm64', 'ppc64le', 's390x', 'riscv64'],
    platformsSource: 'assumed equal to flannel (same project and release process); not listed in the notes',
  },
  kubeNetworkPolicies: {
    repository: 'registry.k8s.io/networking/kube-network-policies',
    tag: VERSIONS.kubeNetworkPolicies,
    platforms: ['amd64', 'arm64'],
    platformsSource: 'reference-cluster.md ("SIG Network, amd64/arm64")',
  },
  ingressNginxController: {
    repository: 'registry.k8s.io/ingress-nginx/controller',
    tag: VERSIONS.ingressNginx,
    platforms: ['amd64', 'arm', 'arm64'],
    platformsSource: INGRESS_NGINX_SOURCE,
  },
  kubeWebhookCertgen: {
    repository: 'registry.k8s.io/ingress-nginx/kube-webhook-certgen',
    tag: VERSIONS.kubeWebhookCertgen,
    platforms: ['amd64', 'arm', 'arm64'],
    platformsSource: `${INGRESS_NGINX_SOURCE}; built from the same repository`,
  },
  traefik: {
    repository: 'docker.io/library/traefik',
    tag: VERSIONS.traefik,
    platforms: ['amd64', 'arm', 'arm64', 's390x'],
    platformsSource:
      'docker-library/official-images library/traefik "Architectures: amd64, arm32v6, arm64v8, s390x" (alpine variant, the tag without suffix); cluster-facts "Facts from the operator reviews" ("The official image is multi-arch")',
  },
  frpc: {
    repository: 'fatedier/frpc',
    tag: VERSIONS.frp,
    platforms: ['amd64', 'arm/v7', 'arm64', 'ppc64le'],
    platformsSource: 'fatedier/frp .github/workflows/build-and-push-image.yml (cluster-facts §8.1)',
  },
  metricsServer: {
    repository: 'registry.k8s.io/metrics-server/metrics-server',
    tag: VERSIONS.metricsServer,
    platforms: ['amd64', 'arm', 'arm64', 'ppc64le', 's390x'],
    platformsSource: 'kubernetes-sigs/metrics-server Makefile ALL_ARCHITECTURES',
  },
  nfsPlugin: {
    repository: 'registry.k8s.io/sig-storage/nfsplugin',
    tag: VERSIONS.csiDriverNfs,
    platforms: ['amd64', 'arm/v7', 'arm64', 'ppc64le'],
    platformsSource: 'csi-driver-nfs Makefile ALL_OS_ARCH (cluster-facts §4)',
  },
  csiProvisioner: {
    repository: 'registry.k8s.io/sig-storage/csi-provisioner',
    tag: 'v6.3.0',
    platforms: SIG_STORAGE_PLATFORMS,
    platformsSource: SIG_STORAGE_SOURCE,
  },
  csiResizer: {
    repository: 'registry.k8s.io/sig-storage/csi-resizer',
    tag: 'v2.2.0',
    platforms: SIG_STORAGE_PLATFORMS,
    platformsSource: SIG_STORAGE_SOURCE,
  },
  csiSnapshotter: {
    repository: 'registry.k8s.io/sig-storage/csi-snapshotter',
    tag: 'v8.6.0',
    platforms: SIG_STORAGE_PLATFORMS,
    platformsSource: SIG_STORAGE_SOURCE,
  },
  csiLivenessProbe: {
    repository: 'registry.k8s.io/sig-storage/livenessprobe',
    tag: 'v2.19.0',
    platforms: SIG_STORAGE_PLATFORMS,
    platformsSource: SIG_STORAGE_SOURCE,
  },
  csiNodeDriverRegistrar: {
    repository: 'registry.k8s.io/sig-storage/csi-node-driver-registrar',
    tag: 'v2.17.0',
    platforms: SIG_STORAGE_PLATFORMS,
    platformsSource: SIG_STORAGE_SOURCE,
  },
} as const satisfies Record<string, ImageSpec>;

/** The name of an image we deploy (a key of {@link IMAGES}). */
export type ImageName = keyof typeof IMAGES;

/** The reference a Pod spec uses: `repository:tag`. */
export function imageRef(image: ImageSpec): string {
  return `${image.repository}:${image.tag}`;
}

/** The table entry whose reference equals `ref` (as written in a Pod spec), if any. */
export function findImage(ref: string): ImageSpec | undefined {
  return Object.values(IMAGES).find((image) => imageRef(image) === ref);
}

/**
 * The etcd image kubeadm runs for each supported Kubernetes minor (kubernetes/kubernetes
 * `cmd/kubeadm/app/constants/constants.go`, `SupportedEtcdVersion`: 31, 32 and 33 map to "3.5.21-0" after the
 * etcd 3.5.21 bump that was backported to the 1.31 and 1.32 branches). The etcd snapshot script on the control
 * planes runs etcdctl and etcdutl from this image (they are not installed on kubeadm hosts); etcdutl 3.5 reads
 * snapshots of every etcd 3.5 server, so an older kubeadm patch release with an earlier 3.5 etcd is served too.
 */
const ETCD_IMAGES: Readonly<Record<string, ImageSpec>> = Object.fromEntries(
  ['1.31', '1.32', '1.33'].map((minor) => [
    minor,
    {
      repository: 'registry.k8s.io/etcd',
      tag: '3.5.21-0',
      platforms: ['amd64', 'arm', 'arm64', 'ppc64le', 's390x'],
      platformsSource: 'kubernetes/kubernetes cluster/images/etcd Makefile ALL_ARCH',
    } satisfies ImageSpec,
  ]),
);

/** The etcd image for a Kubernetes minor (`1.32`); throws for a minor the table lacks. */
export function etcdImage(minor: string): string {
  const image = ETCD_IMAGES[minor];
  if (!image) throw new Error(`internal: no etcd image known for Kubernetes ${minor}; add it to ETCD_IMAGES`);
  return imageRef(image);
}

/** Upstream install manifests of the prerequisites (their CRDs must exist before we apply custom resources). */
export const PREREQUISITE_MANIFESTS = {
  metallb: `https://raw.githubusercontent.com/metallb/metallb/${VERSIONS.metallb}/config/manifests/metallb-native.yaml`,
  certManager: `https://github.com/cert-manager/cert-manager/releases/download/${VERSIONS.certManager}/cert-manager.yaml`,
} as const;
