/**
 * The etcd restore runbook (docs/etcd-restore.md): restore a snapshot into the stacked etcd of every control
 * plane with `etcdutl snapshot restore`, in order, per host, with each member's `--name`,
 * `--initial-advertise-peer-urls` and the shared `--initial-cluster` that kubeadm gave the cluster
 * (member name = node name, peer URL https://<advertise address>:2380, data dir /var/lib/etcd).
 */
import type { ClusterModel, Host } from '../../model/types';
import { etcdImage } from '../../versions';
import { HOST_PATHS } from '../paths';
import { snapshotDir, snapshotShare } from './etcd-snapshot';

const fence = (lines: readonly string[]) => ['```sh', ...lines, '```'];

const etcdPeerUrl = (host: Host) => `https://${host.ip}:2380`;

/** `n100-001=https://192.168.100.201:2380,…` in control-plane order. */
function initialCluster(model: ClusterModel): string {
  return model.apiServer.controlPlanes.map((h) => `${h.name}=${etcdPeerUrl(h)}`).join(',');
}

/** The restore command for one member, run from the etcd image (etcdutl is not installed on the host). */
function restoreCommand(model: ClusterModel, host: Host): string[] {
  return [
    `ctr -n k8s.io run --rm \\`,
    `  --mount type=bind,src=/root/restore,dst=/restore,options=rbind:rw \\`,
    `  ${etcdImage(model.kubernetes.minor)} etcd-restore \\`,
    `  etcdutl snapshot restore /restore/snapshot.db \\`,
    `    --name ${host.name} \\`,
    `    --initial-cluster ${initialCluster(model)} \\`,
    `    --initial-cluster-token ${model.name}-restore \\`,
    `    --initial-advertise-peer-urls ${etcdPeerUrl(host)} \\`,
    `    --data-dir /restore/etcd`,
  ];
}

export function renderEtcdRestoreRunbook(model: ClusterModel): string {
  const s = model.operations.etcdSnapshots;
  const cps = model.apiServer.controlPlanes;
  const [first] = cps;
  const P = HOST_PATHS;
  const lines = [
    `# ${model.name}: restoring etcd from a snapshot`,
    '',
    `Generated from the cluster description of \`${model.name}\`; do not edit. Change the description and re-render.`,
    '',
    `The control plane runs a stacked etcd with ${cps.length} member(s): ${cps.map((h) => `\`${h.name}\` (${etcdPeerUrl(h)})`).join(', ')}.`,
    'A restore replaces the whole cluster state with the snapshot: everything written after it is lost. Restore only when the',
    'cluster state is lost or corrupt (quorum cannot be regained). A single failed member is replaced instead: `kubeadm reset` on',
    'it, `etcdctl member remove`, then join it again.',
    '',
    '## Before you start',
    '',
    s
      ? `- Snapshots are on ${s.server.name} at \`${snapshotShare(s)}/${s.directory}/<host>/etcd-snapshot-<UTC time>.db\`; on a control plane the share is mounted at \`${P.etcdSnapshotMountPoint}\` (\`systemctl start ${P.etcdSnapshotMountUnit.split('/').pop()}\`).`
      : '- etcd snapshots are turned off in this description (`operations.etcdSnapshots`); use a snapshot you made with `etcdctl snapshot save`.',
    '- Pick ONE snapshot and use the same file on every member. Take the newest one that `etcdutl snapshot status` accepts.',
    model.operations.encryptionAtRest
      ? `- Secrets in the snapshot are encrypted with the key in \`${P.encryptionKeys}\`: the control planes need the key file of the time the snapshot was taken (keep a copy of it outside the cluster, never next to the snapshots).`
      : '- Secrets are not encrypted at rest in this description; the snapshot holds them in clear text: keep the share private.',
    '- You need root on every control plane. Run the steps in this order; do not start a member before step 4.',
    '',
    '## 1. Stop kube-apiserver and etcd on every control plane',
    '',
    'On each of ' + cps.map((h) => `\`${h.name}\``).join(', ') + ' (the kubelet stops the static pods when their manifests leave the directory):',
    '',
    ...fence([
      'mkdir -p /root/restore/manifests',
      'mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/manifests/etcd.yaml /root/restore/manifests/',
      "until ! crictl ps -q --name 'etcd|kube-apiserver' | grep -q .; do sleep 2; done",
      `mv ${P.etcdDataDir} ${P.etcdDataDir}.before-restore   # keep the old data until the cluster works again`,
    ]),
    '',
    '## 2. Put the same snapshot on every control plane',
    '',
    ...fence(
      s
        ? [
            `# on ${first.name}: pick the snapshot and check it`,
            `ls -1 ${snapshotDir(s, first)}/ | tail -n 3`,
            `cp ${snapshotDir(s, first)}/etcd-snapshot-<UTC time>.db /root/restore/snapshot.db`,
            `ctr -n k8s.io run --rm --mount type=bind,src=/root/restore,dst=/restore,options=rbind:ro ${etcdImage(model.kubernetes.minor)} etcd-check etcdutl snapshot status /restore/snapshot.db -w table`,
            '# then copy /root/restore/snapshot.db to /root/restore/snapshot.db on every other control plane (scp), and compare sha256sum',
          ]
        : ['# copy the snapshot to /root/restore/snapshot.db on every control plane and compare sha256sum'],
    ),
    '',
    '## 3. Restore each member (any order; all before step 4)',
    '',
    'Each member gets its own `--name` and peer URL and the same `--initial-cluster` and token. The restore writes a new data',
    `directory; it is moved to \`${P.etcdDataDir}\` (the path in the etcd static pod manifest).`,
    '',
    ...cps.flatMap((h) => [
      `### ${h.name} (${h.ip})`,
      '',
      ...fence(['rm -rf /root/restore/etcd', ...restoreCommand(model, h), `mv /root/restore/etcd ${P.etcdDataDir} && chmod 0700 ${P.etcdDataDir}`]),
      '',
    ]),
    '## 4. Start etcd everywhere, then kube-apiserver',
    '',
    `On every control plane, etcd first (the members wait for each other until a quorum of ${Math.floor(cps.length / 2) + 1} is up):`,
    '',
    ...fence(['mv /root/restore/manifests/etcd.yaml /etc/kubernetes/manifests/']),
    '',
    `Then check the members from ${first.name} and start the API servers on every control plane:`,
    '',
    ...fence([
      `ctr -n k8s.io run --rm --net-host --mount type=bind,src=${P.etcdPkiDir},dst=/pki,options=rbind:ro ${etcdImage(model.kubernetes.minor)} etcd-health \\`,
      '  etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/pki/ca.crt --cert=/pki/healthcheck-client.crt --key=/pki/healthcheck-client.key \\',
      '  endpoint status --cluster -w table',
      'mv /root/restore/manifests/kube-apiserver.yaml /etc/kubernetes/manifests/',
    ]),
    '',
    '## 5. Check and clean up',
    '',
    ...fence([
      'kubectl get nodes',
      'kubectl get pods -A   # controllers reconcile to the restored state; restart what looks stuck',
      '# when everything works, on every control plane:',
      `rm -rf ${P.etcdDataDir}.before-restore /root/restore`,
    ]),
    '',
  ];
  return lines.join('\n');
}
