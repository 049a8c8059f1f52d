/**
 * Turns a schema-valid, semantically valid description into the immutable {@link ClusterModel}: fills the
 * defaults that depend on other fields, resolves host references and derives what later stages need.
 * It never fails on a description that passed {@link checkSemantics}.
 */
import type { Description } from './description';
import { formatRange, intToIp, ipToInt, parseAddressRange, rangeContainsIp } from './ip';
import { etcdSnapshotTarget } from './operations';
import type { ClusterModel, Host, HostRole, MetalLbPool, OperationsModel } from './types';

/** Name of the pool that holds only the ingress IP: `<described pool>-ingress`. */
export const reservedIngressPoolName = (pool: string): string => `${pool}-ingress`;

/**
 * The MetalLB pools with the ingress IP split off into a pool of its own with `autoAssign: false`: the
 * described pool keeps every other address (as ranges, in order), so no other LoadBalancer Service can take
 * the ingress address. A pool that held only the ingress IP is just marked `autoAssign: false`; a pool that
 * already has `autoAssign: false` stays as it is.
 */
export function reserveIngressIp(pools: Description['metallb']['pools'], ip: string): { pools: MetalLbPool[]; pool: string } {
  const holder = pools.find((p) => p.addresses.some((a) => rangeContainsIp(parseAddressRange(a)!, ip)))!;
  // A pool the owner already keeps out of automatic assignment cannot hand the address to another Service.
  if (!holder.autoAssign) return { pools: pools.map((p) => ({ ...p, addresses: [...p.addresses] })), pool: holder.name };
  const target = ipToInt(ip);
  const rest = holder.addresses.flatMap((a) => {
    const r = parseAddressRange(a)!;
    if (!rangeContainsIp(r, ip)) return [a];
    const parts = [...(r.first < target ? [{ first: r.first, last: target - 1 }] : []), ...(target < r.last ? [{ first: target + 1, last: r.last }] : [])];
    return parts.map((part) => (part.first === part.last ? `${intToIp(part.first)}/32` : formatRange(part)));
  });
  if (!rest.length) {
    return {
      pools: pools.map((p) => (p === holder ? { ...p, addresses: [...p.addresses], autoAssign: false } : { ...p, addresses: [...p.addresses] })),
      pool: holder.name,
    };
  }
  const reserved: MetalLbPool = { name: reservedIngressPoolName(holder.name), addresses: [`${ip}/32`], autoAssign: false, avoidBuggyIPs: false };
  return {
    pools: pools.flatMap((p) => (p === holder ? [{ ...p, addresses: rest }, reserved] : [{ ...p, addresses: [...p.addresses] }])),
    pool: reserved.name,
  };
}

/**
 * The ClusterIP Service in front of traefik's tunnel entry points (TRAEFIK_NAMES.tunnelService in
 * lib/components/ingress/traefik.ts); the `tunnel-target` consistency fact proves frpc reaches it.
 */
const TRAEFIK_TUNNEL_SERVICE = 'traefik-tunnel';

/** `ingress.namespace`, or the controller's name when the description leaves it out. */
export function ingressNamespace(ingress: Description['ingress']): string {
  return ingress.namespace ?? ingress.controller;
}

const ROLE_ORDER: readonly HostRole[] = ['control-plane', 'worker', 'load-balancer', 'nfs-server', 'tunnel-server'];

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function buildHost(h: Description['hosts'][number]): Host {
  const roles = ROLE_ORDER.filter((r) => h.roles.includes(r));
  return {
    name: h.name,
    ip: h.ip,
    arch: h.arch ?? (h.hardware === 'raspberry-pi' ? 'arm64' : 'amd64'),
    hardware: h.hardware,
    roles,
    external: h.external,
    interface: h.interface ?? 'eth0', // only Raspberry Pis and external hosts may omit it (semantic rules)
    provision: h.provision ?? !(h.hardware === 'nas' || h.hardware === 'vps'),
    os: h.os,
    isNode: roles.includes('control-plane') || roles.includes('worker'),
    labels: { ...h.labels },
  };
}

export function buildModel(d: Description): ClusterModel {
  const hosts = d.hosts.map(buildHost);
  const host = (name: string): Host => {
    const found = hosts.find((h) => h.name === name);
    if (!found) throw new Error(`internal: unresolved host ${name} (semantic rules should have caught it)`);
    return found;
  };
  const metallbPools = reserveIngressIp(d.metallb.pools, d.ingress.loadBalancerIP);
  const t = d.tunnel;
  const s = d.storage;
  return deepFreeze<ClusterModel>({
    name: d.name,
    kubernetes: {
      ...d.kubernetes,
      minor: d.kubernetes.version.replace(/^v/, '').split('.').slice(0, 2).join('.'),
    },
    lan: {
      cidr: d.lan.cidr,
      prefixLength: Number(d.lan.cidr.split('/')[1]),
      gateway: d.lan.gateway,
      dnsServers: d.lan.dnsServers ?? [d.lan.gateway],
      searchDomains: d.lan.searchDomains,
    },
    hosts,
    users: d.users.map((u) => ({ ...u })),
    apiServer: {
      vip: d.apiServer.vip,
      port: d.apiServer.port,
      bindPort: d.apiServer.bindPort,
      certSANs: d.apiServer.certSANs,
      virtualRouterId: d.apiServer.virtualRouterId,
      vrrpAuthFile: d.apiServer.vrrpAuthFile,
      stats: { ...d.apiServer.stats },
      balancers: d.apiServer.balancers.map((b) => ({ host: host(b.host), priority: b.priority })).sort((a, b) => b.priority - a.priority),
      controlPlanes: hosts.filter((h) => h.roles.includes('control-plane')),
    },
    cni: { ...d.cni },
    metallb: {
      namespace: d.metallb.namespace,
      pools: metallbPools.pools,
    },
    ingress: { ...d.ingress, namespace: ingressNamespace(d.ingress), pool: metallbPools.pool },
    acme: d.acme && {
      ...(d.acme.email === undefined ? {} : { email: d.acme.email }),
      issuers: [...d.acme.issuers].sort((a, b) => (a === b ? 0 : a === 'staging' ? -1 : 1)),
      solver: d.acme.solver.type === 'dns01' ? { ...d.acme.solver } : { type: 'http01' },
    },
    tunnel: t && {
      kind: t.kind,
      server: host(t.server),
      bindPort: t.bindPort,
      sshPort: t.sshPort,
      namespace: t.namespace,
      proxyProtocol: t.proxyProtocol,
      forwardedPorts: t.forwardedPorts
        .map((p) => ({ name: p.name, remotePort: p.remotePort, localPort: p.localPort ?? p.remotePort, protocol: p.protocol }))
        .sort((a, b) => a.remotePort - b.remotePort),
      targetAddress: d.ingress.controller === 'traefik' ? `${TRAEFIK_TUNNEL_SERVICE}.${ingressNamespace(d.ingress)}.svc` : d.ingress.loadBalancerIP,
      token: { secret: { ...t.token.secret }, serverFile: t.token.serverFile },
      dashboard: { ...t.dashboard },
    },
    storage: s && {
      server: host(s.server),
      snapshots: s.snapshots,
      classes: s.classes.map((c) => ({ ...c, mountOptions: [...c.mountOptions] })),
    },
    security: {
      networkPolicies: d.security.networkPolicies,
      podSecurity: { ...d.security.podSecurity, exemptNamespaces: [...d.security.podSecurity.exemptNamespaces].sort() },
    },
    namespaces: d.namespaces.map((n) => ({ ...n })),
    access: d.access.map((a) => ({ ...a, namespaces: [...a.namespaces].sort() })),
    operations: buildOperations(d, host),
    output: { flux: d.output.flux, partOf: d.output.partOf ?? d.name },
  });
}

function buildOperations(d: Description, host: (name: string) => Host): OperationsModel {
  const o = d.operations;
  const target = etcdSnapshotTarget(d);
  const e = o.etcdSnapshots;
  return {
    etcdSnapshots:
      target.server && target.share && (e.enabled ?? true)
        ? {
            server: host(target.server),
            share: target.share,
            directory: e.directory,
            schedule: e.schedule,
            keep: e.keep,
            mountOptions: [...e.mountOptions],
          }
        : undefined,
    auditLog: o.auditLog.enabled ? { maxAge: o.auditLog.maxAge, maxBackup: o.auditLog.maxBackup, maxSize: o.auditLog.maxSize } : undefined,
    encryptionAtRest: o.encryptionAtRest.enabled ? { provider: o.encryptionAtRest.provider } : undefined,
    kubeletServingCertificates: o.kubeletServingCertificates.enabled,
    metricsServer: o.metricsServer.enabled ? { replicas: o.metricsServer.replicas } : undefined,
    logins: { validity: o.logins.validity },
    upgradeRunbook: o.upgradeRunbook.enabled,
  };
}
