/**
 * The "Operations" section of dist/README.md and the day-2 pages under docs/: what each day-2 part does,
 * the design choices and their reasons, and the commands, per host, in the order that works.
 */
import type { ClusterModel } from '../model/types';
import type { RenderedFile } from '../output/files';
import { firstControlPlane } from '../hosts/control-plane';
import { HOST_PATHS } from '../hosts/paths';
import { renderEtcdRestoreRunbook } from '../hosts/day2/etcd-restore';
import { RESTART_APISERVER } from '../hosts/day2/encryption';
import { SNAPSHOT_METRICS, snapshotDir, snapshotShare } from '../hosts/day2/etcd-snapshot';
import { loginsSection } from '../hosts/day2/logins';
import { kubeletServingSection } from '../hosts/day2/kubelet-serving';
import { renderUpgradeRunbook } from '../hosts/day2/upgrade';

const code = (s: string | number) => `\`${s}\``;
const fence = (lines: readonly string[]) => ['```sh', ...lines, '```'];

/** docs/ pages of the day-2 parts that are on. */
export function day2Docs(model: ClusterModel): RenderedFile[] {
  const page = (name: string, content: string): RenderedFile => ({ path: `docs/${name}`, content: `${content.trimEnd()}\n` });
  return [
    page('etcd-restore.md', renderEtcdRestoreRunbook(model)),
    ...(model.operations.upgradeRunbook ? [page('upgrade.md', renderUpgradeRunbook(model))] : []),
  ];
}

function etcdSection(model: ClusterModel): string[] {
  const s = model.operations.etcdSnapshots;
  const cps = model.apiServer.controlPlanes;
  if (!s) {
    return [
      '### etcd snapshots',
      '',
      'Off (`operations.etcdSnapshots`). Without snapshots, losing the control-plane disks loses the cluster. The restore runbook is still in [`docs/etcd-restore.md`](docs/etcd-restore.md).',
      '',
    ];
  }
  return [
    '### etcd snapshots to the NAS',
    '',
    `Every control plane (${cps.map((h) => code(h.name)).join(', ')}) snapshots its etcd member on the schedule ${code(s.schedule)} to ${code(`${snapshotShare(s)}`)}, into ${code(`${s.directory}/<host>/`)}, keeping the newest ${s.keep} per host.`,
    '',
    'Why a systemd timer on each control-plane host, not a CronJob: the etcd client certificates are on the host, a snapshot works while kube-apiserver is down (when you need it most), and nothing needs a privileged pod, a Pod Security exemption or a network flow to etcd.',
    "Why every control plane, each into its own directory: no coordination is needed, any surviving member keeps producing snapshots, and every member's snapshot is a full copy of the cluster state.",
    `etcdctl and etcdutl are not installed on kubeadm hosts: ${code(HOST_PATHS.etcdSnapshotScript)} runs them from the etcd image pinned for Kubernetes ${model.kubernetes.minor} with \`ctr run --net-host\`, the PKI mounted read-only. It saves to local disk, checks the file with \`etcdutl snapshot status\`, copies it to the share under a temporary name, renames it and prunes older files it created itself.`,
    '',
    `The NFS export ${code(s.share)} on ${s.server.name} must be writable by root from the control planes (${cps.map((h) => h.ip).join(', ')}), i.e. exported with \`no_root_squash\` to them (csi-driver-nfs needs the same).`,
    '',
    'A failed run is visible three ways: the unit fails (`systemctl --failed`, `journalctl -u etcd-snapshot`), ' +
      `${code(`${HOST_PATHS.textfileCollectorDir}/etcd_snapshot.prom`)} says ${code(`${SNAPSHOT_METRICS.success} 0`)} (prometheus-node-exporter's textfile collector), and ${code(`${HOST_PATHS.etcdSnapshotStateDir}/last-success`)} (Unix time) stops moving. Alert on ${code(`time() - ${SNAPSHOT_METRICS.lastSuccess} > 2 * <schedule period>`)}.`,
    '',
    'After `kubeadm init`/`join` on each control plane (before that there is no etcd to snapshot):',
    '',
    ...fence([
      'systemctl daemon-reload',
      'systemctl enable --now etcd-snapshot.timer',
      'systemctl start etcd-snapshot.service && journalctl -u etcd-snapshot -n 5   # one snapshot now, to prove it works',
      `ls -l ${snapshotDir(s, cps[0]).replace(cps[0].name, '$(hostname)')}/`,
    ]),
    '',
    'Restore: [`docs/etcd-restore.md`](docs/etcd-restore.md), per host and in order.',
    '',
  ];
}

function auditSection(model: ClusterModel): string[] {
  const a = model.operations.auditLog;
  if (!a) return ['### API audit log', '', 'Off (`operations.auditLog`).', ''];
  return [
    '### API audit log',
    '',
    `kube-apiserver on every control plane writes ${code(HOST_PATHS.auditLog)} following ${code(HOST_PATHS.auditPolicy)} (\`audit-policy.yaml\`, placed by cloud-init): Secrets, ConfigMaps and token requests at Metadata level only (who, what, when; never the content), RBAC and every other write at RequestResponse, other reads at Metadata; read-only traffic of nodes, controllers and kube-proxy, health probes, events and leader-election leases are not logged.`,
    `Rotation: a new file every ${a.maxSize} MB, ${a.maxBackup} rotated files kept for at most ${a.maxAge} days. The flags and mounts are in the ClusterConfiguration of \`kubeadm-init.yaml\`, so every control plane that joins gets them.`,
    '',
    ...fence([
      `tail -f ${HOST_PATHS.auditLog} | jq -c 'select(.objectRef.resource=="secrets") | {user: .user.username, verb, ns: .objectRef.namespace, name: .objectRef.name}'`,
    ]),
    '',
  ];
}

function encryptionSection(model: ClusterModel): string[] {
  const e = model.operations.encryptionAtRest;
  if (!e)
    return [
      '### Secret encryption at rest',
      '',
      'Off (`operations.encryptionAtRest`): Secrets are stored in etcd, and in every etcd snapshot, in clear text.',
      '',
    ];
  const first = firstControlPlane(model);
  const others = model.apiServer.controlPlanes.filter((h) => h !== first);
  const P = HOST_PATHS;
  const copy = (h: { name: string }) => `ssh ${first.name} sudo kube-encryption-config export | ssh ${h.name} sudo kube-encryption-config import`;
  return [
    '### Secret encryption at rest',
    '',
    `kube-apiserver encrypts Secrets with ${code(e.provider)} (identity stays as the fallback, so data written before encryption was on stays readable). The key is never in the description or in \`dist/\`: ${code(P.encryptionScript)} creates it on ${first.name} from \`/dev/urandom\` into ${code(P.encryptionKeys)} (root, 0600) and renders ${code(P.encryptionConfig)} from it.`,
    '',
    'Order matters: kube-apiserver does not start without the file, so it must exist on a control plane BEFORE `kubeadm init` or `kubeadm join` runs there (the Hosts section repeats these steps):',
    '',
    ...fence([
      `# 1. on ${first.name}, before kubeadm init`,
      'kube-encryption-config init && kube-encryption-config check',
      ...(others.length
        ? [
            `# 2. from your workstation, before kubeadm join on each other control plane (the keys travel over SSH, never to a file)`,
            ...others.map(copy),
            ...others.map((h) => `ssh ${h.name} sudo kube-encryption-config check`),
          ]
        : []),
    ]),
    '',
    'Keep a copy of the key file outside the cluster (a password manager), never next to the etcd snapshots: a restored snapshot needs the key it was written with.',
    '',
    'Rotation (every step on the first control plane, then copied to all and kube-apiserver restarted on each, one host at a time):',
    '',
    ...fence([
      'kube-encryption-config add-key            # new key, read-only at first: every API server learns it before any writes with it',
      ...(others.length ? others.map(copy) : []),
      `${RESTART_APISERVER}   # on every control plane`,
      'kube-encryption-config list               # the new key is the second line',
      'kube-encryption-config promote <new key>  # the new key encrypts new writes',
      '# copy to all, restart kube-apiserver on each, then re-encrypt every Secret with the new key:',
      'kubectl get secrets -A -o json | kubectl replace -f -',
      'kube-encryption-config drop <old key>     # copy to all and restart once more',
    ]),
    '',
    'The same `kubectl get secrets -A -o json | kubectl replace -f -` encrypts the Secrets that existed before encryption was turned on.',
    '',
  ];
}

export function operationsReadme(model: ClusterModel): string {
  return [
    'Day-2 operations, generated from `operations:` in the description (each part can be turned off there).',
    '',
    ...etcdSection(model),
    ...auditSection(model),
    ...encryptionSection(model),
    ...kubeletServingSection(model),
    ...loginsSection(model),
    '### Upgrades',
    '',
    model.operations.upgradeRunbook
      ? `Per-host runbook for the next Kubernetes minor, in an order that keeps the VIP and etcd quorum: [\`docs/upgrade.md\`](docs/upgrade.md).`
      : 'Off (`operations.upgradeRunbook`).',
    '',
  ].join('\n');
}
