/**
 * Failure domains: what breaks and what keeps working when one part of the cluster is down, stated with the
 * hosts, addresses and ports of this model. The owner's three domains (balancers, MetalLB, FRP) come first;
 * the NFS server and the control planes follow.
 */
import { INGRESS_PORTS } from '../model/semantic';
import type { ClusterModel } from '../model/types';
import { list } from './markdown';
import { tunnelHasOwnListeners, WELL_KNOWN_PORTS } from './ports';

/** One row of the failure-domain table. */
export interface FailureDomain {
  /** What fails. */
  readonly failure: string;
  /** The hosts (and addresses) that make up the domain. */
  readonly hosts: readonly string[];
  readonly breaks: string;
  readonly keepsWorking: string;
}

/** The failure domains of a cluster, the owner's three first (balancers, MetalLB, FRP), in a stable order. */
export function failureDomains(model: ClusterModel): FailureDomain[] {
  const api = model.apiServer;
  const endpoint = `${api.vip}:${api.port}`;
  const ingress = `${model.ingress.loadBalancerIP}:${INGRESS_PORTS.join('/')}`;
  const t = model.tunnel;
  const s = model.storage;
  const firstCp = api.controlPlanes[0];
  const publicPorts = t ? list(t.forwardedPorts.map((p) => String(p.remotePort))) : '';
  const internet = t ? `; Internet users reach them through ${t.server.name} ${t.server.ip} (ports ${publicPorts})` : '';
  const nfsKeeps = s ? ` and NFS volumes on ${s.server.name}` : '';
  const domains: FailureDomain[] = [];

  const balancerHosts = api.balancers.map((b) => `${b.host.name} ${b.host.ip}`);
  domains.push({
    failure: `Balancers down: keepalived/HAProxy on ${list(api.balancers.map((b) => b.host.name))}`,
    hosts: [...balancerHosts, `VIP ${api.vip}`],
    breaks: `The API endpoint ${endpoint}: \`kubectl\` and self-healing stop (kubelets cannot report or receive pods, so nothing is rescheduled or rolled out).`,
    keepsWorking: `Running pods${nfsKeeps} keep serving: LAN users reach ${ingress}${internet}. In an emergency \`kubectl\` can talk to a control plane directly (https://${firstCp.ip}:${api.bindPort}).`,
  });
  if (api.balancers.length > 1) {
    const [master, next] = api.balancers;
    domains.push({
      failure: `MASTER balancer ${master.host.name} down`,
      hosts: [`${master.host.name} ${master.host.ip}`],
      breaks: `Nothing lasting: keepalived moves the VIP ${api.vip} to ${next.host.name} (priority ${next.priority}, next after ${master.priority}); open API connections are reset once.`,
      keepsWorking: 'Everything, as long as one balancer is up.',
    });
  }

  const pools = model.metallb.pools.map((p) => `${p.name} (${p.addresses.join(', ')})`);
  domains.push({
    failure: `MetalLB down (namespace ${model.metallb.namespace})`,
    hosts: [`pool ${list(pools)}`, `ingress IP ${model.ingress.loadBalancerIP}`],
    breaks: `Nobody answers ARP for the pool addresses: LAN users lose the apps at ${ingress} and every other LoadBalancer Service${t && !tunnelHasOwnListeners(model) ? `; Internet users lose them too, because frpc forwards to ${t.targetAddress}` : ''}.`,
    keepsWorking: `Cluster administration: the API VIP ${api.vip} belongs to keepalived, not MetalLB, so \`kubectl\`, scheduling and self-healing work, as do running pods${nfsKeeps}.${t && tunnelHasOwnListeners(model) ? ` Internet users keep the apps: frpc reaches ${model.ingress.controller} through the ClusterIP Service ${t.targetAddress}, not through a MetalLB address.` : ''}`,
  });

  if (t) {
    domains.push({
      failure: `FRP down: frps on ${t.server.name} or frpc (namespace ${t.namespace})`,
      hosts: [`${t.server.name} ${t.server.ip}:${t.bindPort}`, `frpc → ${t.targetAddress}`],
      breaks: `Only Internet access: public ports ${publicPorts} on ${t.server.ip} stop answering.`,
      keepsWorking: `LAN users reach the apps at ${ingress}; administration through ${endpoint}.`,
    });
  }

  if (s) {
    const alsoBalancer = api.balancers.find((b) => b.host === s.server);
    const shared = alsoBalancer
      ? ` ${s.server.name} is also a balancer (priority ${alsoBalancer.priority}): the VIP ${alsoBalancer === api.balancers[0] ? `moves to ${api.balancers[1]?.host.name ?? 'no other host'}` : `stays with ${api.balancers[0].host.name}`}.`
      : '';
    domains.push({
      failure: `NFS server ${s.server.name} down`,
      hosts: [`${s.server.name} ${s.server.ip}:${WELL_KNOWN_PORTS.nfs}`],
      breaks: `Pods using StorageClasses ${list(s.classes.map((c) => c.name))} hang on I/O; new volumes cannot be provisioned.${shared}`,
      keepsWorking: `Pods without NFS volumes, the API (${endpoint}) and ingress (${ingress}).`,
    });
  }

  const cps = api.controlPlanes;
  const quorum = Math.floor(cps.length / 2) + 1;
  domains.push(
    cps.length > 1
      ? {
          failure: `One control plane down (of ${list(cps.map((h) => h.name))})`,
          hosts: cps.map((h) => `${h.name} ${h.ip}`),
          breaks: `Nothing while ${quorum} of ${cps.length} are up (etcd quorum); HAProxy's health check takes the missing one out of the backend. ${cps.length - quorum + 1} down at once stops the API.`,
          keepsWorking: `Everything while ${quorum} control planes are up.`,
        }
      : {
          failure: `The only control plane ${cps[0].name} down`,
          hosts: [`${cps[0].name} ${cps[0].ip}`],
          breaks: `The API (${endpoint}), as for the balancers above: \`kubectl\` and self-healing stop.`,
          keepsWorking: `Running pods${nfsKeeps}; LAN users reach ${ingress}${internet}.`,
        },
  );
  return domains;
}
