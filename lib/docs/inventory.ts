/**
 * The node inventory and the IP plan, as Markdown tables computed from the model.
 */
import { parseAddressRange, parseCidr, type Ipv4Range } from '../model/ip';
import type { ClusterModel, Host } from '../model/types';
import { code, list, plural, table, thousands } from './markdown';
import { WELL_KNOWN_PORTS } from './ports';

const HARDWARE: Record<Host['hardware'], string> = {
  'raspberry-pi': 'Raspberry Pi',
  n100: 'Intel N100',
  'mini-pc': 'mini PC',
  nas: 'NAS',
  vps: 'VPS',
};

const size = (range: Ipv4Range) => range.last - range.first + 1;

/** Number of addresses in a MetalLB pool (CIDRs and ranges, as written). */
function poolSize(addresses: readonly string[]): number {
  return addresses.reduce((n, a) => n + size(parseAddressRange(a)!), 0);
}

/** Number of addresses in a CIDR. */
function cidrSize(cidr: string): number {
  return size(parseCidr(cidr)!);
}

/** One row per host, in description order. */
function inventoryRows(model: ClusterModel): string[][] {
  return model.hosts.map((h) => [
    code(h.name),
    h.ip,
    h.arch,
    HARDWARE[h.hardware],
    h.roles.join(', '),
    h.isNode ? 'yes' : 'no',
    h.provision ? `yes (${h.os})` : 'no',
    code(h.interface),
  ]);
}

/** The `## Hosts` section: a summary line and one row per host. */
export function inventorySection(model: ClusterModel): string {
  const nodes = model.hosts.filter((h) => h.isNode);
  const workers = model.hosts.filter((h) => h.roles.includes('worker'));
  const byArch = (['arm64', 'amd64'] as const).map((a) => [a, workers.filter((w) => w.arch === a).length] as const).filter(([, n]) => n > 0);
  const summary = [
    `${plural(model.hosts.length, 'host')}, ${plural(nodes.length, 'Kubernetes node')}:`,
    `${plural(model.apiServer.controlPlanes.length, 'control plane')},`,
    `${plural(workers.length, 'worker')}${byArch.length ? ` (${byArch.map(([a, n]) => `${thousands(n)} ${a}`).join(', ')})` : ''},`,
    `${plural(model.apiServer.balancers.length, 'balancer')}.`,
    `${plural(model.hosts.filter((h) => h.provision).length, 'host')} get cloud-init (\`hosts/<name>/\` in dist).`,
  ].join(' ');
  return [
    '## Hosts',
    '',
    summary,
    '',
    table(['Host', 'IP', 'Arch', 'Hardware', 'Roles', 'Kubernetes node', 'Provisioned (cloud-init)', 'Interface'], inventoryRows(model)),
  ].join('\n');
}

/** One row per address or range the cluster uses. */
function ipPlanRows(model: ClusterModel): string[][] {
  const api = model.apiServer;
  const lan = model.lan;
  const rows: string[][] = [
    ['LAN', lan.cidr, plural(Math.max(cidrSize(lan.cidr) - 2, 0), 'usable address', 'usable addresses')],
    ['Gateway', lan.gateway, `DNS: ${lan.dnsServers.join(', ')}${lan.searchDomains.length ? `; search ${lan.searchDomains.join(', ')}` : ''}`],
    [
      'API VIP',
      `${api.vip}:${api.port}`,
      `keepalived VRRP id ${api.virtualRouterId} on ${list(api.balancers.map((b) => b.host.name))}; kubeadm \`controlPlaneEndpoint\``,
    ],
    ...api.controlPlanes.map((h) => ['Control plane', `${h.ip}:${api.bindPort}`, `${code(h.name)} kube-apiserver`]),
    ...model.metallb.pools.map((p) => [
      `MetalLB pool ${code(p.name)}`,
      p.addresses.join(', '),
      `${plural(poolSize(p.addresses), 'address', 'addresses')}${p.autoAssign ? '' : ', not auto-assigned'}${p.avoidBuggyIPs ? ', avoids .0/.255' : ''}`,
    ]),
    ['Ingress', model.ingress.loadBalancerIP, `${model.ingress.controller} LoadBalancer, pool ${code(model.ingress.pool)}`],
  ];
  const s = model.storage;
  if (s)
    rows.push([
      'NAS (NFS server)',
      `${s.server.ip}:${WELL_KNOWN_PORTS.nfs}`,
      `${code(s.server.name)}, shares ${[...new Set(s.classes.map((c) => c.share))].join(', ')}`,
    ]);
  const t = model.tunnel;
  if (t) rows.push(['VPS (tunnel server)', t.server.ip, `${code(t.server.name)}, public; frps bindPort ${t.bindPort}`]);
  rows.push(
    [
      'Pod CIDR',
      model.kubernetes.podCidr,
      `${plural(cidrSize(model.kubernetes.podCidr), 'address', 'addresses')}; kubeadm \`podSubnet\` and Flannel \`Network\``,
    ],
    [
      'Service CIDR',
      model.kubernetes.serviceCidr,
      `${plural(cidrSize(model.kubernetes.serviceCidr), 'address', 'addresses')}; DNS domain ${model.kubernetes.dnsDomain}`,
    ],
  );
  return rows;
}

/** The `## IP plan` section. */
export function ipPlanSection(model: ClusterModel): string {
  return ['## IP plan', '', table(['What', 'Address', 'Notes'], ipPlanRows(model))].join('\n');
}
