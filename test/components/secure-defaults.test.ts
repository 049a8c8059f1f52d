/**
 * Secure defaults on every pod we emit, with the privileges each component truly needs listed here:
 * a new privilege anywhere fails this test until it is added (with its reason) to the table.
 */
import { describe, expect, it } from 'vitest';
import { AcmeSolver, Flannel, Frpc, IngressNginx, KubeNetworkPolicies, LetsEncryptIssuers, MetalLbL2Pools, NfsCsiDriver } from '../../lib/components';
import { allContainers, isWorkload, podSpec, synthChart, type K8sObject } from '../helpers/k8s';

const objects = synthChart((chart) => {
  new Flannel(chart, 'Flannel', { podCidr: '10.244.0.0/16' });
  new KubeNetworkPolicies(chart, 'Netpol');
  new MetalLbL2Pools(chart, 'Pools', { pools: [{ name: 'pool', addresses: ['10.0.0.0/28'] }] });
  new IngressNginx(chart, 'Ingress');
  new LetsEncryptIssuers(chart, 'Issuers', { email: 'a@my-homelab.net', solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })] });
  new Frpc(chart, 'Frpc', { serverAddr: '203.0.113.1', localIP: '10.0.0.1', proxies: [{ name: 'https', localPort: 443, remotePort: 443 }] });
  new NfsCsiDriver(chart, 'Nfs', { snapshots: true });
});
const workloads = objects.filter(isWorkload);

/** Pods that run as root, and why. */
const ROOT_PODS: Record<string, string> = {
  'kube-flannel-ds': 'programs routes, VXLAN devices and iptables in the host network namespace',
  'kube-network-policies': 'owns nftables/nfqueue rules and enters pod network namespaces',
  'csi-nfs-controller': 'mounts NFS shares; its sidecars talk to the root-owned CSI socket',
  'csi-nfs-node': 'mounts NFS shares for the kubelet; its sidecars talk to the root-owned CSI socket',
};

/** Containers with privileges beyond the defaults: `pod/container` → what they keep. */
const PRIVILEGED_CONTAINERS: Record<string, { privileged?: boolean; add?: string[]; writableRoot?: boolean }> = {
  'kube-flannel-ds/kube-flannel': { add: ['NET_ADMIN', 'NET_RAW'] },
  'kube-network-policies/kube-network-policies': { privileged: true, add: ['NET_ADMIN'] },
  'ingress-nginx-controller/controller': { add: ['NET_BIND_SERVICE'], writableRoot: true },
  'csi-nfs-controller/nfs': { privileged: true, add: ['SYS_ADMIN'], writableRoot: true },
  'csi-nfs-node/nfs': { privileged: true, add: ['SYS_ADMIN'], writableRoot: true },
};

/** Pods that call the API server and therefore mount a ServiceAccount token. */
const API_CLIENTS = [
  'csi-nfs-controller',
  'ingress-nginx-admission-create',
  'ingress-nginx-admission-patch',
  'ingress-nginx-controller',
  'kube-flannel-ds',
  'kube-network-policies',
];

describe('secure pod defaults', () => {
  it('covers every workload', () => {
    expect(workloads.map((w) => w.metadata.name).sort()).toEqual([
      'csi-nfs-controller',
      'csi-nfs-node',
      'frpc',
      'ingress-nginx-admission-create',
      'ingress-nginx-admission-patch',
      'ingress-nginx-controller',
      'kube-flannel-ds',
      'kube-network-policies',
    ]);
  });

  it.each(workloads.map((w) => [w.metadata.name, w] as [string, K8sObject]))(
    '%s: RuntimeDefault seccomp, explicit token mount, requests on every container',
    (name, workload) => {
      const spec = podSpec(workload);
      for (const c of allContainers(workload)) {
        const seccomp = c.securityContext?.seccompProfile?.type ?? spec.securityContext?.seccompProfile?.type;
        if (!PRIVILEGED_CONTAINERS[`${name}/${c.name}`]?.privileged) expect(seccomp, c.name).toBe('RuntimeDefault');
        // a positive quantity, not merely a key: an empty or zero request schedules as if there were none
        expect(c.resources?.requests?.cpu, c.name).toMatch(/^[1-9]\d*m$/);
        expect(c.resources?.requests?.memory, c.name).toMatch(/^[1-9]\d*Mi$/);
      }
      expect(spec.automountServiceAccountToken).toBe(API_CLIENTS.includes(name));
    },
  );

  it.each(workloads.map((w) => [w.metadata.name, w] as [string, K8sObject]))('%s: non-root unless listed', (name, workload) => {
    const spec = podSpec(workload);
    const nonRoot = allContainers(workload).every((c) => (c.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot) === true);
    expect(nonRoot).toBe(!(name in ROOT_PODS));
  });

  it('every container drops ALL, does not escalate and has a read-only root, except the listed privileges', () => {
    for (const workload of workloads) {
      for (const c of allContainers(workload)) {
        const key = `${workload.metadata.name}/${c.name}`;
        const allowed = PRIVILEGED_CONTAINERS[key] ?? {};
        const sc = c.securityContext ?? {};
        expect(sc.privileged === true, key).toBe(allowed.privileged === true);
        expect([...(sc.capabilities?.add ?? [])].sort(), key).toEqual(allowed.add ?? []);
        if (!allowed.privileged) {
          expect(sc.capabilities?.drop, key).toEqual(['ALL']);
          expect(sc.allowPrivilegeEscalation, key).toBe(false);
        }
        expect(sc.readOnlyRootFilesystem === true, key).toBe(!allowed.writableRoot);
      }
    }
  });

  it('only the node agents use the host network', () => {
    const host = workloads
      .filter((w) => podSpec(w).hostNetwork)
      .map((w) => w.metadata.name)
      .sort();
    expect(host).toEqual(['csi-nfs-controller', 'csi-nfs-node', 'kube-flannel-ds', 'kube-network-policies']);
  });
});
