/**
 * Model-level invariants: facts the loader's semantic rules guarantee for every valid description, stated
 * with this model's values. Nothing is re-validated here; the model is valid by construction, so these are
 * sentences, not checks.
 */
import { INGRESS_PORTS } from '../model/semantic';
import type { ClusterModel } from '../model/types';
import { list } from './markdown';

/** A rule the loader enforces, stated with this cluster's values. */
export interface Invariant {
  readonly name: string;
  readonly statement: string;
}

/** The invariants that hold for a valid model, in rule order; tunnel and storage ones only when present. */
export function modelInvariants(model: ClusterModel): Invariant[] {
  const api = model.apiServer;
  const k = model.kubernetes;
  const pools = model.metallb.pools.flatMap((p) => p.addresses);
  const cps = api.controlPlanes;
  const [master] = api.balancers;
  const out: Invariant[] = [
    {
      name: 'unique-hosts',
      statement: `The ${model.hosts.length} hosts have distinct names and IPs; every LAN host is a usable address of ${model.lan.cidr}, and only ${list(model.hosts.filter((h) => h.external).map((h) => h.name)) || 'no host'} is outside it.`,
    },
    {
      name: 'etcd-quorum',
      statement: `${cps.length} control plane${cps.length === 1 ? '' : 's'} (${list(cps.map((h) => h.name))}): an odd number, so etcd has a majority of ${Math.floor(cps.length / 2) + 1}.`,
    },
    {
      name: 'vip',
      statement: `The API VIP ${api.vip} is in the LAN, is not the gateway ${model.lan.gateway}, no host has it, and no MetalLB pool contains it.`,
    },
    {
      name: 'balancers',
      statement: `Balancer priorities are distinct, so exactly one host is MASTER (${master.host.name}, ${master.priority}); no balancer is a control plane listening on ${api.port}; the stats port ${api.stats.port} differs from the API port.`,
    },
    {
      name: 'metallb-pools',
      statement: `MetalLB pools (${pools.join(', ')}) lie inside the LAN, are disjoint, and contain no host IP, the gateway or the VIP.`,
    },
    {
      name: 'ingress-ip',
      statement: `The ingress IP ${model.ingress.loadBalancerIP} lies in pool ${model.ingress.pool}.`,
    },
    {
      name: 'cidrs',
      statement: `Pod CIDR ${k.podCidr}, service CIDR ${k.serviceCidr} and the LAN ${model.lan.cidr} are canonical and pairwise disjoint.`,
    },
    {
      name: 'architecture',
      statement: `Every host's architecture matches its hardware (Raspberry Pi arm64, N100 amd64).`,
    },
    {
      name: 'network-policy',
      statement: model.security.networkPolicies
        ? `NetworkPolicies are emitted and enforced by ${model.cni.networkPolicyEnforcer} next to ${model.cni.plugin}.`
        : `No NetworkPolicies are emitted (security.networkPolicies: false), so none is left unenforced.`,
    },
  ];
  const t = model.tunnel;
  if (t) {
    out.push({
      name: 'tunnel-ports',
      statement: `Forwarded ports (${t.forwardedPorts.map((p) => `${p.name} ${p.remotePort}→${p.localPort}`).join(', ')}) have unique names and remote ports, reach the ingress on ${INGRESS_PORTS.join(' or ')}, and collide with neither the frps bindPort ${t.bindPort} nor the dashboard port ${t.dashboard.port}.`,
    });
  }
  const s = model.storage;
  if (s) {
    const def = s.classes.find((c) => c.default);
    out.push({
      name: 'storage-classes',
      statement: `StorageClass names are unique and at most one is the default (${def ? def.name : 'none'}); the NFS server ${s.server.name} has role nfs-server.`,
    });
  }
  return out;
}
