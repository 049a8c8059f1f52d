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
  // apiServer in hostconfig/cluster.yaml: balancers n100-004, nas-001, nas-002; stats on 8404 at /stats
  const balancerIps = ['192.168.100.171', '192.168.100.172', '192.168.100.204'];
  const host = 'haproxy.my-homelab.net';

  it("routes https://<publicHost><path> to the balancers' stats port, TLS from the production issuer, HTTP redirected", () => {
    const ingress = objects.find((o) => o.kind === 'Ingress' && o.metadata.name === 'haproxy-stats');
    expect(ingress.metadata.namespace).toBe('ingress-nginx');
    expect(ingress.metadata.annotations).toMatchObject({
      'cert-manager.io/cluster-issuer': 'letsencrypt-production',
      'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
    });
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([{ hosts: [host], secretName: 'haproxy-stats-tls' }]);
    expect(ingress.spec.rules).toEqual([
      { host, http: { paths: [{ path: '/stats', pathType: 'Prefix', backend: { service: { name: 'haproxy-stats', port: { name: 'http' } } } }] } },
    ]);
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'haproxy-stats');
    expect(service.spec.selector).toBeUndefined();
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8404, targetPort: 8404, protocol: 'TCP' }]);
    const slice = objects.find((o) => o.kind === 'EndpointSlice' && o.metadata.name === 'haproxy-stats');
    expect(slice.metadata.labels['kubernetes.io/service-name']).toBe('haproxy-stats');
    expect(slice.endpoints.flatMap((e: any) => e.addresses).sort()).toEqual(balancerIps);
    expect(slice.ports).toEqual([{ name: 'http', port: 8404, protocol: 'TCP' }]);
    // where each balancer's HAProxy serves its stats page
    for (const [name, ip] of [
      ['n100-004', '192.168.100.204'],
      ['nas-001', '192.168.100.171'],
      ['nas-002', '192.168.100.172'],
    ]) {
      expect(fileOf(ref, `hosts/${name}/haproxy.cfg`).content).toMatch(
        new RegExp(`\\n {4}bind ${ip.replace(/\./g, '\\.')}:8404\\n(.*\\n)*? {4}stats uri /stats\\n`),
      );
    }
  });

  it('lets only the ingress controller pods reach the balancers, on the stats port only', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.spec.egress?.some((r: any) => r.ports?.some((p: any) => p.port === 8404)));
    expect(policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['ingress-nginx/ingress-to-haproxy-stats']);
    const rule = policies[0].spec.egress[0];
    expect(rule.to.map((t: any) => t.ipBlock.cidr).sort()).toEqual(balancerIps.map((ip) => `${ip}/32`));
    expect(rule.ports).toEqual([{ port: 8404, protocol: 'TCP' }]);
    expect(policies[0].spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe('controller');
  });

  it('is never a plain port on the VPS: neither frps nor its firewall carry the stats port', () => {
    expect(fileOf(ref, 'hosts/vps/frps.toml').content).not.toMatch(/\b8404\b/);
    expect(fileOf(ref, 'hosts/vps/firewall-ports.txt').content).not.toMatch(/^8404\//m);
    expect(() => variant((d) => d.tunnel.forwardedPorts.push({ name: 'stats', remotePort: 8404 }))).toThrow(/not a port the ingress controller serves/);
  });

  it('needs acme, and emits nothing without publicHost', () => {
    expect(() => variant((d) => delete d.acme)).toThrow(/apiServer\.stats\.publicHost: "haproxy\.my-homelab\.net" needs acme/);
    const lan = objectsOf(variant((d) => delete d.apiServer.stats.publicHost));
    expect(lan.filter((o) => o.metadata.name === 'haproxy-stats' || /haproxy-stats/.test(o.metadata.name))).toEqual([]);
  });
});
