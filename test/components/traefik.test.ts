/**
 * The Traefik construct: defaults, the hardened pod, the static configuration it loads, the Services (LAN
 * LoadBalancer vs. tunnel ClusterIP) and prop validation.
 */
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  ExternalTrafficPolicy,
  Traefik,
  TRAEFIK_CONTROLLER_CLASS,
  INGRESS_DEFAULT_CLASS_NAME,
  INGRESS_DEFAULT_DEFAULT_CLASS,
  INGRESS_DEFAULT_EXTERNAL_TRAFFIC_POLICY,
  TRAEFIK_DEFAULT_NAMESPACE,
  INGRESS_DEFAULT_REPLICAS,
  TRAEFIK_DEFAULT_TUNNEL_TRUSTED_IPS,
  type TraefikProps,
} from '../../lib/components';
import { container, findObject, findObjects, hasObject, podSpec, synthChart } from '../helpers/k8s';

const build = (props: TraefikProps = {}) => {
  let construct: Traefik | undefined;
  const objects = synthChart((chart) => {
    construct = new Traefik(chart, 'Traefik', props);
  });
  return { objects, construct: construct! };
};
const staticConfig = (objects: any[]): any => load(findObject(objects, 'ConfigMap', 'traefik-config', 'traefik').data['traefik.yml']);

describe('Traefik', () => {
  it('pins its defaults', () => {
    expect([TRAEFIK_DEFAULT_NAMESPACE, INGRESS_DEFAULT_CLASS_NAME, INGRESS_DEFAULT_DEFAULT_CLASS, INGRESS_DEFAULT_REPLICAS]).toEqual([
      'traefik',
      'nginx',
      false,
      2,
    ]);
    expect(INGRESS_DEFAULT_EXTERNAL_TRAFFIC_POLICY).toBe(ExternalTrafficPolicy.LOCAL);
    expect(TRAEFIK_DEFAULT_TUNNEL_TRUSTED_IPS).toEqual([]);
    const { objects, construct } = build();
    expect(findObject(objects, 'Deployment', 'traefik', 'traefik').spec.replicas).toBe(2);
    expect(hasObject(objects, 'PodDisruptionBudget', 'traefik', 'traefik')).toBe(true);
    expect(findObject(objects, 'IngressClass', 'nginx').metadata.annotations).toBeUndefined();
    expect(hasObject(objects, 'Service', 'traefik-tunnel', 'traefik')).toBe(false);
    expect(construct.tunnelTarget).toBeUndefined();
    expect(findObject(objects, 'Service', 'traefik', 'traefik').metadata.annotations).toBeUndefined();
  });

  it('keeps Ingresses written for ingress-nginx: IngressClass controller k8s.io/ingress-nginx, provider class and controller class', () => {
    const { objects } = build({ defaultClass: true });
    const ic = findObject(objects, 'IngressClass', 'nginx');
    expect(ic.spec).toEqual({ controller: 'k8s.io/ingress-nginx' });
    expect(TRAEFIK_CONTROLLER_CLASS).toBe('k8s.io/ingress-nginx');
    expect(ic.metadata.annotations).toEqual({ 'ingressclass.kubernetes.io/is-default-class': 'true' });
    const provider = staticConfig(objects).providers.kubernetesIngressNGINX;
    expect(provider).toMatchObject({
      ingressClass: 'nginx',
      controllerClass: 'k8s.io/ingress-nginx',
      publishService: 'traefik/traefik',
      watchIngressWithoutClass: false,
      allowSnippetAnnotations: false,
    });
    expect(provider.watchNamespace).toBeUndefined();
    expect(staticConfig(build({ watchNamespace: 'apps' }).objects).providers.kubernetesIngressNGINX.watchNamespace).toBe('apps');
  });

  it('runs a restricted pod: non-root, read-only root, drop ALL, RuntimeDefault, requests, unprivileged ports, /ping probes', () => {
    const { objects } = build({ tunnel: {} });
    const deployment = findObject(objects, 'Deployment', 'traefik', 'traefik');
    const pod = podSpec(deployment);
    const c = container(deployment, 'traefik');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.resources.requests).toEqual({ cpu: '100m', memory: '64Mi' });
    expect(c.ports.every((p: any) => p.containerPort >= 1024)).toBe(true);
    expect(c.ports.map((p: any) => p.name)).toEqual(['web', 'websecure', 'tunnel-web', 'tunnel-websecure', 'traefik']);
    for (const probe of [c.livenessProbe, c.readinessProbe]) expect(probe.httpGet).toEqual({ path: '/ping', port: 'traefik', scheme: 'HTTP' });
    expect(staticConfig(objects).ping).toEqual({ entryPoint: 'traefik' });
    expect(pod.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: deployment.spec.selector.matchLabels },
    });
    expect(c.args).toEqual(['--configFile=/etc/traefik/traefik.yml']);
    expect(deployment.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{10}$/);
  });

  it('puts the LAN listeners on the LoadBalancer IP with externalTrafficPolicy Local', () => {
    const { objects, construct } = build({ loadBalancerIP: '192.168.100.240' });
    const lb = findObject(objects, 'Service', 'traefik', 'traefik');
    expect(lb.metadata.annotations).toEqual({ 'metallb.io/loadBalancerIPs': '192.168.100.240' });
    expect(lb.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
    expect(lb.spec.ports.map((p: any) => `${p.name}:${p.port}->${p.targetPort}`)).toEqual(['http:80->web', 'https:443->websecure']);
    expect(construct.servicePorts.map((p) => `${p.port}->${p.targetPort}`)).toEqual(['80->8000', '443->8443']);
    expect(construct.proxyProtocol).toBe(false);
  });

  it('gives the tunnel its own entry points on a ClusterIP Service; only they trust PROXY protocol', () => {
    const { objects, construct } = build({ loadBalancerIP: '192.168.100.240', tunnel: { proxyProtocolTrustedIPs: ['10.244.0.0/16'] } });
    const config = staticConfig(objects);
    expect(config.entryPoints).toEqual({
      web: { address: ':8000/tcp' },
      websecure: { address: ':8443/tcp' },
      'tunnel-web': { address: ':8001/tcp', proxyProtocol: { trustedIPs: ['10.244.0.0/16'] } },
      'tunnel-websecure': { address: ':8444/tcp', proxyProtocol: { trustedIPs: ['10.244.0.0/16'] } },
      traefik: { address: ':8080/tcp' },
    });
    const tunnel = findObject(objects, 'Service', 'traefik-tunnel', 'traefik');
    expect(tunnel.spec.type).toBe('ClusterIP');
    expect(tunnel.spec.ports.map((p: any) => `${p.port}->${p.targetPort}`)).toEqual(['80->tunnel-web', '443->tunnel-websecure']);
    expect(construct.tunnelTarget).toEqual({
      address: 'traefik-tunnel.traefik.svc',
      serviceName: 'traefik-tunnel',
      proxyProtocol: true,
      ports: [
        { name: 'http', port: 80, targetPort: 8001, protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: 8444, protocol: 'TCP' },
      ],
    });
    // Without trusted sources the tunnel entry points stay, without PROXY protocol.
    const plain = build({ tunnel: {} });
    expect(staticConfig(plain.objects).entryPoints['tunnel-web']).toEqual({ address: ':8001/tcp' });
    expect(plain.construct.tunnelTarget?.proxyProtocol).toBe(false);
  });

  it('grants the provider RBAC to its ServiceAccount through a ClusterRoleBinding', () => {
    const { objects } = build();
    const binding = findObject(objects, 'ClusterRoleBinding', 'traefik-ingress-nginx-controller');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'traefik', namespace: 'traefik' }]);
    expect(findObjects(objects, 'Role')).toEqual([]);
  });

  it('fails on invalid props, naming each', () => {
    const bad = () =>
      build({
        namespace: 'Traefik',
        replicas: 0,
        loadBalancerIP: '192.168.1',
        watchNamespace: 'a b',
        tunnel: { proxyProtocolTrustedIPs: ['10.244.0.0/33', 'pods'] },
      });
    expect(bad).toThrow(/namespace: .*got "Traefik"/);
    expect(bad).toThrow(/replicas: .*got 0/);
    expect(bad).toThrow(/loadBalancerIP: .*got "192\.168\.1"/);
    expect(bad).toThrow(/watchNamespace: .*got "a b"/);
    expect(bad).toThrow(/tunnel\.proxyProtocolTrustedIPs\[0\]: must be an IPv4 CIDR.*got "10\.244\.0\.0\/33"/);
    expect(bad).toThrow(/tunnel\.proxyProtocolTrustedIPs\[1\]: .*got "pods"/);
  });
});
