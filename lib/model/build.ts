/**
 * Turns a schema-valid, semantically valid description into the immutable {@link ClusterModel}: fills the
 * defaults that depend on other fields, resolves host references and derives what later stages need.
 * It never fails on a description that passed {@link checkSemantics}.
 */
import type { Description } from './description';
import { parseAddressRange, rangeContainsIp } from './ip';
import type { ClusterModel, Host, HostRole } from './types';

/**
 * The ClusterIP Service in front of traefik's tunnel entry points (TRAEFIK_NAMES.tunnelService in
 * lib/components/ingress/traefik.ts); the `tunnel-target` consistency fact proves frpc reaches it.
 */
export const TRAEFIK_TUNNEL_SERVICE = 'traefik-tunnel';

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
    interface: h.interface,
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
  const pool = d.metallb.pools.find((p) =>
    p.addresses.some((a) => rangeContainsIp(parseAddressRange(a)!, d.ingress.loadBalancerIP)),
  )!;
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
      balancers: d.apiServer.balancers
        .map((b) => ({ host: host(b.host), priority: b.priority }))
        .sort((a, b) => b.priority - a.priority),
      controlPlanes: hosts.filter((h) => h.roles.includes('control-plane')),
    },
    cni: { ...d.cni },
    metallb: {
      namespace: d.metallb.namespace,
      pools: d.metallb.pools.map((p) => ({ ...p, addresses: [...p.addresses] })),
    },
    ingress: { ...d.ingress, namespace: ingressNamespace(d.ingress), pool: pool.name },
    acme: d.acme && {
      email: d.acme.email,
      issuers: [...d.acme.issuers].sort((a, b) => (a === b ? 0 : a === 'staging' ? -1 : 1)),
      solver: d.acme.solver.type === 'dns01' ? { ...d.acme.solver } : { type: 'http01' },
    },
    tunnel: t && {
      kind: t.kind,
      server: host(t.server),
      bindPort: t.bindPort,
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
    output: { flux: d.output.flux, partOf: d.output.partOf ?? d.name },
  });
}

