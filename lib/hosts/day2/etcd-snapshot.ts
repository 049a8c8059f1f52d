/**
 * Scheduled etcd snapshots to the NAS: a systemd timer + oneshot service + NFS mount unit + POSIX sh script
 * on every control plane.
 *
 * Why on the host and not a CronJob: the etcd client certificates are on the host, the snapshot works while
 * kube-apiserver (or the whole control plane but the local etcd) is down, and nothing needs a privileged pod,
 * a hostPath/hostNetwork Pod Security exemption or a NetworkPolicy flow to etcd's port.
 *
 * Why every control plane writes, each to `<directory>/<host>/`: no leader election or coordination; any one
 * surviving member keeps producing snapshots, and every member's snapshot is a full copy of the keyspace. The
 * cost is one copy per control plane on the NAS.
 *
 * etcdctl/etcdutl are not installed on kubeadm hosts: the script runs them from the etcd image pinned for the
 * Kubernetes minor (lib/versions.ts ETCD_IMAGES) with `ctr run --net-host`, the PKI directory mounted
 * read-only. It snapshots to local disk, checks the file with `etcdutl snapshot status`, copies it to the
 * share under a temporary name and renames it, then prunes (only files named by this script). Any failure
 * exits non-zero (the unit fails, the journal has the reason) and writes `etcd_snapshot_success 0` to the
 * node-exporter textfile collector; success also updates `last-success`.
 */
import type { ClusterModel, EtcdSnapshotsModel, Host } from '../../model/types';
import { etcdImage } from '../../versions';
import { HOST_PATHS } from '../paths';
import { comment, fileOf, generatedBy, renderUnit, shQuote } from '../text';

/** Snapshot file names the script writes and prunes: `etcd-snapshot-20261130T031500Z.db`. */
const SNAPSHOT_FILE_PATTERN = '^etcd-snapshot-[0-9]{8}T[0-9]{6}Z\\.db$';
/** Metric names in `etcd_snapshot.prom`. */
export const SNAPSHOT_METRICS = {
  success: 'etcd_snapshot_success',
  lastRun: 'etcd_snapshot_last_run_timestamp_seconds',
  lastSuccess: 'etcd_snapshot_last_success_timestamp_seconds',
} as const;

/** kubeadm's etcd client URL and the client certificate the snapshot uses (signed by the etcd CA). */
const ETCD_ENDPOINT = 'https://127.0.0.1:2379';

/** `192.168.100.171:/mnt/server`: the NFS source of the mount unit. */
export function snapshotShare(s: EtcdSnapshotsModel): string {
  return `${s.server.ip}:${s.share}`;
}

/** Directory on the host (inside the mount) where `host` writes. */
export function snapshotDir(s: EtcdSnapshotsModel, host: Host): string {
  return `${HOST_PATHS.etcdSnapshotMountPoint}/${s.directory}/${host.name}`;
}

export function renderEtcdSnapshotScript(model: ClusterModel, host: Host): string {
  const s = model.operations.etcdSnapshots;
  if (!s) throw new Error('internal: etcd snapshots are off');
  const P = HOST_PATHS;
  const M = SNAPSHOT_METRICS;
  return fileOf([
    '#!/bin/sh',
    ...comment(
      '#',
      generatedBy(model.name),
      `etcd snapshot of ${host.name} to ${snapshotShare(s)} (${s.directory}/${host.name}/), run by etcd-snapshot.timer.`,
      'Exit status non-zero on any failure; the journal (journalctl -u etcd-snapshot) has the reason and',
      `${P.textfileCollectorDir}/etcd_snapshot.prom says ${M.success} 0. ${P.etcdSnapshotStateDir}/last-success holds the`,
      'Unix time of the last good snapshot. Alert when it is older than two schedule periods.',
    ),
    'set -eu',
    '',
    `NODE=${shQuote(host.name)}`,
    `IMAGE=${shQuote(etcdImage(model.kubernetes.minor))}`,
    `MOUNT_POINT=${shQuote(P.etcdSnapshotMountPoint)}`,
    `TARGET_DIR=${shQuote(snapshotDir(s, host))}`,
    `KEEP=${s.keep}`,
    `PKI_DIR=${shQuote(P.etcdPkiDir)}`,
    `STATE_DIR=${shQuote(P.etcdSnapshotStateDir)}`,
    `TEXTFILE_DIR=${shQuote(P.textfileCollectorDir)}`,
    `ENDPOINT=${shQuote(ETCD_ENDPOINT)}`,
    '',
    'umask 077',
    'work=',
    'started=$(date -u +%s)',
    '',
    '# The textfile-collector metrics, written atomically.',
    'metrics() {',
    '  mkdir -p "$TEXTFILE_DIR"',
    '  {',
    `    echo '# HELP ${M.success} 1 if the last etcd snapshot run succeeded, 0 if it failed.'`,
    `    echo '# TYPE ${M.success} gauge'`,
    `    echo "${M.success}{node=\\"$NODE\\"} $1"`,
    `    echo '# TYPE ${M.lastRun} gauge'`,
    `    echo "${M.lastRun}{node=\\"$NODE\\"} $started"`,
    '    if [ -f "$STATE_DIR/last-success" ]; then',
    `      echo '# TYPE ${M.lastSuccess} gauge'`,
    `      echo "${M.lastSuccess}{node=\\"$NODE\\"} $(cat "$STATE_DIR/last-success")"`,
    '    fi',
    '  } > "$TEXTFILE_DIR/etcd_snapshot.prom.tmp"',
    '  chmod 0644 "$TEXTFILE_DIR/etcd_snapshot.prom.tmp"',
    '  mv -f "$TEXTFILE_DIR/etcd_snapshot.prom.tmp" "$TEXTFILE_DIR/etcd_snapshot.prom"',
    '}',
    '',
    'finish() {',
    '  status=$?',
    '  trap - EXIT',
    '  if [ -n "$work" ]; then rm -rf "$work"; fi',
    '  if [ "$status" -ne 0 ]; then',
    '    echo "etcd-snapshot: FAILED on $NODE (exit $status); earlier snapshots are kept" >&2',
    '    metrics 0 || true',
    '  fi',
    '  exit "$status"',
    '}',
    'trap finish EXIT',
    "trap 'exit 130' INT TERM",
    '',
    'fail() {',
    '  echo "etcd-snapshot: $*" >&2',
    '  exit 1',
    '}',
    '',
    '# etcd_tool NAME COMMAND...: runs COMMAND from the etcd image, the PKI read-only at /pki, $work at /snapshot.',
    'etcd_tool() {',
    '  name=$1',
    '  shift',
    '  ctr -n k8s.io run --rm --net-host \\',
    '    --mount "type=bind,src=$PKI_DIR,dst=/pki,options=rbind:ro" \\',
    '    --mount "type=bind,src=$work,dst=/snapshot,options=rbind:rw" \\',
    '    "$IMAGE" "etcd-snapshot-$name-$$" "$@"',
    '}',
    '',
    'mountpoint -q "$MOUNT_POINT" || fail "$MOUNT_POINT is not mounted (the NFS share); not writing to the local disk"',
    'mkdir -p "$STATE_DIR" "$TARGET_DIR"',
    'if ! ctr -n k8s.io images ls -q "name==$IMAGE" | grep -q .; then',
    '  ctr -n k8s.io images pull "$IMAGE" >/dev/null || fail "cannot pull $IMAGE"',
    'fi',
    '',
    'stamp=$(date -u +%Y%m%dT%H%M%SZ)',
    'file="etcd-snapshot-$stamp.db"',
    'work=$(mktemp -d "$STATE_DIR/work.XXXXXX")',
    '',
    'etcd_tool save etcdctl --endpoints="$ENDPOINT" --cacert=/pki/ca.crt \\',
    '  --cert=/pki/healthcheck-client.crt --key=/pki/healthcheck-client.key \\',
    '  snapshot save "/snapshot/$file" || fail "etcdctl snapshot save failed"',
    'etcd_tool status etcdutl snapshot status "/snapshot/$file" --write-out=json > "$work/status.json" ||',
    '  fail "etcdutl snapshot status rejected $file"',
    `grep -Eq '"totalKey": *[1-9]' "$work/status.json" || fail "snapshot $file holds no keys: $(cat "$work/status.json")"`,
    '',
    '# Copy under a temporary name, then rename: the share never shows a partial snapshot under a real name.',
    'cp "$work/$file" "$TARGET_DIR/.$file.part"',
    'mv -f "$TARGET_DIR/.$file.part" "$TARGET_DIR/$file"',
    '',
    '# Keep the newest $KEEP; only files named by this script are ever deleted (UTC stamps sort by name).',
    'for path in "$TARGET_DIR"/etcd-snapshot-*.db; do',
    '  name=${path##*/}',
    `  if printf '%s\\n' "$name" | grep -Eq '${SNAPSHOT_FILE_PATTERN}'; then printf '%s\\n' "$name"; fi`,
    'done | sort -r | tail -n +"$((KEEP + 1))" |',
    '  while IFS= read -r old; do',
    '    rm -f "$TARGET_DIR/$old"',
    '    echo "etcd-snapshot: pruned $old"',
    '  done',
    '',
    'date -u +%s > "$STATE_DIR/last-success.tmp"',
    'mv -f "$STATE_DIR/last-success.tmp" "$STATE_DIR/last-success"',
    'metrics 1',
    'echo "etcd-snapshot: saved $TARGET_DIR/$file ($(cat "$work/status.json")); keeping the newest $KEEP"',
  ]);
}

export function renderEtcdSnapshotService(model: ClusterModel, host: Host): string {
  const s = model.operations.etcdSnapshots!;
  return fileOf([
    ...comment('#', generatedBy(model.name)),
    ...renderUnit([
      [
        'Unit',
        [
          ['Description', `etcd snapshot of ${host.name} to ${s.server.name}`],
          ['After', 'containerd.service network-online.target'],
          ['Wants', 'network-online.target'],
          ['RequiresMountsFor', HOST_PATHS.etcdSnapshotMountPoint],
        ],
      ],
      [
        'Service',
        [
          ['Type', 'oneshot'],
          ['ExecStart', HOST_PATHS.etcdSnapshotScript],
          ['TimeoutStartSec', '15min'],
          ['Nice', 10],
          ['IOSchedulingClass', 'idle'],
        ],
      ],
    ]),
  ]);
}

export function renderEtcdSnapshotTimer(model: ClusterModel): string {
  const s = model.operations.etcdSnapshots!;
  return fileOf([
    ...comment('#', generatedBy(model.name), 'Enable after kubeadm init/join on this host: systemctl enable --now etcd-snapshot.timer'),
    ...renderUnit([
      ['Unit', [['Description', `etcd snapshots (${s.schedule}), keeping ${s.keep}`]]],
      [
        'Timer',
        [
          ['OnCalendar', s.schedule],
          ['RandomizedDelaySec', '5min'],
          ['Persistent', true],
        ],
      ],
      ['Install', [['WantedBy', 'timers.target']]],
    ]),
  ]);
}

export function renderEtcdSnapshotMount(model: ClusterModel): string {
  const s = model.operations.etcdSnapshots!;
  return fileOf([
    ...comment('#', generatedBy(model.name), 'Mounted on demand by etcd-snapshot.service (RequiresMountsFor).'),
    ...renderUnit([
      [
        'Unit',
        [
          ['Description', `NFS share for etcd snapshots on ${s.server.name}`],
          ['After', 'network-online.target'],
          ['Wants', 'network-online.target'],
        ],
      ],
      [
        'Mount',
        [
          ['What', snapshotShare(s)],
          ['Where', HOST_PATHS.etcdSnapshotMountPoint],
          ['Type', 'nfs'],
          ['Options', [...s.mountOptions, 'nosuid', 'nodev', 'noexec'].join(',')],
          ['TimeoutSec', 60],
        ],
      ],
    ]),
  ]);
}
