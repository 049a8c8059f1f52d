/**
 * The HAProxy stats pages from the Internet: only through an HTTPS Ingress with a cert-manager certificate in
 * front of the balancers' stats ports (HAProxy's own basic auth stays); never a plain forwarded port. The
 * ingress controller may reach exactly the balancers' stats port.
 */
import { describe, expect, it } from 'vitest';
import { buildClusterApp } from '../../lib/app/cluster-app';
import { synthChartObjects } from '../../lib/output/manifests';
import { fileOf, reference, variant } from '../hosts/fixtures';

const objectsOf = (m: ReturnType<typeof reference>) => synthChartObjects(buildClusterApp(m)).flatMap((c) => c.objects) as any[];

describe('HAProxy stats published over TLS', () => {
  const ref = reference();
  const objects = objectsOf(ref);
  const balancerIps = ref.apiServer.balancers.map((b) => b.host.ip).sort();
  const host = ref.apiServer.stats.publicHost!;

  it('routes https://<publicHost><path> to the balancers\' stats port, TLS from the production issuer, HTTP redirected', () => {
    const ingress = objects.find((o) => o.kind === 'Ingress' && o.metadata.name === 'haproxy-stats');
    expect(ingress.metadata.namespace).toBe(ref.ingress.namespace);
    expect(ingress.metadata.annotations).toMatchObject({ 'cert-manager.io/cluster-issuer': 'letsencrypt-production', 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' });
    expect(ingress.spec.ingressClassName).toBe(ref.ingress.className);
    expect(ingress.spec.tls).toEqual([{ hosts: [host], secretName: 'haproxy-stats-tls' }]);
    expect(ingress.spec.rules).toEqual([
      { host, http: { paths: [{ path: ref.apiServer.stats.path, pathType: 'Prefix', backend: { service: { name: 'haproxy-stats', port: { name: 'http' } } } }] } },
    ]);
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'haproxy-stats');
    expect(service.spec.selector).toBeUndefined();
    expect(service.spec.ports).toEqual([{ name: 'http', port: ref.apiServer.stats.port, targetPort: ref.apiServer.stats.port, protocol: 'TCP' }]);
    const slice = objects.find((o) => o.kind === 'EndpointSlice' && o.metadata.name === 'haproxy-stats');
    expect(slice.metadata.labels['kubernetes.io/service-name']).toBe('haproxy-stats');
    expect(slice.endpoints.flatMap((e: any) => e.addresses).sort()).toEqual(balancerIps);
    expect(slice.ports).toEqual([{ name: 'http', port: ref.apiServer.stats.port, protocol: 'TCP' }]);
  });

  it('lets only the ingress controller pods reach the balancers, on the stats port only', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.spec.egress?.some((r: any) => r.ports?.some((p: any) => p.port === ref.apiServer.stats.port)));
    expect(policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['ingress-nginx/ingress-to-haproxy-stats']);
    const rule = policies[0].spec.egress[0];
    expect(rule.to.map((t: any) => t.ipBlock.cidr).sort()).toEqual(balancerIps.map((ip) => `${ip}/32`));
    expect(rule.ports).toEqual([{ port: ref.apiServer.stats.port, protocol: 'TCP' }]);
    expect(policies[0].spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe('controller');
  });

  it('is never a plain port on the VPS: neither frps nor its firewall carry the stats port', () => {
    expect(fileOf(ref, 'hosts/vps/frps.toml').content).not.toMatch(new RegExp(`\\b${ref.apiServer.stats.port}\\b`));
    expect(fileOf(ref, 'hosts/vps/firewall-ports.txt').content).not.toMatch(new RegExp(`^${ref.apiServer.stats.port}/`, 'm'));
    expect(() => variant((d) => d.tunnel.forwardedPorts.push({ name: 'stats', remotePort: 8404 }))).toThrow(/not a port the ingress controller serves/);
  });

  it('needs acme, and emits nothing without publicHost', () => {
    expect(() => variant((d) => delete d.acme)).toThrow(/apiServer\.stats\.publicHost: "haproxy\.my-homelab\.net" needs acme/);
    const lan = objectsOf(variant((d) => delete d.apiServer.stats.publicHost));
    expect(lan.filter((o) => o.metadata.name === 'haproxy-stats' || /haproxy-stats/.test(o.metadata.name))).toEqual([]);
  });
});
