/**
 * Semantic rules: what the JSON Schema cannot say. They read the defaulted description and return every
 * problem at once; `buildModel` runs only when this list is empty, so it can trust every reference.
 */
import type { Description, HostDescription } from './description';
import { acmeEmailProblem } from '../components/cert-manager/acme-email';
import {
  formatRange,
  intToIp,
  ipToInt,
  isCanonicalCidr,
  parseAddressRange,
  parseCidr,
  rangeContainsIp,
  rangeContainsRange,
  rangesOverlap,
  type Ipv4Range,
} from './ip';
import { ingressNamespace, reservedIngressPoolName } from './build';
import { show, type Problem } from './problems';
import { operationsProblems } from './operations';
import type { HostRole } from './types';

/** Kubernetes minor versions whose kubeadm (v1beta4), packages and component versions we generate for. */
export const SUPPORTED_KUBERNETES_MINORS: readonly string[] = ['1.31', '1.32', '1.33'];

/** Namespaces our components own; application namespaces may not reuse them. */
const RESERVED_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'kube-flannel', 'cert-manager'];

/** Ports the ingress controller serves on its LoadBalancer IP. */
export const INGRESS_PORTS: readonly number[] = [80, 443];

/** Hardware whose CPU architecture is fixed. */
const HARDWARE_ARCH: Partial<Record<HostDescription['hardware'], string>> = { 'raspberry-pi': 'arm64', n100: 'amd64' };

/** keepalived's largest track_script weight magnitude. */
const MAX_KEEPALIVED_WEIGHT = 253;

/** Label namespaces the kubelet may set on its own Node (NodeRestriction admission). */
const KUBELET_LABEL_PREFIXES = ['kubelet.kubernetes.io/', 'node.kubernetes.io/'];
const KUBELET_LABEL_KEYS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone'];
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

type Rule = (d: Description) => Problem[];

function duplicates<T>(items: readonly T[], key: (item: T) => string): Array<{ index: number; first: number; value: string }> {
  const seen = new Map<string, number>();
  const found: Array<{ index: number; first: number; value: string }> = [];
  items.forEach((item, index) => {
    const value = key(item);
    const first = seen.get(value);
    if (first === undefined) seen.set(value, index);
    else found.push({ index, first, value });
  });
  return found;
}

function hostsWithRole(d: Description, role: HostRole): string[] {
  return d.hosts.filter((h) => h.roles.includes(role)).map((h) => h.name);
}

/** A host reference must name a host that carries the role. */
function checkHostRef(d: Description, path: string, name: string, role: HostRole): Problem[] {
  const index = d.hosts.findIndex((h) => h.name === name);
  const others = hostsWithRole(d, role).filter((n) => n !== name);
  const alternatives = others.length ? `; hosts with role ${role}: ${others.join(', ')}` : '';
  if (index < 0) return [{ path, message: `${show(name)} is not a host in hosts[]${alternatives || `; no host has role ${role}`}` }];
  if (!d.hosts[index].roles.includes(role)) {
    return [
      { path, message: `host ${show(name)} lacks role ${role}; add it to hosts[${index}].roles${others.length ? ` or use one of: ${others.join(', ')}` : ''}` },
    ];
  }
  return [];
}

const uniqueHosts: Rule = (d) => [
  ...duplicates(d.hosts, (h) => h.name).map(({ index, first, value }) => ({
    path: `hosts[${index}].name`,
    message: `${show(value)} is already used by hosts[${first}]; host names must be unique`,
  })),
  ...duplicates(d.hosts, (h) => h.ip).map(({ index, first, value }) => ({
    path: `hosts[${index}].ip`,
    message: `${show(value)} is already used by hosts[${first}] (${d.hosts[first].name}); host IPs must be unique`,
  })),
];

const cidrsWellFormed: Rule = (d) => {
  const problems: Problem[] = [];
  const check = (path: string, value: string) => {
    if (!parseCidr(value)) problems.push({ path, message: `${show(value)} is not a valid IPv4 CIDR (e.g. 10.244.0.0/16)` });
    else if (!isCanonicalCidr(value)) {
      problems.push({
        path,
        message: `${show(value)} has host bits set; did you mean ${show(`${formatRange(parseCidr(value)!).split('-')[0]}/${value.split('/')[1]}`)}?`,
      });
    }
  };
  check('lan.cidr', d.lan.cidr);
  check('kubernetes.podCidr', d.kubernetes.podCidr);
  check('kubernetes.serviceCidr', d.kubernetes.serviceCidr);
  return problems;
};

/** Rules that need the LAN, pod and service CIDRs to parse. */
function lanRules(d: Description): Problem[] {
  const lan = parseCidr(d.lan.cidr);
  const pods = parseCidr(d.kubernetes.podCidr);
  const services = parseCidr(d.kubernetes.serviceCidr);
  if (!lan || !pods || !services) return [];
  const problems: Problem[] = [];
  const lanText = `${d.lan.cidr} (${formatRange(lan)})`;
  const usable = (ip: string) => rangeContainsIp(lan, ip) && ipToInt(ip) !== lan.first && ipToInt(ip) !== lan.last;

  if (!usable(d.lan.gateway)) problems.push({ path: 'lan.gateway', message: `${show(d.lan.gateway)} is not a usable address in the LAN ${lanText}` });

  d.hosts.forEach((h, i) => {
    if (h.external) {
      if (rangeContainsIp(lan, h.ip))
        problems.push({
          path: `hosts[${i}].ip`,
          message: `${show(h.ip)} is inside the LAN ${d.lan.cidr} but the host is marked external: true; remove external or give its public IP`,
        });
      if (h.roles.some((r) => r !== 'tunnel-server'))
        problems.push({ path: `hosts[${i}].roles`, message: `external host ${show(h.name)} can only have role tunnel-server, got ${show(h.roles)}` });
    } else {
      if (!usable(h.ip))
        problems.push({
          path: `hosts[${i}].ip`,
          message: `${show(h.ip)} is not a usable address in the LAN ${lanText}; use a LAN address or set external: true for hosts outside it (the VPS)`,
        });
      if (h.ip === d.lan.gateway) problems.push({ path: `hosts[${i}].ip`, message: `${show(h.ip)} is the LAN gateway; give the host its own address` });
    }
  });

  const vip = d.apiServer.vip;
  if (!usable(vip))
    problems.push({ path: 'apiServer.vip', message: `${show(vip)} is not a usable address in the LAN ${lanText}; the VIP must be on the balancers' subnet` });
  if (vip === d.lan.gateway) problems.push({ path: 'apiServer.vip', message: `${show(vip)} is the LAN gateway; pick a free LAN address` });
  const vipHost = d.hosts.find((h) => h.ip === vip);
  if (vipHost)
    problems.push({
      path: 'apiServer.vip',
      message: `${show(vip)} is the IP of host ${vipHost.name}; the VIP must be a free address that keepalived moves between balancers`,
    });

  const pools: Array<{ range: Ipv4Range; path: string; text: string }> = [];
  d.metallb.pools.forEach((pool, p) =>
    pool.addresses.forEach((text, a) => {
      const path = `metallb.pools[${p}].addresses[${a}]`;
      const range = parseAddressRange(text);
      if (!range) {
        problems.push({ path, message: `${show(text)} is not a CIDR or an ascending start-end range such as 192.168.100.240-192.168.100.254` });
        return;
      }
      if (!rangeContainsRange(lan, range))
        problems.push({ path, message: `${show(text)} is not inside the LAN ${lanText}; MetalLB L2 only answers ARP on the LAN` });
      for (const other of pools) {
        if (rangesOverlap(other.range, range)) problems.push({ path, message: `${show(text)} overlaps ${other.path} (${other.text}); pools must be disjoint` });
      }
      if (rangeContainsIp(range, vip)) problems.push({ path, message: `${show(text)} contains the API VIP ${vip}; MetalLB would hand it out to a Service` });
      if (rangeContainsIp(range, d.lan.gateway)) problems.push({ path, message: `${show(text)} contains the LAN gateway ${d.lan.gateway}` });
      if (rangeContainsIp(range, intToIp(lan.first)))
        problems.push({ path, message: `${show(text)} contains the LAN's network address ${intToIp(lan.first)}; no host can use it` });
      if (rangeContainsIp(range, intToIp(lan.last)))
        problems.push({ path, message: `${show(text)} contains the LAN's broadcast address ${intToIp(lan.last)}; no host can use it` });
      d.hosts.forEach((h, i) => {
        if (!h.external && rangeContainsIp(range, h.ip))
          problems.push({ path, message: `${show(text)} contains ${h.ip} of host ${h.name} (hosts[${i}]); shrink the pool or move the host` });
      });
      pools.push({ range, path, text });
    }),
  );

  const ingressIp = d.ingress.loadBalancerIP;
  const allPoolsParsed = pools.length === d.metallb.pools.reduce((n, p) => n + p.addresses.length, 0);
  if (allPoolsParsed && !pools.some((p) => rangeContainsIp(p.range, ingressIp))) {
    problems.push({
      path: 'ingress.loadBalancerIP',
      message: `${show(ingressIp)} is in no MetalLB pool (${pools.map((p) => p.text).join(', ') || 'none'}); pick an address from a pool`,
    });
  }
  const holder = allPoolsParsed ? d.metallb.pools.find((p) => p.addresses.some((a) => rangeContainsIp(parseAddressRange(a)!, ingressIp))) : undefined;
  const reservedName = holder && reservedIngressPoolName(holder.name);
  d.metallb.pools.forEach((p, i) => {
    if (p.name === reservedName)
      problems.push({
        path: `metallb.pools[${i}].name`,
        message: `${show(p.name)} is the name of the pool generated to hold only the ingress IP ${ingressIp}; rename this pool`,
      });
  });

  if (rangesOverlap(pods, services))
    problems.push({
      path: 'kubernetes.podCidr',
      message: `${show(d.kubernetes.podCidr)} overlaps kubernetes.serviceCidr ${d.kubernetes.serviceCidr}; they must be disjoint`,
    });
  if (rangesOverlap(pods, lan))
    problems.push({
      path: 'kubernetes.podCidr',
      message: `${show(d.kubernetes.podCidr)} overlaps the LAN ${d.lan.cidr}; pick a private range outside it such as 10.244.0.0/16`,
    });
  if (rangesOverlap(services, lan))
    problems.push({
      path: 'kubernetes.serviceCidr',
      message: `${show(d.kubernetes.serviceCidr)} overlaps the LAN ${d.lan.cidr}; pick a private range outside it such as 10.96.0.0/12`,
    });
  d.hosts.forEach((h, i) => {
    for (const [path, range, text] of [
      ['kubernetes.podCidr', pods, d.kubernetes.podCidr],
      ['kubernetes.serviceCidr', services, d.kubernetes.serviceCidr],
    ] as const) {
      if (rangeContainsIp(range, h.ip))
        problems.push({
          path,
          message: `${show(text)} contains ${h.ip} of host ${h.name} (hosts[${i}]); nodes could not reach it (traffic to it would stay in the cluster network)`,
        });
    }
  });

  // kube-controller-manager gives every node a /24 of the pod CIDR (node-cidr-mask-size, default 24).
  const nodeCount = d.hosts.filter((h) => h.roles.includes('control-plane') || h.roles.includes('worker')).length;
  const podPrefix = Number(d.kubernetes.podCidr.split('/')[1]);
  const perNode = podPrefix > NODE_CIDR_MASK_SIZE ? 0 : 2 ** (NODE_CIDR_MASK_SIZE - podPrefix);
  if (perNode < nodeCount) {
    const needed = Math.max(8, NODE_CIDR_MASK_SIZE - Math.ceil(Math.log2(Math.max(nodeCount, 1))));
    // the same network widened to the prefix it needs (its address aligned to that prefix)
    const widened = intToIp((ipToInt(d.kubernetes.podCidr.split('/')[0]) & (0xffffffff << (32 - needed))) >>> 0);
    problems.push({
      path: 'kubernetes.podCidr',
      message: `${show(d.kubernetes.podCidr)} holds ${perNode} per-node /${NODE_CIDR_MASK_SIZE} block(s) but the cluster has ${nodeCount} nodes (kube-controller-manager node-cidr-mask-size ${NODE_CIDR_MASK_SIZE}); nodes without a block get no pod network. Use /${needed} or larger, e.g. ${widened}/${needed}`,
    });
  }
  return problems;
}

/** kube-controller-manager `--node-cidr-mask-size` (IPv4) that kubeadm leaves at its default. */
const NODE_CIDR_MASK_SIZE = 24;

/** kubeadm ValidateCertSANs: a DNS-1123 subdomain, optionally with one leading `*.`, or an IP address. */
const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV6ISH = /^[0-9a-fA-F:.]+$/;

export function certSanProblem(san: string): string | undefined {
  if (DNS1123_SUBDOMAIN.test(san.replace(/^\*\./, ''))) return undefined;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(san) && san.split('.').every((o) => Number(o) <= 255)) return undefined;
  if (san.includes(':') && IPV6ISH.test(san)) return undefined;
  return 'kubeadm refuses it: a SAN is a lowercase DNS name (letters, digits, "-", "."; at most one leading "*.") or an IP address';
}

const certSans: Rule = (d) =>
  d.apiServer.certSANs.flatMap((san, i) => {
    const why = certSanProblem(san);
    return why ? [{ path: `apiServer.certSANs[${i}]`, message: `${show(san)}: ${why}` }] : [];
  });

const interfaces: Rule = (d) =>
  d.hosts.flatMap((h, i) =>
    h.interface === undefined && !h.external && h.hardware !== 'raspberry-pi'
      ? [
          {
            path: `hosts[${i}].interface`,
            message: `is required for ${h.hardware} host ${show(h.name)}: its name cannot be guessed (Ubuntu 24.04 on N100/mini PCs: e.g. enp1s0; NAS systems: bond0, ovs_eth0, br0), and a wrong one leaves the host without network or keepalived without its VRRP instance; look it up with "ip -br link" on the host`,
          },
        ]
      : [],
  );

const sshAccess: Rule = (d) => {
  const provisioned = d.hosts.filter((h) => h.provision ?? !(h.hardware === 'nas' || h.hardware === 'vps'));
  if (!provisioned.length) return [];
  if (!d.users.length) {
    return [
      {
        path: 'users',
        message: `no user is listed, so the provisioned hosts (${provisioned.map((h) => h.name).join(', ')}) get the image's default user with a locked password and no key; add a user with sshAuthorizedKeys`,
      },
    ];
  }
  if (d.users.some((u) => u.sshAuthorizedKeys.length)) return [];
  return [
    {
      path: 'users',
      message:
        'no user has sshAuthorizedKeys: sshImportIds fetch keys from GitHub/Launchpad at first boot, so without Internet access then (or during an outage) nobody can log in (passwords are locked); list at least one public key under sshAuthorizedKeys',
    },
  ];
};

const acmeEmail: Rule = (d) => {
  const email = d.acme?.email;
  const why = email === undefined ? undefined : acmeEmailProblem(email);
  return why ? [{ path: 'acme.email', message: `${show(email)} ${why}` }] : [];
};

const controlPlanes: Rule = (d) => {
  const count = hostsWithRole(d, 'control-plane').length;
  if (count % 2 === 1) return [];
  return [{ path: 'hosts', message: `${count} hosts have role control-plane; etcd needs an odd number (1, 3 or 5)` }];
};

const architecture: Rule = (d) =>
  d.hosts.flatMap((h, i) => {
    const required = HARDWARE_ARCH[h.hardware];
    return required && h.arch && h.arch !== required
      ? [
          {
            path: `hosts[${i}].arch`,
            message: `${show(h.arch)} does not match hardware ${h.hardware}, which is ${required}; set arch: ${required} or remove it`,
          },
        ]
      : [];
  });

const kubernetesVersion: Rule = (d) => {
  const minor = d.kubernetes.version.replace(/^v/, '').split('.').slice(0, 2).join('.');
  if (SUPPORTED_KUBERNETES_MINORS.includes(minor)) return [];
  return [
    {
      path: 'kubernetes.version',
      message: `${show(d.kubernetes.version)} is not supported; supported minor versions: ${SUPPORTED_KUBERNETES_MINORS.map((m) => `v${m}.x`).join(', ')}`,
    },
  ];
};

const balancers: Rule = (d) => {
  const problems: Problem[] = [];
  const api = d.apiServer;
  api.balancers.forEach((b, i) => {
    const path = `apiServer.balancers[${i}].host`;
    const refProblems = checkHostRef(d, path, b.host, 'load-balancer');
    problems.push(...refProblems);
    const host = d.hosts.find((h) => h.name === b.host);
    if (!refProblems.length && host?.roles.includes('control-plane') && api.port === api.bindPort) {
      const single = hostsWithRole(d, 'control-plane').length === 1;
      problems.push({
        path,
        message: `${single ? 'this cluster has one control plane, and the API endpoint (VIP) still needs HAProxy in front of it: ' : ''}host ${show(b.host)} is a control plane: HAProxy on port ${api.port} would clash with kube-apiserver on ${api.bindPort}; use a non-control-plane host with role load-balancer or set apiServer.port to another port`,
      });
    }
  });
  problems.push(
    ...duplicates(api.balancers, (b) => b.host).map(({ index, value }) => ({
      path: `apiServer.balancers[${index}].host`,
      message: `${show(value)} is listed twice`,
    })),
    ...duplicates(api.balancers, (b) => String(b.priority)).map(({ index, first, value }) => ({
      path: `apiServer.balancers[${index}].priority`,
      message: `${value} is also the priority of apiServer.balancers[${first}]; priorities must be distinct so exactly one host is MASTER`,
    })),
  );
  d.hosts.forEach((h, i) => {
    if (h.roles.includes('load-balancer') && !api.balancers.some((b) => b.host === h.name)) {
      problems.push({
        path: `hosts[${i}].roles`,
        message: `host ${show(h.name)} has role load-balancer but is not listed in apiServer.balancers; add it with a priority or drop the role`,
      });
    }
  });
  const priorities = api.balancers.map((b) => b.priority);
  const [highest, lowest] = [Math.max(...priorities), Math.min(...priorities)];
  if (api.balancers.length > 1 && (lowest < 2 || highest - lowest + 1 > MAX_KEEPALIVED_WEIGHT)) {
    problems.push({
      path: 'apiServer.balancers',
      message: `priorities ${highest}..${lowest} cannot be separated by a keepalived check weight (at most ${MAX_KEEPALIVED_WEIGHT}) so that a failed check moves the VIP; keep the lowest priority at 2 or more and the spread below ${MAX_KEEPALIVED_WEIGHT}`,
    });
  }
  if (api.stats.port === api.port)
    problems.push({ path: 'apiServer.stats.port', message: `${api.stats.port} is also apiServer.port; the stats listener needs its own port` });
  if (api.stats.publicHost && !d.acme) {
    problems.push({
      path: 'apiServer.stats.publicHost',
      message: `${show(api.stats.publicHost)} needs acme: the stats pages are published only over TLS with a Let's Encrypt certificate; add acme or remove publicHost`,
    });
  }
  return problems;
};

const tunnel: Rule = (d) => {
  const t = d.tunnel;
  const serverHosts = hostsWithRole(d, 'tunnel-server');
  if (!t) {
    return serverHosts.length
      ? [{ path: 'tunnel', message: `host(s) ${serverHosts.join(', ')} have role tunnel-server but no tunnel is described; add tunnel: or drop the role` }]
      : [];
  }
  const problems = checkHostRef(d, 'tunnel.server', t.server, 'tunnel-server');
  problems.push(
    ...duplicates(t.forwardedPorts, (p) => p.name).map(({ index, value }) => ({
      path: `tunnel.forwardedPorts[${index}].name`,
      message: `${show(value)} is used twice; proxy names must be unique`,
    })),
    ...duplicates(t.forwardedPorts, (p) => String(p.remotePort)).map(({ index, value }) => ({
      path: `tunnel.forwardedPorts[${index}].remotePort`,
      message: `${value} is forwarded twice`,
    })),
  );
  t.forwardedPorts.forEach((p, i) => {
    const local = p.localPort ?? p.remotePort;
    if (!INGRESS_PORTS.includes(local)) {
      problems.push({
        path: `tunnel.forwardedPorts[${i}]${p.localPort === undefined ? '.remotePort' : '.localPort'}`,
        message: `${local} is not a port the ingress controller serves; forwarded ports reach the ingress IP on ${INGRESS_PORTS.join(' or ')} (set localPort)`,
      });
    }
    for (const [field, port] of [
      ['tunnel.bindPort', t.bindPort],
      ['tunnel.dashboard.port', t.dashboard.port],
      ['tunnel.sshPort', t.sshPort],
    ] as const) {
      if (p.remotePort === port)
        problems.push({
          path: `tunnel.forwardedPorts[${i}].remotePort`,
          message: `${port} is also ${field} on the tunnel server, which needs it itself; pick another port`,
        });
    }
  });
  if (t.bindPort === t.dashboard.port) problems.push({ path: 'tunnel.dashboard.port', message: `${t.dashboard.port} is also tunnel.bindPort` });
  if (t.sshPort === t.bindPort)
    problems.push({ path: 'tunnel.bindPort', message: `${t.bindPort} is also tunnel.sshPort (SSH on the tunnel server); pick another port` });
  if (t.sshPort === t.dashboard.port)
    problems.push({ path: 'tunnel.dashboard.port', message: `${t.dashboard.port} is also tunnel.sshPort (SSH on the tunnel server); pick another port` });
  return problems;
};

const storage: Rule = (d) => {
  const s = d.storage;
  if (!s) return [];
  const problems = checkHostRef(d, 'storage.server', s.server, 'nfs-server');
  problems.push(
    ...duplicates(s.classes, (c) => c.name).map(({ index, value }) => ({
      path: `storage.classes[${index}].name`,
      message: `${show(value)} is used twice; StorageClass names must be unique`,
    })),
  );
  const defaults = s.classes.map((c, i) => (c.default ? i : -1)).filter((i) => i >= 0);
  if (defaults.length > 1)
    problems.push({
      path: `storage.classes[${defaults[1]}].default`,
      message: `storage.classes[${defaults[0]}] is already the default class; at most one class may be default`,
    });
  return problems;
};

const namespaces: Rule = (d) => {
  const problems: Problem[] = [];
  const components: Array<[string, string | undefined]> = [
    ['metallb.namespace', d.metallb.namespace],
    ['ingress.namespace', ingressNamespace(d.ingress)],
    ['tunnel.namespace', d.tunnel?.namespace],
  ];
  const owned = new Map<string, string>();
  for (const [path, ns] of components) {
    if (!ns) continue;
    if (RESERVED_NAMESPACES.includes(ns)) problems.push({ path, message: `${show(ns)} is a reserved namespace; pick a namespace of its own` });
    else if (owned.has(ns)) problems.push({ path, message: `${show(ns)} is also ${owned.get(ns)}; each component needs its own namespace` });
    owned.set(ns, path);
  }
  d.namespaces.forEach((n, i) => {
    const path = `namespaces[${i}].name`;
    if (RESERVED_NAMESPACES.includes(n.name) || owned.has(n.name)) {
      problems.push({ path, message: `${show(n.name)} is used by the cluster's own components; pick another name for application workloads` });
    }
  });
  problems.push(
    ...duplicates(d.namespaces, (n) => n.name).map(({ index, value }) => ({ path: `namespaces[${index}].name`, message: `${show(value)} is listed twice` })),
  );
  return problems;
};

const access: Rule = (d) => {
  const declared = new Set(d.namespaces.map((n) => n.name));
  const problems: Problem[] = [];
  d.access.forEach((a, i) => {
    if (a.role === 'operator') {
      if (!a.namespaces.length) problems.push({ path: `access[${i}].namespaces`, message: 'an operator needs at least one namespace from namespaces[]' });
      a.namespaces.forEach((ns, j) => {
        if (!declared.has(ns))
          problems.push({
            path: `access[${i}].namespaces[${j}]`,
            message: `${show(ns)} is not declared in namespaces[] (declared: ${[...declared].join(', ') || 'none'})`,
          });
      });
    } else if (a.namespaces.length) {
      problems.push({
        path: `access[${i}].namespaces`,
        message: `role ${a.role} is cluster-wide and takes no namespaces; use role operator for namespace-scoped access`,
      });
    }
  });
  problems.push(
    ...duplicates(d.access, (a) => `${a.kind}/${a.name}`).map(({ index, value }) => ({
      path: `access[${index}].name`,
      message: `${show(value)} is listed twice; give each subject one entry`,
    })),
  );
  return problems;
};

const networkPolicyEnforcement: Rule = (d) =>
  d.security.networkPolicies && d.cni.networkPolicyEnforcer === 'none'
    ? [
        {
          path: 'cni.networkPolicyEnforcer',
          message: `"none" with ${d.cni.plugin}: ${d.cni.plugin} does not enforce NetworkPolicy, so the policies we emit would be a false promise; use kube-network-policies, or set security.networkPolicies: false`,
        },
      ]
    : [];

const nodes: Rule = (d) => {
  const problems: Problem[] = [];
  d.hosts.forEach((h, i) => {
    if (h.roles.includes('control-plane') && h.roles.includes('worker')) {
      problems.push({
        path: `hosts[${i}].roles`,
        message: 'a host is either control-plane or worker; control planes that should run workloads are not supported yet',
      });
    }
  });
  problems.push(...duplicates(d.users, (u) => u.name).map(({ index, value }) => ({ path: `users[${index}].name`, message: `${show(value)} is listed twice` })));
  return problems;
};

const nodeLabels: Rule = (d) =>
  d.hosts.flatMap((h, i) =>
    Object.entries(h.labels).flatMap(([key, value]) => {
      const path = `hosts[${i}].labels.${key}`;
      const [prefix, name] = key.includes('/') ? key.split(/\/(.*)/s) : ['', key];
      if ((prefix && !LABEL_PREFIX.test(prefix)) || !LABEL_NAME.test(name ?? '')) {
        return [{ path, message: `${show(key)} is not a valid label key; use [prefix/]name with name of at most 63 letters, digits, '-', '_' or '.'` }];
      }
      if (value !== '' && !LABEL_NAME.test(value))
        return [{ path, message: `${show(value)} is not a valid label value (at most 63 letters, digits, '-', '_' or '.')` }];
      if (/(^|\.)(kubernetes\.io|k8s\.io)$/.test(prefix) && !KUBELET_LABEL_PREFIXES.some((p) => key.startsWith(p)) && !KUBELET_LABEL_KEYS.includes(key)) {
        return [
          {
            path,
            message: `the kubelet may not set ${show(key)} on its node (NodeRestriction); use a prefix of your own, or ${KUBELET_LABEL_PREFIXES.join(' / ')}`,
          },
        ];
      }
      if (!h.roles.includes('control-plane') && !h.roles.includes('worker')) {
        return [{ path, message: `host ${show(h.name)} is not a Kubernetes node; labels apply to nodes only` }];
      }
      return [];
    }),
  );

const RULES: readonly Rule[] = [
  nodeLabels,
  interfaces,
  sshAccess,
  acmeEmail,
  certSans,
  uniqueHosts,
  cidrsWellFormed,
  lanRules,
  controlPlanes,
  architecture,
  kubernetesVersion,
  balancers,
  tunnel,
  storage,
  namespaces,
  access,
  networkPolicyEnforcement,
  nodes,
  operationsProblems,
];

/** Runs every semantic rule and returns all problems, in rule order. */
export function checkSemantics(d: Description): Problem[] {
  return RULES.flatMap((rule) => rule(d));
}
