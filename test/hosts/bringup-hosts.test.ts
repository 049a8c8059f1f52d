/**
 * Host-side bring-up details: the NAS exports snippet, the amd64 install path and the reserved ingress pool
 * as rendered (the objects MetalLB reads).
 */
import { describe, expect, it } from 'vitest';
import { buildClusterApp } from '../../lib/app/cluster-app';
import { hostInstructions } from '../../lib/readme/hosts';
import { synthChartObjects } from '../../lib/output/manifests';
import { fileOf, reference, variant } from './fixtures';

const ref = reference();

/** exports(5) entries: backslash continuations joined, comments dropped. */
function exportsEntries(content: string): Map<string, Map<string, string>> {
  const joined = content
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const entries = new Map<string, Map<string, string>>();
  for (const line of joined.split('\n').filter((l) => l.trim())) {
    const [path, ...clients] = line.trim().split(/\s+/);
    entries.set(path, new Map(clients.map((c) => /^([^()]+)\(([^)]*)\)$/.exec(c)!.slice(1, 3) as [string, string])));
  }
  return entries;
}

describe('NFS exports snippet on the NAS', () => {
  it('exports every StorageClass share to exactly the Kubernetes nodes, read-write without root squash', () => {
    const entries = exportsEntries(fileOf(ref, 'hosts/nas-001/nfs-exports').content);
    // the three control planes and ten workers of hostconfig/cluster.yaml
    const nodes = ['201', '202', '203', '211', '212', '213', '214', '215', '216', '217', '218', '221', '222'].map((n) => `192.168.100.${n}`);
    expect([...entries.keys()].sort()).toEqual(['/mnt/server', '/mnt/server2', '/mnt/server3']);
    for (const [, clients] of entries) {
      expect([...clients.keys()].sort()).toEqual(nodes);
      for (const options of clients.values()) expect(options).toBe('rw,sync,no_subtree_check,no_root_squash');
    }
    // not the balancers, the NAS itself or the VPS
    for (const ip of ['192.168.100.204', '192.168.100.171', '192.168.100.172', '161.132.4.98']) expect([...entries.values()][0].has(ip)).toBe(false);
  });

  it('lives only under the NFS server host, and follows the description', () => {
    expect(() => fileOf(ref, 'hosts/nas-002/nfs-exports')).toThrow();
    const m = variant(
      (d) =>
        (d.storage.classes = [
          { name: 'a', share: '/volume1/k8s' },
          { name: 'b', share: '/volume1/k8s', subDir: 'b' },
        ]),
    );
    expect([...exportsEntries(fileOf(m, 'hosts/nas-001/nfs-exports').content).keys()]).toEqual(['/volume1/k8s']);
  });

  it('StorageClasses set mountPermissions so new volume directories are group-writable', () => {
    const objects = synthChartObjects(buildClusterApp(ref)).flatMap((c) => c.objects);
    const classes = objects.filter((o) => o.kind === 'StorageClass') as any[];
    expect(classes.map((c) => c.parameters.mountPermissions)).toEqual(['0775', '0775', '0775']);
    const m = variant((d) => (d.storage.classes[0].mountPermissions = '0770'));
    const sc = synthChartObjects(buildClusterApp(m))
      .flatMap((c) => c.objects)
      .find((o) => o.kind === 'StorageClass' && o.metadata.name === 'nas-001') as any;
    expect(sc.parameters.mountPermissions).toBe('0770');
  });
});

describe('amd64 install path', () => {
  it('converts the QCOW2 cloud image to raw before writing it to the disk', () => {
    const lines = hostInstructions(ref)
      .split('\n')
      .map((l) => l.trim());
    const convert = lines.findIndex((l) => /^qemu-img convert -f qcow2 -O raw \S+\.img (\S+\.raw)/.test(l));
    expect(convert).toBeGreaterThan(-1);
    const raw = /-O raw \S+ (\S+\.raw)/.exec(lines[convert])![1];
    const dd = lines.findIndex((l) => l.startsWith('dd '));
    expect(dd).toBeGreaterThan(convert);
    expect(lines[dd]).toContain(`if=${raw}`);
  });
});

describe('reserved ingress IP', () => {
  const objects = synthChartObjects(buildClusterApp(ref)).flatMap((c) => c.objects) as any[];
  const pools = objects.filter((o) => o.kind === 'IPAddressPool');
  const ip = '192.168.100.240'; // ingress.loadBalancerIP, the first address of lan-pool 192.168.100.240-192.168.100.254

  it('sits alone in a pool that is never auto-assigned, and no other pool holds it', () => {
    // lan-pool gives up its first address to a pool of its own
    expect(pools.map((p) => [p.metadata.name, p.spec.addresses, p.spec.autoAssign])).toEqual([
      ['lan-pool', ['192.168.100.241-192.168.100.254'], true],
      ['lan-pool-ingress', [`${ip}/32`], false],
    ]);
  });

  it('is announced (L2Advertisement) and requested by the ingress Service', () => {
    const ads = objects.filter((o) => o.kind === 'L2Advertisement').flatMap((o) => o.spec.ipAddressPools);
    expect(ads).toEqual(expect.arrayContaining(pools.map((p) => p.metadata.name)));
    const svc = objects.find((o) => o.kind === 'Service' && o.spec?.type === 'LoadBalancer');
    expect(svc.metadata.annotations['metallb.io/loadBalancerIPs']).toBe(ip);
  });
});
