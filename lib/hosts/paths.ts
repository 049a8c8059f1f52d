/**
 * Where things live on the hosts. One table, so the renderers, the cloud-init `write_files`, the systemd
 * units and the README instructions cannot disagree about a path.
 */
export const HOST_PATHS = {
  kubeadmInit: '/etc/kubernetes/kubeadm-init.yaml',
  /** Join template with `${KUBEADM_*}` placeholders; no secret in it. */
  kubeadmJoinTemplate: '/etc/kubernetes/kubeadm-join.yaml',
  /** The join file with the secrets filled in at join time: tmpfs, mode 0600, deleted after the join. */
  kubeadmJoinRendered: '/run/kubeadm-join.yaml',
  psaDir: '/etc/kubernetes/psa',
  psaFile: '/etc/kubernetes/psa/psa-admission.yaml',

  keepalivedConf: '/etc/keepalived/keepalived.conf',
  checkApiserverScript: '/etc/keepalived/check_apiserver.sh',
  keepalivedDropIn: '/etc/systemd/system/keepalived.service.d/10-vrrp-auth.conf',
  haproxyCfg: '/etc/haproxy/haproxy.cfg',
  haproxyEnv: '/etc/haproxy/stats.env',
  haproxyDropIn: '/etc/systemd/system/haproxy.service.d/10-env.conf',

  frpsBinary: '/usr/local/bin/frps',
  frpsToml: '/etc/frp/frps.toml',
  frpsEnv: '/etc/frp/frps.env',
  frpsUnit: '/etc/systemd/system/frps.service',

  containerdConfig: '/etc/containerd/config.toml',
  modulesLoad: '/etc/modules-load.d/kubernetes.conf',
  sysctl: '/etc/sysctl.d/90-kubernetes.conf',
  kubernetesAptList: '/etc/apt/sources.list.d/kubernetes.list',
  kubernetesAptKeyring: '/etc/apt/keyrings/kubernetes-apt-keyring.gpg',
  /** Raspberry Pi kernel command line on the `system-boot` partition. */
  piCmdline: '/boot/firmware/cmdline.txt',
} as const;
