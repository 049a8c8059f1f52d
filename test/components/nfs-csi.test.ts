import { describe, expect, it } from 'vitest';
import {
  NFS_CSI_DEFAULT_CONTROLLER_REPLICAS,
  NFS_CSI_DEFAULT_NAMESPACE,
  NFS_CSI_DEFAULT_SNAPSHOTS,
  NFS_STORAGE_CLASS_DEFAULT_ALLOW_VOLUME_EXPANSION,
  NFS_STORAGE_CLASS_DEFAULT_DEFAULT_CLASS,
  NFS_STORAGE_CLASS_DEFAULT_MOUNT_OPTIONS,
  NFS_STORAGE_CLASS_DEFAULT_RECLAIM_POLICY,
  NfsCsiDriver,
  NfsStorageClass,
  ReclaimPolicy,
  type NfsCsiDriverProps,
  type NfsStorageClassProps,
} from '../../lib/components';
import { allContainers, container, findObject, podSpec, synthChart } from '../helpers/k8s';

const driver = (props: NfsCsiDriverProps = {}) => synthChart((chart) => new NfsCsiDriver(chart, 'Nfs', props));
const storageClass = (props: Partial<NfsStorageClassProps> = {}) =>
  findObject(
    synthChart((chart) => new NfsStorageClass(chart, 'Class', { name: 'nas-001', server: '192.168.100.171', share: '/mnt/server', ...props })),
    'StorageClass',
    props.name ?? 'nas-001',
  );

describe('NfsCsiDriver', () => {
  it('defaults: kube-system, no snapshot sidecar, one controller replica', () => {
    expect([NFS_CSI_DEFAULT_NAMESPACE, NFS_CSI_DEFAULT_SNAPSHOTS, NFS_CSI_DEFAULT_CONTROLLER_REPLICAS]).toEqual(['kube-system', false, 1]);
    const objects = driver();
    const controller = findObject(objects, 'Deployment', 'csi-nfs-controller', 'kube-system');
    expect(allContainers(controller).map((c) => `${c.name} ${c.image}`)).toEqual([
      'csi-provisioner registry.k8s.io/sig-storage/csi-provisioner:v6.3.0',
      'csi-resizer registry.k8s.io/sig-storage/csi-resizer:v2.2.0',
      'liveness-probe registry.k8s.io/sig-storage/livenessprobe:v2.19.0',
      'nfs registry.k8s.io/sig-storage/nfsplugin:v4.13.4',
    ]);
    expect(controller.spec.replicas).toBe(1);
    const node = findObject(objects, 'DaemonSet', 'csi-nfs-node', 'kube-system');
    expect(allContainers(node).map((c) => `${c.name} ${c.image}`)).toEqual([
      'liveness-probe registry.k8s.io/sig-storage/livenessprobe:v2.19.0',
      'node-driver-registrar registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.17.0',
      'nfs registry.k8s.io/sig-storage/nfsplugin:v4.13.4',
    ]);
  });

  it('adds the csi-snapshotter sidecar with snapshots', () => {
    const controller = findObject(driver({ snapshots: true }), 'Deployment', 'csi-nfs-controller');
    expect(container(controller, 'csi-snapshotter').image).toBe('registry.k8s.io/sig-storage/csi-snapshotter:v8.6.0');
    expect(container(controller, 'csi-snapshotter').args).toContain('--leader-election');
  });

  it('runs the node plugin on every Linux node, whatever its taints, without an API token', () => {
    const node = findObject(driver({ namespace: 'storage' }), 'DaemonSet', 'csi-nfs-node', 'storage');
    expect(podSpec(node).tolerations).toEqual([{ operator: 'Exists' }]);
    expect(podSpec(node).nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(podSpec(node).affinity).toBeUndefined();
    expect(podSpec(node).automountServiceAccountToken).toBe(false);
  });

  it('keeps privileges to the nfs plugin; sidecars drop everything and run read-only', () => {
    const objects = driver({ snapshots: true });
    for (const workload of [findObject(objects, 'Deployment', 'csi-nfs-controller'), findObject(objects, 'DaemonSet', 'csi-nfs-node')]) {
      for (const c of allContainers(workload)) {
        if (c.name === 'nfs') {
          expect(c.securityContext.privileged).toBe(true);
          continue;
        }
        expect(c.securityContext, c.name).toEqual({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          readOnlyRootFilesystem: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
      }
    }
  });

  it('binds the controller ServiceAccount in the namespace prop', () => {
    const objects = driver({ namespace: 'storage' });
    for (const binding of ['nfs-csi-provisioner-binding', 'nfs-csi-resizer-role']) {
      expect(findObject(objects, 'ClusterRoleBinding', binding).subjects).toEqual([
        { kind: 'ServiceAccount', name: 'csi-nfs-controller-sa', namespace: 'storage' },
      ]);
    }
  });

  it('fails on an invalid namespace and replica count', () => {
    expect(() => driver({ namespace: 'Storage', controllerReplicas: 0 })).toThrow(
      /namespace: .*got "Storage"[\s\S]*controllerReplicas: must be an integer >= 1, got 0/,
    );
  });
});

describe('NfsStorageClass', () => {
  it('provisions with nfs.csi.k8s.io from the server and share', () => {
    const sc = storageClass({ subDir: '${pvc.metadata.namespace}/${pvc.metadata.name}' });
    expect(sc.provisioner).toBe('nfs.csi.k8s.io');
    expect(sc.parameters).toEqual({
      server: '192.168.100.171',
      share: '/mnt/server',
      subDir: '${pvc.metadata.namespace}/${pvc.metadata.name}',
      mountPermissions: '0775',
    });
    expect(sc.volumeBindingMode).toBe('Immediate');
  });

  it('defaults: nfsvers=4.1, Retain (a deleted claim keeps its files on the NAS), expandable, not the default class, no subDir', () => {
    expect([
      NFS_STORAGE_CLASS_DEFAULT_MOUNT_OPTIONS,
      NFS_STORAGE_CLASS_DEFAULT_RECLAIM_POLICY,
      NFS_STORAGE_CLASS_DEFAULT_ALLOW_VOLUME_EXPANSION,
      NFS_STORAGE_CLASS_DEFAULT_DEFAULT_CLASS,
    ]).toEqual([['nfsvers=4.1'], ReclaimPolicy.RETAIN, true, false]);
    const sc = storageClass();
    expect(sc.mountOptions).toEqual(['nfsvers=4.1']);
    expect(sc.reclaimPolicy).toBe('Retain');
    expect(sc.parameters.onDelete).toBeUndefined(); // Retain: the driver's DeleteVolume never runs
    expect(sc.allowVolumeExpansion).toBe(true);
    expect(sc.metadata.annotations).toBeUndefined();
    expect(sc.parameters.subDir).toBeUndefined();
  });

  it('marks the default class and passes the other props through', () => {
    const sc = storageClass({ defaultClass: true, reclaimPolicy: ReclaimPolicy.RETAIN, allowVolumeExpansion: false, mountOptions: ['nfsvers=3', 'hard'] });
    expect(sc.metadata.annotations).toEqual({ 'storageclass.kubernetes.io/is-default-class': 'true' });
    expect([sc.reclaimPolicy, sc.allowVolumeExpansion, sc.mountOptions]).toEqual(['Retain', false, ['nfsvers=3', 'hard']]);
  });

  it('fails on invalid props, naming each', () => {
    const build = () =>
      storageClass({
        name: 'NAS',
        server: 'nas 1',
        share: 'mnt/server',
        subDir: '/abs',
        mountOptions: ['nfsvers=4.1,hard'],
        reclaimPolicy: 'Recycle' as ReclaimPolicy,
      });
    expect(build).toThrow(/name: .*got "NAS"/);
    expect(build).toThrow(/server: must be an IPv4 address or a DNS name of the NFS server, got "nas 1"/);
    expect(build).toThrow(/share: must be an absolute export path .*got "mnt\/server"/);
    expect(build).toThrow(/subDir: must be a relative directory .*got "\/abs"/);
    expect(build).toThrow(/mountOptions\[0\]: must be one mount option .*got "nfsvers=4\.1,hard"/);
    expect(build).toThrow(/reclaimPolicy: must be one of "Delete", "Retain", got "Recycle"/);
  });
});

describe('NFS data survives a deleted claim unless the description says otherwise', () => {
  it('a description without reclaimPolicy renders Retain; Delete only when written', async () => {
    const { parseDescription } = await import('../../lib/model/load');
    const { renderCluster } = await import('../../lib/render');
    const { readFileSync } = await import('node:fs');
    const text = readFileSync('test/fixtures/valid/minimal.yaml', 'utf8');
    const classes = (t: string) =>
      renderCluster(parseDescription(t))
        .objects.filter((o) => o.kind === 'StorageClass')
        .map((o) => [o.metadata.name, (o as unknown as { reclaimPolicy: string }).reclaimPolicy]);
    const implicit = classes(text);
    expect(implicit.length).toBeGreaterThan(0);
    for (const [, policy] of implicit) expect(policy).toBe('Retain');
    const reference = classes(readFileSync('hostconfig/cluster.yaml', 'utf8'));
    expect(reference).toEqual([
      ['nas-001', 'Delete'],
      ['nas-002', 'Delete'],
      ['nas-003', 'Delete'],
    ]);
    expect(readFileSync('hostconfig/cluster.yaml', 'utf8')).toMatch(/reclaimPolicy: Delete/);
  });
});
