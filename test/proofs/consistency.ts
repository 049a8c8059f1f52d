/**
 * The cross-artifact consistency check: facts that span files written by different stages (kubeadm config,
 * keepalived, HAProxy, Flannel, MetalLB, the ingress Service, frps and frpc) and that no single renderer can
 * see. It reads the rendered FILES, the way a host or `kubectl` would, and compares what they say with the
 * model and with each other.
 *
 * A file that is absent (its component is not part of this render) is skipped; a file that is present but
 * cannot be parsed, or lacks the field a fact needs, is a problem.
 */
import type { CheckContext, OutputCheck } from '../../lib/checks/types';
import { parseAddressRange, rangeContainsIp } from '../../lib/model/ip';
import type { Problem } from '../../lib/model/problems';
import type { ClusterModel } from '../../lib/model/types';
import type { RenderedFile } from '../../lib/output/files';
import { requestedLoadBalancerIPs, type ServiceJson } from '../../lib/security/services';
import {
  ArtifactParseError,
  at,
  configEntries,
  haproxyProxiesOnPort,
  isWildcardBind,
  parseHaproxy,
  parseKeepalived,
  parseTomlFile,
  splitHostPort,
  Artifacts,
  type ConsistencyFact,
  type Json,
} from './artifacts';
import { lanListeners, tunnelTarget } from './ingress-paths';

const same = (a: readonly (string | number)[], b: readonly (string | number)[]) =>
  JSON.stringify([...a].map(String).sort()) === JSON.stringify([...b].map(String).sort());
const showList = (values: readonly (string | number)[]) => `[${[...values].map(String).sort().join(', ')}]`;

/** kubeadm defaults, for fields a config leaves out: kube-apiserver's bindPort and the Service subnet. */
const KUBEADM_DEFAULT_BIND_PORT = 6443;
const KUBEADM_DEFAULT_SERVICE_SUBNET = '10.96.0.0/12';

const apiEndpoint: ConsistencyFact = {
  name: 'api-endpoint',
  description:
    "kubeadm `controlPlaneEndpoint` (and join `apiServerEndpoint`), keepalived `virtual_ipaddress` on every balancer and the address HAProxy binds for the API are the model's VIP and port.",
  run(model, a) {
    const api = model.apiServer;
    const want = `${api.vip}:${api.port}`;
    const problems: Problem[] = [];
    const docs = a.kubeadmDocuments();
    const bindPort = docs.map((d) => at(d.doc, 'localAPIEndpoint.bindPort')).find((p) => typeof p === 'number') as number | undefined;
    for (const { file, doc } of docs) {
      if (doc.kind === 'ClusterConfiguration') {
        const value = at(doc, 'controlPlaneEndpoint');
        if (typeof value !== 'string') {
          problems.push({ path: file, message: `ClusterConfiguration has no controlPlaneEndpoint; an HA control plane needs ${want}` });
          continue;
        }
        const [host, explicitPort] = splitHostPort(value);
        const port = explicitPort ?? bindPort ?? KUBEADM_DEFAULT_BIND_PORT;
        if (host !== api.vip || port !== api.port)
          problems.push({ path: file, message: `controlPlaneEndpoint ${JSON.stringify(value)} is not the API VIP ${want}` });
      }
      if (doc.kind === 'JoinConfiguration') {
        const value = at(doc, 'discovery.bootstrapToken.apiServerEndpoint');
        if (typeof value === 'string' && value !== want)
          problems.push({ path: file, message: `discovery.bootstrapToken.apiServerEndpoint ${JSON.stringify(value)} is not the API VIP ${want}` });
      }
    }
    for (const b of api.balancers) {
      const keepalived = a.hostFile(b.host.name, 'keepalived.conf');
      if (keepalived) {
        const instances = parseKeepalived(keepalived.content);
        if (!instances.length) problems.push({ path: keepalived.path, message: `has no vrrp_instance; ${b.host.name} cannot hold the VIP ${api.vip}` });
        if (instances.length && !instances.some((i) => i.virtualIpAddresses.includes(api.vip))) {
          problems.push({
            path: keepalived.path,
            message: `virtual_ipaddress ${showList(instances.flatMap((i) => i.virtualIpAddresses))} does not contain the API VIP ${api.vip}`,
          });
        }
      }
      const haproxy = a.hostFile(b.host.name, 'haproxy.cfg');
      if (haproxy) {
        const proxies = haproxyProxiesOnPort(parseHaproxy(haproxy.content), api.port);
        if (!proxies.length) problems.push({ path: haproxy.path, message: `no frontend or listen section binds the API port ${api.port}` });
        for (const p of proxies) {
          const wrong = p.bindAddresses.filter((addr) => !isWildcardBind(addr) && addr !== api.vip);
          if (wrong.length)
            problems.push({
              path: haproxy.path,
              message: `${p.section.type} ${p.section.name} binds ${wrong.map((w) => `${w}:${api.port}`).join(', ')}, which is neither the VIP ${want} nor a wildcard`,
            });
        }
      }
    }
    return problems;
  },
};

const haproxyBackends: ConsistencyFact = {
  name: 'haproxy-backends',
  description: "HAProxy's API backend on every balancer lists exactly the control-plane IPs at the kube-apiserver bindPort.",
  run(model, a) {
    const api = model.apiServer;
    const want = api.controlPlanes.map((h) => `${h.ip}:${api.bindPort}`);
    const problems: Problem[] = [];
    for (const b of api.balancers) {
      const haproxy = a.hostFile(b.host.name, 'haproxy.cfg');
      if (!haproxy) continue;
      for (const p of haproxyProxiesOnPort(parseHaproxy(haproxy.content), api.port)) {
        const got = p.servers.map(([, host, port]) => `${host}:${port ?? '(no port)'}`);
        if (!same(got, want))
          problems.push({
            path: haproxy.path,
            message: `backend ${p.backend ?? '(none)'} servers ${showList(got)} are not the control planes ${showList(want)}`,
          });
      }
    }
    return problems;
  },
};

const vrrp: ConsistencyFact = {
  name: 'vrrp',
  description:
    "Every balancer's keepalived instance has its model priority and the shared virtual_router_id, only the highest priority starts as MASTER, and unicast peers are exactly the other balancers.",
  run(model, a) {
    const api = model.apiServer;
    const problems: Problem[] = [];
    for (const b of api.balancers) {
      const file = a.hostFile(b.host.name, 'keepalived.conf');
      if (!file) continue;
      const others = api.balancers.filter((o) => o !== b).map((o) => o.host.ip);
      for (const i of parseKeepalived(file.content).filter((x) => x.virtualIpAddresses.includes(api.vip))) {
        const where = `vrrp_instance ${i.name}`;
        if (i.priority !== undefined && i.priority !== b.priority)
          problems.push({ path: file.path, message: `${where} priority ${i.priority} is not ${b.priority} (apiServer.balancers for ${b.host.name})` });
        if (i.virtualRouterId !== api.virtualRouterId)
          problems.push({ path: file.path, message: `${where} virtual_router_id ${i.virtualRouterId ?? '(missing)'} is not ${api.virtualRouterId}` });
        if (i.state === 'MASTER' && b !== api.balancers[0])
          problems.push({ path: file.path, message: `${where} starts as MASTER, but ${api.balancers[0].host.name} has the highest priority` });
        if (i.unicastSrcIp !== undefined && i.unicastSrcIp !== b.host.ip)
          problems.push({ path: file.path, message: `${where} unicast_src_ip ${i.unicastSrcIp} is not ${b.host.name}'s IP ${b.host.ip}` });
        if ((i.unicastSrcIp !== undefined || i.unicastPeers.length) && !same(i.unicastPeers, others)) {
          problems.push({ path: file.path, message: `${where} unicast_peer ${showList(i.unicastPeers)} is not the other balancers ${showList(others)}` });
        }
      }
    }
    return problems;
  },
};

const podNetwork: ConsistencyFact = {
  name: 'pod-network',
  description: "kubeadm `networking.podSubnet` equals the Flannel `net-conf.json` Network and the model's pod CIDR; `serviceSubnet` equals the service CIDR.",
  run(model, a) {
    const k = model.kubernetes;
    const problems: Problem[] = [];
    for (const { file, doc } of a.kubeadmDocuments().filter((d) => d.doc.kind === 'ClusterConfiguration')) {
      const pod = at(doc, 'networking.podSubnet');
      const svc = at(doc, 'networking.serviceSubnet') ?? KUBEADM_DEFAULT_SERVICE_SUBNET;
      if (pod !== k.podCidr)
        problems.push({
          path: file,
          message: `networking.podSubnet ${JSON.stringify(pod ?? null)} is not the pod CIDR ${k.podCidr} (Flannel allocates node podCIDRs from it)`,
        });
      if (svc !== k.serviceCidr)
        problems.push({ path: file, message: `networking.serviceSubnet ${JSON.stringify(svc)} is not the service CIDR ${k.serviceCidr}` });
    }
    for (const o of a.manifests().filter((x) => x.kind === 'ConfigMap')) {
      for (const [key, text] of configEntries(o).filter(([key]) => key === 'net-conf.json')) {
        let network: unknown;
        try {
          network = (JSON.parse(text) as Json).Network;
        } catch (error) {
          problems.push({ path: o.file, message: `ConfigMap ${o.namespace}/${o.name} ${key} is not JSON: ${(error as Error).message}` });
          continue;
        }
        if (network !== k.podCidr)
          problems.push({
            path: o.file,
            message: `ConfigMap ${o.namespace}/${o.name} ${key} Network ${JSON.stringify(network ?? null)} is not the pod CIDR ${k.podCidr} (kubeadm podSubnet)`,
          });
      }
    }
    return problems;
  },
};

const ingressAddress: ConsistencyFact = {
  name: 'ingress-address',
  description: `The ingress controller's LoadBalancer Service requests the model's ingress IP (\`metallb.io/loadBalancerIPs\`) and a rendered MetalLB IPAddressPool contains it.`,
  run(model, a) {
    const ip = model.ingress.loadBalancerIP;
    const problems: Problem[] = [];
    const objects = a.manifests();
    const services = objects.filter((o) => o.kind === 'Service' && o.namespace === model.ingress.namespace && at(o.body, 'spec.type') === 'LoadBalancer');
    const pools = objects.filter((o) => o.kind === 'IPAddressPool' && o.apiVersion.startsWith('metallb.io/'));
    const poolRanges = pools.flatMap((p) => {
      const addresses = at(p.body, 'spec.addresses');
      return (Array.isArray(addresses) ? addresses : []).map((text) => ({ range: parseAddressRange(String(text)) }));
    });
    const requests = services.map((s) => ({
      s,
      ref: `Service ${s.namespace}/${s.name}`,
      ips: requestedLoadBalancerIPs(s.body as unknown as ServiceJson).filter(Boolean),
    }));
    for (const { s, ref, ips } of requests) {
      if (!ips.length)
        problems.push({
          path: s.file,
          message: `${ref} requests no address (metallb.io/loadBalancerIPs); MetalLB would hand it any free one instead of ${ip}`,
        });
      for (const r of ips) {
        if (pools.length && !poolRanges.some((p) => p.range && rangeContainsIp(p.range, r))) {
          problems.push({ path: s.file, message: `${ref} requests ${r}, which no rendered IPAddressPool (${pools.map((p) => p.name).join(', ')}) contains` });
        }
      }
    }
    if (requests.length && !requests.some((r) => same(r.ips, [ip]))) {
      problems.push({
        path: requests[0].s.file,
        message: `no LoadBalancer Service in ${model.ingress.namespace} requests the ingress IP ${ip} (${requests.map((r) => `${r.ref}: ${r.ips.length ? showList(r.ips) : 'none'}`).join('; ')})`,
      });
    }
    if (pools.length && !poolRanges.some((p) => p.range && rangeContainsIp(p.range, ip))) {
      problems.push({ path: pools[0].file, message: `no IPAddressPool contains the ingress IP ${ip}` });
    }
    return problems;
  },
};

/** Ports listed by frps `allowPorts` (`{single}` and `{start, end}` entries), or undefined when unrestricted. */
function allowedPorts(frps: Json): number[] | undefined {
  const entries = frps.allowPorts;
  if (!Array.isArray(entries)) return undefined;
  const ports = new Set<number>();
  for (const e of entries as Json[]) {
    if (typeof e.single === 'number') ports.add(e.single);
    if (typeof e.start === 'number' && typeof e.end === 'number') for (let p = e.start; p <= e.end && p <= 65535; p++) ports.add(p);
  }
  return [...ports].sort((x, y) => x - y);
}

/** frp's own default for frps `bindPort` and frpc `serverPort`, when the file leaves them out. */
const FRP_DEFAULT_PORT = 7000;

const tunnelPorts: ConsistencyFact = {
  name: 'tunnel-ports',
  description:
    "frpc dials the tunnel server's IP at the frps `bindPort` (`serverAddr`/`serverPort`), and frps `allowPorts` is exactly the set of frpc `remotePort`s, which are the forwarded ports of the model.",
  run(model, a) {
    const t = model.tunnel;
    if (!t) return [];
    const problems: Problem[] = [];
    const remotes = t.forwardedPorts.map((p) => p.remotePort);
    const frpsFile = a.hostFile(t.server.name, 'frps.toml');
    if (frpsFile) {
      const frps = parseTomlFile(frpsFile);
      const bindPort = frps.bindPort ?? FRP_DEFAULT_PORT;
      if (bindPort !== t.bindPort)
        problems.push({ path: frpsFile.path, message: `bindPort ${JSON.stringify(bindPort)} is not tunnel.bindPort ${t.bindPort}, which frpc dials` });
      const allowed = allowedPorts(frps);
      if (!allowed)
        problems.push({
          path: frpsFile.path,
          message: `has no allowPorts, so any frpc with the token may open any port; frpc's remotePorts are ${showList(remotes)}`,
        });
      else if (!same(allowed, remotes))
        problems.push({ path: frpsFile.path, message: `allowPorts ${showList(allowed)} is not the set of frpc remotePorts ${showList(remotes)}` });
    }
    for (const { file: path, where, config } of a.frpcConfigs()) {
      const serverPort = config.serverPort ?? FRP_DEFAULT_PORT;
      if (serverPort !== t.bindPort)
        problems.push({ path, message: `${where}: serverPort ${JSON.stringify(serverPort)} is not the frps bindPort ${t.bindPort}` });
      const addr = config.serverAddr;
      if (typeof addr === 'string' && !addr.includes('{{') && addr !== t.server.ip)
        problems.push({ path, message: `${where}: serverAddr ${JSON.stringify(addr)} is not ${t.server.name}'s IP ${t.server.ip}` });
      const proxies = Array.isArray(config.proxies) ? (config.proxies as Json[]) : [];
      const got = proxies.map((p) => Number(p.remotePort));
      if (!same(got, remotes))
        problems.push({ path, message: `${where}: proxies' remotePorts ${showList(got)} are not the forwarded ports ${showList(remotes)} (frps allowPorts)` });
    }
    return problems;
  },
};

/** The facts, in the order the docs list them. */
export const CONSISTENCY_FACTS: readonly ConsistencyFact[] = [
  apiEndpoint,
  haproxyBackends,
  vrrp,
  podNetwork,
  ingressAddress,
  lanListeners,
  tunnelPorts,
  tunnelTarget,
];

/** Runs facts over a file set; a file that fails to parse is reported once, with the facts it blocked. */
export function checkConsistency(model: ClusterModel, files: readonly RenderedFile[], facts: readonly ConsistencyFact[] = CONSISTENCY_FACTS): Problem[] {
  const artifacts = new Artifacts(files);
  const problems: Problem[] = [];
  const unparsable = new Map<string, { reason: string; facts: string[] }>();
  for (const fact of facts) {
    try {
      problems.push(...fact.run(model, artifacts).map((p) => ({ path: p.path, message: `${fact.name}: ${p.message}` })));
    } catch (error) {
      if (!(error instanceof ArtifactParseError)) throw error;
      const entry = unparsable.get(error.file) ?? { reason: error.reason, facts: [] };
      entry.facts.push(fact.name);
      unparsable.set(error.file, entry);
    }
  }
  for (const [file, { reason, facts: blocked }] of unparsable) {
    problems.push({ path: file, message: `cannot be parsed (${reason}); not verified: ${blocked.join(', ')}` });
  }
  return problems;
}

/** An output check that also lists the facts it verifies, for the generated docs. */
export interface CompositeCheck extends OutputCheck {
  readonly facts: ReadonlyArray<{ readonly name: string; readonly description: string }>;
}

/** Cross-artifact consistency of the rendered files (see {@link CONSISTENCY_FACTS}). */
export const consistencyCheck: CompositeCheck = {
  name: 'cross-artifact-consistency',
  description:
    'Host files and manifests written by different renderers agree on the VIP, the control planes, the pod network, the ingress IP, the listeners behind it and the tunnel ports and target.',
  facts: CONSISTENCY_FACTS.map(({ name, description }) => ({ name, description })),
  run: (context: CheckContext) => checkConsistency(context.model, context.files),
};
