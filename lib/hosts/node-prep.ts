/**
 * What a Kubernetes node needs from its operating system before `kubeadm init/join` (Ubuntu 24.04):
 * kernel modules, sysctls, no swap, containerd configured for the systemd cgroup driver (and NRI when
 * kube-network-policies uses it), the pkgs.k8s.io repository and pinned, held kubelet/kubeadm/kubectl.
 * Pure data; cloud-init.ts turns it into user-data.
 *
 * pkgs.k8s.io key: no key material is shipped. At first boot the node downloads
 * `https://pkgs.k8s.io/core:/stable:/v<minor>/deb/Release.key` over HTTPS, refuses it unless its
 * fingerprint is {@link PKGS_K8S_KEY_FINGERPRINT}, and dearmors it into the keyring the apt source names.
 */
import { stringify } from 'smol-toml';
import type { ClusterModel, Host } from '../model/types';
import { HOST_PATHS } from './paths';
import { comment, fileOf, generatedBy, keyValueLines, nameLines } from './text';

/** Signing key of the pkgs.k8s.io repositories (`isv:kubernetes OBS Project`). */
export const PKGS_K8S_KEY_FINGERPRINT = 'DE15B14486CD377B9E876E1A234654DA9A296436';

/** Debian revision of the pkgs.k8s.io packages: kubelet `1.32.3-1.1`. */
export const K8S_PACKAGE_REVISION = '1.1';

/** Sandbox (pause) image kubeadm expects, per Kubernetes minor; containerd 1.7 defaults to an older one. */
const PAUSE_IMAGES: Readonly<Record<string, string>> = {
  '1.31': 'registry.k8s.io/pause:3.10',
  '1.32': 'registry.k8s.io/pause:3.10',
  '1.33': 'registry.k8s.io/pause:3.10',
};

/** Kernel modules kube-proxy IPVS mode uses. */
const IPVS_MODULES = ['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_sh', 'nf_conntrack'];

function pauseImage(model: ClusterModel): string {
  const image = PAUSE_IMAGES[model.kubernetes.minor];
  if (!image) throw new Error(`internal: no pause image known for Kubernetes ${model.kubernetes.minor}; add it to PAUSE_IMAGES`);
  return image;
}

/** containerd NRI is needed when kube-network-policies runs with NRI (the default). */
function nriEnabled(model: ClusterModel): boolean {
  return model.cni.networkPolicyEnforcer === 'kube-network-policies' && model.cni.nri;
}

/** `1.32.3-1.1`: the apt version of kubelet/kubeadm/kubectl for the model's Kubernetes version. */
export function kubernetesPackageVersion(model: ClusterModel): string {
  return `${model.kubernetes.version.replace(/^v/, '')}-${K8S_PACKAGE_REVISION}`;
}

function kernelModules(model: ClusterModel): string[] {
  return [
    'overlay',
    'br_netfilter',
    // Autoloaded when used; loading them at boot makes a kernel without them fail visibly
    // (systemd-modules-load) instead of breaking pod networking later.
    ...(model.cni.backend === 'vxlan' ? ['vxlan'] : []),
    ...(model.cni.networkPolicyEnforcer === 'kube-network-policies' ? ['nfnetlink_queue'] : []),
    ...(model.kubernetes.kubeProxyMode === 'ipvs' ? IPVS_MODULES : []),
  ];
}

export function nodePackages(model: ClusterModel): string[] {
  return [
    'ca-certificates',
    'containerd',
    'curl',
    'gettext-base', // envsubst, fills the kubeadm join template
    'gnupg',
    ...(model.storage || model.operations.etcdSnapshots ? ['nfs-common'] : []), // mount.nfs: CSI node plugin, etcd snapshot share
    ...(model.kubernetes.kubeProxyMode === 'ipvs' ? ['ipset', 'ipvsadm'] : []),
  ];
}

export function renderModulesLoad(model: ClusterModel): string {
  return fileOf([...comment('#', generatedBy(model.name)), ...nameLines(kernelModules(model))]);
}

export function renderSysctl(model: ClusterModel): string {
  return fileOf([
    ...comment('#', generatedBy(model.name)),
    ...keyValueLines([
      ['net.ipv4.ip_forward', 1],
      ['net.bridge.bridge-nf-call-iptables', 1],
      ['net.bridge.bridge-nf-call-ip6tables', 1],
    ]),
  ]);
}

/**
 * A partial containerd 1.7 config (`version = 2`): containerd fills every other setting with its defaults.
 * The runc runtime is spelled out in full because a map entry replaces the default one.
 */
export function renderContainerdConfig(model: ClusterModel): string {
  const config = {
    version: 2,
    plugins: {
      'io.containerd.grpc.v1.cri': {
        sandbox_image: pauseImage(model),
        containerd: {
          default_runtime_name: 'runc',
          runtimes: { runc: { runtime_type: 'io.containerd.runc.v2', options: { SystemdCgroup: true } } },
        },
      },
      ...(nriEnabled(model) ? { 'io.containerd.nri.v1.nri': { disable: false, socket_path: '/var/run/nri/nri.sock' } } : {}),
    },
  };
  return `${comment('#', generatedBy(model.name), 'containerd for kubeadm: systemd cgroups, pinned pause image.').join('\n')}\n\n${stringify(config).trimEnd()}\n`;
}

function kubernetesAptSource(model: ClusterModel): string {
  return `deb [signed-by=${HOST_PATHS.kubernetesAptKeyring}] ${kubernetesRepoUrl(model)} /\n`;
}

function kubernetesRepoUrl(model: ClusterModel): string {
  if (!/^\d+\.\d+$/.test(model.kubernetes.minor)) throw new Error(`internal: bad minor ${model.kubernetes.minor}`);
  return `https://pkgs.k8s.io/core:/stable:/v${model.kubernetes.minor}/deb/`;
}

/** Quotes one argument for a POSIX shell (single quotes unless it is plainly safe). */
function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

const line = (...argv: string[]) => argv.map(shellQuote).join(' ');

/**
 * The first-boot steps of a Kubernetes node, in order, as shell lines (run under `set -eu` by
 * cloud-init.ts): OS preparation, then key → fingerprint check → repository list → install → hold.
 * The apt list is written only after the downloaded key matched {@link PKGS_K8S_KEY_FINGERPRINT}, so a
 * failed check leaves no repository pointing at a missing keyring, and nothing after it runs.
 */
export function nodeFirstBootLines(model: ClusterModel, host: Host): string[] {
  const version = kubernetesPackageVersion(model);
  const tools = ['kubelet', 'kubeadm', 'kubectl'];
  return [
    line('systemctl', 'restart', 'systemd-modules-load.service'),
    line('sysctl', '--system'),
    line('swapoff', '-a'),
    line('sed', '-ri', '/^[^#[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+swap[[:space:]]/s/^/# disabled for kubelet: /', '/etc/fstab'),
    ...(host.hardware === 'raspberry-pi'
      ? [line('sed', '-i', '1{/cgroup_enable=memory/!s/$/ cgroup_enable=memory cgroup_memory=1/}', HOST_PATHS.piCmdline)]
      : []),
    line('systemctl', 'restart', 'containerd.service'),
    'tmp=$(mktemp)',
    `curl -fsSL --retry 5 -o "$tmp" ${shellQuote(`${kubernetesRepoUrl(model)}Release.key`)}`,
    `gpg --show-keys --with-colons "$tmp" | grep -q '^fpr:::::::::${PKGS_K8S_KEY_FINGERPRINT}:$'`,
    line('install', '-d', '-m', '0755', '/etc/apt/keyrings'),
    `gpg --dearmor --yes -o ${shellQuote(HOST_PATHS.kubernetesAptKeyring)} "$tmp"`,
    'rm -f "$tmp"',
    `printf '%s\\n' ${shellQuote(kubernetesAptSource(model).trimEnd())} | install -m 0644 /dev/stdin ${shellQuote(HOST_PATHS.kubernetesAptList)}`,
    line('apt-get', 'update'),
    line('apt-get', 'install', '-y', ...tools.map((t) => `${t}=${version}`)),
    line('apt-mark', 'hold', ...tools),
    line('systemctl', 'enable', 'kubelet.service'),
  ];
}

/** Raspberry Pi: reboot once at the end of first boot if the running kernel lacks the memory cgroup flag. */
export const PI_REBOOT_CONDITION: readonly string[] = ['sh', '-c', '! grep -qw cgroup_enable=memory /proc/cmdline'];
