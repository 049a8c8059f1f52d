/**
 * The flow checker on hand-written policy sets: each dataplane rule (hostNetwork, Flannel vxlan/host-gw
 * source addresses, the node exception, LoadBalancer traffic policies, DNAT before egress), and the
 * NetworkPolicy semantics it evaluates (selectors, ipBlock except, named ports, endPort, policyTypes, empty
 * versus absent fields).
 */
import { describe, expect, it } from 'vitest';
import { checkFlows, Endpoint, tcp, type Dataplane, type Flow, type FlowDeclaration, type ServiceEndpoint } from '../../lib/flows';

const dp: Dataplane = {
  podCidr: '10.244.0.0/16',
  flannelBackend: 'vxlan',
  kubeProxyMode: 'iptables',
  serviceCidr: '10.96.0.0/12',
  lanCidr: '192.168.100.0/24',
  apiServerPort: 6443,
  nodes: [
    { name: 'cp-1', ip: '192.168.100.201', controlPlane: true },
    { name: 'worker-1', ip: '192.168.100.211', controlPlane: false },
  ],
};
const hostGw: Dataplane = { ...dp, flannelBackend: 'host-gw' };
const oneNode: Dataplane = { ...dp, nodes: [dp.nodes[0]] };

const allow = (d: FlowDeclaration): Flow => ({ ...d, ports: d.ports ?? [], expect: 'allow', declaredBy: 'test' });
const deny = (d: FlowDeclaration): Flow => ({ ...d, ports: d.ports ?? [], expect: 'deny', declaredBy: 'test' });
const np = (namespace: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { namespace, name },
  spec,
});
const defaultDeny = (ns: string) => np(ns, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const check = (flows: Flow[], policies: object[], dataplane = dp, namespaceLabels = {}) =>
  checkFlows({ flows, policies: policies as any, dataplane, namespaceLabels });
const one = (flow: Flow, policies: object[], dataplane = dp) => check([flow], policies, dataplane)[0];

const controller = Endpoint.pods({
  name: 'controller',
  namespace: 'ingress',
  podLabels: { app: 'ctl' },
  ports: [tcp(80, 'http'), tcp(443, 'https'), tcp(8443, 'webhook')],
});
const webhookService: ServiceEndpoint = Endpoint.service({
  name: 'admission',
  namespace: 'ingress',
  type: 'ClusterIP',
  ports: [{ port: 443, targetPort: 'webhook', protocol: 'TCP' }],
  backends: controller,
});
const webhookFlow = allow({ id: 'webhook', from: Endpoint.apiServer(), to: webhookService, ports: [tcp(443)], purpose: 'admission' });
const webhookPolicy = (from: object[]) =>
  np('ingress', 'webhook', {
    podSelector: { matchLabels: { app: 'ctl' } },
    policyTypes: ['Ingress'],
    ingress: [{ from, ports: [{ protocol: 'TCP', port: 8443 }] }],
  });
const cpBlocks = [{ ipBlock: { cidr: '192.168.100.201/32' } }];

describe('dataplane: where the API server really comes from', () => {
  it('vxlan: a policy admitting only the control-plane IPs blocks the webhook; the message names the flow, the flannel.1 address and the policy, on one line', () => {
    const r = one(webhookFlow, [defaultDeny('ingress'), webhookPolicy(cpBlocks)]);
    expect(r.ok).toBe(false);
    expect(r.problem).toMatch(
      /^flow webhook \(kube-apiserver -> Service ingress\/admission, 443\/TCP\) is required but the dataplane presents 10\.244\.0\.0 \(the sending node's flannel\.1 address.*\) to ingress\/controller on 8443\/TCP, blocked by NetworkPolicy ingress\/webhook$/,
    );
    expect(r.problem).not.toContain('\n');
  });

  it('vxlan: the pod CIDR admits every flannel.1 address; any source on the port too', () => {
    expect(one(webhookFlow, [defaultDeny('ingress'), webhookPolicy([{ ipBlock: { cidr: '10.244.0.0/16' } }])])).toMatchObject({
      ok: true,
      verdict: 'allowed',
      allowedBy: ['ingress/webhook', 'node exception'],
    });
    const anySource = np('ingress', 'webhook', { podSelector: { matchLabels: { app: 'ctl' } }, ingress: [{ ports: [{ port: 8443 }] }] });
    expect(one(webhookFlow, [defaultDeny('ingress'), anySource]).ok).toBe(true);
  });

  it('vxlan: node subnets are dynamic, so an ipBlock except that carves out one /24 leaves that node blocked (ipBlock except)', () => {
    const r = one(webhookFlow, [defaultDeny('ingress'), webhookPolicy([{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.7.0/24'] } }])]);
    expect(r.ok).toBe(false);
    expect(r.problem).toContain('presents 10.244.7.0');
    // Excluding only the pod addresses (not the .0) keeps it working.
    expect(one(webhookFlow, [defaultDeny('ingress'), webhookPolicy([{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.7.128/25'] } }])]).ok).toBe(true);
  });

  it('host-gw: the packet carries the sending node IP, so control-plane IPs work and the pod CIDR does not', () => {
    expect(one(webhookFlow, [defaultDeny('ingress'), webhookPolicy(cpBlocks)], hostGw).ok).toBe(true);
    const r = one(webhookFlow, [defaultDeny('ingress'), webhookPolicy([{ ipBlock: { cidr: '10.244.0.0/16' } }])], hostGw);
    expect(r.problem).toContain("presents 192.168.100.201 (the sending node's IP (host-gw))");
  });

  it("node exception: on a one-node cluster the API server is always on the pod's node, so default deny alone lets it through", () => {
    expect(one(webhookFlow, [defaultDeny('ingress')], oneNode)).toMatchObject({ ok: true, allowedBy: ['node exception'] });
    expect(one(webhookFlow, [defaultDeny('ingress')]).ok).toBe(false);
  });

  it('hostNetwork pods are never matched by pod or namespace selectors', () => {
    const agent = Endpoint.pods({ name: 'agent', namespace: 'kube-system', podLabels: { app: 'agent' }, hostNetwork: true });
    const f = allow({ id: 'agent-scrape', from: agent, to: controller, ports: [tcp(443)], purpose: 'x' });
    const bySelector = np('ingress', 'from-agent', {
      podSelector: {},
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { app: 'agent' } } }] },
      ],
    });
    expect(one(f, [defaultDeny('ingress'), bySelector]).ok).toBe(false);
    // Traffic to a hostNetwork pod is not subject to policy at the destination.
    const toAgent = allow({ id: 'to-agent', from: Endpoint.lan(), to: agent, ports: [tcp(9100)], purpose: 'x' });
    expect(one(toAgent, [defaultDeny('kube-system')])).toMatchObject({ ok: true, allowedBy: ['not subject to policy'] });
  });
});

describe('dataplane: Services and LoadBalancers', () => {
  const lb = (policy: 'Local' | 'Cluster'): ServiceEndpoint =>
    Endpoint.service({
      name: 'lb',
      namespace: 'ingress',
      type: 'LoadBalancer',
      externalTrafficPolicy: policy,
      loadBalancerIP: '192.168.100.240',
      ports: [{ port: 443, targetPort: 'https', protocol: 'TCP' }],
      backends: controller,
    });
  const lanPolicy = np('ingress', 'from-lan', {
    podSelector: { matchLabels: { app: 'ctl' } },
    ingress: [{ from: [{ ipBlock: { cidr: '192.168.100.0/24' } }], ports: [{ port: 443 }] }],
  });

  it('externalTrafficPolicy Local keeps the LAN client address; Cluster masquerades it to a node address', () => {
    expect(one(allow({ id: 'lan', from: Endpoint.lan(), to: lb('Local'), ports: [tcp(443)], purpose: 'x' }), [defaultDeny('ingress'), lanPolicy]).ok).toBe(
      true,
    );
    const r = one(allow({ id: 'lan', from: Endpoint.lan(), to: lb('Cluster'), ports: [tcp(443)], purpose: 'x' }), [defaultDeny('ingress'), lanPolicy]);
    expect(r.problem).toContain("masqueraded to the sending node's flannel.1 address");
  });

  it('pods dialling the LoadBalancer IP are DNATed to the backends: an ipBlock of the LB IP does not let them out', () => {
    const frpc = Endpoint.pods({ name: 'frpc', namespace: 'frpc', podLabels: { app: 'frpc' } });
    const f = allow({ id: 'fwd', from: frpc, to: lb('Local'), ports: [tcp(443)], purpose: 'x' });
    const toIngressPods = np('ingress', 'from-frpc', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'frpc' } } }] }],
    });
    const byLbIp = np('frpc', 'out', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '192.168.100.240/32' } }], ports: [{ port: 443 }] }],
    });
    const r = one(f, [defaultDeny('frpc'), defaultDeny('ingress'), byLbIp, toIngressPods]);
    expect(r.problem).toContain('egress from frpc/frpc to pods ingress/controller on 443/TCP blocked by NetworkPolicy frpc/out');
    const byPods = np('frpc', 'out', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'ctl' } } }], ports: [{ port: 443 }] }],
    });
    expect(one(f, [defaultDeny('frpc'), defaultDeny('ingress'), byPods, toIngressPods]).ok).toBe(true);
  });

  it('egress to the kubernetes Service is evaluated after DNAT: the ClusterIP does not match, the control planes on the bind port do', () => {
    const app = Endpoint.pods({ name: 'ctl', namespace: 'ingress', podLabels: { app: 'ctl' } });
    const f = allow({ id: 'api', from: app, to: Endpoint.kubernetesApi(), ports: [tcp(443)], purpose: 'x' });
    const clusterIp = np('ingress', 'api', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.96.0.1/32' } }], ports: [{ port: 443 }] }],
    });
    expect(one(f, [defaultDeny('ingress'), clusterIp]).problem).toContain('egress from ingress/ctl to 192.168.100.201 on 6443/TCP blocked');
    const nodes = np('ingress', 'api', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: cpBlocks, ports: [{ port: 6443 }] }] });
    expect(one(f, [defaultDeny('ingress'), nodes])).toMatchObject({ ok: true, allowedBy: ['ingress/api', 'not subject to policy'] });
  });

  it('a flow on a port the Service does not have is reported, not guessed', () => {
    const r = one(allow({ id: 'bad', from: Endpoint.apiServer(), to: webhookService, ports: [tcp(8443)], purpose: 'x' }), []);
    expect(r.problem).toContain('Service ingress/admission has no port 8443/TCP');
  });
});

describe('NetworkPolicy semantics', () => {
  const client = Endpoint.pods({ name: 'client', namespace: 'apps', podLabels: { app: 'web', tier: 'front' } });
  const toController = (port: number) => allow({ id: 'c', from: client, to: controller, ports: [tcp(port)], purpose: 'x' });
  const ingressRule = (rule: object, types?: string[]) => np('ingress', 'p', { podSelector: {}, ...(types ? { policyTypes: types } : {}), ingress: [rule] });

  it('named ports match the destination container port of that name and protocol', () => {
    expect(one(toController(8443), [ingressRule({ ports: [{ port: 'webhook' }] })]).ok).toBe(true);
    expect(one(toController(8443), [ingressRule({ ports: [{ port: 'https' }] })]).ok).toBe(false);
    expect(one(toController(8443), [ingressRule({ ports: [{ port: 'webhook', protocol: 'UDP' }] })]).ok).toBe(false);
  });

  it('endPort makes a range; a port without number means every port of the protocol', () => {
    expect(one(toController(8443), [ingressRule({ ports: [{ port: 8000, endPort: 9000 }] })]).ok).toBe(true);
    expect(one(toController(8443), [ingressRule({ ports: [{ port: 8000, endPort: 8442 }] })]).ok).toBe(false);
    expect(one(toController(8443), [ingressRule({ ports: [{ protocol: 'TCP' }] })]).ok).toBe(true);
  });

  it('empty versus absent: ingress [{}] and from [] admit everyone; ingress [] admits no one', () => {
    expect(one(toController(80), [ingressRule({})]).ok).toBe(true);
    expect(one(toController(80), [ingressRule({ from: [] })]).ok).toBe(true);
    expect(one(toController(80), [np('ingress', 'p', { podSelector: {}, ingress: [] })]).ok).toBe(false);
  });

  it('policyTypes absent: Ingress always, Egress only when egress rules exist', () => {
    const egressOnly = np('apps', 'e', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '1.1.1.1/32' } }] }] });
    expect(one(toController(80), [egressOnly]).problem).toContain('egress from apps/client');
    const ingressOnly = np('apps', 'i', { podSelector: {}, ingress: [] });
    expect(one(toController(80), [ingressOnly]).ok).toBe(true);
    // policyTypes [Egress] with ingress rules: the rules are ignored, ingress stays open.
    expect(one(toController(80), [np('ingress', 'p', { podSelector: {}, policyTypes: ['Egress'], ingress: [] })]).ok).toBe(true);
  });

  it('podSelector matchExpressions (In, NotIn, Exists, DoesNotExist) and namespaceSelector by kubernetes.io/metadata.name or other labels', () => {
    const peer = (podSelector: object, namespaceSelector: object = { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } }) =>
      ingressRule({ from: [{ podSelector, namespaceSelector }] });
    const ok = (p: object, labels = {}) => check([toController(80)], [p], dp, labels)[0].ok;
    expect(ok(peer({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }))).toBe(true);
    expect(ok(peer({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }))).toBe(false);
    expect(ok(peer({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }))).toBe(true);
    expect(ok(peer({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }))).toBe(false);
    expect(ok(peer({}, { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['apps'] }] }))).toBe(true);
    expect(ok(peer({}, { matchLabels: { team: 'a' } }))).toBe(false);
    expect(ok(peer({}, { matchLabels: { team: 'a' } }), { apps: { team: 'a' } })).toBe(true);
    // podSelector alone: pods of the policy's own namespace only.
    expect(ok(ingressRule({ from: [{ podSelector: {} }] }))).toBe(false);
  });

  it('a pod source matched only by an ipBlock must cover every pod address', () => {
    expect(one(toController(80), [ingressRule({ from: [{ ipBlock: { cidr: '10.244.0.0/16' } }] })]).ok).toBe(true);
    expect(one(toController(80), [ingressRule({ from: [{ ipBlock: { cidr: '10.244.0.0/17' } }] })]).ok).toBe(false);
  });
});

describe('policy sets that must block and must allow', () => {
  const apps = Endpoint.pods({ name: 'app pods', namespace: 'apps' });
  const frpc = Endpoint.pods({ name: 'frpc', namespace: 'frpc', podLabels: { app: 'frpc' }, ports: [tcp(7400, 'admin')] });
  const flows = [
    allow({ id: 'ingress-to-apps', from: controller, to: apps, purpose: 'proxy' }),
    deny({ id: 'lan-to-apps', from: Endpoint.lan(), to: apps, purpose: 'bypass' }),
    deny({ id: 'internet-to-apps', from: Endpoint.internet(), to: apps, purpose: 'bypass' }),
    deny({ id: 'apps-to-frpc', from: apps, to: frpc, purpose: 'x' }),
    deny({ id: 'frpc-admin-from-lan', from: Endpoint.lan(), to: frpc, ports: [tcp(7400)], purpose: 'x' }),
  ];
  const ctlPeer = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } }, podSelector: { matchLabels: { app: 'ctl' } } };
  const appsPeer = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } }, podSelector: {} };
  const good = [
    defaultDeny('apps'),
    defaultDeny('frpc'),
    defaultDeny('ingress'),
    np('apps', 'from-ingress', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [ctlPeer] }] }),
    np('ingress', 'to-apps', { podSelector: { matchLabels: { app: 'ctl' } }, policyTypes: ['Egress'], egress: [{ to: [appsPeer] }] }),
  ];

  it('allows the required flow and denies every must-deny flow', () => {
    expect(check(flows, good).map((r) => [r.flow.id, r.verdict, r.ok])).toEqual([
      ['ingress-to-apps', 'allowed', true],
      ['lan-to-apps', 'denied', true],
      ['internet-to-apps', 'denied', true],
      ['apps-to-frpc', 'denied', true],
      ['frpc-admin-from-lan', 'denied', true],
    ]);
  });

  it('a policy that opens an app namespace to everyone, or frpc to the LAN, fails the must-deny flows', () => {
    const open = [
      ...good,
      np('apps', 'open', { podSelector: {}, ingress: [{}] }),
      np('frpc', 'admin', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '192.168.100.0/25' } }], ports: [{ port: 'admin' }] }] }),
    ];
    const failed = check(flows, open).filter((r) => !r.ok);
    expect(failed.map((r) => r.flow.id)).toEqual(['lan-to-apps', 'internet-to-apps', 'frpc-admin-from-lan']);
    expect(failed[0].problem).toBe('flow lan-to-apps (LAN clients -> apps/app pods, all) must be denied but gets through (allowed by: apps/open)');
    expect(failed[2].verdict).toBe('partly');
  });

  it('without the egress half the required flow is blocked at the source', () => {
    const r = check(
      flows,
      good.filter((p) => p.metadata.name !== 'to-apps'),
    )[0];
    expect(r.problem).toContain('egress from ingress/controller to pods apps/app pods on every port blocked by NetworkPolicy ingress/default-deny');
  });
});

describe('address sets', () => {
  it('minus, intersect and covers are exact on ranges and single addresses', async () => {
    const { AddressSet } = await import('../../lib/flows');
    const net = AddressSet.of('10.244.0.0/16');
    const holed = net.minus(AddressSet.of('10.244.7.0/24'));
    expect(holed.describe()).toBe('10.244.0.0-10.244.6.255, 10.244.8.0-10.244.255.255');
    expect(holed.covers(AddressSet.of('10.244.8.0'))).toBe(true);
    expect(holed.covers(AddressSet.of('10.244.7.0'))).toBe(false);
    expect(holed.intersect(AddressSet.of('10.244.6.255/31')).describe()).toBe('10.244.6.254-10.244.6.255');
    expect(AddressSet.ALL.minus(AddressSet.ALL).isEmpty).toBe(true);
    expect(AddressSet.EMPTY.complement().covers(AddressSet.of('0.0.0.0/0'))).toBe(true);
  });
});
