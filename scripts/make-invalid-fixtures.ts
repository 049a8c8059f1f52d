/**
 * Regenerates test/fixtures/invalid/*.yaml: each is test/fixtures/valid/minimal.yaml with exactly one
 * mistake, headed by `# expect: <field path> :: <message fragment>`. Run: npx tsx scripts/make-invalid-fixtures.ts
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as yaml from 'js-yaml';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see the reason at the end of the next line
type Doc = any; // fixtures are deliberately malformed; the shape is not ours to type here
const base = (): Doc => yaml.load(readFileSync('test/fixtures/valid/minimal.yaml', 'utf8'));

const cases: Array<[name: string, path: string, fragment: string, mutate: (d: Doc) => void]> = [
  [
    'duplicate-host-name',
    'hosts[1].name',
    'already used by hosts[0]',
    (d) => {
      d.hosts[1].name = 'cp-1';
    },
  ],
  [
    'duplicate-host-ip',
    'hosts[1].ip',
    'already used by hosts[0]',
    (d) => {
      d.hosts[1].ip = '192.168.1.11';
    },
  ],
  [
    'host-ip-outside-lan',
    'hosts[1].ip',
    'not a usable address in the LAN',
    (d) => {
      d.hosts[1].ip = '192.168.2.21';
    },
  ],
  [
    'host-ip-invalid',
    'hosts[0].ip',
    'not a valid IPv4 address',
    (d) => {
      d.hosts[0].ip = '192.168.1.300';
    },
  ],
  [
    'external-host-inside-lan',
    'hosts[4].ip',
    'marked external',
    (d) => {
      d.hosts[4].ip = '192.168.1.50';
    },
  ],
  [
    'vip-outside-lan',
    'apiServer.vip',
    'not a usable address in the LAN',
    (d) => {
      d.apiServer.vip = '10.0.0.10';
    },
  ],
  [
    'vip-is-host-ip',
    'apiServer.vip',
    'is the IP of host cp-1',
    (d) => {
      d.apiServer.vip = '192.168.1.11';
    },
  ],
  [
    'vip-is-gateway',
    'apiServer.vip',
    'is the LAN gateway',
    (d) => {
      d.apiServer.vip = '192.168.1.1';
    },
  ],
  [
    'vip-in-pool',
    'metallb.pools[0].addresses[0]',
    'contains the API VIP',
    (d) => {
      d.apiServer.vip = '192.168.1.210';
    },
  ],
  [
    'pool-outside-lan',
    'metallb.pools[0].addresses[0]',
    'not inside the LAN',
    (d) => {
      d.metallb.pools[0].addresses = ['192.168.1.200-192.168.2.20'];
    },
  ],
  [
    'pools-overlap',
    'metallb.pools[1].addresses[0]',
    'overlaps metallb.pools[0].addresses[0]',
    (d) => {
      d.metallb.pools.push({ name: 'second', addresses: ['192.168.1.216/29'] });
    },
  ],
  [
    'pool-contains-host',
    'metallb.pools[0].addresses[0]',
    'contains 192.168.1.21 of host pi-1',
    (d) => {
      d.metallb.pools[0].addresses = ['192.168.1.20-192.168.1.40'];
      d.ingress.loadBalancerIP = '192.168.1.30';
    },
  ],
  [
    'pool-contains-gateway',
    'metallb.pools[0].addresses[0]',
    'contains the LAN gateway',
    (d) => {
      d.lan.gateway = '192.168.1.254';
      d.metallb.pools[0].addresses = ['192.168.1.200-192.168.1.254'];
    },
  ],
  [
    'pool-bad-range',
    'metallb.pools[0].addresses[0]',
    'ascending start-end range',
    (d) => {
      d.metallb.pools[0].addresses = ['192.168.1.220-192.168.1.200'];
    },
  ],
  [
    'ingress-ip-not-in-pool',
    'ingress.loadBalancerIP',
    'is in no MetalLB pool',
    (d) => {
      d.ingress.loadBalancerIP = '192.168.1.100';
    },
  ],
  [
    'pod-service-overlap',
    'kubernetes.podCidr',
    'overlaps kubernetes.serviceCidr',
    (d) => {
      d.kubernetes.podCidr = '10.96.0.0/16';
    },
  ],
  [
    'pod-cidr-overlaps-lan',
    'kubernetes.podCidr',
    'overlaps the LAN',
    (d) => {
      d.kubernetes.podCidr = '192.168.0.0/16';
    },
  ],
  [
    'service-cidr-overlaps-lan',
    'kubernetes.serviceCidr',
    'overlaps the LAN',
    (d) => {
      d.kubernetes.serviceCidr = '192.168.1.0/24';
    },
  ],
  [
    'cidr-host-bits',
    'lan.cidr',
    'has host bits set; did you mean "192.168.1.0/24"',
    (d) => {
      d.lan.cidr = '192.168.1.7/24';
    },
  ],
  [
    'even-control-planes',
    'hosts',
    '2 hosts have role control-plane',
    (d) => {
      d.hosts.push({ name: 'cp-2', ip: '192.168.1.12', hardware: 'n100', roles: ['control-plane'] });
    },
  ],
  [
    'balancer-unknown-host',
    'apiServer.balancers[0].host',
    'is not a host in hosts[]',
    (d) => {
      d.apiServer.balancers[0].host = 'lb-9';
    },
  ],
  [
    'balancer-duplicate-priority',
    'apiServer.balancers[1].priority',
    'priorities must be distinct',
    (d) => {
      d.hosts.push({ name: 'lb-2', ip: '192.168.1.7', hardware: 'mini-pc', roles: ['load-balancer'] });
      d.apiServer.balancers.push({ host: 'lb-2', priority: 100 });
    },
  ],
  [
    'balancer-on-control-plane',
    'apiServer.balancers[0].host',
    'would clash with kube-apiserver',
    (d) => {
      d.hosts[0].roles = ['control-plane', 'load-balancer'];
      d.hosts[2].roles = ['worker'];
      d.apiServer.balancers[0].host = 'cp-1';
    },
  ],
  [
    'balancer-lacks-role',
    'apiServer.balancers[0].host',
    'lacks role load-balancer',
    (d) => {
      d.hosts[2].roles = ['worker'];
    },
  ],
  [
    'nfs-server-lacks-role',
    'storage.server',
    'lacks role nfs-server',
    (d) => {
      d.storage.server = 'pi-1';
    },
  ],
  [
    'etcd-snapshot-target-not-nfs',
    'operations.etcdSnapshots.server',
    'lacks role nfs-server',
    (d) => {
      d.operations = { etcdSnapshots: { server: 'lb-1', share: '/export/etcd' } };
    },
  ],
  [
    'tunnel-server-unknown',
    'tunnel.server',
    'is not a host in hosts[]',
    (d) => {
      d.tunnel.server = 'vps-2';
    },
  ],
  [
    'raspberry-pi-amd64',
    'hosts[1].arch',
    'does not match hardware raspberry-pi',
    (d) => {
      d.hosts[1].arch = 'amd64';
    },
  ],
  [
    'kubernetes-version-malformed',
    'kubernetes.version',
    'expected a version such as v1.32.3',
    (d) => {
      d.kubernetes.version = 'v1.32';
    },
  ],
  [
    'kubernetes-version-unsupported',
    'kubernetes.version',
    'is not supported',
    (d) => {
      d.kubernetes.version = 'v1.28.4';
    },
  ],
  [
    'unknown-field',
    'hosts[0].ipp',
    'unknown field; valid fields here: name, ip',
    (d) => {
      d.hosts[0].ipp = d.hosts[0].ip;
    },
  ],
  [
    'hardware-not-in-enum',
    'hosts[0].hardware',
    'is not one of: raspberry-pi, n100',
    (d) => {
      d.hosts[0].hardware = 'nuc';
    },
  ],
  [
    'missing-required-field',
    'ingress.loadBalancerIP',
    'required field is missing',
    (d) => {
      delete d.ingress.loadBalancerIP;
    },
  ],
  [
    'port-out-of-range',
    'tunnel.bindPort',
    'out of range',
    (d) => {
      d.tunnel.bindPort = 70000;
    },
  ],
  [
    'literal-frp-token',
    'tunnel.token',
    'literal secret value',
    (d) => {
      d.tunnel.token = 'hunter2-secret-token';
    },
  ],
  [
    'literal-stats-password',
    'apiServer.stats.password',
    'literal secret value',
    (d) => {
      d.apiServer.stats = { password: 'hunter2' };
    },
  ],
  [
    'private-key-as-ssh-key',
    'users[0].sshAuthorizedKeys[0]',
    'private key material',
    (d) => {
      d.users[0].sshAuthorizedKeys = ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'];
    },
  ],
  [
    'networkpolicies-without-enforcer',
    'cni.networkPolicyEnforcer',
    'does not enforce NetworkPolicy',
    (d) => {
      d.cni = { networkPolicyEnforcer: 'none' };
    },
  ],
  [
    'two-default-storage-classes',
    'storage.classes[1].default',
    'at most one class may be default',
    (d) => {
      d.storage.classes.push({ name: 'nfs-fast', share: '/export/fast', default: true });
    },
  ],
  [
    'operator-undeclared-namespace',
    'access[1].namespaces[0]',
    'is not declared in namespaces[]',
    (d) => {
      d.access.push({ kind: 'Group', name: 'devs', role: 'operator', namespaces: ['shop'] });
    },
  ],
  [
    'forwarded-port-not-served',
    'tunnel.forwardedPorts[0].remotePort',
    'not a port the ingress controller serves',
    (d) => {
      d.tunnel.forwardedPorts[0].remotePort = 8080;
    },
  ],
  [
    'forwarded-port-is-bind-port',
    'tunnel.forwardedPorts[1].remotePort',
    'is also tunnel.bindPort',
    (d) => {
      d.tunnel.forwardedPorts[1].remotePort = 7000;
      d.tunnel.forwardedPorts[1].localPort = 443;
    },
  ],
  [
    'node-label-restricted',
    'hosts[1].labels.node-role.kubernetes.io/worker',
    'may not set',
    (d) => {
      d.hosts[1].labels = { 'node-role.kubernetes.io/worker': '' };
    },
  ],
  [
    'balancer-priorities-unseparable',
    'apiServer.balancers',
    'cannot be separated',
    (d) => {
      d.hosts.push({ name: 'lb-2', ip: '192.168.1.7', hardware: 'mini-pc', roles: ['load-balancer'] });
      d.apiServer.balancers.push({ host: 'lb-2', priority: 1 });
    },
  ],
  [
    'reserved-app-namespace',
    'namespaces[0].name',
    'used by the cluster',
    (d) => {
      d.namespaces[0].name = 'kube-system';
    },
  ],
];

for (const file of readdirSync('test/fixtures/invalid')) rmSync(`test/fixtures/invalid/${file}`);
for (const [name, path, fragment, mutate] of cases) {
  const doc = base();
  mutate(doc);
  const body = yaml.dump(doc, { lineWidth: -1, flowLevel: 3 });
  writeFileSync(`test/fixtures/invalid/${name}.yaml`, `# expect: ${path} :: ${fragment}\n${body}`);
}
writeFileSync(
  'test/fixtures/invalid/yaml-syntax-error.yaml',
  `# expect: (yaml) :: unexpected end of the stream\nname: mini\nkubernetes:\n  version: [v1.32.3\n`,
);
console.log(`${cases.length + 1} invalid fixtures written`);
