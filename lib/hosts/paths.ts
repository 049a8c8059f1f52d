/**
 * Where things live on the hosts. One table, so the renderers, the cloud-init `write_files`, the systemd
 * units and the README instructions cannot disagree about a path.
 */
import { FRPS_PATHS } from '../components/frp/paths';

/** Every path the host files are installed at, by name. */
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

  // frps on the tunnel server (lib/components/frp/paths.ts).
  ...FRPS_PATHS,

  containerdConfig: '/etc/containerd/config.toml',
  modulesLoad: '/etc/modules-load.d/kubernetes.conf',
  sysctl: '/etc/sysctl.d/90-kubernetes.conf',
  kubernetesAptList: '/etc/apt/sources.list.d/kubernetes.list',
  kubernetesAptKeyring: '/etc/apt/keyrings/kubernetes-apt-keyring.gpg',
  /** Raspberry Pi kernel command line on the `system-boot` partition. */
  piCmdline: '/boot/firmware/cmdline.txt',

  // Day-2 operations (lib/hosts/day2/).
  etcdSnapshotScript: '/usr/local/sbin/etcd-snapshot',
  etcdSnapshotService: '/etc/systemd/system/etcd-snapshot.service',
  etcdSnapshotTimer: '/etc/systemd/system/etcd-snapshot.timer',
  /** NFS mount point of the snapshot share; its mount unit name is the systemd-escaped path. */
  etcdSnapshotMountPoint: '/var/backups/etcd',
  etcdSnapshotMountUnit: '/etc/systemd/system/var-backups-etcd.mount',
  /** Local state: `last-success` (Unix time of the last good snapshot) and the work directory. */
  etcdSnapshotStateDir: '/var/lib/etcd-snapshot',
  /** prometheus-node-exporter's textfile collector directory (Debian/Ubuntu default). */
  textfileCollectorDir: '/var/lib/prometheus/node-exporter',
  etcdPkiDir: '/etc/kubernetes/pki/etcd',
  etcdDataDir: '/var/lib/etcd',
  auditDir: '/etc/kubernetes/audit',
  auditPolicy: '/etc/kubernetes/audit/policy.yaml',
  auditLogDir: '/var/log/kubernetes/audit',
  auditLog: '/var/log/kubernetes/audit/audit.log',
  encryptionDir: '/etc/kubernetes/encryption',
  /** Rendered on the host by the encryption script from the key file; never in dist/. */
  encryptionConfig: '/etc/kubernetes/encryption/config.yaml',
  encryptionKeys: '/etc/kubernetes/encryption/keys',
  encryptionScript: '/usr/local/sbin/kube-encryption-config',
  kubeletCsrScript: '/usr/local/sbin/approve-kubelet-serving-csrs',
} as const;
