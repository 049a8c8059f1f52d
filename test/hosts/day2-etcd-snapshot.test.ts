/**
 * etcd snapshots to the NAS: model defaults and rejection of a bad target, the units through
 * `systemd-analyze verify`, the script through `sh -n` and shellcheck, and the script RUN in a sandbox with a
 * stubbed `ctr` and `mountpoint` to prove that retention prunes only its own files and that a failure is
 * visible (exit status, stderr, metric) and leaves the earlier snapshots alone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOST_PATHS } from '../../lib/hosts';
import { renderEtcdRestoreRunbook } from '../../lib/hosts/day2';
import { parseDescription } from '../../lib/model/load';
import { DescriptionError } from '../../lib/model/problems';
import { scratchDirs } from '../helpers/scratch';
import { run, skipWithout } from '../helpers/tools';
import { fileOf, filesByPath, reference, variant } from './fixtures';

const ref = reference();
/** The etcd image kubeadm v1.32 runs (kubernetes/kubernetes cmd/kubeadm/app/constants: SupportedEtcdVersion[32] = "3.5.21-0"). */
const ETCD_IMAGE = 'registry.k8s.io/etcd:3.5.21-0';
const freshDir = scratchDirs('etcd-snapshot-');

function problemsOf(mutate: (d: Record<string, any>) => void): string[] {
  try {
    variant(mutate);
  } catch (e) {
    if (e instanceof DescriptionError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('etcd snapshot model', () => {
  it('defaults to storage.server and its default share, every 6 hours, keeping 28', () => {
    const s = ref.operations.etcdSnapshots!;
    expect(s.server.name).toBe('nas-001');
    expect(s.share).toBe('/mnt/server');
    expect(s.directory).toBe('etcd-snapshots');
    expect(s.schedule).toBe('*-*-* 00/6:00:00');
    expect(s.keep).toBe(28);
    expect(s.mountOptions).toEqual(['nfsvers=4.1', 'hard']);
  });

  it('rejects a snapshot target that is not an NFS server', () => {
    expect(problemsOf((d) => (d.operations = { etcdSnapshots: { server: 'n100-004', share: '/x' } }))).toEqual([
      expect.stringMatching(/^operations\.etcdSnapshots\.server: host "n100-004" lacks role nfs-server.*nas-001/),
    ]);
    expect(problemsOf((d) => (d.operations = { etcdSnapshots: { server: 'nope' } }))[0]).toMatch(/^operations\.etcdSnapshots\.server: "nope" is not a host/);
  });

  it('asks for a share on a server that is not storage.server, and for a server when there is none', () => {
    const other = problemsOf((d) => {
      d.hosts.find((h: any) => h.name === 'nas-002').roles.push('nfs-server');
      d.operations = { etcdSnapshots: { server: 'nas-002' } };
    });
    expect(other).toEqual([expect.stringMatching(/^operations\.etcdSnapshots\.share: no share on "nas-002"/)]);
    const none = problemsOf((d) => {
      delete d.storage;
      for (const h of d.hosts) h.roles = h.roles.filter((r: string) => r !== 'nfs-server');
      d.operations = { etcdSnapshots: { enabled: true } };
    });
    expect(none).toEqual([expect.stringMatching(/^operations\.etcdSnapshots\.server: no NFS server/)]);
  });

  it('is off without an NFS server unless asked for, and turns off cleanly', () => {
    const noNfs = variant((d) => {
      delete d.storage;
      for (const h of d.hosts) h.roles = h.roles.filter((r: string) => r !== 'nfs-server');
    });
    expect(noNfs.operations.etcdSnapshots).toBeUndefined();
    const off = variant((d) => (d.operations = { etcdSnapshots: { enabled: false } }));
    expect(off.operations.etcdSnapshots).toBeUndefined();
    const paths = [...filesByPath(off).keys()];
    expect(paths.filter((p) => /etcd-snapshot|backups-etcd/.test(p))).toEqual([]);
    expect(fileOf(off, 'hosts/n100-001/user-data').content).not.toContain('etcd-snapshot');
  });

  it('puts the script, units and mount on every control plane and nowhere else', () => {
    const files = [...filesByPath(ref).keys()].filter((p) => /etcd-snapshot|backups-etcd/.test(p));
    expect(files).toEqual(
      ['n100-001', 'n100-002', 'n100-003'].flatMap((h) =>
        ['etcd-snapshot', 'etcd-snapshot.service', 'etcd-snapshot.timer', 'var-backups-etcd.mount'].map((f) => `hosts/${h}/${f}`),
      ),
    );
    const script = fileOf(ref, 'hosts/n100-002/etcd-snapshot');
    expect(script.mode).toBe(0o755);
    expect(script.content).toContain("TARGET_DIR='/var/backups/etcd/etcd-snapshots/n100-002'");
    expect(script.content).toContain(`IMAGE='${ETCD_IMAGE}'`);
    expect(fileOf(ref, 'hosts/n100-002/var-backups-etcd.mount').content).toContain('What=192.168.100.171:/mnt/server\n');
    // cloud-init writes them, and mount.nfs is installed
    const userData = fileOf(ref, 'hosts/n100-002/user-data').content;
    for (const unit of ['etcd-snapshot.service', 'etcd-snapshot.timer', 'var-backups-etcd.mount'])
      expect(userData).toContain(`  - path: /etc/systemd/system/${unit}\n`);
    expect(userData).toContain('  - path: /usr/local/sbin/etcd-snapshot\n');
    expect(userData).toMatch(/- nfs-common/);
  });
});

describe('etcd snapshot units and script through the real tools', () => {
  it('systemd-analyze verify accepts the service, timer and mount; the mount name is the escaped path', (ctx) => {
    skipWithout(ctx, 'systemd-analyze');
    const dir = freshDir();
    const service = fileOf(ref, 'hosts/n100-001/etcd-snapshot.service').content;
    expect(service).toContain('ExecStart=/usr/local/sbin/etcd-snapshot\n');
    writeFileSync(join(dir, 'etcd-snapshot.service'), service.replace('/usr/local/sbin/etcd-snapshot', '/bin/true'));
    writeFileSync(join(dir, 'etcd-snapshot.timer'), fileOf(ref, 'hosts/n100-001/etcd-snapshot.timer').content);
    writeFileSync(join(dir, 'var-backups-etcd.mount'), fileOf(ref, 'hosts/n100-001/var-backups-etcd.mount').content);
    const r = run('systemd-analyze', [
      'verify',
      '--man=no',
      ...['etcd-snapshot.service', 'etcd-snapshot.timer', 'var-backups-etcd.mount'].map((f) => join(dir, f)),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    // systemd only uses a mount unit whose file name is its Where= path, escaped
    const where = /^Where=(.*)$/m.exec(fileOf(ref, 'hosts/n100-001/var-backups-etcd.mount').content)?.[1];
    expect(where).toBe('/var/backups/etcd');
    expect(run('systemd-escape', ['-p', '--suffix=mount', where!]).stdout.trim()).toBe('var-backups-etcd.mount');
    // the schedule the timer really carries (the description's default: every 6 hours)
    const onCalendar = /^OnCalendar=(.*)$/m.exec(fileOf(ref, 'hosts/n100-001/etcd-snapshot.timer').content)?.[1];
    expect(onCalendar).toBe('*-*-* 00/6:00:00');
    const cal = run('systemd-analyze', ['calendar', onCalendar!]);
    expect(cal.status, cal.stderr).toBe(0);
  });

  it('systemd-analyze verify reports a broken mount unit (the check is real)', (ctx) => {
    skipWithout(ctx, 'systemd-analyze');
    const dir = freshDir();
    writeFileSync(
      join(dir, 'var-backups-etcd.mount'),
      fileOf(ref, 'hosts/n100-001/var-backups-etcd.mount').content.replace('Where=/var/backups/etcd', 'Where=/var/backups/other'),
    );
    const r = run('systemd-analyze', ['verify', '--man=no', join(dir, 'var-backups-etcd.mount')]);
    expect(r.status !== 0 || r.stderr !== '').toBe(true);
  });

  it('sh -n and shellcheck accept the script on every control plane', (ctx) => {
    skipWithout(ctx, 'sh', 'shellcheck');
    for (const h of ['n100-001', 'n100-002', 'n100-003']) {
      const path = join(freshDir(), 'etcd-snapshot');
      writeFileSync(path, fileOf(ref, `hosts/${h}/etcd-snapshot`).content);
      expect(run('sh', ['-n', path]).status).toBe(0);
      const sc = run('shellcheck', ['-s', 'sh', path]);
      expect(sc.status, sc.stdout).toBe(0);
    }
  });
});

/** A `ctr` stand-in: logs its arguments, "saves" a snapshot into the /snapshot bind source, reports status. */
const CTR_STUB = `#!/bin/sh
echo "$*" >> "$SANDBOX/ctr.log"
if [ "$3" = images ]; then
  [ "$4" = ls ] && echo "$IMAGE_PRESENT"
  exit 0
fi
snapdir=
for a in "$@"; do
  case "$a" in type=bind,src=*,dst=/snapshot,*) s=\${a#type=bind,src=}; snapdir=\${s%%,dst=*} ;; esac
done
last=
for a in "$@"; do last=$a; done
case "$*" in
  *"snapshot save"*) [ "$FAIL" = save ] && exit 2; echo "etcd data" > "$snapdir/\${last##*/}" ;;
  *"snapshot status"*) [ "$FAIL" = status ] && { echo "corrupt" >&2; exit 3; }; echo '{"hash":1,"revision":9,"totalKey":42,"totalSize":4096}' ;;
esac
`;

describe('etcd-snapshot script in a sandbox (stubbed ctr and mountpoint)', () => {
  const keep = 3;
  const model = variant((d) => (d.operations = { etcdSnapshots: { keep } }));

  function sandbox() {
    const root = freshDir();
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'ctr'), CTR_STUB, { mode: 0o755 });
    writeFileSync(join(bin, 'mountpoint'), '#!/bin/sh\n[ "$MOUNTED" = yes ]\n', { mode: 0o755 });
    const P = HOST_PATHS;
    const script = fileOf(model, 'hosts/n100-001/etcd-snapshot')
      .content.replace(`MOUNT_POINT='${P.etcdSnapshotMountPoint}'`, `MOUNT_POINT='${root}/mnt'`)
      .replace(`TARGET_DIR='${P.etcdSnapshotMountPoint}/`, `TARGET_DIR='${root}/mnt/`)
      .replace(`STATE_DIR='${P.etcdSnapshotStateDir}'`, `STATE_DIR='${root}/state'`)
      .replace(`TEXTFILE_DIR='${P.textfileCollectorDir}'`, `TEXTFILE_DIR='${root}/textfile'`);
    expect(script).not.toMatch(/'\/var\//);
    writeFileSync(join(root, 'etcd-snapshot'), script, { mode: 0o755 });
    const target = join(root, 'mnt/etcd-snapshots/n100-001');
    mkdirSync(target, { recursive: true });
    // five older snapshots of ours, and files the script did not create
    const old = ['20200101T000000Z', '20200102T000000Z', '20200103T000000Z', '20200104T000000Z', '20200105T000000Z'].map((s) => `etcd-snapshot-${s}.db`);
    for (const f of [...old, 'notes.txt', 'etcd-snapshot-manual.db']) writeFileSync(join(target, f), 'x');
    const exec = (env: Record<string, string>) =>
      run('sh', [join(root, 'etcd-snapshot')], {
        env: { PATH: `${bin}:${process.env.PATH}`, SANDBOX: root, IMAGE_PRESENT: ETCD_IMAGE, FAIL: '', MOUNTED: 'yes', ...env },
      });
    return { root, target, old, exec, prom: () => readFileSync(join(root, 'textfile/etcd_snapshot.prom'), 'utf8') };
  }

  it('saves, checks, copies and keeps the newest KEEP of its own files only', (ctx) => {
    skipWithout(ctx, 'sh');
    const box = sandbox();
    const r = box.exec({});
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const left = readdirSync(box.target).sort();
    const fresh = left.filter((f) => /^etcd-snapshot-\d{8}T\d{6}Z\.db$/.test(f) && !box.old.includes(f));
    expect(fresh).toHaveLength(1);
    expect(readFileSync(join(box.target, fresh[0]), 'utf8')).toBe('etcd data\n');
    expect(left).toEqual([...box.old.slice(3), fresh[0], 'etcd-snapshot-manual.db', 'notes.txt'].sort());
    expect(r.stdout).toContain('pruned etcd-snapshot-20200101T000000Z.db');
    expect(left.some((f) => f.endsWith('.part'))).toBe(false);
    // the metric and the marker
    expect(box.prom()).toMatch(/^etcd_snapshot_success\{node="n100-001"\} 1$/m);
    const last = Number(readFileSync(join(box.root, 'state/last-success'), 'utf8'));
    expect(Math.abs(last - Date.now() / 1000)).toBeLessThan(60);
    expect(box.prom()).toMatch(new RegExp(`^etcd_snapshot_last_success_timestamp_seconds\\{node="n100-001"\\} ${last}$`, 'm'));
    // etcdctl ran with host networking against the local member, PKI read-only, from the pinned image
    const log = readFileSync(join(box.root, 'ctr.log'), 'utf8');
    expect(log).toMatch(
      /run --rm --net-host --mount type=bind,src=\/etc\/kubernetes\/pki\/etcd,dst=\/pki,options=rbind:ro .* registry\.k8s\.io\/etcd:3\.5\.21-0 etcd-snapshot-save-\d+ etcdctl --endpoints=https:\/\/127\.0\.0\.1:2379 --cacert=\/pki\/ca\.crt --cert=\/pki\/healthcheck-client\.crt --key=\/pki\/healthcheck-client\.key snapshot save/,
    );
    expect(log).toMatch(/etcdutl snapshot status \/snapshot\/etcd-snapshot-\d{8}T\d{6}Z\.db --write-out=json/);
    expect(log).not.toContain('images pull'); // the image was there
    expect(readdirSync(join(box.root, 'state'))).toEqual(['last-success']); // work directory removed
  });

  it('fails visibly when the status check rejects the snapshot, and keeps everything that was there', (ctx) => {
    skipWithout(ctx, 'sh');
    const box = sandbox();
    const before = readdirSync(box.target).sort();
    const r = box.exec({ FAIL: 'status' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('etcdutl snapshot status rejected');
    expect(r.stderr).toContain('FAILED on n100-001');
    expect(readdirSync(box.target).sort()).toEqual(before);
    expect(box.prom()).toMatch(/^etcd_snapshot_success\{node="n100-001"\} 0$/m);
    expect(existsSync(join(box.root, 'state/last-success'))).toBe(false);
    expect(readdirSync(join(box.root, 'state'))).toEqual([]);
  });

  it('fails visibly when etcdctl fails or the share is not mounted, and pulls a missing image', (ctx) => {
    skipWithout(ctx, 'sh');
    const save = sandbox();
    const r1 = save.exec({ FAIL: 'save', IMAGE_PRESENT: '' });
    expect(r1.status).not.toBe(0);
    expect(r1.stderr).toContain('etcdctl snapshot save failed');
    expect(readFileSync(join(save.root, 'ctr.log'), 'utf8')).toContain(`images pull ${ETCD_IMAGE}`);
    expect(save.prom()).toMatch(/etcd_snapshot_success\{node="n100-001"\} 0/);

    const unmounted = sandbox();
    const before = readdirSync(unmounted.target).sort();
    const r2 = unmounted.exec({ MOUNTED: 'no' });
    expect(r2.status).not.toBe(0);
    expect(r2.stderr).toMatch(/is not mounted/);
    expect(existsSync(join(unmounted.root, 'ctr.log'))).toBe(false);
    expect(readdirSync(unmounted.target).sort()).toEqual(before);
  });
});

describe('etcd restore runbook', () => {
  it('restores every member with its name, peer URL and the shared initial cluster, in order', () => {
    const doc = renderEtcdRestoreRunbook(ref);
    const initial = '--initial-cluster n100-001=https://192.168.100.201:2380,n100-002=https://192.168.100.202:2380,n100-003=https://192.168.100.203:2380';
    for (const [name, ip] of [
      ['n100-001', '201'],
      ['n100-002', '202'],
      ['n100-003', '203'],
    ]) {
      const section = doc.split(`### ${name} (192.168.100.${ip})`)[1].split('###')[0];
      expect(section).toContain(`--name ${name} `);
      expect(section).toContain(`--initial-advertise-peer-urls https://192.168.100.${ip}:2380`);
      expect(section).toContain(initial);
      expect(section).toContain('etcdutl snapshot restore /restore/snapshot.db');
    }
    const order = ['## 1. Stop', '## 2. Put the same snapshot', '## 3. Restore each member', '## 4. Start etcd everywhere', '## 5. Check'].map((h) =>
      doc.indexOf(h),
    );
    expect(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]))).toBe(true);
    expect(doc.indexOf('mv /root/restore/manifests/etcd.yaml')).toBeLessThan(doc.indexOf('mv /root/restore/manifests/kube-apiserver.yaml'));
    expect(doc).toContain('/var/backups/etcd');
  });

  it('covers a single-member etcd too', () => {
    const single = parseDescription(readFileSync(join(__dirname, '../fixtures/valid/single-control-plane-no-tunnel.yaml'), 'utf8'), 'single');
    expect(renderEtcdRestoreRunbook(single)).toMatch(/stacked etcd with 1 member/);
  });
});
