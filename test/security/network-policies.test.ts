/**
 * NetworkPolicies: the building blocks (names, shapes), the policies computed for the reference cluster
 * (default deny, then exactly the traffic the model and the emitted objects imply), and the coverage check.
 */
import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { checkNetworkPolicyCoverage, networkPolicyCheck } from '../../lib/checks/network-policy';
import type { K8sObject } from '../../lib/checks/types';
import { ClusterNetworkPolicies } from '../../lib/security/cluster-network-policies';
import { AllowEgress, allowDns, allowTraffic, denyAll, Peer, Port } from '../../lib/security/network-policy';
import { findObject, findObjects } from '../helpers/k8s';
import { deployment, referenceModel, renderUnchecked, restrictedPodSpec } from './fixtures';

const synth = (build: (chart: Chart) => void): any[] => {
  const chart = new Chart(Testing.app(), 'test');
  build(chart);
  return Testing.synth(chart);
};

describe('building blocks', () => {
  it('denyAll: podSelector {} and both policy types, no rules', () => {
    const [policy] = synth((c) => denyAll(c, 'web'));
    expect(policy.metadata).toEqual({ name: 'default-deny', namespace: 'web' });
    expect(policy.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('allowDns: egress to kube-dns in kube-system on UDP and TCP 53', () => {
    const [policy] = synth((c) => allowDns(c, 'web'));
    expect(policy.metadata.name).toBe('allow-dns');
    expect(policy.spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { protocol: 'TCP', port: 53 },
          { protocol: 'UDP', port: 53 },
        ],
      },
    ]);
  });

  it('allowTraffic: egress "to-<ns>" where the sender runs, ingress "from-<ns>" where the receiver runs', () => {
    const objects = synth((c) => allowTraffic(c, 'x', { from: { namespace: 'a', podLabels: { app: 'client' } }, to: { namespace: 'b', podLabels: { app: 'db' } }, ports: [Port.tcp(5432)], purpose: 'db' }));
    const egress = findObject(objects, 'NetworkPolicy', 'to-b-db', 'a');
    const ingress = findObject(objects, 'NetworkPolicy', 'from-a-db', 'b');
    expect(egress.spec).toEqual({
      podSelector: { matchLabels: { app: 'client' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } }, podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
    expect(ingress.spec).toEqual({
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } }, podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
  });

  it('peers and ports: addresses become /32, anywhere omits the peer, no ports means every port, addRule adds a rule', () => {
    const [policy] = synth((c) => {
      const p = new AllowEgress(c, 'e', { name: 'e', namespace: 'n', to: Peer.ipBlock('10.0.0.1'), ports: [Port.tcp(443), Port.tcp(80), Port.tcp(80)] });
      p.addRule(Peer.anywhere());
      p.addRule(Peer.podsIn(['z', 'y']), [Port.udp('dns')]);
    });
    expect(policy.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 443 }] },
      {},
      { to: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['y', 'z'] }] }, podSelector: {} }], ports: [{ protocol: 'UDP', port: 'dns' }] },
    ]);
  });

  it('fails early on a bad address or port, naming the value', () => {
    expect(() => Peer.ipBlock('192.168.100.300')).toThrow(/not an IPv4 address or CIDR: "192\.168\.100\.300"/);
    expect(() => Peer.ipBlocks([])).toThrow(/at least one/);
    expect(() => Port.tcp(70000)).toThrow(/70000 is not a port number/);
    expect(() => Port.udp('Not_A_Name')).toThrow(/container port name/);
  });
});

describe('computed policies for the reference cluster', () => {
  const model = referenceModel();
  const { objects } = renderUnchecked(model);
  const policies = findObjects(objects as any, 'NetworkPolicy');
  const policy = (namespace: string, name: string) => findObject(objects as any, 'NetworkPolicy', name, namespace);
  const controllerPods = findObject(objects as any, 'Service', 'ingress-nginx-controller', 'ingress-nginx').spec.selector;
  const controllerPeer = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: controllerPods } };

  it('every namespace we own is default-deny, and the coverage check holds', () => {
    for (const ns of findObjects(objects as any, 'Namespace').map((n) => n.metadata.name)) {
      expect(policy(ns, 'default-deny').spec, ns).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
    expect(networkPolicyCheck.run({ model, objects, files: [] })).toEqual([]);
  });

  it('no policy in a namespace we do not own (kube-system, metallb-system, cert-manager)', () => {
    expect(new Set(policies.map((p) => p.metadata.namespace))).toEqual(new Set(['apps', 'frpc', 'ingress-nginx', 'kube-flannel']));
  });

  it('DNS for namespaces with non-hostNetwork pods and app namespaces; none for kube-flannel (hostNetwork only)', () => {
    for (const ns of ['apps', 'frpc', 'ingress-nginx']) expect(policy(ns, 'allow-dns').spec.policyTypes).toEqual(['Egress']);
    expect(policies.filter((p) => p.metadata.namespace === 'kube-flannel').map((p) => p.metadata.name)).toEqual(['default-deny']);
  });

  it('API server egress for pods with a token: control planes on bindPort, the VIP on its port, the kubernetes Service on 443', () => {
    const api = policy('ingress-nginx', 'ingress-nginx-controller-apiserver');
    expect(api.spec.podSelector).toEqual({ matchLabels: controllerPods });
    expect(api.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.96.0.1/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: ['192.168.100.201', '192.168.100.202', '192.168.100.203', '192.168.100.230'].map((ip) => ({ ipBlock: { cidr: `${ip}/32` } })), ports: [{ protocol: 'TCP', port: 6443 }] },
    ]);
    // frpc mounts no token, so it gets no API access.
    expect(findObject(objects as any, 'Deployment', 'frpc', 'frpc').spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(policies.some((p) => p.metadata.namespace === 'frpc' && p.metadata.name.endsWith('-apiserver'))).toBe(false);
  });

  it('webhook ingress from the control-plane IPs on the port behind the webhook Service (ingress-nginx 8443)', () => {
    const hook = policy('ingress-nginx', 'ingress-nginx-controller-admission-webhook');
    expect(hook.spec.podSelector).toEqual({ matchLabels: controllerPods });
    expect(hook.spec.ingress).toEqual([
      { from: ['192.168.100.201', '192.168.100.202', '192.168.100.203'].map((ip) => ({ ipBlock: { cidr: `${ip}/32` } })), ports: [{ protocol: 'TCP', port: 8443 }] },
    ]);
  });

  it('the ingress controller is reachable from anywhere on its LoadBalancer target ports', () => {
    expect(policy('ingress-nginx', 'ingress-nginx-controller-public').spec.ingress).toEqual([
      { ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 443 }] },
    ]);
  });

  it('the ingress controller reaches app namespaces (any port) and ACME solvers there (8089), both sides', () => {
    expect(policy('ingress-nginx', 'to-apps').spec.egress).toEqual([{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } }, podSelector: {} }] }]);
    expect(policy('apps', 'from-ingress-nginx').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [controllerPeer] }] });
    expect(policy('apps', 'from-ingress-nginx-acme-solver').spec).toEqual({
      podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [controllerPeer], ports: [{ protocol: 'TCP', port: 8089 }] }],
    });
    expect(policy('ingress-nginx', 'to-apps-acme-solver').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 8089 }]);
  });

  it('frpc dials the tunnel server and reaches the ingress by LB IP and by controller pods, nothing else', () => {
    const tunnel = policy('frpc', 'frpc-tunnel');
    expect(tunnel.spec.podSelector).toEqual({ matchLabels: findObject(objects as any, 'Deployment', 'frpc', 'frpc').spec.selector.matchLabels });
    const web = [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 443 }];
    expect(tunnel.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '161.132.4.98/32' } }], ports: [{ protocol: 'TCP', port: 7000 }] },
      { to: [{ ipBlock: { cidr: '192.168.100.240/32' } }], ports: web },
      { to: [controllerPeer], ports: web },
    ]);
    expect(policies.filter((p) => p.metadata.namespace === 'frpc').map((p) => p.metadata.name).sort()).toEqual(['allow-dns', 'default-deny', 'frpc-tunnel']);
  });

  it('policies follow the model: the tunnel port, and an app namespace closed to the ingress controller (ACME solvers stay reachable)', () => {
    const m = referenceModel((d) => {
      d.tunnel.bindPort = 7443;
      d.namespaces = [{ name: 'apps' }, { name: 'batch', allowIngressController: false }];
    });
    const r = renderUnchecked(m).objects as any[];
    expect(findObject(r, 'NetworkPolicy', 'frpc-tunnel', 'frpc').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 7443 }]);
    expect(findObject(r, 'NetworkPolicy', 'default-deny', 'batch')).toBeDefined();
    expect(r.some((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'from-ingress-nginx' && o.metadata.namespace === 'batch')).toBe(false);
    expect(findObject(r, 'NetworkPolicy', 'from-ingress-nginx-acme-solver', 'batch').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8089 }]);
  });

  it('is deterministic: two renders give byte-identical policies and namespaces', () => {
    const again = renderUnchecked(referenceModel()).objects.filter((o) => ['NetworkPolicy', 'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'RoleBinding'].includes(o.kind));
    expect(JSON.stringify(again)).toBe(JSON.stringify(objects.filter((o) => ['NetworkPolicy', 'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'RoleBinding'].includes(o.kind))));
  });

  it('security.networkPolicies: false emits no NetworkPolicy and the check does not require any', () => {
    const m = referenceModel((d) => (d.security = { networkPolicies: false }));
    const r = renderUnchecked(m);
    expect(findObjects(r.objects as any, 'NetworkPolicy')).toEqual([]);
    expect(networkPolicyCheck.run({ model: m, objects: r.objects, files: [] })).toEqual([]);
  });

  it('the coverage check fails a namespace without default deny and a policy in a namespace we do not own', () => {
    const withoutDeny = objects.filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny' && o.metadata.namespace === 'frpc'));
    const stray: K8sObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'oops', namespace: 'kube-system' }, spec: { podSelector: {} } };
    const twice = withoutDeny.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'frpc-tunnel')!;
    expect(checkNetworkPolicyCoverage([...withoutDeny, stray, twice])).toEqual([
      { path: 'Namespace frpc', message: expect.stringContaining('no default-deny NetworkPolicy') },
      { path: 'NetworkPolicy frpc/frpc-tunnel', message: expect.stringContaining('emitted twice') },
      { path: 'NetworkPolicy kube-system/oops', message: expect.stringContaining('does not create') },
    ]);
  });
});

describe('computed from the objects, not a list', () => {
  const hook = (port: number): K8sObject[] => [
    deployment('hooks', 'tools', restrictedPodSpec({ containers: [{ name: 'app', image: 'x:1', ports: [{ name: 'webhook', containerPort: port }] }] })),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hooks', namespace: 'tools' }, spec: { selector: { app: 'hooks' }, ports: [{ port: 443, targetPort: 'webhook' }] } },
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'hooks' }, webhooks: [{ name: 'a.example.com', clientConfig: { service: { namespace: 'tools', name: 'hooks' } } }] },
  ];
  const compute = (objects: K8sObject[], namespaces = ['tools']) =>
    synth((c) => new ClusterNetworkPolicies(c, 'p', { objects, namespaces, appNamespaces: [], apiEndpoints: [{ address: '10.0.0.1', port: 6443 }], controlPlaneAddresses: ['10.0.0.1'] }));

  it('a webhook port follows the container port behind the Service', () => {
    for (const port of [9443, 10250]) {
      expect(findObject(compute(hook(port)), 'NetworkPolicy', 'hooks-webhook', 'tools').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port }]);
    }
  });

  it('hostNetwork pods get no allows; their namespace still gets default deny', () => {
    const hostNet = deployment('agent', 'tools', restrictedPodSpec({ hostNetwork: true }));
    expect(compute([hostNet]).map((p) => p.metadata.name)).toEqual(['default-deny']);
  });

  it('nothing is emitted for namespaces we do not own', () => {
    expect(compute(hook(9443), []).filter((p) => p.metadata.namespace === 'tools')).toEqual([]);
  });
});
