/**
 * The paths clients take into the ingress controller, followed through the rendered manifests the way the
 * cluster would: an address and port → a Service port → the container port of the pods it selects → the
 * listener there and whether it reads a PROXY protocol header. Two consistency facts use it:
 *
 * - `tunnel-target`: every frpc proxy dials the model's tunnel target, which resolves to a listener, and
 *   frpc's PROXY protocol setting matches what that listener does with it (a header it does not expect breaks
 *   every request; a header it does not honour loses the client IP).
 * - `lan-listeners`: the LoadBalancer ports on the ingress IP reach listeners that LAN clients (no PROXY
 *   header) can use, and none of them trusts PROXY headers; the tunnel's own listeners are not on it.
 *
 * Listener semantics read from the manifests: Traefik's static configuration (`--configFile` in a mounted
 * ConfigMap, `entryPoints.<name>.proxyProtocol`), ingress-nginx's controller ConfigMap (`use-proxy-protocol`).
 */
import { isIPv4 } from 'node:net';
import { load } from 'js-yaml';
import type { Problem } from '../../lib/model/problems';
import type { ClusterModel } from '../../lib/model/types';
import { at, configEntries, type Json, type ManifestObject } from './artifacts';
import type { Artifacts, ConsistencyFact } from './artifacts';
import { parseCidr } from '../../lib/model/ip';

/** What a listener does with PROXY protocol. */
export type ProxyMode =
  /** No PROXY protocol: a header would be read as a broken request. */
  | { readonly kind: 'off' }
  /** Traefik: header optional, honoured from these sources only. */
  | { readonly kind: 'trusted'; readonly trustedIPs: readonly string[] }
  /** ingress-nginx `use-proxy-protocol`: required on every connection, from anyone. */
  | { readonly kind: 'required' };

export interface Listener {
  /** `Service ns/name port N → Deployment ns/name container:port (entry point x)`. */
  readonly path: string;
  readonly service: ManifestObject;
  readonly containerPort: number;
  /** Traefik entry point name, when the controller is Traefik. */
  readonly entryPoint?: string;
  readonly proxy: ProxyMode;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const records = (v: unknown): Json[] => (Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as Json[]) : []);

/** The Service an address names: a LoadBalancer Service requesting the IP, or `<name>.<namespace>.svc[.domain]`. */
export function serviceAt(objects: readonly ManifestObject[], address: string): ManifestObject | undefined {
  const services = objects.filter((o) => o.kind === 'Service');
  if (isIPv4(address)) {
    return services.find(
      (s) =>
        at(s.body, 'spec.type') === 'LoadBalancer' &&
        lbIPs(s)
          .split(',')
          .map((x) => x.trim())
          .includes(address),
    );
  }
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\..+)?$/.exec(address);
  return m ? services.find((s) => s.name === m[1] && s.namespace === m[2]) : undefined;
}

function lbIPs(service: ManifestObject): string {
  const annotations = at(service.body, 'metadata.annotations');
  return annotations && typeof annotations === 'object' ? String((annotations as Json)['metallb.io/loadBalancerIPs'] ?? '') : '';
}

/** Follows Service port `port` to the listener behind it; a string is the reason it cannot be followed. */
export function listenerBehind(objects: readonly ManifestObject[], service: ManifestObject, port: number): Listener | string {
  const ref = `Service ${service.namespace}/${service.name}`;
  const sp = records(at(service.body, 'spec.ports')).find((p) => p.port === port);
  if (!sp) return `${ref} has no port ${port}`;
  const selector = at(service.body, 'spec.selector') as Json | undefined;
  if (!selector || !Object.keys(selector).length) return `${ref} selects no pods`;
  const workloads = objects.filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind) && o.namespace === service.namespace);
  for (const w of workloads) {
    const labels = (at(w.body, 'spec.template.metadata.labels') ?? {}) as Json;
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
    for (const c of records(at(w.body, 'spec.template.spec.containers'))) {
      const target = sp.targetPort ?? sp.port;
      const cp = records(c.ports).find((p) => (typeof target === 'string' ? p.name === target : p.containerPort === target));
      if (!cp || typeof cp.containerPort !== 'number') continue;
      const path = `${ref} port ${port} → ${w.kind} ${w.namespace}/${w.name} ${String(c.name)}:${cp.containerPort}`;
      const traefik = traefikEntryPoint(objects, w, c, cp.containerPort);
      if (traefik)
        return typeof traefik === 'string'
          ? `${path}: ${traefik}`
          : { path: `${path} (entry point ${traefik.name})`, service, containerPort: cp.containerPort, entryPoint: traefik.name, proxy: traefik.proxy };
      return { path, service, containerPort: cp.containerPort, proxy: nginxProxyMode(objects, w, c) };
    }
  }
  return `${ref} port ${port} (targetPort ${JSON.stringify(sp.targetPort ?? sp.port)}) reaches no container port of a workload it selects`;
}

/** The Traefik entry point listening on `port`, from the static configuration the container loads; undefined when not Traefik. */
function traefikEntryPoint(
  objects: readonly ManifestObject[],
  workload: ManifestObject,
  container: Json,
  port: number,
): { name: string; proxy: ProxyMode } | string | undefined {
  const args = Array.isArray(container.args) ? container.args.map(String) : [];
  const file = args.map((a) => /^--configFile=(.+)$/i.exec(a)?.[1]).find(Boolean);
  if (!file) return undefined;
  const dir = file.slice(0, file.lastIndexOf('/'));
  const key = file.slice(file.lastIndexOf('/') + 1);
  const mount = records(container.volumeMounts).find((m) => str(m.mountPath)?.replace(/\/$/, '') === dir);
  const volume = mount && records(at(workload.body, 'spec.template.spec.volumes')).find((v) => v.name === mount.name);
  const cmName = volume && str(at(volume, 'configMap.name'));
  const cm = cmName && objects.find((o) => o.kind === 'ConfigMap' && o.namespace === workload.namespace && o.name === cmName);
  const text = cm ? configEntries(cm).find(([k]) => k === key)?.[1] : undefined;
  if (text === undefined) return `the static configuration ${file} is not in a ConfigMap mounted by the pod`;
  const config = load(text) as Json;
  const entryPoints = (at(config, 'entryPoints') ?? {}) as Record<string, Json>;
  const found = Object.entries(entryPoints).find(([, e]) => new RegExp(`:${port}(/tcp)?$`).test(String(e.address ?? '')));
  if (!found) return `no entry point of ${file} listens on ${port}`;
  const [name, e] = found;
  const trusted = at(e, 'proxyProtocol.trustedIPs');
  if (at(e, 'proxyProtocol.insecure') === true) return { name, proxy: { kind: 'trusted', trustedIPs: ['0.0.0.0/0'] } };
  return { name, proxy: Array.isArray(trusted) && trusted.length ? { kind: 'trusted', trustedIPs: trusted.map(String) } : { kind: 'off' } };
}

/** ingress-nginx: `use-proxy-protocol` of the ConfigMap named by `--configmap`. */
function nginxProxyMode(objects: readonly ManifestObject[], workload: ManifestObject, container: Json): ProxyMode {
  const args = Array.isArray(container.args) ? container.args.map(String) : [];
  const ref = args.map((a) => /^--configmap=(?:[^/]+\/)?(.+)$/.exec(a)?.[1]).find(Boolean);
  const cm = ref && objects.find((o) => o.kind === 'ConfigMap' && o.namespace === workload.namespace && o.name === ref);
  const value = cm ? configEntries(cm).find(([k]) => k === 'use-proxy-protocol')?.[1] : undefined;
  return value === 'true' ? { kind: 'required' } : { kind: 'off' };
}

/** Whether every address of `cidr` is inside one of `trusted`. */
function covered(cidr: string, trusted: readonly string[]): boolean {
  const inner = parseCidr(cidr);
  if (!inner) return false;
  return trusted.some((t) => {
    const outer = parseCidr(t.includes('/') ? t : `${t}/32`);
    return !!outer && outer.first <= inner.first && inner.last <= outer.last;
  });
}

export const tunnelTarget: ConsistencyFact = {
  name: 'tunnel-target',
  description:
    "Every frpc proxy dials the model's tunnel target (`localIP`), which resolves to a Service port and a controller listener; when frpc sends PROXY protocol that listener honours it from the pod CIDR (frpc's address), and when it does not, the listener does not require it.",
  run(model: ClusterModel, a: Artifacts): Problem[] {
    const t = model.tunnel;
    if (!t) return [];
    const problems: Problem[] = [];
    const objects = a.manifests();
    // Without the controller's Services in this file set there is nothing to follow the proxies to.
    const controllerRendered = objects.some((o) => o.kind === 'Service' && o.namespace === model.ingress.namespace);
    for (const { file, where, config } of a.frpcConfigs()) {
      for (const p of records(config.proxies)) {
        const name = JSON.stringify(p.name);
        const localIP = str(p.localIP) ?? '127.0.0.1';
        const localPort = Number(p.localPort);
        if (localIP !== t.targetAddress)
          problems.push({ path: file, message: `${where}: proxy ${name} localIP ${JSON.stringify(localIP)} is not the tunnel target ${t.targetAddress}` });
        if (!controllerRendered) continue;
        const service = serviceAt(objects, localIP);
        if (!service) {
          problems.push({ path: file, message: `${where}: proxy ${name} dials ${localIP}, which no rendered Service answers` });
          continue;
        }
        const listener = listenerBehind(objects, service, localPort);
        if (typeof listener === 'string') {
          problems.push({ path: file, message: `${where}: proxy ${name} → ${listener}` });
          continue;
        }
        const sends = str(at(p, 'transport.proxyProtocolVersion')) !== undefined;
        const mode = listener.proxy;
        if (sends && mode.kind === 'off')
          problems.push({
            path: file,
            message: `${where}: proxy ${name} sends PROXY protocol, but ${listener.path} does not read it: every forwarded request fails`,
          });
        if (sends && mode.kind === 'trusted' && !covered(model.kubernetes.podCidr, mode.trustedIPs)) {
          problems.push({
            path: file,
            message: `${where}: proxy ${name} sends PROXY protocol from a pod address, but ${listener.path} trusts only [${mode.trustedIPs.join(', ')}], not the pod CIDR ${model.kubernetes.podCidr}: client IPs are lost`,
          });
        }
        if (!sends && mode.kind === 'required')
          problems.push({
            path: file,
            message: `${where}: proxy ${name} sends no PROXY protocol, but ${listener.path} requires it: every forwarded request fails`,
          });
      }
    }
    return problems;
  },
};

export const lanListeners: ConsistencyFact = {
  name: 'lan-listeners',
  description:
    'The ingress LoadBalancer Service on the ingress IP reaches, on every port, a controller listener that LAN clients (which send no PROXY header) can use and that trusts no PROXY header; tunnel listeners are not on it. ingress-nginx with `tunnel.proxyProtocol` is the documented exception (synth warns).',
  run(model: ClusterModel, a: Artifacts): Problem[] {
    const objects = a.manifests();
    const service = serviceAt(objects, model.ingress.loadBalancerIP);
    if (!service) return [];
    const problems: Problem[] = [];
    const exempt = model.ingress.controller === 'ingress-nginx' && model.tunnel?.proxyProtocol === true;
    for (const p of records(at(service.body, 'spec.ports'))) {
      const listener = listenerBehind(objects, service, Number(p.port));
      if (typeof listener === 'string') {
        problems.push({ path: service.file, message: listener });
        continue;
      }
      if (exempt) continue;
      if (listener.proxy.kind === 'required')
        problems.push({ path: service.file, message: `${listener.path} requires PROXY protocol: LAN clients on ${model.ingress.loadBalancerIP} get errors` });
      if (listener.proxy.kind === 'trusted')
        problems.push({
          path: service.file,
          message: `${listener.path} trusts PROXY headers from [${listener.proxy.trustedIPs.join(', ')}] on the LAN listener; only the tunnel's listeners may`,
        });
    }
    return problems;
  },
};
