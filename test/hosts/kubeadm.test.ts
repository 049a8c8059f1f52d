import { describe, expect, it } from 'vitest';
import { renderHostFiles, renderKubeadmInit, renderKubeadmJoin, renderPodSecurityAdmission } from '../../lib/hosts';
import type { ClusterModel } from '../../lib/model/types';
import { docOfKind, fileOf, reference, variant, variants, yamlDocs } from './fixtures';
import { API_VERSIONS, KUBEADM_SHAPES, unknownKeys } from './formats';

const ref = reference();
const host = (m: ClusterModel, name: string) => m.hosts.find((h) => h.name === name)!;

describe('kubeadm init (first control plane)', () => {
  const content = fileOf(ref, 'hosts/n100-001/kubeadm-init.yaml').content;

  it('holds Init, Cluster, Kubelet and KubeProxy configuration with their API versions', () => {
    const docs = yamlDocs(content);
    expect(docs.map((d) => d.kind)).toEqual(['InitConfiguration', 'ClusterConfiguration', 'KubeletConfiguration', 'KubeProxyConfiguration']);
    for (const d of docs) expect(d.apiVersion).toBe(API_VERSIONS[d.kind]);
  });

  it('points the cluster at the VIP and takes version, name and networks from the model', () => {
    const cc = docOfKind(content, 'ClusterConfiguration');
    expect(cc.controlPlaneEndpoint).toBe('192.168.100.230:6443');
    expect(cc.kubernetesVersion).toBe('v1.32.3');
    expect(cc.clusterName).toBe('homelab');
    expect(cc.networking).toEqual({ podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12', dnsDomain: 'cluster.local' });
    expect(cc.apiServer.certSANs).toEqual(['192.168.100.230']);
  });

  it('adds the model certSANs next to the VIP', () => {
    const m = variant((d) => (d.apiServer.certSANs = ['api.homelab.example', '192.168.100.230']));
    const cc = docOfKind(renderKubeadmInit(m), 'ClusterConfiguration');
    expect(cc.apiServer.certSANs).toEqual(['192.168.100.230', 'api.homelab.example']);
  });

  it('registers n100-001 on its own address with v1beta4 list-style kubelet args', () => {
    const init = docOfKind(content, 'InitConfiguration');
    expect(init.localAPIEndpoint).toEqual({ advertiseAddress: '192.168.100.201', bindPort: 6443 });
    expect(init.nodeRegistration).toEqual({
      name: 'n100-001',
      criSocket: 'unix:///var/run/containerd/containerd.sock',
      kubeletExtraArgs: [{ name: 'node-ip', value: '192.168.100.201' }],
    });
    // nil taints: kubeadm adds the control-plane taint.
    expect(init.nodeRegistration).not.toHaveProperty('taints');
  });

  it('wires the Pod Security admission file into the API server through a read-only hostPath', () => {
    const api = docOfKind(content, 'ClusterConfiguration').apiServer;
    // the day-2 flags and mounts (audit log, encryption) come after it: test/hosts/day2-apiserver.test.ts
    expect(api.extraArgs[0]).toEqual({ name: 'admission-control-config-file', value: '/etc/kubernetes/psa/psa-admission.yaml' });
    expect(api.extraVolumes[0]).toEqual({
      name: 'psa',
      hostPath: '/etc/kubernetes/psa',
      mountPath: '/etc/kubernetes/psa',
      readOnly: true,
      pathType: 'DirectoryOrCreate',
    });
    // the file the flag names is the one cloud-init installs on every control plane
    for (const name of ['n100-001', 'n100-002', 'n100-003'])
      expect(fileOf(ref, `hosts/${name}/user-data`).content).toContain('  - path: /etc/kubernetes/psa/psa-admission.yaml\n');
  });

  it('writes no bootstrap token and no certificate key', () => {
    const init = docOfKind(content, 'InitConfiguration');
    expect(init).not.toHaveProperty('bootstrapTokens');
    expect(init).not.toHaveProperty('certificateKey');
    expect(content).toContain('--upload-certs');
  });

  it('uses systemd cgroups for the kubelet', () => {
    expect(docOfKind(content, 'KubeletConfiguration').cgroupDriver).toBe('systemd');
  });

  it('sets the kube-proxy mode; strict ARP only with IPVS (MetalLB L2)', () => {
    expect(docOfKind(content, 'KubeProxyConfiguration')).toEqual({
      apiVersion: API_VERSIONS.KubeProxyConfiguration,
      kind: 'KubeProxyConfiguration',
      mode: 'iptables',
    });
    const ipvs = docOfKind(renderKubeadmInit(variants.ipvs()), 'KubeProxyConfiguration');
    expect(ipvs.mode).toBe('ipvs');
    expect(ipvs.ipvs).toEqual({ strictARP: true });
    const nft = docOfKind(renderKubeadmInit(variant((d) => (d.kubernetes.kubeProxyMode = 'nftables'))), 'KubeProxyConfiguration');
    expect(nft.mode).toBe('nftables');
    expect(nft).not.toHaveProperty('ipvs');
  });

  it('passes sorted node labels as one node-labels argument', () => {
    const m = variant((d) => (d.hosts[0].labels = { 'zone.example.com/rack': 'b', 'hw.example.com/cpu': 'n100' }));
    const init = docOfKind(renderKubeadmInit(m), 'InitConfiguration');
    expect(init.nodeRegistration.kubeletExtraArgs).toEqual([
      { name: 'node-ip', value: '192.168.100.201' },
      { name: 'node-labels', value: 'hw.example.com/cpu=n100,zone.example.com/rack=b' },
    ]);
  });
});

describe('kubeadm join templates', () => {
  it('makes the other control planes join as control planes on their own address', () => {
    for (const [name, ip] of [
      ['n100-002', '192.168.100.202'],
      ['n100-003', '192.168.100.203'],
    ]) {
      const join = docOfKind(fileOf(ref, `hosts/${name}/kubeadm-join.yaml`).content, 'JoinConfiguration');
      expect(join.apiVersion).toBe('kubeadm.k8s.io/v1beta4');
      expect(join.controlPlane).toEqual({
        localAPIEndpoint: { advertiseAddress: ip, bindPort: 6443 },
        certificateKey: '${KUBEADM_CERTIFICATE_KEY}',
      });
      expect(join.nodeRegistration.name).toBe(name);
      expect(join.nodeRegistration.kubeletExtraArgs).toEqual([{ name: 'node-ip', value: ip }]);
    }
  });

  it('makes every worker join without a controlPlane section', () => {
    // the ten workers of hostconfig/cluster.yaml, written out: a worker the renderer skips fails here
    const workers = {
      'raspberry-001': '192.168.100.211',
      'raspberry-002': '192.168.100.212',
      'raspberry-003': '192.168.100.213',
      'raspberry-004': '192.168.100.214',
      'raspberry-005': '192.168.100.215',
      'raspberry-006': '192.168.100.216',
      'raspberry-007': '192.168.100.217',
      'raspberry-008': '192.168.100.218',
      '5825u-001': '192.168.100.221',
      '5825u-002': '192.168.100.222',
    };
    const joins = renderHostFiles(ref)
      .map((f) => f.path)
      .filter((p) => p.endsWith('/kubeadm-join.yaml'));
    expect(joins.sort()).toEqual([...Object.keys(workers), 'n100-002', 'n100-003'].map((n) => `hosts/${n}/kubeadm-join.yaml`).sort());
    for (const [name, ip] of Object.entries(workers)) {
      const join = docOfKind(fileOf(ref, `hosts/${name}/kubeadm-join.yaml`).content, 'JoinConfiguration');
      expect(join).not.toHaveProperty('controlPlane');
      expect(join.nodeRegistration).toMatchObject({ name, kubeletExtraArgs: [{ name: 'node-ip', value: ip }] });
    }
  });

  it('discovers the cluster through the VIP with placeholders instead of secrets', () => {
    const join = docOfKind(fileOf(ref, 'hosts/raspberry-001/kubeadm-join.yaml').content, 'JoinConfiguration');
    expect(join.discovery).toEqual({
      bootstrapToken: {
        apiServerEndpoint: '192.168.100.230:6443',
        token: '${KUBEADM_TOKEN}',
        caCertHashes: ['${KUBEADM_CA_CERT_HASH}'],
      },
    });
  });

  it('double-quotes every string, so substituted values stay strings', () => {
    const content = fileOf(ref, 'hosts/n100-002/kubeadm-join.yaml').content;
    expect(content).toContain('token: "${KUBEADM_TOKEN}"');
    expect(content).toContain('certificateKey: "${KUBEADM_CERTIFICATE_KEY}"');
  });

  it('refuses to render a join for the init host or a non-node', () => {
    expect(() => renderKubeadmJoin(ref, host(ref, 'n100-001'))).toThrow(/runs kubeadm init/);
    expect(() => renderKubeadmJoin(ref, host(ref, 'nas-001'))).toThrow(/not a Kubernetes node/);
  });

  it('with a single control plane, only workers join', () => {
    const m = variants.singleControlPlane();
    const paths = renderHostFiles(m)
      .map((f) => f.path)
      .filter((p) => /kubeadm-(init|join)\.yaml$/.test(p));
    expect(paths.filter((p) => p.endsWith('init.yaml'))).toEqual(['hosts/n100-001/kubeadm-init.yaml']);
    expect(paths.filter((p) => p.startsWith('hosts/n100-'))).toEqual(['hosts/n100-001/kubeadm-init.yaml']);
    expect(paths.filter((p) => p.endsWith('join.yaml'))).toHaveLength(10);
  });
});

describe('Pod Security admission configuration', () => {
  it('sets the model defaults with the Kubernetes minor as version and the exempt namespaces', () => {
    const doc = docOfKind(fileOf(ref, 'hosts/n100-001/psa-admission.yaml').content, 'AdmissionConfiguration');
    expect(doc.apiVersion).toBe('apiserver.config.k8s.io/v1');
    expect(doc.plugins).toHaveLength(1);
    expect(doc.plugins[0].name).toBe('PodSecurity');
    expect(doc.plugins[0].configuration).toEqual({
      apiVersion: 'pod-security.admission.config.k8s.io/v1',
      kind: 'PodSecurityConfiguration',
      defaults: {
        enforce: 'baseline',
        'enforce-version': 'v1.32',
        audit: 'restricted',
        'audit-version': 'v1.32',
        warn: 'restricted',
        'warn-version': 'v1.32',
      },
      exemptions: { usernames: [], runtimeClasses: [], namespaces: ['kube-system'] },
    });
  });

  it('follows other levels and exemptions', () => {
    const m = variant(
      (d) =>
        (d.security = { podSecurity: { enforce: 'restricted', audit: 'restricted', warn: 'baseline', exemptNamespaces: ['metallb-system', 'kube-system'] } }),
    );
    const config = docOfKind(renderPodSecurityAdmission(m), 'AdmissionConfiguration').plugins[0].configuration;
    expect(config.defaults.enforce).toBe('restricted');
    expect(config.defaults.warn).toBe('baseline');
    expect(config.exemptions.namespaces).toEqual(['kube-system', 'metallb-system']);
  });

  it('is on every control plane (each runs an API server) and on no other host', () => {
    const holders = renderHostFiles(ref)
      .filter((f) => f.path.endsWith('/psa-admission.yaml'))
      .map((f) => f.path.split('/')[1]);
    expect(holders).toEqual(['n100-001', 'n100-002', 'n100-003']);
  });
});

describe('kubeadm and admission files use only known fields', () => {
  const models = { reference: ref, ipvs: variants.ipvs(), singleControlPlane: variants.singleControlPlane() };
  for (const [label, m] of Object.entries(models)) {
    it(`${label}: every key is in the v1beta4 / component config field lists`, () => {
      const files = renderHostFiles(m).filter((f) => /(kubeadm-(init|join)|psa-admission)\.yaml$/.test(f.path));
      expect(files.length).toBeGreaterThan(3);
      for (const f of files) {
        for (const doc of yamlDocs(f.content)) {
          const shape = KUBEADM_SHAPES[doc.kind];
          expect(shape, `${f.path}: kind ${doc.kind}`).toBeDefined();
          expect(doc.apiVersion, `${f.path}: ${doc.kind}`).toBe(API_VERSIONS[doc.kind]);
          expect(unknownKeys(doc, shape), `${f.path}: ${doc.kind}`).toEqual([]);
        }
      }
    });
  }

  it('the field check catches an invented field (v1beta3-style map, typo)', () => {
    expect(unknownKeys({ kind: 'InitConfiguration', nodeRegistration: { kubeletExtraArg: [] }, uploadCerts: true }, KUBEADM_SHAPES.InitConfiguration)).toEqual([
      'nodeRegistration.kubeletExtraArg',
      'uploadCerts',
    ]);
    expect(unknownKeys({ nodeRegistration: { kubeletExtraArgs: { 'node-ip': '1.2.3.4' } } }, KUBEADM_SHAPES.JoinConfiguration)).toEqual([
      'nodeRegistration.kubeletExtraArgs: expected a list',
    ]);
  });
});
