import { describe, expect, it } from 'vitest';
import * as yaml from 'js-yaml';
import { readFileSync } from 'node:fs';
import { loadDescription, parseDescription } from '../../lib/model/load';
import { DescriptionError } from '../../lib/model/problems';

const reference = () => loadDescription('hostconfig/cluster.yaml');
const minimalText = readFileSync('test/fixtures/valid/minimal.yaml', 'utf8');

function problems(text: string): string[] {
  try {
    parseDescription(text);
  } catch (error) {
    if (error instanceof DescriptionError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

function mutate(change: (d: any) => void): string {
  const doc = yaml.load(minimalText) as any;
  change(doc);
  return yaml.dump(doc);
}

describe('reference cluster model', () => {
  it('resolves the facts of the reference cluster', () => {
    const m = reference();
    expect(m.kubernetes.version).toBe('v1.32.3');
    expect(m.kubernetes.minor).toBe('1.32');
    expect(m.apiServer.vip).toBe('192.168.100.230');
    expect(m.apiServer.controlPlanes.map((h) => h.name)).toEqual(['n100-001', 'n100-002', 'n100-003']);
    expect(m.apiServer.balancers.map((b) => [b.host.name, b.priority])).toEqual([
      ['n100-004', 150],
      ['nas-001', 100],
      ['nas-002', 90],
    ]);
    expect(m.ingress.loadBalancerIP).toBe('192.168.100.240');
    expect(m.ingress.pool).toBe('lan-pool-ingress');
    expect(m.tunnel?.server.ip).toBe('161.132.4.98');
    expect(m.tunnel?.targetAddress).toBe('192.168.100.240');
    expect(m.tunnel?.forwardedPorts.map((p) => [p.remotePort, p.localPort])).toEqual([
      [80, 80],
      [443, 443],
    ]);
    expect(m.storage?.server.ip).toBe('192.168.100.171');
    expect(m.storage?.classes.map((c) => c.name)).toEqual(['nas-001', 'nas-002', 'nas-003']);
    expect(m.storage?.classes.find((c) => c.name === 'nas-001')?.share).toBe('/mnt/server');
  });

  it('derives architecture from hardware and provisioning from hardware', () => {
    const m = reference();
    const host = (name: string) => m.hosts.find((h) => h.name === name)!;
    expect(host('raspberry-005').arch).toBe('arm64');
    expect(host('n100-001').arch).toBe('amd64');
    expect(host('5825u-001').arch).toBe('amd64');
    expect(host('nas-001').provision).toBe(false);
    expect(host('vps').provision).toBe(false);
    expect(host('n100-004').provision).toBe(true);
    expect(host('n100-004').isNode).toBe(false);
    expect(host('raspberry-001').isNode).toBe(true);
  });

  it('is deeply immutable', () => {
    const m = reference();
    expect(Object.isFrozen(m)).toBe(true);
    expect(Object.isFrozen(m.hosts[0])).toBe(true);
    expect(() => ((m.apiServer as any).vip = '1.2.3.4')).toThrow(TypeError);
  });
});

describe('documented defaults', () => {
  const m = parseDescription(minimalText);
  it.each([
    ['kubernetes.podCidr', m.kubernetes.podCidr, '10.244.0.0/16'],
    ['kubernetes.serviceCidr', m.kubernetes.serviceCidr, '10.96.0.0/12'],
    ['kubernetes.dnsDomain', m.kubernetes.dnsDomain, 'cluster.local'],
    ['kubernetes.kubeProxyMode', m.kubernetes.kubeProxyMode, 'iptables'],
    ['kubernetes.criSocket', m.kubernetes.criSocket, 'unix:///var/run/containerd/containerd.sock'],
    ['lan.dnsServers', m.lan.dnsServers, ['192.168.1.1']],
    ['hosts[].interface (Raspberry Pi)', m.hosts[1].interface, 'eth0'],
    ['hosts[].os', m.hosts[0].os, 'ubuntu-24.04'],
    ['hosts[].external', m.hosts[0].external, false],
    ['users[].sudo', m.users[0].sudo, true],
    ['apiServer.port', m.apiServer.port, 6443],
    ['apiServer.bindPort', m.apiServer.bindPort, 6443],
    ['apiServer.virtualRouterId', m.apiServer.virtualRouterId, 51],
    ['apiServer.vrrpAuthFile', m.apiServer.vrrpAuthFile, '/etc/keepalived/vrrp-auth.conf'],
    ['apiServer.stats', m.apiServer.stats, { port: 8404, path: '/stats', userEnv: 'HAPROXY_STATS_USER', passwordEnv: 'HAPROXY_STATS_PASSWORD' }],
    ['cni', m.cni, { plugin: 'flannel', backend: 'vxlan', networkPolicyEnforcer: 'kube-network-policies', nri: true, failOpen: false }],
    ['metallb.namespace', m.metallb.namespace, 'metallb-system'],
    ['metallb.pools[].autoAssign', m.metallb.pools[0].autoAssign, true],
    ['ingress.namespace', m.ingress.namespace, 'ingress-nginx'],
    ['ingress.className', m.ingress.className, 'nginx'],
    ['ingress.replicas', m.ingress.replicas, 2],
    ['ingress.defaultClass', m.ingress.defaultClass, true],
    ['acme.issuers', m.acme?.issuers, ['staging', 'production']],
    ['acme.solver', m.acme?.solver, { type: 'http01' }],
    ['tunnel.bindPort', m.tunnel?.bindPort, 7000],
    ['tunnel.sshPort', m.tunnel?.sshPort, 22],
    ['tunnel.namespace', m.tunnel?.namespace, 'frpc'],
    ['tunnel.proxyProtocol', m.tunnel?.proxyProtocol, false],
    ['tunnel.token', m.tunnel?.token, { secret: { name: 'frp-token', key: 'token' }, serverFile: '/etc/frp/token' }],
    ['tunnel.dashboard', m.tunnel?.dashboard, { port: 7500, addr: '127.0.0.1', userEnv: 'FRPS_DASHBOARD_USER', passwordEnv: 'FRPS_DASHBOARD_PASSWORD' }],
    ['storage.snapshots', m.storage?.snapshots, false],
    ['storage.classes[].mountOptions', m.storage?.classes[0].mountOptions, ['nfsvers=4.1']],
    ['storage.classes[].mountPermissions', m.storage?.classes[0].mountPermissions, '0775'],
    ['acme.email', m.acme?.email, undefined],
    ['storage.classes[].reclaimPolicy', m.storage?.classes[0].reclaimPolicy, 'Retain'],
    ['security.networkPolicies', m.security.networkPolicies, true],
    ['security.podSecurity', m.security.podSecurity, { enforce: 'baseline', audit: 'restricted', warn: 'restricted', exemptNamespaces: ['kube-system'] }],
    ['namespaces[].podSecurity', m.namespaces[0].podSecurity, 'restricted'],
    ['output', m.output, { flux: false, partOf: 'mini' }],
  ])('%s defaults as documented', (_field, actual, expected) => {
    expect(actual).toEqual(expected);
  });
});

describe('problem reporting', () => {
  it('reports every semantic problem at once', () => {
    const found = problems(
      mutate((d) => {
        d.apiServer.vip = '192.168.1.11';
        d.hosts[1].arch = 'amd64';
        d.storage.server = 'pi-1';
      }),
    );
    expect(found.map((p) => p.split(':')[0])).toEqual(['apiServer.vip', 'hosts[1].arch', 'storage.server']);
  });

  it('reports every shape problem at once', () => {
    const found = problems(
      mutate((d) => {
        d.hosts[0].ip = 'nope';
        d.hosts[1].hardware = 'laptop';
        d.bogus = true;
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        'hosts[0].ip: "nope" is not a valid IPv4 address',
        'hosts[1].hardware: "laptop" is not one of: raspberry-pi, n100, mini-pc, nas, vps',
        expect.stringMatching(/^bogus: unknown field; valid fields here: name, kubernetes/),
      ]),
    );
    expect(found).toHaveLength(3);
  });

  it('never echoes a literal secret back', () => {
    const found = problems(
      mutate((d) => {
        d.tunnel.token = 'sup3r-s3cret-value';
      }),
    );
    expect(found.join('\n')).not.toContain('sup3r-s3cret-value');
  });

  it('accepts references for secrets', () => {
    expect(
      problems(
        mutate((d) => {
          d.tunnel.token = { secret: { name: 'frp', key: 'tok' }, serverFile: '/root/frp-token' };
        }),
      ),
    ).toEqual([]);
  });

  it('rejects a description that is not a mapping', () => {
    expect(problems('- a\n- b\n')).toEqual(['(root): the description must be a YAML mapping (see hostconfig/cluster.yaml)']);
  });
});

describe('pod CIDR size', () => {
  it('names the prefix the node count needs, with the same network widened to it as the example', () => {
    const text = mutate((d) => {
      d.lan.cidr = '10.0.0.0/16';
      d.kubernetes.podCidr = '10.244.0.0/16';
      for (let i = 0; i < 300; i++)
        d.hosts.push({ name: `w-${i}`, ip: `10.0.${1 + Math.floor(i / 200)}.${1 + (i % 200)}`, hardware: 'raspberry-pi', roles: ['worker'] });
    });
    const found = problems(text).filter((p) => p.startsWith('kubernetes.podCidr'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/holds 256 per-node \/24 block\(s\) but the cluster has 30\d nodes/);
    expect(found[0]).toMatch(/Use \/15 or larger, e\.g\. 10\.244\.0\.0\/15$/);
  });
});
