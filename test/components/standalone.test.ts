/**
 * Each construct on its own, in a bare chart, as another repository would use it: only its own objects,
 * explicit readable names, no Namespace, namespaced objects in a namespace, deterministic output.
 */
import { App, Chart, Testing } from 'cdk8s';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import {
  AcmeSolver,
  Flannel,
  Frpc,
  IngressNginx,
  KubeNetworkPolicies,
  LetsEncryptIssuers,
  MetalLbL2Pools,
  NfsCsiDriver,
  NfsStorageClass,
} from '../../lib/components';
import type { K8sObject } from '../helpers/k8s';

const CLUSTER_SCOPED = new Set([
  'ClusterRole',
  'ClusterRoleBinding',
  'IngressClass',
  'StorageClass',
  'CSIDriver',
  'ValidatingWebhookConfiguration',
  'ClusterIssuer',
]);

const CASES: Record<string, { build: (chart: Construct) => void; kinds: string[] }> = {
  Flannel: {
    build: (c) => new Flannel(c, 'Cni', { podCidr: '10.244.0.0/16' }),
    kinds: ['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet', 'ServiceAccount'],
  },
  KubeNetworkPolicies: {
    build: (c) => new KubeNetworkPolicies(c, 'Netpol'),
    kinds: ['ClusterRole', 'ClusterRoleBinding', 'DaemonSet', 'ServiceAccount'],
  },
  MetalLbL2Pools: {
    build: (c) => new MetalLbL2Pools(c, 'Pools', { pools: [{ name: 'pool', addresses: ['10.0.0.0/28'] }] }),
    kinds: ['IPAddressPool', 'L2Advertisement'],
  },
  IngressNginx: {
    build: (c) => new IngressNginx(c, 'Ingress'),
    kinds: [
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'ConfigMap',
      'Deployment',
      'IngressClass',
      'Job',
      'Job',
      'PodDisruptionBudget',
      'Role',
      'Role',
      'RoleBinding',
      'RoleBinding',
      'Service',
      'Service',
      'ServiceAccount',
      'ServiceAccount',
      'ValidatingWebhookConfiguration',
    ],
  },
  LetsEncryptIssuers: {
    build: (c) => new LetsEncryptIssuers(c, 'Issuers', { email: 'a@my-homelab.net', solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })] }),
    kinds: ['ClusterIssuer', 'ClusterIssuer'],
  },
  Frpc: {
    build: (c) => new Frpc(c, 'Frpc', { serverAddr: 'frps.example.com', localIP: '10.0.0.1', proxies: [{ name: 'https', localPort: 443, remotePort: 443 }] }),
    kinds: ['ConfigMap', 'Deployment', 'ServiceAccount'],
  },
  NfsCsiDriver: {
    build: (c) => new NfsCsiDriver(c, 'Nfs'),
    kinds: [
      'CSIDriver',
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'DaemonSet',
      'Deployment',
      'ServiceAccount',
      'ServiceAccount',
    ],
  },
  NfsStorageClass: {
    build: (c) => new NfsStorageClass(c, 'Class', { name: 'nfs', server: '10.0.0.5', share: '/export' }),
    kinds: ['StorageClass'],
  },
};

function synth(build: (chart: Construct) => void): K8sObject[] {
  const chart = new Chart(new App(), 'test');
  build(chart);
  return Testing.synth(chart) as K8sObject[];
}

describe.each(Object.entries(CASES))('%s alone in a bare chart', (_name, { build, kinds }) => {
  const objects = synth(build);

  it('emits exactly its own objects, and no Namespace', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual([...kinds].sort());
  });

  it('names every object explicitly (no cdk8s hash suffix)', () => {
    for (const o of objects) {
      expect(o.metadata.name, o.kind).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      expect(o.metadata.name, o.kind).not.toMatch(/^test-|-c8[0-9a-f]{6}$/);
    }
  });

  it('puts namespaced objects in a namespace and cluster-scoped ones in none', () => {
    for (const o of objects) expect(o.metadata.namespace === undefined, `${o.kind} ${o.metadata.name}`).toBe(CLUSTER_SCOPED.has(o.kind));
  });

  it('is deterministic', () => {
    expect(JSON.stringify(synth(build))).toBe(JSON.stringify(objects));
  });
});
