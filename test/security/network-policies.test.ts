/**
 * NetworkPolicies: the building blocks (names, shapes), the policies generated from the flow catalogue for
 * the reference cluster (default deny, then exactly the declared flows with the dataplane's addresses), and
 * the coverage check. The flow checker itself is tested in test/flows/.
 */
import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { checkNetworkPolicyCoverage, networkPolicyCheck } from '../../lib/checks/network-policy';
import type { K8sObject } from '../../lib/k8s/object';
import { AllowEgress, allowDns, allowTraffic, denyAll, Peer, Port } from '../../lib/security/network-policy';
import { findObject, findObjects } from '../helpers/k8s';
import { referenceModel, renderUnchecked } from './fixtures';

const synth = (build: (chart: Chart) => void): any[] => {
  const chart = new Chart(new App(), 'test');
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
    const objects = synth((c) =>
      allowTraffic(c, 'x', {
        from: { namespace: 'a', podLabels: { app: 'client' } },
        to: { namespace: 'b', podLabels: { app: 'db' } },
        ports: [Port.tcp(5432)],
        purpose: 'db',
      }),
    );
    const egress = findObject(objects, 'NetworkPolicy', 'to-b-db', 'a');
    const ingress = findObject(objects, 'NetworkPolicy', 'from-a-db', 'b');
    expect(egress.spec).toEqual({
      podSelector: { matchLabels: { app: 'client' } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } }, podSelector: { matchLabels: { app: 'db' } } }],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ],
    });
    expect(ingress.spec).toEqual({
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } }, podSelector: { matchLabels: { app: 'client' } } }],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ],
    });
  });

  it('peers and ports: addresses become /32, anywhere omits the peer, no ports means every port, addRule adds a rule', () => {
    const [policy] = synth((c) => {
      const p = new AllowEgress(c, 'e', { name: 'e', namespace: 'n', to: Peer.ipBlock('10.0.0.1'), ports: [Port.tcp(443), Port.tcp(80), Port.tcp(80)] });
      p.addRule(Peer.anywhere());
      p.addRule(Peer.podsIn(['z', 'y']), [Port.udp('dns')]);
    });
    expect(policy.spec.egress).toEqual([
      {
        to: [{ ipBlock: { cidr: '10.0.0.1/32' } }],
        ports: [
          { protocol: 'TCP', port: 80 },
          { protocol: 'TCP', port: 443 },
        ],
      },
      {},
      {
        to: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['y', 'z'] }] }, podSelector: {} }],
        ports: [{ protocol: 'UDP', port: 'dns' }],
      },
    ]);
  });

  it('fails early on a bad address or port, naming the value', () => {
    expect(() => Peer.ipBlock('192.168.100.300')).toThrow(/cidrsOrAddresses\[0\]: not an IPv4 address or CIDR.*got "192\.168\.100\.300"/);
    expect(() => Peer.ipBlocks([])).toThrow(/at least one/);
    expect(() => Port.tcp(70000)).toThrow(/port: must be a port number from 1 to 65535.*got 70000/);
    expect(() => Port.udp('Not_A_Name')).toThrow(/container port name/);
  });
});

describe('policies generated from the flow catalogue for the reference cluster', () => {
  const model = referenceModel();
  const { objects } = renderUnchecked(model);
  const policies = findObjects(objects as any, 'NetworkPolicy');
  const policy = (namespace: string, name: string) => findObject(objects as any, 'NetworkPolicy', name, namespace);
  const controllerPods = findObject(objects as any, 'Service', 'ingress-nginx-controller', 'ingress-nginx').spec.selector;
  const controllerPeer = {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
    podSelector: { matchLabels: controllerPods },
  };

  it('every namespace we own that runs networked pods is default-deny; kube-flannel (hostNetwork only) gets none; the coverage check holds', () => {
    for (const ns of ['apps', 'frpc', 'ingress-nginx']) {
      expect(policy(ns, 'default-deny').spec, ns).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
    // kube-flannel exists and is privileged: its only pods run on the host network, so no policy could apply
    expect(findObject(objects as any, 'Namespace', 'kube-flannel').metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged' });
    expect(
      findObjects(objects as any, 'DaemonSet')
        .filter((d) => d.metadata.namespace === 'kube-flannel')
        .map((d) => [d.metadata.name, d.spec.template.spec.hostNetwork]),
    ).toEqual([['kube-flannel-ds', true]]);
    expect(policies.filter((p) => p.metadata.namespace === 'kube-flannel')).toEqual([]);
    expect(networkPolicyCheck.run({ model, objects, files: [] })).toEqual([]);
  });

  it('no policy in a namespace we do not own (kube-system, metallb-system, cert-manager)', () => {
    expect(new Set(policies.map((p) => p.metadata.namespace))).toEqual(new Set(['apps', 'frpc', 'ingress-nginx']));
  });

  it('DNS for every isolated namespace: egress to CoreDNS on UDP and TCP 53', () => {
    for (const ns of ['apps', 'frpc', 'ingress-nginx']) {
      expect(policy(ns, 'allow-dns').spec, ns).toEqual({
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
            ],
            ports: [
              { protocol: 'TCP', port: 53 },
              { protocol: 'UDP', port: 53 },
            ],
          },
        ],
      });
    }
  });

  it('API server egress goes to the control planes on the bind port (what the kubernetes Service is DNATed to), nothing else', () => {
    const api = policy('ingress-nginx', 'ingress-nginx-apiserver');
    expect(api.spec.podSelector).toEqual({ matchLabels: controllerPods });
    expect(api.spec.egress).toEqual([
      {
        to: ['192.168.100.201', '192.168.100.202', '192.168.100.203'].map((ip) => ({ ipBlock: { cidr: `${ip}/32` } })),
        ports: [{ protocol: 'TCP', port: 6443 }],
      },
    ]);
    // The certgen Jobs patch the webhook through the API too.
    expect(policy('ingress-nginx', 'ingress-nginx-admission-apiserver').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 6443 }]);
    // frpc mounts no token, so it gets no API access.
    expect(findObject(objects as any, 'Deployment', 'frpc', 'frpc').spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(policies.some((p) => p.metadata.namespace === 'frpc' && p.metadata.name.endsWith('-apiserver'))).toBe(false);
  });

  it('webhook ingress admits what the API server really presents with VXLAN (a flannel.1 .0 in the pod CIDR), on the container port behind the Service', () => {
    const hook = policy('ingress-nginx', 'ingress-nginx-admission-webhook');
    expect(hook.spec.podSelector).toEqual({ matchLabels: controllerPods });
    expect(hook.spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '10.244.0.0/16' } }], ports: [{ protocol: 'TCP', port: 8443 }] }]);
  });

  it('with host-gw the webhook admits the control-plane node IPs instead', () => {
    const m = referenceModel((d) => (d.cni.backend = 'host-gw'));
    const r = renderUnchecked(m).objects as any[];
    expect(findObject(r, 'NetworkPolicy', 'ingress-nginx-admission-webhook', 'ingress-nginx').spec.ingress[0].from).toEqual(
      ['192.168.100.201', '192.168.100.202', '192.168.100.203'].map((ip) => ({ ipBlock: { cidr: `${ip}/32` } })),
    );
  });

  it('the ingress controller is reachable from the LAN (client addresses kept) and from frpc, on its target ports', () => {
    const web = [
      { protocol: 'TCP', port: 80 },
      { protocol: 'TCP', port: 443 },
    ];
    expect(policy('ingress-nginx', 'ingress-nginx-from-lan').spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '192.168.100.0/24' } }], ports: web }]);
    expect(policy('ingress-nginx', 'frpc-forward').spec.ingress).toEqual([
      {
        from: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'frpc' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frpc' } } },
        ],
        ports: web,
      },
    ]);
  });

  it('without a tunnel the ingress is open to Internet clients (router port-forward)', () => {
    const m = referenceModel((d) => {
      delete d.tunnel;
      d.hosts = d.hosts.filter((h: any) => !h.roles.includes('tunnel-server'));
    });
    const r = renderUnchecked(m).objects as any[];
    expect(findObject(r, 'NetworkPolicy', 'ingress-from-internet', 'ingress-nginx').spec.ingress).toEqual([
      {
        ports: [
          { protocol: 'TCP', port: 80 },
          { protocol: 'TCP', port: 443 },
        ],
      },
    ]);
  });

  it('the ingress controller reaches app namespaces (any port) and ACME solvers there (8089), both sides', () => {
    expect(policy('ingress-nginx', 'ingress-to-apps').spec.egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } }, podSelector: {} }] },
    ]);
    expect(policy('apps', 'ingress-to-apps').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [controllerPeer] }] });
    expect(policy('apps', 'ingress-to-apps-acme').spec).toEqual({
      podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [controllerPeer], ports: [{ protocol: 'TCP', port: 8089 }] }],
    });
    expect(policy('ingress-nginx', 'ingress-to-apps-acme').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 8089 }]);
  });

  it('frpc dials the tunnel server and reaches the ingress controller pods (the LB IP is DNATed to them), nothing else', () => {
    const tunnel = policy('frpc', 'frpc-tunnel');
    expect(tunnel.spec.podSelector).toEqual({ matchLabels: findObject(objects as any, 'Deployment', 'frpc', 'frpc').spec.selector.matchLabels });
    expect(tunnel.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '161.132.4.98/32' } }], ports: [{ protocol: 'TCP', port: 7000 }] }]);
    const web = [
      { protocol: 'TCP', port: 80 },
      { protocol: 'TCP', port: 443 },
    ];
    expect(policy('frpc', 'frpc-forward').spec.egress).toEqual([{ to: [controllerPeer], ports: web }]);
    expect(
      policies
        .filter((p) => p.metadata.namespace === 'frpc')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['allow-dns', 'default-deny', 'frpc-forward', 'frpc-tunnel']);
  });

  it('policies follow the model: the tunnel port, and an app namespace closed to the ingress controller (ACME solvers stay reachable)', () => {
    const m = referenceModel((d) => {
      d.tunnel.bindPort = 7443;
      d.namespaces = [{ name: 'apps' }, { name: 'batch', allowIngressController: false }];
    });
    const r = renderUnchecked(m).objects as any[];
    expect(findObject(r, 'NetworkPolicy', 'frpc-tunnel', 'frpc').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 7443 }]);
    expect(findObject(r, 'NetworkPolicy', 'default-deny', 'batch').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(r.some((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'ingress-to-batch')).toBe(false);
    expect(findObject(r, 'NetworkPolicy', 'ingress-to-batch-acme', 'batch').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8089 }]);
  });

  it('is deterministic: two renders give byte-identical policies and namespaces', () => {
    const again = renderUnchecked(referenceModel()).objects.filter((o) =>
      ['NetworkPolicy', 'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'RoleBinding'].includes(o.kind),
    );
    expect(JSON.stringify(again)).toBe(
      JSON.stringify(objects.filter((o) => ['NetworkPolicy', 'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'RoleBinding'].includes(o.kind))),
    );
  });

  it('security.networkPolicies: false emits no NetworkPolicy and the check does not require any', () => {
    const m = referenceModel((d) => (d.security = { networkPolicies: false }));
    const r = renderUnchecked(m);
    expect(findObjects(r.objects as any, 'NetworkPolicy')).toEqual([]);
    expect(networkPolicyCheck.run({ model: m, objects: r.objects, files: [] })).toEqual([]);
  });

  it('the coverage check fails a namespace without default deny, a duplicate, a policy in a namespace we do not own, and one in a hostNetwork-only namespace', () => {
    const withoutDeny = objects.filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny' && o.metadata.namespace === 'frpc'));
    const stray: K8sObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'oops', namespace: 'kube-system' },
      spec: { podSelector: {} },
    };
    const flannel: K8sObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: 'kube-flannel' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    };
    const twice = withoutDeny.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'frpc-tunnel')!;
    expect(checkNetworkPolicyCoverage([...withoutDeny, stray, twice, flannel], ['apps'])).toEqual([
      { path: 'NetworkPolicy kube-flannel/default-deny', message: expect.stringContaining('host networking') },
      { path: 'Namespace frpc', message: expect.stringContaining('no default-deny NetworkPolicy') },
      { path: 'NetworkPolicy frpc/frpc-tunnel', message: expect.stringContaining('emitted twice') },
      { path: 'NetworkPolicy kube-system/oops', message: expect.stringContaining('does not create') },
    ]);
  });

  it('an app namespace with no pods yet still needs default deny', () => {
    const withoutDeny = objects.filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny' && o.metadata.namespace === 'apps'));
    expect(checkNetworkPolicyCoverage(withoutDeny, ['apps'])).toEqual([{ path: 'Namespace apps', message: expect.stringContaining('no default-deny') }]);
  });
});
