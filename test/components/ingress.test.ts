import { describe, expect, it } from 'vitest';
import {
  ExternalTrafficPolicy,
  INGRESS_NGINX_DEFAULT_ADMISSION_WEBHOOK,
  INGRESS_DEFAULT_CLASS_NAME,
  INGRESS_DEFAULT_DEFAULT_CLASS,
  INGRESS_DEFAULT_EXTERNAL_TRAFFIC_POLICY,
  INGRESS_NGINX_DEFAULT_EXTRA_CONFIG,
  INGRESS_NGINX_DEFAULT_NAMESPACE,
  INGRESS_NGINX_DEFAULT_PROXY_PROTOCOL,
  INGRESS_DEFAULT_REPLICAS,
  IngressNginx,
  type IIngressController,
  type IngressNginxProps,
} from '../../lib/components';
import { container, findObject, findObjects, hasObject, podSpec, synthChart } from '../helpers/k8s';

const ingress = (props: IngressNginxProps = {}) => synthChart((chart) => new IngressNginx(chart, 'Ingress', props));
const config = (objects: ReturnType<typeof ingress>) => findObject(objects, 'ConfigMap', 'ingress-nginx-controller').data;
const controller = (objects: ReturnType<typeof ingress>) => findObject(objects, 'Deployment', 'ingress-nginx-controller');

describe('IngressNginx', () => {
  it('asks MetalLB for the LoadBalancer IP with the metallb.io annotation', () => {
    const service = findObject(ingress({ loadBalancerIP: '192.168.100.240' }), 'Service', 'ingress-nginx-controller', 'ingress-nginx');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.metadata.annotations).toEqual({ 'metallb.io/loadBalancerIPs': '192.168.100.240' });
    expect(service.spec.loadBalancerIP).toBeUndefined();
  });

  it('names the IngressClass, marks it default on request, and passes the class to the controller', () => {
    const objects = ingress({ className: 'public', defaultClass: true });
    const cls = findObject(objects, 'IngressClass', 'public');
    expect(cls.spec.controller).toBe('k8s.io/ingress-nginx');
    expect(cls.metadata.annotations).toEqual({ 'ingressclass.kubernetes.io/is-default-class': 'true' });
    expect(container(controller(objects), 'controller').args).toContain('--ingress-class=public');
  });

  it('hardens the controller ConfigMap and enables PROXY protocol only on request', () => {
    const plain = config(ingress());
    expect(plain).toEqual({
      'allow-snippet-annotations': 'false',
      'annotations-risk-level': 'High',
      'server-tokens': 'false',
      'ssl-protocols': 'TLSv1.2 TLSv1.3',
      'strict-validate-path-type': 'true',
      'use-proxy-protocol': 'false',
    });
    expect(config(ingress({ proxyProtocol: true }))['use-proxy-protocol']).toBe('true');
    expect(config(ingress({ extraConfig: { 'proxy-body-size': '64m', 'server-tokens': 'true' } }))).toMatchObject({
      'proxy-body-size': '64m',
      'server-tokens': 'true',
    });
  });

  it('defaults: ingress-nginx, class nginx not default, 2 replicas, Local traffic, no PROXY protocol, webhook on, no extra config', () => {
    expect([
      INGRESS_NGINX_DEFAULT_NAMESPACE,
      INGRESS_DEFAULT_CLASS_NAME,
      INGRESS_DEFAULT_DEFAULT_CLASS,
      INGRESS_DEFAULT_REPLICAS,
      INGRESS_DEFAULT_EXTERNAL_TRAFFIC_POLICY,
      INGRESS_NGINX_DEFAULT_PROXY_PROTOCOL,
      INGRESS_NGINX_DEFAULT_ADMISSION_WEBHOOK,
      INGRESS_NGINX_DEFAULT_EXTRA_CONFIG,
    ]).toEqual(['ingress-nginx', 'nginx', false, 2, ExternalTrafficPolicy.LOCAL, false, true, {}]);
    const objects = ingress();
    const deployment = controller(objects);
    expect(deployment.metadata.namespace).toBe('ingress-nginx');
    expect(deployment.spec.replicas).toBe(2);
    expect(findObject(objects, 'IngressClass', 'nginx').metadata.annotations).toBeUndefined();
    const service = findObject(objects, 'Service', 'ingress-nginx-controller');
    expect(service.spec.externalTrafficPolicy).toBe('Local');
    expect(service.metadata.annotations).toBeUndefined();
    expect(config(objects)['use-proxy-protocol']).toBe('false');
    expect(hasObject(objects, 'ValidatingWebhookConfiguration', 'ingress-nginx-admission')).toBe(true);
    expect(findObject(objects, 'PodDisruptionBudget', 'ingress-nginx-controller').spec.maxUnavailable).toBe(1);
  });

  it('without the admission webhook: no webhook objects, args, port or certificate volume', () => {
    const objects = ingress({ admissionWebhook: false, replicas: 1 });
    for (const kind of ['ValidatingWebhookConfiguration', 'Job']) expect(findObjects(objects, kind), kind).toEqual([]);
    expect(hasObject(objects, 'Service', 'ingress-nginx-controller-admission')).toBe(false);
    expect(hasObject(objects, 'PodDisruptionBudget', 'ingress-nginx-controller')).toBe(false);
    const c = container(controller(objects), 'controller');
    expect(c.args.filter((a: string) => a.startsWith('--validating-webhook'))).toEqual([]);
    expect(c.ports.map((p: any) => p.containerPort)).toEqual([80, 443]);
    expect(podSpec(controller(objects)).volumes).toBeUndefined();
  });

  it('runs the pinned images with restricted-compatible security contexts', () => {
    const objects = ingress();
    const c = container(controller(objects), 'controller');
    expect(c.image).toBe('registry.k8s.io/ingress-nginx/controller:v1.15.1');
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 101,
      allowPrivilegeEscalation: false,
      capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
    });
    expect(findObjects(objects, 'Job').map((j) => j.metadata.name)).toEqual(['ingress-nginx-admission-create', 'ingress-nginx-admission-patch']);
    for (const job of findObjects(objects, 'Job')) {
      const certgen = podSpec(job).containers[0];
      expect(certgen.image).toBe('registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9');
      expect(certgen.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
  });

  it('implements IIngressController', () => {
    synthChart((chart) => {
      const c: IIngressController = new IngressNginx(chart, 'Ingress', {
        namespace: 'edge',
        className: 'public',
        loadBalancerIP: '10.0.0.10',
        proxyProtocol: true,
      });
      expect([c.controllerName, c.controllerClass, c.className, c.namespace, c.serviceName, c.loadBalancerIP, c.webhookPort, c.proxyProtocol]).toEqual([
        'ingress-nginx',
        'k8s.io/ingress-nginx',
        'public',
        'edge',
        'ingress-nginx-controller',
        '10.0.0.10',
        8443,
        true,
      ]);
      expect(c.servicePorts.map((p) => p.port)).toEqual([80, 443]);
      expect(c.podLabels).toEqual({
        'app.kubernetes.io/component': 'controller',
        'app.kubernetes.io/instance': 'ingress-nginx',
        'app.kubernetes.io/name': 'ingress-nginx',
      });
    });
  });

  it('the Service and PodDisruptionBudget select exactly the controller pods', () => {
    const objects = ingress();
    const podLabels = controller(objects).spec.template.metadata.labels;
    for (const selector of [
      findObject(objects, 'Service', 'ingress-nginx-controller').spec.selector,
      findObject(objects, 'PodDisruptionBudget', 'ingress-nginx-controller').spec.selector.matchLabels,
    ]) {
      for (const [key, value] of Object.entries(selector)) expect(podLabels[key]).toBe(value);
    }
  });

  it('fails on invalid props, naming each', () => {
    const build = () =>
      ingress({
        replicas: 0,
        loadBalancerIP: '192.168.100.300',
        className: 'Nginx!',
        externalTrafficPolicy: 'Global' as ExternalTrafficPolicy,
        extraConfig: { 'Bad Key': 'x' },
      });
    expect(build).toThrow(/replicas: must be an integer >= 1, got 0/);
    expect(build).toThrow(/loadBalancerIP: must be an IPv4 address .*got "192\.168\.100\.300"/);
    expect(build).toThrow(/className: .*got "Nginx!"/);
    expect(build).toThrow(/externalTrafficPolicy: must be one of "Local", "Cluster", got "Global"/);
    expect(build).toThrow(/extraConfig: keys must be ingress-nginx ConfigMap option names.*got "Bad Key"/);
  });
});
