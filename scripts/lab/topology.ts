/**
 * What the lab builds, read from a rendered directory itself (never re-rendered from a description), so a
 * hand-edited render is tested as it is:
 * - balancers: every `hosts/<host>/` with a `keepalived.conf` (vrrp_instance priority, state, interface,
 *   unicast_src_ip, virtual_ipaddress, vrrp_script path, include) and a `haproxy.cfg`;
 * - control planes: kubeadm `InitConfiguration.localAPIEndpoint` / `JoinConfiguration.controlPlane.localAPIEndpoint`
 *   (the address and port the real kube-apiserver binds); without kubeadm files, HAProxy's backend servers;
 * - the API endpoint: kubeadm `controlPlaneEndpoint`; without kubeadm files, the VIP and frontend port of the
 *   highest-priority balancer.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';

/** One line of a keepalived config: its words and, for a block, the lines inside. */
export interface KaNode {
  readonly words: string[];
  readonly children?: KaNode[];
}

/** keepalived's syntax: one statement per line, `{` opens a block (possibly on the same line), `#`/`!` comments. */
export function parseKeepalived(text: string): KaNode[] {
  const root: KaNode[] = [];
  const stack: KaNode[][] = [root];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s[#!].*$/, '').replace(/^\s*[#!].*$/, '');
    const tokens = line.match(/"[^"]*"|[{}]|[^\s{}"]+/g) ?? [];
    let words: string[] = [];
    const flush = (children?: KaNode[]) => {
      if (words.length || children) stack[stack.length - 1].push(children ? { words, children } : { words });
      words = [];
    };
    for (const t of tokens) {
      if (t === '{') {
        const children: KaNode[] = [];
        flush(children);
        stack.push(children);
      } else if (t === '}') {
        flush();
        if (stack.length > 1) stack.pop();
      } else words.push(t.startsWith('"') ? t.slice(1, -1) : t);
    }
    flush();
  }
  return root;
}

/** haproxy.cfg: section header lines at column 0, keyword lines indented. */
export function parseHaproxy(text: string): { readonly header: string[]; readonly lines: string[][] }[] {
  const sections: { header: string[]; lines: string[][] }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    if (!line.trim()) continue;
    const words = line.trim().split(/\s+/);
    if (!/^\s/.test(line)) sections.push({ header: words, lines: [] });
    else sections[sections.length - 1]?.lines.push(words);
  }
  return sections;
}

export interface LabBalancer {
  readonly name: string;
  readonly dir: string;
  readonly address: string;
  readonly interface: string;
  readonly priority: number;
  readonly state: string;
  readonly preempt: boolean;
  /** `address/prefix` entries of virtual_ipaddress. */
  readonly vips: readonly string[];
  /** Paths as written in the rendered file. */
  readonly checkScriptPaths: readonly string[];
  readonly includes: readonly string[];
  /** What the check script and VRRP timing are (for deadlines). */
  readonly checkInterval: number;
  readonly checkFall: number;
  readonly checkRise: number;
  readonly advertInt: number;
  readonly haproxyFrontendPorts: readonly number[];
  readonly haproxyServers: readonly { readonly name: string; readonly address: string; readonly port: number }[];
  /** HAProxy `default-server inter` (s), `fall`, `rise` of the API backend. */
  readonly haproxyInter: number;
  readonly haproxyFall: number;
  readonly haproxyRise: number;
  /** Environment variables haproxy.cfg expands (`"${NAME}"`). */
  readonly haproxyEnv: readonly string[];
  /** `listen stats`: bind address ('' or `*` for every address), port and URI, when there is one. */
  readonly stats?: { readonly address: string; readonly port: number; readonly uri: string; readonly authEnv?: readonly [string, string] };
}

export interface LabControlPlane {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** Where the control plane was found. */
  readonly source: string;
}

export interface LabTopology {
  readonly dir: string;
  readonly vip: string;
  readonly prefixLength: number;
  readonly port: number;
  readonly endpointSource: string;
  /** Highest priority first. */
  readonly balancers: readonly LabBalancer[];
  readonly controlPlanes: readonly LabControlPlane[];
  /** Docs of the render (dist/docs/architecture.md), when present: what they say about preemption. */
  readonly docsPreempt: boolean | undefined;
}

export class TopologyError extends Error {}

const find = (nodes: readonly KaNode[] | undefined, key: string) => (nodes ?? []).filter((n) => n.words[0] === key);
const first = (nodes: readonly KaNode[] | undefined, key: string): KaNode | undefined => find(nodes, key)[0];

function seconds(v: string | undefined, fallback: number): number {
  if (!v) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v);
  if (!m) return fallback;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000; // haproxy: bare numbers are ms
}

function splitHostPort(s: string): [string, number] {
  const i = s.lastIndexOf(':');
  return [s.slice(0, i), Number(s.slice(i + 1))];
}

function readBalancer(hostsDir: string, name: string): LabBalancer {
  const dir = join(hostsDir, name);
  const where = `hosts/${name}/keepalived.conf`;
  const ka = parseKeepalived(readFileSync(join(dir, 'keepalived.conf'), 'utf8'));
  const instances = find(ka, 'vrrp_instance');
  if (instances.length !== 1) throw new TopologyError(`${where}: expected one vrrp_instance, found ${instances.length}`);
  const inst = instances[0].children ?? [];
  const word = (key: string) => first(inst, key)?.words[1];
  const iface = word('interface');
  if (!iface) throw new TopologyError(`${where}: vrrp_instance has no interface`);
  const vips = (first(inst, 'virtual_ipaddress')?.children ?? []).map((n) => n.words[0]);
  const scripts = find(ka, 'vrrp_script');
  const scriptWord = (key: string) => scripts.map((s) => first(s.children, key)?.words[1]).find((v) => v !== undefined);
  const cfgPath = join(dir, 'haproxy.cfg');
  if (!existsSync(cfgPath)) throw new TopologyError(`hosts/${name}: keepalived.conf without haproxy.cfg`);
  const cfgText = readFileSync(cfgPath, 'utf8');
  const cfg = parseHaproxy(cfgText);
  const frontendPorts = cfg
    .filter((s) => s.header[0] === 'frontend' || (s.header[0] === 'listen' && s.lines.some((l) => l[0] === 'server')))
    .flatMap((s) => s.lines.filter((l) => l[0] === 'bind').map((l) => splitHostPort(l[1].split(',')[0])[1]));
  const backends = cfg.filter((s) => s.header[0] === 'backend' || s.header[0] === 'listen');
  const servers = backends.flatMap((s) =>
    s.lines
      .filter((l) => l[0] === 'server')
      .map((l) => {
        const [address, port] = splitHostPort(l[2]);
        return { name: l[1], address, port };
      }),
  );
  const defaults = backends.flatMap((s) => s.lines.filter((l) => l[0] === 'default-server'))[0] ?? [];
  const opt = (k: string) => {
    const i = defaults.indexOf(k);
    return i > 0 ? defaults[i + 1] : undefined;
  };
  // The balancer's own address: the VRRP source, else its stats bind address, else its netplan.
  let address: string | undefined = word('unicast_src_ip');
  if (!address) {
    const stats = cfg.find((s) => s.header[0] === 'listen' && s.header[1] === 'stats');
    const bind = stats?.lines.find((l) => l[0] === 'bind')?.[1];
    if (bind && splitHostPort(bind)[0] && splitHostPort(bind)[0] !== '*') address = splitHostPort(bind)[0];
  }
  if (!address && existsSync(join(dir, 'network-config'))) {
    const nc = yaml.load(readFileSync(join(dir, 'network-config'), 'utf8')) as { ethernets?: Record<string, { addresses?: string[] }> } | undefined;
    address = nc?.ethernets?.[iface]?.addresses?.[0]?.split('/')[0];
  }
  if (!address) throw new TopologyError(`hosts/${name}: cannot tell the balancer's address (no unicast_src_ip, stats bind address or network-config)`);
  const priority = Number(word('priority') ?? 100);
  const statsSection = cfg.find((s) => s.header[0] === 'listen' && s.header[1] === 'stats');
  const statsBind = statsSection?.lines.find((l) => l[0] === 'bind')?.[1];
  const statsUri = statsSection?.lines.find((l) => l[0] === 'stats' && l[1] === 'uri')?.[2];
  const auth = statsSection?.lines
    .find((l) => l[0] === 'stats' && l[1] === 'auth')
    ?.slice(2)
    .join(' ');
  const authMatch = auth ? /^"\$\{(\w+)\}:\$\{(\w+)\}"$/.exec(auth) : null;
  const stats =
    statsBind && statsUri
      ? {
          address: splitHostPort(statsBind)[0],
          port: splitHostPort(statsBind)[1],
          uri: statsUri,
          authEnv: authMatch ? ([authMatch[1], authMatch[2]] as const) : undefined,
        }
      : undefined;
  return {
    stats,
    name,
    dir,
    address,
    interface: iface,
    priority,
    state: word('state') ?? 'BACKUP',
    preempt: !first(inst, 'nopreempt'),
    vips,
    checkScriptPaths: scripts.map((s) => first(s.children, 'script')?.words[1]).filter((p): p is string => !!p),
    includes: [...find(ka, 'include'), ...find(inst, 'include')].map((n) => n.words[1]),
    checkInterval: Number(scriptWord('interval') ?? 1),
    checkFall: Number(scriptWord('fall') ?? 1),
    checkRise: Number(scriptWord('rise') ?? 1),
    advertInt: Number(word('advert_int') ?? 1),
    haproxyFrontendPorts: frontendPorts,
    haproxyServers: servers,
    haproxyInter: seconds(opt('inter'), 2),
    haproxyFall: Number(opt('fall') ?? 3),
    haproxyRise: Number(opt('rise') ?? 2),
    haproxyEnv: [...new Set([...cfgText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]))].sort(),
  };
}

type Doc = Record<string, unknown>;
const get = (doc: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Doc)[k] : undefined), doc);

export function readTopology(dir: string): LabTopology {
  const hostsDir = join(dir, 'hosts');
  if (!existsSync(hostsDir) || !statSync(hostsDir).isDirectory())
    throw new TopologyError(`${dir}: no hosts/ directory; give --dir a rendered directory (dist/)`);
  const hosts = readdirSync(hostsDir)
    .filter((h) => statSync(join(hostsDir, h)).isDirectory())
    .sort();
  const balancers = hosts
    .filter((h) => existsSync(join(hostsDir, h, 'keepalived.conf')))
    .map((h) => readBalancer(hostsDir, h))
    .sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : 1));
  if (!balancers.length) throw new TopologyError(`${dir}: no hosts/*/keepalived.conf, so no balancer to test`);

  let endpoint: string | undefined;
  const controlPlanes: LabControlPlane[] = [];
  for (const h of hosts) {
    for (const file of ['kubeadm-init.yaml', 'kubeadm-join.yaml']) {
      const path = join(hostsDir, h, file);
      if (!existsSync(path)) continue;
      // Join templates hold ${VARS} inside quotes: still YAML.
      const docs = yaml.loadAll(readFileSync(path, 'utf8')).filter((d): d is Doc => !!d && typeof d === 'object');
      for (const d of docs) {
        endpoint ??= (get(d, 'controlPlaneEndpoint') as string | undefined) ?? (get(d, 'discovery.bootstrapToken.apiServerEndpoint') as string | undefined);
        const local =
          d.kind === 'InitConfiguration' ? get(d, 'localAPIEndpoint') : d.kind === 'JoinConfiguration' ? get(d, 'controlPlane.localAPIEndpoint') : undefined;
        if (local && typeof local === 'object') {
          const l = local as Doc;
          const name = (get(d, 'nodeRegistration.name') as string | undefined) ?? h;
          controlPlanes.push({ name, address: String(l.advertiseAddress), port: Number(l.bindPort ?? 6443), source: `hosts/${h}/${file}` });
        }
      }
    }
  }
  if (!controlPlanes.length) {
    // No kubeadm files (a balancer-only directory): the union of HAProxy's servers.
    const seen = new Set<string>();
    for (const b of balancers)
      for (const s of b.haproxyServers)
        if (!seen.has(s.name)) {
          seen.add(s.name);
          controlPlanes.push({ name: s.name, address: s.address, port: s.port, source: `hosts/${b.name}/haproxy.cfg` });
        }
  }
  if (!controlPlanes.length) throw new TopologyError(`${dir}: no control plane found (no kubeadm file with a localAPIEndpoint, no HAProxy server)`);

  const top = balancers[0];
  const topVip = top.vips[0];
  if (!topVip) throw new TopologyError(`hosts/${top.name}/keepalived.conf: virtual_ipaddress is empty`);
  const [vipAddr, prefix] = topVip.split('/');
  let vip = vipAddr;
  let port = top.haproxyFrontendPorts[0];
  let endpointSource = `hosts/${top.name}/keepalived.conf and haproxy.cfg`;
  if (endpoint) {
    const [h, p] = splitHostPort(endpoint);
    vip = h;
    port = p;
    endpointSource = 'kubeadm controlPlaneEndpoint';
  }
  if (!port) throw new TopologyError(`hosts/${top.name}/haproxy.cfg: no frontend bind port`);

  let docsPreempt: boolean | undefined;
  const arch = join(dir, 'docs', 'architecture.md');
  if (existsSync(arch)) {
    const text = readFileSync(arch, 'utf8');
    if (/takes the VIP back/.test(text)) docsPreempt = true;
    else if (/keeps the VIP|does not take the VIP back/.test(text)) docsPreempt = false;
  }
  return {
    dir,
    vip,
    prefixLength: Number(prefix ?? 24),
    port,
    endpointSource,
    balancers,
    controlPlanes: controlPlanes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    docsPreempt,
  };
}
