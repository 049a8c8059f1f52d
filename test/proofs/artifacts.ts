/**
 * Readers for the rendered file set, used by the consistency check: they parse what other stages wrote
 * (manifests with js-yaml, frp configs with smol-toml, keepalived and HAProxy with small tokenizers) and
 * never assume more structure than those formats guarantee. Missing files are not errors here; a reader
 * returns undefined and the caller decides.
 */
import { parse as parseToml } from 'smol-toml';
import type { RenderedFile } from '../../lib/output/files';
import type { ClusterModel } from '../../lib/model/types';
import type { Problem } from '../../lib/model/problems';
import { compareCodePoints } from '../../lib/compare';
import * as yaml from 'js-yaml';

/** A parsed Kubernetes object from a manifest file, with where it came from. */
export interface ManifestObject {
  readonly file: string;
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly namespace?: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** A parsed YAML/JSON/TOML mapping. */
export type Json = Readonly<Record<string, unknown>>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value at a dotted path inside parsed YAML/JSON/TOML, or undefined. */
export function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Manifests are the YAML files at the top of the output directory (what `kubectl apply -f dist` reads). */
function isManifestPath(path: string): boolean {
  return !path.includes('/') && /\.ya?ml$/.test(path);
}

/** Parses every YAML document of a file; throws with the file name on a syntax error. */
export function loadYamlDocuments(file: RenderedFile): unknown[] {
  try {
    return (file.documents ?? yaml.loadAll(file.content, undefined, { filename: file.path })).filter((d) => d !== null && d !== undefined);
  } catch (error) {
    throw new ArtifactParseError(file.path, (error as Error).message.split('\n')[0]);
  }
}

/** Thrown by readers when a file cannot be parsed; the check turns it into a problem. */
export class ArtifactParseError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'ArtifactParseError';
  }
}

/** Every Kubernetes object in the manifest files (`List` kinds are flattened). */
export function manifestObjects(files: readonly RenderedFile[]): ManifestObject[] {
  const out: ManifestObject[] = [];
  const add = (file: string, doc: unknown) => {
    if (!isRecord(doc) || typeof doc.kind !== 'string') return;
    if (doc.kind.endsWith('List') && Array.isArray(doc.items)) {
      for (const item of doc.items) add(file, item);
      return;
    }
    const metadata = isRecord(doc.metadata) ? doc.metadata : {};
    out.push({
      file,
      kind: doc.kind,
      apiVersion: String(doc.apiVersion ?? ''),
      name: String(metadata.name ?? ''),
      namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
      body: doc,
    });
  };
  for (const file of files.filter((f) => isManifestPath(f.path))) {
    for (const doc of loadYamlDocuments(file)) add(file.path, doc);
  }
  return out;
}

/** String values of a ConfigMap (`data`) or Secret (`stringData`, base64 `data`), by key. */
export function configEntries(object: ManifestObject): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  const data = at(object.body, 'data');
  if (object.kind === 'ConfigMap' && isRecord(data)) {
    for (const [k, v] of Object.entries(data)) if (typeof v === 'string') entries.push([k, v]);
  }
  if (object.kind === 'Secret') {
    const stringData = at(object.body, 'stringData');
    if (isRecord(stringData)) for (const [k, v] of Object.entries(stringData)) if (typeof v === 'string') entries.push([k, v]);
    if (isRecord(data)) for (const [k, v] of Object.entries(data)) if (typeof v === 'string') entries.push([k, Buffer.from(v, 'base64').toString('utf8')]);
  }
  return entries;
}

/** Parses TOML, or returns undefined when the text is not TOML. */
export function tryParseToml(text: string): Json | undefined {
  try {
    return parseToml(text) as Json;
  } catch {
    return undefined;
  }
}

/** Parses TOML from a file; throws {@link ArtifactParseError}. */
export function parseTomlFile(file: RenderedFile): Json {
  try {
    return parseToml(file.content) as Json;
  } catch (error) {
    throw new ArtifactParseError(file.path, (error as Error).message.split('\n')[0]);
  }
}

// ---------------------------------------------------------------- keepalived

/** The parts of a keepalived `vrrp_instance` the consistency check compares. */
export interface KeepalivedInstance {
  readonly name: string;
  readonly state?: string;
  readonly priority?: number;
  readonly virtualRouterId?: number;
  readonly interface?: string;
  /** Addresses without prefix length or options (`192.168.100.230/24 dev eth0` → `192.168.100.230`). */
  readonly virtualIpAddresses: readonly string[];
  readonly unicastSrcIp?: string;
  readonly unicastPeers: readonly string[];
}

const IPV4_TOKEN = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

/** Splits keepalived.conf into tokens; `#` and `!` start comments, braces are tokens of their own. */
function keepalivedTokens(text: string): string[][] {
  return text
    .split('\n')
    .map((line) =>
      line
        .replace(/[#!].*$/, '')
        .replace(/([{}])/g, ' $1 ')
        .trim(),
    )
    .filter(Boolean)
    .map((line) => line.split(/\s+/));
}

/** The `vrrp_instance` blocks of a keepalived.conf. */
export function parseKeepalived(text: string): KeepalivedInstance[] {
  const lines = keepalivedTokens(text);
  const instances: KeepalivedInstance[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i][0] !== 'vrrp_instance') continue;
    const name = lines[i][1] ?? '';
    let depth = lines[i].filter((t) => t === '{').length - lines[i].filter((t) => t === '}').length;
    const fields: Record<string, string> = {};
    const blocks: Record<string, string[]> = {};
    let block: string | undefined;
    for (i++; i < lines.length && depth > 0; i++) {
      const tokens = lines[i];
      const opens = tokens.filter((t) => t === '{').length;
      const closes = tokens.filter((t) => t === '}').length;
      const words = tokens.filter((t) => t !== '{' && t !== '}');
      if (depth === 1 && opens > 0 && words.length) {
        // `name {` opens a block; `name { a b }` is a whole block on one line
        block = words[0];
        const inline = tokens.slice(tokens.indexOf('{') + 1, tokens.lastIndexOf('}') > tokens.indexOf('{') ? tokens.lastIndexOf('}') : undefined);
        const addresses = inline.filter((t) => IPV4_TOKEN.test(t));
        blocks[block] = [...(blocks[block] ?? []), ...(addresses.length ? addresses : inline.slice(0, 1))];
      } else if (depth === 2 && block && words.length) {
        blocks[block].push(words[0]);
      } else if (depth === 1 && words.length >= 2) {
        fields[words[0]] = words[1];
      }
      depth += opens - closes;
      if (depth <= 1) block = undefined;
    }
    i--;
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    instances.push({
      name,
      state: fields.state,
      priority: num(fields.priority),
      virtualRouterId: num(fields.virtual_router_id),
      interface: fields.interface,
      virtualIpAddresses: (blocks.virtual_ipaddress ?? []).map((a) => a.split('/')[0]),
      unicastSrcIp: fields.unicast_src_ip,
      unicastPeers: blocks.unicast_peer ?? [],
    });
  }
  return instances;
}

// ---------------------------------------------------------------- HAProxy

/** One section of haproxy.cfg (`frontend api`, `backend api`, `listen stats`, …). */
export interface HaproxySection {
  /** `global`, `defaults`, `frontend`, `backend`, `listen`, `userlist`, … */
  readonly type: string;
  readonly name: string;
  /** Keyword lines, tokenized, comments removed. */
  readonly lines: readonly (readonly string[])[];
}

const HAPROXY_SECTIONS = new Set([
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'userlist',
  'peers',
  'resolvers',
  'mailers',
  'program',
  'http-errors',
  'ring',
  'cache',
]);

/** Splits haproxy.cfg into sections (a section keyword starts a line; everything until the next one belongs to it). */
export function parseHaproxy(text: string): HaproxySection[] {
  const sections: Array<{ type: string; name: string; lines: string[][] }> = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const tokens = line.split(/\s+/);
    if (HAPROXY_SECTIONS.has(tokens[0])) sections.push({ type: tokens[0], name: tokens[1] ?? '', lines: [] });
    else sections[sections.length - 1]?.lines.push(tokens);
  }
  return sections;
}

/** `[address, port]` of a HAProxy `bind` or `server` address such as `*:6443`, `:8404`, `192.168.100.230:6443`. */
export function splitHostPort(text: string): [string, number | undefined] {
  const index = text.lastIndexOf(':');
  if (index < 0) return [text, undefined];
  const port = Number(text.slice(index + 1));
  return [text.slice(0, index), Number.isInteger(port) ? port : undefined];
}

/** A frontend or listen section bound to a port, with the servers behind it. */
export interface HaproxyProxy {
  /** Frontend or listen section holding the bind. */
  readonly section: HaproxySection;
  /** Bind addresses (`*`, ``, `0.0.0.0`, or an IP) on the port. */
  readonly bindAddresses: readonly string[];
  /** `server` lines of the listen section or of the frontend's default_backend: `[name, address, port]`. */
  readonly servers: ReadonlyArray<readonly [string, string, number | undefined]>;
  /** Name of the backend the servers came from (a `listen` section is its own backend). */
  readonly backend?: string;
}

/** The frontend/listen sections that bind `port`, with the servers they send traffic to. */
export function haproxyProxiesOnPort(sections: readonly HaproxySection[], port: number): HaproxyProxy[] {
  const servers = (s: HaproxySection) => s.lines.filter((l) => l[0] === 'server' && l.length >= 3).map((l) => [l[1], ...splitHostPort(l[2])] as const);
  const proxies: HaproxyProxy[] = [];
  for (const section of sections.filter((s) => s.type === 'frontend' || s.type === 'listen')) {
    const binds = section.lines
      .filter((l) => l[0] === 'bind')
      .flatMap((l) => l[1].split(','))
      .map(splitHostPort);
    const matching = binds.filter(([, p]) => p === port).map(([a]) => a);
    if (!matching.length) continue;
    if (section.type === 'listen') {
      proxies.push({ section, bindAddresses: matching, servers: servers(section), backend: section.name });
      continue;
    }
    const backendName = section.lines.find((l) => l[0] === 'default_backend')?.[1] ?? section.lines.find((l) => l[0] === 'use_backend')?.[1];
    const backend = sections.find((s) => s.type === 'backend' && s.name === backendName);
    proxies.push({ section, bindAddresses: matching, servers: backend ? servers(backend) : [], backend: backendName });
  }
  return proxies;
}

/** Whether a bind address accepts connections on every local address. */
export function isWildcardBind(address: string): boolean {
  return address === '' || address === '*' || address === '0.0.0.0' || address === '::' || address === '[::]';
}

/** One verified fact: a name and a sentence for the docs, and the comparison. */
export interface ConsistencyFact {
  readonly name: string;
  readonly description: string;
  run(model: ClusterModel, artifacts: Artifacts): Problem[];
}

/** The rendered file set with lazily parsed views; parse failures surface as {@link ArtifactParseError}. */
export class Artifacts {
  private readonly byPath: ReadonlyMap<string, RenderedFile>;
  private objects?: ManifestObject[];
  private kubeadm?: Array<{ file: string; doc: Json }>;
  private frpc?: FrpcConfig[];

  constructor(files: readonly RenderedFile[]) {
    this.byPath = new Map(files.map((f) => [f.path, f]));
  }

  file(path: string): RenderedFile | undefined {
    return this.byPath.get(path);
  }

  /** `hosts/<host>/<name>`. */
  hostFile(host: string, name: string): RenderedFile | undefined {
    return this.byPath.get(`hosts/${host}/${name}`);
  }

  /** Every object in the top-level manifest files. */
  manifests(): ManifestObject[] {
    this.objects ??= manifestObjects([...this.byPath.values()]);
    return this.objects;
  }

  /** kubeadm documents (`apiVersion: kubeadm.k8s.io/*`) in host YAML files, with their file. */
  kubeadmDocuments(): Array<{ file: string; doc: Json }> {
    this.kubeadm ??= [...this.byPath.values()]
      .filter((f) => /^hosts\/[^/]+\/[^/]+\.ya?ml$/.test(f.path))
      .sort((a, b) => compareCodePoints(a.path, b.path))
      .flatMap((file) =>
        loadYamlDocuments(file)
          .filter((doc) => String(at(doc, 'apiVersion') ?? '').startsWith('kubeadm.k8s.io/'))
          .map((doc) => ({ file: file.path, doc: doc as Json })),
      );
    return this.kubeadm;
  }

  /** frpc configurations: TOML in a ConfigMap or Secret with `serverAddr` or `[[proxies]]`. */
  frpcConfigs(): FrpcConfig[] {
    this.frpc ??= this.manifests().flatMap((o) =>
      configEntries(o).flatMap(([key, text]) => {
        const config = tryParseToml(text);
        return config && ('serverAddr' in config || Array.isArray(config.proxies))
          ? [{ file: o.file, where: `${o.file}: ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} ${key}`, config }]
          : [];
      }),
    );
    return this.frpc;
  }
}

/** An frpc.toml found in a manifest: the file, a readable location, the parsed TOML. */
export interface FrpcConfig {
  readonly file: string;
  readonly where: string;
  readonly config: Json;
}
