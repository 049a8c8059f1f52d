/**
 * The platform charts built from the reference model: cross-checks between the model and what the
 * components emit.
 */
import { join } from 'node:path';
import { App } from 'cdk8s';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { addPlatform, PLATFORM_CHARTS } from '../../lib/app/platform';
import { secretsReadmeSections } from '../../lib/readme/secrets';
import { loadDescription } from '../../lib/model/load';
import type { ClusterModel } from '../../lib/model/types';
import { PREREQUISITE_MANIFESTS } from '../../lib/versions';
import { container, findObject, findObjects, REPO_ROOT, type K8sObject } from '../helpers/k8s';
import { docOfKind, fileOf } from '../hosts/fixtures';

const reference = (): ClusterModel => loadDescription(join(REPO_ROOT, 'hostconfig/cluster.yaml'));

function synth(model: ClusterModel): { charts: string[]; objects: K8sObject[]; byChart: Record<string, K8sObject[]> } {
  const app = new App();
  addPlatform(app, model);
  const byChart = Object.fromEntries(app.charts.map((c) => [c.node.id, c.toJson() as K8sObject[]]));
  return { charts: app.charts.map((c) => c.node.id), objects: Object.values(byChart).flat(), byChart };
}

/** Inclusive integer range of `a.b.c.d-e.f.g.h` or a CIDR. */
function inRange(ip: string, range: string): boolean {
  const int = (s: string) => s.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const [first, last] = range.includes('/')
    ? ((base, bits) => [int(base), int(base) + 2 ** (32 - Number(bits)) - 1])(...(range.split('/') as [string, string]))
    : range.split('-').map(int);
  return int(ip) >= first && int(ip) <= last;
}

describe('addPlatform with the reference model', () => {
  const model = reference();
  const { charts, objects, byChart } = synth(model);

  it('creates one chart per component, with stable ids', () => {
    expect(charts).toEqual(['cni', 'metallb', 'ingress', 'cert-manager', 'frpc', 'balancer-stats', 'nfs-csi', 'metrics-server']);
    expect(Object.values(PLATFORM_CHARTS)).toEqual(charts);
  });

  it('Flannel Network equals the kubeadm pod CIDR', () => {
    const conf = JSON.parse(findObject(byChart.cni, 'ConfigMap', 'kube-flannel-cfg').data['net-conf.json']);
    expect(conf.Network).toBe('10.244.0.0/16');
    expect(conf.Backend.Type).toBe('vxlan');
    expect(docOfKind(fileOf(model, 'hosts/n100-001/kubeadm-init.yaml').content, 'ClusterConfiguration').networking.podSubnet).toBe(conf.Network);
  });

  it('kube-network-policies follows the model NRI and fail-open settings', () => {
    const args = container(findObject(byChart.cni, 'DaemonSet', 'kube-network-policies'), 'kube-network-policies').args;
    expect(args).toContain('--fail-open=false');
    expect(args).not.toContain('--disable-nri');
  });

  it('the ingress Service asks for the model ingress IP, which lies in a MetalLB pool', () => {
    const service = findObject(byChart.ingress, 'Service', 'ingress-nginx-controller', model.ingress.namespace);
    const ip = service.metadata.annotations!['metallb.io/loadBalancerIPs'];
    expect(ip).toBe('192.168.100.240');
    const pools = findObjects(byChart.metallb, 'IPAddressPool');
    const holding = pools.filter((p) => (p.spec.addresses as string[]).some((a) => inRange(ip, a)));
    expect(holding.map((p) => p.metadata.name)).toEqual(['lan-pool-ingress']);
    expect(findObject(byChart.metallb, 'L2Advertisement', 'lan-pool-ingress-l2').spec.ipAddressPools).toEqual(['lan-pool-ingress']);
  });

  it('the IngressClass is the model class, default as described', () => {
    // hostconfig/cluster.yaml: className nginx; defaultClass and replicas left at the description defaults (true, 2)
    const cls = findObject(byChart.ingress, 'IngressClass', 'nginx');
    expect(cls.metadata.annotations).toEqual({ 'ingressclass.kubernetes.io/is-default-class': 'true' });
    expect(findObject(byChart.ingress, 'Deployment', 'ingress-nginx-controller').spec.replicas).toBe(2);
  });

  it('the issuers solve HTTP-01 through the ingress class and use the model e-mail', () => {
    const issuers = findObjects(byChart['cert-manager'], 'ClusterIssuer');
    expect(issuers.map((i) => i.metadata.name)).toEqual(['letsencrypt-staging', 'letsencrypt-production']);
    for (const issuer of issuers) {
      expect(issuer.spec.acme).not.toHaveProperty('email'); // the reference leaves acme.email out
      expect(issuer.spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: 'nginx' } } }]);
    }
  });

  it('frpc dials the tunnel server and forwards exactly the model ports to the ingress IP', () => {
    const config: any = parse(findObject(byChart.frpc, 'ConfigMap', 'frpc-config', 'frpc').data['frpc.toml']);
    expect(config.serverAddr).toBe('161.132.4.98');
    expect(config.serverPort).toBe(7000);
    expect(config.proxies.map((p: any) => [p.name, p.type, p.localIP, p.localPort, p.remotePort])).toEqual([
      ['http', 'tcp', '192.168.100.240', 80, 80],
      ['https', 'tcp', '192.168.100.240', 443, 443],
    ]);
    const volume = findObject(byChart.frpc, 'Deployment', 'frpc').spec.template.spec.volumes.find((v: any) => v.secret);
    expect(volume.secret.secretName).toBe('frp-token');
    expect(volume.secret.items).toEqual([{ key: 'token', path: 'token' }]);
  });

  it('StorageClasses point at the NFS server IP, one per model class', () => {
    const classes = findObjects(byChart['nfs-csi'], 'StorageClass');
    expect(
      classes.map((c) => [
        c.metadata.name,
        c.parameters.server,
        c.parameters.share,
        c.reclaimPolicy,
        c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'],
      ]),
    ).toEqual([
      ['nas-001', '192.168.100.171', '/mnt/server', 'Delete', 'true'],
      ['nas-002', '192.168.100.171', '/mnt/server2', 'Delete', undefined],
      ['nas-003', '192.168.100.171', '/mnt/server3', 'Delete', undefined],
    ]);
  });

  it('emits no Namespace objects and no Secrets', () => {
    expect(findObjects(objects, 'Namespace')).toEqual([]);
    expect(findObjects(objects, 'Secret')).toEqual([]);
  });

  it('is deterministic: two syntheses give identical output', () => {
    expect(JSON.stringify(synth(reference()).objects)).toBe(JSON.stringify(objects));
  });
});

describe('addPlatform with other models', () => {
  it('skips the optional components absent from the model', () => {
    const ref = reference();
    const { charts, objects } = synth({
      ...ref,
      acme: undefined,
      tunnel: undefined,
      storage: undefined,
      operations: { ...ref.operations, metricsServer: undefined },
    });
    expect(charts).toEqual(['cni', 'metallb', 'ingress']);
    expect(findObjects(objects, 'ClusterIssuer')).toEqual([]);
  });

  it('maps DNS-01, PROXY protocol, host-gw, nftables and no policy enforcer', () => {
    const ref = reference();
    const model: ClusterModel = {
      ...ref,
      kubernetes: { ...ref.kubernetes, kubeProxyMode: 'nftables' },
      cni: { ...ref.cni, backend: 'host-gw', networkPolicyEnforcer: 'none' },
      acme: { ...ref.acme!, solver: { type: 'dns01', provider: 'cloudflare', apiTokenSecretRef: { name: 'cf', key: 'token' }, dnsZones: ['example.com'] } },
      tunnel: { ...ref.tunnel!, proxyProtocol: true },
    };
    const { byChart } = synth(model);
    expect(JSON.parse(findObject(byChart.cni, 'ConfigMap', 'kube-flannel-cfg').data['net-conf.json'])).toMatchObject({
      EnableNFTables: true,
      Backend: { Type: 'host-gw' },
    });
    expect(findObjects(byChart.cni, 'DaemonSet').map((d) => d.metadata.name)).toEqual(['kube-flannel-ds']);
    expect(findObject(byChart['cert-manager'], 'ClusterIssuer', 'letsencrypt-production').spec.acme.solvers[0].dns01.cloudflare.apiTokenSecretRef).toEqual({
      name: 'cf',
      key: 'token',
    });
    expect(findObject(byChart.ingress, 'ConfigMap', 'ingress-nginx-controller').data['use-proxy-protocol']).toBe('true');
    const config: any = parse(findObject(byChart.frpc, 'ConfigMap', 'frpc-config').data['frpc.toml']);
    for (const proxy of config.proxies) expect(proxy.transport.proxyProtocolVersion).toBe('v2');
  });
});

describe('secretsReadmeSections', () => {
  it('says how to create the frp Secret, which dist/ never contains', () => {
    const sections = secretsReadmeSections(reference());
    expect(sections.map((s) => s.title)).toEqual(['Secrets to create']);
    const secrets = sections[0].body;
    expect(secrets).toContain('kubectl -n frpc create secret generic frp-token --from-file=token=frp-token');
    expect(secrets).toContain('/etc/frp/token');
    expect(secrets).not.toContain('cloudflare');
  });

  it('adds the DNS-01 token Secret when selected, and nothing when no component needs a Secret', () => {
    const ref = reference();
    const dns = secretsReadmeSections({
      ...ref,
      acme: { ...ref.acme!, solver: { type: 'dns01', provider: 'cloudflare', apiTokenSecretRef: { name: 'cf', key: 'api-token' }, dnsZones: [] } },
    });
    expect(dns[0].body).toContain('kubectl -n cert-manager create secret generic cf --from-file=api-token=cloudflare-api-token');
    expect(secretsReadmeSections({ ...ref, acme: undefined, tunnel: undefined, storage: undefined })).toEqual([]);
  });

  it('pins the upstream prerequisite manifests used by the apply sequence', () => {
    expect(PREREQUISITE_MANIFESTS.metallb).toBe('https://raw.githubusercontent.com/metallb/metallb/v0.16.1/config/manifests/metallb-native.yaml');
    expect(PREREQUISITE_MANIFESTS.certManager).toBe('https://github.com/cert-manager/cert-manager/releases/download/v1.21.1/cert-manager.yaml');
  });
});
