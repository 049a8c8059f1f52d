/**
 * The port matrix: what listens where, who connects, and from how far away it is reachable. Computed from
 * the model; the generated docs print it and tests assert on it.
 */
import { tunnelServerPorts } from '../components/frp/frps';
import { INGRESS_PORTS } from '../model/semantic';
import type { ClusterModel, Host } from '../model/types';

/** How far a listener is reachable in the intended design. */
export type Reach = 'Internet' | 'LAN' | 'cluster nodes' | 'balancers' | 'control planes' | 'VPS only' | 'frpc pods only';

/** One row of the port matrix: something that listens on an address and port. */
export interface Listener {
  /** Host name, or a description of the address holder (`MetalLB (ingress)`). */
  readonly where: string;
  /** The address that accepts the traffic. */
  readonly address: string;
  /** A port, a `first-last` range, or `-` for a protocol without ports (VRRP). */
  readonly port: string;
  /** `TCP`, `UDP`, `TCP+UDP` or `IP proto 112` (VRRP). */
  readonly protocol: string;
  /** What listens. */
  readonly service: string;
  /** Who connects. */
  readonly clients: string;
  readonly reach: Reach;
}

/** Well-known ports of what kubeadm and the components run; the model does not configure them. */
export const WELL_KNOWN_PORTS = {
  /** etcd client and peer ports on stacked control planes. */
  etcd: '2379-2380',
  kubelet: 10250,
  /** Flannel VXLAN backend (Linux kernel VXLAN port used by Flannel). */
  flannelVxlan: 8472,
  /** MetalLB speaker memberlist (speakers find each other, L2 leader election). */
  metallbMemberlist: 7946,
  /** NFSv4 (TCP 2049, no portmapper needed). */
  nfs: 2049,
} as const;

const names = (hosts: readonly Host[]) => hosts.map((h) => h.name).join(', ');

/** Every listener of the cluster, grouped by the part that owns it, in a stable order. */
export function listeners(model: ClusterModel): Listener[] {
  const api = model.apiServer;
  const cps = api.controlPlanes;
  const nodes = model.hosts.filter((h) => h.isNode);
  const rows: Listener[] = [];
  const [master] = api.balancers;

  for (const b of api.balancers) {
    const others = api.balancers.filter((o) => o !== b).map((o) => `${o.host.name} ${o.host.ip}`);
    const state = b === master ? 'MASTER' : 'BACKUP';
    rows.push(
      {
        where: b.host.name,
        address: `${b.host.ip}, VIP ${api.vip} while ${b === master ? 'MASTER' : 'it holds it'}`,
        port: String(api.port),
        protocol: 'TCP',
        service: `HAProxy frontend for the Kubernetes API (${state}, priority ${b.priority})`,
        clients: `kubectl, kubelets and in-cluster clients via ${api.vip}:${api.port}`,
        reach: 'LAN',
      },
      {
        where: b.host.name,
        address: b.host.ip,
        port: String(api.stats.port),
        protocol: 'TCP',
        service: `HAProxy stats page ${api.stats.path} (basic auth from $${api.stats.userEnv} / $${api.stats.passwordEnv})`,
        clients: 'the owner',
        reach: 'LAN',
      },
      {
        where: b.host.name,
        address: b.host.ip,
        port: '-',
        protocol: 'IP proto 112',
        service: `keepalived VRRP, virtual_router_id ${api.virtualRouterId}${others.length ? ', unicast' : ''}`,
        clients: others.length ? `the other balancers: ${others.join(', ')}` : 'none (single balancer)',
        reach: 'balancers',
      },
    );
  }
  for (const cp of cps) {
    rows.push(
      {
        where: cp.name,
        address: cp.ip,
        port: String(api.bindPort),
        protocol: 'TCP',
        service: 'kube-apiserver',
        clients: `HAProxy on ${names(api.balancers.map((b) => b.host))}; direct access in an emergency`,
        reach: 'LAN',
      },
      {
        where: cp.name,
        address: cp.ip,
        port: WELL_KNOWN_PORTS.etcd,
        protocol: 'TCP',
        service: 'etcd (client, peer)',
        clients: `control planes ${names(cps)}`,
        reach: 'control planes',
      },
    );
  }
  rows.push({
    where: `every node (${nodes.length})`,
    address: 'node IP',
    port: String(WELL_KNOWN_PORTS.kubelet),
    protocol: 'TCP',
    service: 'kubelet API',
    clients: 'kube-apiserver on the control planes',
    reach: 'cluster nodes',
  });
  if (model.cni.plugin === 'flannel' && model.cni.backend === 'vxlan') {
    rows.push({
      where: `every node (${nodes.length})`,
      address: 'node IP',
      port: String(WELL_KNOWN_PORTS.flannelVxlan),
      protocol: 'UDP',
      service: `Flannel VXLAN (pod network ${model.kubernetes.podCidr})`,
      clients: 'the other nodes',
      reach: 'cluster nodes',
    });
  }
  rows.push({
    where: `every node (${nodes.length})`,
    address: 'node IP',
    port: String(WELL_KNOWN_PORTS.metallbMemberlist),
    protocol: 'TCP+UDP',
    service: 'MetalLB speaker memberlist',
    clients: 'the other speakers',
    reach: 'cluster nodes',
  });
  for (const port of INGRESS_PORTS) {
    rows.push({
      where: `MetalLB L2 (pool ${model.ingress.pool})`,
      address: model.ingress.loadBalancerIP,
      port: String(port),
      protocol: 'TCP',
      service: `${model.ingress.controller} controller, Service type LoadBalancer in namespace ${model.ingress.namespace}`,
      clients:
        model.tunnel && !tunnelHasOwnListeners(model) ? `LAN clients; frpc for the Internet` : 'LAN clients and pods (plain HTTP/HTTPS, no PROXY protocol)',
      reach: 'LAN',
    });
  }
  if (model.tunnel && tunnelHasOwnListeners(model)) {
    const t = model.tunnel;
    for (const p of t.forwardedPorts) {
      rows.push({
        where: `ClusterIP Service (namespace ${model.ingress.namespace})`,
        address: t.targetAddress,
        port: String(p.localPort),
        protocol: 'TCP',
        service: `${model.ingress.controller} tunnel entry point for ${p.name}${t.proxyProtocol ? `, PROXY protocol honoured from the pod CIDR ${model.kubernetes.podCidr}` : ''}`,
        clients: `frpc in namespace ${t.namespace} (a NetworkPolicy admits only its pods)`,
        reach: 'frpc pods only',
      });
    }
  }
  if (model.storage) {
    const s = model.storage;
    rows.push({
      where: s.server.name,
      address: s.server.ip,
      port: String(WELL_KNOWN_PORTS.nfs),
      protocol: 'TCP',
      service: `NFS server (shares ${[...new Set(s.classes.map((c) => c.share))].join(', ')})`,
      clients: 'every node (csi-driver-nfs mounts on the node that runs the pod)',
      reach: 'cluster nodes',
    });
  }
  const t = model.tunnel;
  if (t) {
    // The hosts renderer decides which tunnel ports face the Internet (the firewall list); so do the docs.
    const dashboardPublic = tunnelServerPorts(t).some((p) => p.port === t.dashboard.port);
    rows.push({
      where: t.server.name,
      address: t.server.ip,
      port: String(t.bindPort),
      protocol: 'TCP',
      service: 'frps control port (bindPort)',
      clients: `frpc in namespace ${t.namespace}, authenticated with the token`,
      reach: 'Internet',
    });
    rows.push({
      where: t.server.name,
      address: t.dashboard.addr,
      port: String(t.dashboard.port),
      protocol: 'TCP',
      service: `frps dashboard (basic auth from $${t.dashboard.userEnv} / $${t.dashboard.passwordEnv})`,
      clients: dashboardPublic ? 'the owner' : `the owner, through an SSH tunnel to ${t.server.name}`,
      reach: dashboardPublic ? 'Internet' : 'VPS only',
    });
    for (const p of t.forwardedPorts) {
      rows.push({
        where: t.server.name,
        address: t.server.ip,
        port: String(p.remotePort),
        protocol: p.protocol.toUpperCase(),
        service: `forwarded port ${p.name}: frps → frpc → ${t.targetAddress}:${p.localPort}${t.proxyProtocol ? ' (PROXY protocol v2)' : ''}`,
        clients: 'anyone on the Internet',
        reach: 'Internet',
      });
    }
  }
  return rows;
}

/**
 * Whether the tunnel reaches the controller on listeners of its own (Traefik's tunnel entry points behind a
 * ClusterIP Service) rather than on the LAN LoadBalancer IP (ingress-nginx).
 */
export function tunnelHasOwnListeners(model: ClusterModel): boolean {
  return !!model.tunnel && model.tunnel.targetAddress !== model.ingress.loadBalancerIP;
}
