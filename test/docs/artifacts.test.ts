/**
 * The readers behind the consistency check accept the shapes the formats allow, not only the ones our
 * renderers happen to write today (one-line keepalived blocks, HAProxy `listen` sections, Secrets, Lists).
 */
import { describe, expect, it } from 'vitest';
import { configEntries, haproxyProxiesOnPort, manifestObjects, parseHaproxy, parseKeepalived, splitHostPort } from '../proofs/artifacts';
import { checkConsistency } from '../proofs/consistency';
import { loadDescription } from '../../lib/model/load';

describe('parseKeepalived', () => {
  it('reads nested and one-line blocks and ignores # and ! comments', () => {
    const [i] = parseKeepalived(
      [
        '! a keepalived comment',
        'vrrp_instance VI_1 {  # trailing comment',
        '  state MASTER',
        '  priority 101',
        '  virtual_router_id 51',
        '  authentication { auth_type PASS auth_pass secret }',
        '  unicast_src_ip 10.0.0.5',
        '  unicast_peer { 10.0.0.6 }',
        '  virtual_ipaddress { 10.0.0.10/24 dev eth0 label eth0:vip }',
        '}',
      ].join('\n'),
    );
    expect(i).toMatchObject({
      name: 'VI_1',
      state: 'MASTER',
      priority: 101,
      virtualRouterId: 51,
      unicastSrcIp: '10.0.0.5',
      unicastPeers: ['10.0.0.6'],
      virtualIpAddresses: ['10.0.0.10'],
    });
  });

  it('finds every vrrp_instance', () => {
    const text =
      'vrrp_instance A {\n  virtual_ipaddress {\n    10.0.0.10\n  }\n}\nvrrp_instance B {\n  virtual_ipaddress {\n    10.0.0.11\n    10.0.0.12/32\n  }\n}\n';
    expect(parseKeepalived(text).map((i) => [i.name, i.virtualIpAddresses])).toEqual([
      ['A', ['10.0.0.10']],
      ['B', ['10.0.0.11', '10.0.0.12']],
    ]);
  });
});

describe('parseHaproxy', () => {
  it('follows a frontend to its default_backend, and reads listen sections', () => {
    const sections = parseHaproxy(
      [
        'frontend api',
        '    bind 10.0.0.10:6443,:6444  # VIP',
        '    default_backend cps',
        'backend cps',
        '    server a 10.0.0.11:6443 check',
        '    server b 10.0.0.12:6443 check',
        'listen other',
        '    bind *:8443',
        '    server c 10.0.0.13:6443',
      ].join('\n'),
    );
    expect(haproxyProxiesOnPort(sections, 6443).map((p) => [p.bindAddresses, p.backend, p.servers])).toEqual([
      [
        ['10.0.0.10'],
        'cps',
        [
          ['a', '10.0.0.11', 6443],
          ['b', '10.0.0.12', 6443],
        ],
      ],
    ]);
    expect(haproxyProxiesOnPort(sections, 8443).map((p) => [p.bindAddresses, p.backend, p.servers.map((s) => s[1])])).toEqual([
      [['*'], 'other', ['10.0.0.13']],
    ]);
    expect(haproxyProxiesOnPort(sections, 1)).toEqual([]);
    expect(splitHostPort(':8404')).toEqual(['', 8404]);
    expect(splitHostPort('10.0.0.1')).toEqual(['10.0.0.1', undefined]);
  });
});

describe('manifest readers', () => {
  it('flattens Lists and decodes Secret data', () => {
    const objects = manifestObjects([
      {
        path: '20-workloads.yaml',
        content: [
          'apiVersion: v1',
          'kind: List',
          'items:',
          '  - { apiVersion: v1, kind: Secret, metadata: { name: s, namespace: frpc }, data: { frpc.toml: ' +
            Buffer.from('serverPort = 7001\n').toString('base64') +
            ' } }',
          '---',
          'apiVersion: v1',
          'kind: ConfigMap',
          'metadata: { name: c, namespace: frpc }',
          'data: { a: b }',
        ].join('\n'),
      },
      { path: 'hosts/x/not-a-manifest.yaml', content: 'kind: ConfigMap\n' },
    ]);
    expect(objects.map((o) => `${o.kind}/${o.name}`)).toEqual(['Secret/s', 'ConfigMap/c']);
    expect(configEntries(objects[0])).toEqual([['frpc.toml', 'serverPort = 7001\n']]);
  });

  it('lets the consistency check see an frpc config delivered in a Secret', () => {
    const model = loadDescription('hostconfig/cluster.yaml');
    const secret = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: { name: frpc, namespace: frpc }',
      `stringData: { frpc.toml: ${JSON.stringify('serverAddr = "161.132.4.98"\nserverPort = 7001\n[[proxies]]\nname = "http"\nlocalIP = "192.168.100.240"\nremotePort = 80\n[[proxies]]\nname = "https"\nlocalIP = "192.168.100.240"\nremotePort = 443\n')} }`,
    ].join('\n');
    const problems = checkConsistency(model, [{ path: '20-workloads.yaml', content: secret }]);
    expect(problems).toEqual([
      { path: '20-workloads.yaml', message: 'tunnel-ports: 20-workloads.yaml: Secret frpc/frpc frpc.toml: serverPort 7001 is not the frps bindPort 7000' },
    ]);
  });
});
