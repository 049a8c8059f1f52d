/**
 * The ingress paths proven through the emitted configuration: with Traefik and `tunnel.proxyProtocol: true`,
 * PROXY protocol is trusted only on the tunnel entry points (reached through frpc's target, admitted to frpc's
 * pods only), while LAN clients reach plain listeners on the ingress IP. The consistency facts that follow these
 * paths fail when one artifact is tampered with.
 */
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Artifacts } from '../proofs/artifacts';
import { checkConsistency } from '../proofs/consistency';
import { listenerBehind, serviceAt, type Listener } from '../proofs/ingress-paths';
import { loadDescription } from '../../lib/model/load';
import type { ClusterModel } from '../../lib/model/types';
import type { RenderedFile } from '../../lib/output/files';
import { renderCluster } from '../../lib/render';
import { buildClusterApp } from '../../lib/app/cluster-app';
import { dataplaneOf } from '../../lib/app/flows';
import { flowProblems } from '../../lib/checks/flows';
import { Flows } from '../../lib/flows';

const traefik = loadDescription('test/fixtures/valid/reference-traefik.yaml');
const nginx = loadDescription('hostconfig/cluster.yaml');
const rendered = renderCluster(traefik);
const files = rendered.files;

function tamper(source: readonly RenderedFile[], from: string | RegExp, to: string): RenderedFile[] {
  const target = source.find((f) => !f.path.includes('/') && (typeof from === 'string' ? f.content.includes(from) : from.test(f.content)));
  if (!target) throw new Error(`tamper: ${String(from)} not found`);
  return source.map((f) => (f === target ? { ...f, content: f.content.replace(from, to) } : f));
}

const listener = (a: Artifacts, address: string, port: number): Listener => {
  const service = serviceAt(a.manifests(), address);
  expect(service, address).toBeDefined();
  const l = listenerBehind(a.manifests(), service!, port);
  if (typeof l === 'string') throw new Error(l);
  return l;
};

describe('Traefik with tunnel.proxyProtocol: the paths in the emitted config', () => {
  const a = new Artifacts(files);

  it('renders clean: no retirement warning, no "LAN clients break" warning, every check held (consistency: in tests, not synth)', () => {
    expect(rendered.warnings).toEqual([]);
    expect(rendered.checks).toEqual(['pod-security', 'network-policy', 'flows', 'rbac', 'image-platforms', 'secret-scan', 'kubernetes-schema']);
    const ns = rendered.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'traefik')!;
    expect((ns.metadata.labels as Record<string, string>)['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(rendered.objects.some((o) => o.metadata.namespace === 'ingress-nginx' || o.metadata.name === 'ingress-nginx-admission')).toBe(false);
    expect(checkConsistency(traefik, files)).toEqual([]);
  });

  it('LAN clients on the ingress IP reach plain entry points (no PROXY header expected or trusted)', () => {
    for (const [port, entryPoint] of [
      [80, 'web'],
      [443, 'websecure'],
    ] as const) {
      const l = listener(a, '192.168.100.240', port);
      expect(l.entryPoint).toBe(entryPoint);
      expect(l.proxy).toEqual({ kind: 'off' });
    }
  });

  it('frpc forwards to the tunnel entry points, which trust PROXY protocol from the pod CIDR only', () => {
    const [frpc] = a.frpcConfigs();
    const proxies = frpc.config.proxies as Array<Record<string, any>>;
    expect(proxies.map((p) => [p.localIP, p.localPort, p.transport?.proxyProtocolVersion])).toEqual([
      ['traefik-tunnel.traefik.svc', 80, 'v2'],
      ['traefik-tunnel.traefik.svc', 443, 'v2'],
    ]);
    for (const p of proxies) {
      const l = listener(a, p.localIP, p.localPort);
      expect(l.entryPoint).toMatch(/^tunnel-/);
      expect(l.service.body.spec).toMatchObject({ type: 'ClusterIP' });
      expect(l.proxy).toEqual({ kind: 'trusted', trustedIPs: ['10.244.0.0/16'] });
    }
  });

  it('only tunnel entry points have proxyProtocol, and none of them is on the LoadBalancer', () => {
    const cm = a.manifests().find((o) => o.kind === 'ConfigMap' && o.name === 'traefik-config')!;
    const entryPoints = (load((cm.body.data as Record<string, string>)['traefik.yml']) as any).entryPoints as Record<string, any>;
    const withProxy = Object.entries(entryPoints)
      .filter(([, e]) => e.proxyProtocol)
      .map(([name]) => name);
    expect(withProxy).toEqual(['tunnel-web', 'tunnel-websecure']);
    expect(Object.values(entryPoints).some((e) => e.proxyProtocol?.insecure)).toBe(false);
    const lb = serviceAt(a.manifests(), '192.168.100.240')!;
    expect((lb.body.spec as any).ports.map((p: any) => p.targetPort)).toEqual(['web', 'websecure']);
  });

  it('the docs follow the controller: port matrix, failure domains, architecture text and diagram', () => {
    const network = files.find((f) => f.path === 'docs/network.md')!.content;
    expect(network).toMatch(
      /\| ClusterIP Service \(namespace traefik\) \| traefik-tunnel\.traefik\.svc \| 80 \| TCP \| traefik tunnel entry point for http, PROXY protocol honoured from the pod CIDR 10\.244\.0\.0\/16 \| .* \| frpc pods only \|/,
    );
    expect(network).not.toContain('LAN clients; frpc for the Internet');
    const architecture = files.find((f) => f.path === 'docs/architecture.md')!.content;
    expect(architecture).toContain('only the tunnel entry points honour it');
    expect(architecture).not.toContain('LAN clients must send it too');
    expect(architecture).toContain('Internet users keep the apps: frpc reaches traefik through the ClusterIP Service traefik-tunnel.traefik.svc');
    expect(architecture).toMatch(/Service traefik-tunnel\.traefik\.svc<br\/>type ClusterIP/);
  });

  it("cert-manager's HTTP-01 solver uses the IngressClass Traefik serves", () => {
    const issuers = rendered.objects.filter((o) => o.kind === 'ClusterIssuer') as any[];
    expect(issuers.length).toBeGreaterThan(0);
    const cm = a.manifests().find((o) => o.kind === 'ConfigMap' && o.name === 'traefik-config')!;
    const provider = (load((cm.body.data as Record<string, string>)['traefik.yml']) as any).providers.kubernetesIngressNGINX;
    for (const issuer of issuers) {
      const cls = issuer.spec.acme.solvers[0].http01.ingress.ingressClassName;
      const ingressClass = rendered.objects.find((o) => o.kind === 'IngressClass' && o.metadata.name === cls) as any;
      expect(ingressClass?.spec.controller, issuer.metadata.name).toBe(provider.controllerClass);
      expect(cls).toBe(provider.ingressClass);
    }
  });

  describe('NetworkPolicies: who reaches which Traefik port', () => {
    const policies = rendered.objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'traefik') as any[];
    const traefikPod = rendered.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'traefik') as any;
    const podLabels: Record<string, string> = traefikPod.spec.template.metadata.labels;
    const namespaceLabels = (ns: string) => ({ 'kubernetes.io/metadata.name': ns });
    type Source = { ip: string } | { namespace: string; labels: Record<string, string> };
    const matches = (selector: any, labels: Record<string, string>) => Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const ipIn = (ip: string, cidr: string) => {
      const [base, bits] = cidr.split('/');
      const n = (x: string) => x.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
      const size = 2 ** (32 - Number(bits));
      return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
    };
    /** NetworkPolicy ingress semantics for the Traefik pods (selected by some policy, so default deny applies). */
    const admits = (source: Source, port: number) =>
      policies
        .filter((p) => p.spec.policyTypes.includes('Ingress') && matches(p.spec.podSelector, podLabels))
        .some((p) =>
          (p.spec.ingress ?? []).some((rule: any) => {
            const portOk = !rule.ports || rule.ports.some((rp: any) => rp.port === port);
            const fromOk =
              !rule.from ||
              rule.from.some((peer: any) =>
                'ip' in source
                  ? peer.ipBlock && ipIn(source.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e: string) => ipIn(source.ip, e))
                  : !peer.ipBlock &&
                    (!peer.namespaceSelector || matches(peer.namespaceSelector, namespaceLabels(source.namespace))) &&
                    (peer.namespaceSelector || source.namespace === 'traefik') &&
                    matches(peer.podSelector ?? {}, source.labels),
              );
            return portOk && fromOk;
          }),
        );
    const lanClient = { ip: '192.168.100.50' };
    const frpcPod = { namespace: 'frpc', labels: { 'app.kubernetes.io/name': 'frpc' } };
    const appPod = { namespace: 'apps', labels: { app: 'web' } };

    it('the default deny selects the Traefik pods', () => {
      expect(policies.some((p) => p.metadata.name === 'default-deny' && Object.keys(p.spec.podSelector).length === 0)).toBe(true);
    });

    it('LAN and Internet clients reach web and websecure', () => {
      expect(admits(lanClient, 8000)).toBe(true);
      expect(admits(lanClient, 8443)).toBe(true);
    });

    it('must deny: LAN clients and other pods never reach the tunnel entry points', () => {
      for (const port of [8001, 8444]) {
        expect(admits(lanClient, port), `LAN → ${port}`).toBe(false);
        expect(admits(appPod, port), `app pod → ${port}`).toBe(false);
        expect(admits({ ip: '10.244.3.7' }, port), `pod address → ${port}`).toBe(false);
      }
    });

    it('frpc pods reach the tunnel entry points', () => {
      expect(admits(frpcPod, 8001)).toBe(true);
      expect(admits(frpcPod, 8444)).toBe(true);
    });

    it('frpc may send to the tunnel entry points (egress)', () => {
      const egress = rendered.objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'frpc').flatMap((o: any) => o.spec.egress ?? []);
      const toTraefik = egress.filter((r: any) =>
        r.to.some((peer: any) => peer.namespaceSelector && matches(peer.namespaceSelector, namespaceLabels('traefik')) && matches(peer.podSelector, podLabels)),
      );
      expect(toTraefik.flatMap((r: any) => r.ports.map((p: any) => p.port))).toEqual([8001, 8444]);
    });
  });
});

describe('the ingress path facts fail on a tampered artifact', () => {
  const problems = (f: RenderedFile[], model: ClusterModel = traefik) => checkConsistency(model, f).map((p) => p.message);

  it('tunnel-target: frpc sends PROXY protocol to an entry point that does not read it', () => {
    const broken = tamper(files, /(tunnel-web:\n\s+address: ':8001\/tcp'\n)\s+proxyProtocol:\n\s+trustedIPs:\n\s+- 10\.244\.0\.0\/16\n/, '$1');
    expect(problems(broken)).toContainEqual(
      expect.stringMatching(/^tunnel-target: .*proxy "http" sends PROXY protocol, but .*entry point tunnel-web\) does not read it/),
    );
  });

  it('tunnel-target: the trusted list misses the pod CIDR (client IPs lost)', () => {
    const broken = tamper(files, /- 10\.244\.0\.0\/16/, '- 10.0.0.1/32');
    expect(problems(broken)).toContainEqual(expect.stringMatching(/^tunnel-target: .*trusts only \[10\.0\.0\.1\/32\], not the pod CIDR 10\.244\.0\.0\/16/));
  });

  it('tunnel-target: frpc dials a port or Service that leads nowhere', () => {
    expect(problems(tamper(files, 'localPort = 443', 'localPort = 8443'))).toContainEqual(
      expect.stringMatching(/^tunnel-target: .*proxy "https" → Service traefik\/traefik-tunnel has no port 8443/),
    );
    expect(problems(tamper(files, /targetPort: tunnel-websecure/, 'targetPort: tunnel-secure'))).toContainEqual(
      expect.stringMatching(/^tunnel-target: .*reaches no container port of a workload it selects/),
    );
    expect(problems(tamper(files, /localIP = "traefik-tunnel\.traefik\.svc"/, 'localIP = "traefik.traefik.svc"'))).toContainEqual(
      expect.stringMatching(/^tunnel-target: .*localIP "traefik\.traefik\.svc" is not the tunnel target traefik-tunnel\.traefik\.svc/),
    );
  });

  it('lan-listeners: PROXY protocol on a LAN entry point', () => {
    const broken = tamper(files, /(\n( +)web:\n\s+address: ':8000\/tcp'\n)/, '$1$2  proxyProtocol:\n$2    trustedIPs:\n$2      - 0.0.0.0/0\n');
    expect(problems(broken)).toContainEqual(
      expect.stringMatching(/^lan-listeners: Service traefik\/traefik port 80 → .*\(entry point web\) trusts PROXY headers from \[0\.0\.0\.0\/0\]/),
    );
  });

  it('ingress-nginx: the tunnel targets the LAN listeners; frpc without PROXY protocol against use-proxy-protocol fails', () => {
    const nginxFiles = renderCluster(nginx, { checks: [] }).files;
    const l = listener(new Artifacts(nginxFiles), '192.168.100.240', 80);
    expect(l.proxy).toEqual({ kind: 'off' });
    expect(checkConsistency(nginx, nginxFiles)).toEqual([]);
    const broken = tamper(nginxFiles, /use-proxy-protocol: "false"/, 'use-proxy-protocol: "true"');
    expect(problems(broken, nginx)).toContainEqual(expect.stringMatching(/^tunnel-target: .*proxy "http" sends no PROXY protocol, but .* requires it/));
    expect(problems(broken, nginx)).toContainEqual(
      expect.stringMatching(/^lan-listeners: .* requires PROXY protocol: LAN clients on 192\.168\.100\.240 get errors/),
    );
  });

  it('ingress-nginx with tunnel.proxyProtocol: the documented exception holds and keeps its warning', () => {
    const model = { ...nginx, tunnel: { ...nginx.tunnel!, proxyProtocol: true } } as ClusterModel;
    const result = renderCluster(model);
    expect(result.warnings.some((w) => w.includes('LAN clients (and pods) that connect to it directly get errors'))).toBe(true);
    const l = listener(new Artifacts(result.files), '192.168.100.240', 443);
    expect(l.proxy).toEqual({ kind: 'required' });
  });

  it('Traefik without tunnel.proxyProtocol: tunnel entry points stay plain, and frpc sending PROXY would be caught', () => {
    const model = { ...traefik, tunnel: { ...traefik.tunnel!, proxyProtocol: false } } as ClusterModel;
    const plain = renderCluster(model).files;
    expect(listener(new Artifacts(plain), 'traefik-tunnel.traefik.svc', 80).proxy).toEqual({ kind: 'off' });
    const broken = tamper(plain, /(\n( +)remotePort = 80\n)/, '$1$2[proxies.transport]\n$2proxyProtocolVersion = "v2"\n');
    expect(problems(broken, model)).toContainEqual(expect.stringMatching(/^tunnel-target: .*proxy "http" sends PROXY protocol, but .* does not read it/));
  });
});

describe('Traefik flows (flow catalogue)', () => {
  const catalogue = Flows.catalogue(buildClusterApp(traefik)).flows;
  const byId = (id: string) => catalogue.find((f) => f.id === id);

  it('declares LAN → web/websecure, frpc → tunnel Service, Traefik → API server, and the must-deny flows', () => {
    expect(byId('traefik-from-lan')).toMatchObject({ expect: 'allow', to: { kind: 'service', name: 'traefik', type: 'LoadBalancer' } });
    expect(byId('frpc-forward')).toMatchObject({ expect: 'allow', to: { kind: 'service', name: 'traefik-tunnel', type: 'ClusterIP' } });
    expect(byId('traefik-apiserver')).toMatchObject({ expect: 'allow', to: { kind: 'service', name: 'kubernetes' } });
    expect(byId('traefik-internal-from-lan')).toMatchObject({ expect: 'deny', from: { kind: 'lan' } });
    expect(byId('traefik-internal-from-lan')!.ports.map((p) => p.port)).toEqual([8080, 8001, 8444]);
    expect(byId('apps-to-tunnel-entry-points')).toMatchObject({ expect: 'deny' });
    expect(byId('apps-to-tunnel-entry-points')!.ports.map((p) => p.port)).toEqual([8001, 8444]);
  });

  it('the emitted NetworkPolicies prove every one of them, and dropping the frpc allow breaks the tunnel flow', () => {
    const dataplane = dataplaneOf(traefik);
    expect(flowProblems(catalogue, rendered.objects, dataplane)).toEqual([]);
    const withoutForward = rendered.objects.filter(
      (o) => !(o.kind === 'NetworkPolicy' && o.metadata.namespace === 'traefik' && o.metadata.name === 'frpc-forward'),
    );
    expect(withoutForward.length).toBe(rendered.objects.length - 1);
    expect(flowProblems(catalogue, withoutForward, dataplane).map((p) => `${p.path}: ${p.message}`)).toEqual([
      expect.stringMatching(/^flows: flow frpc-forward .* is required but .* blocked/),
    ]);
  });
});
