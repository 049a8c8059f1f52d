import { describe, expect, it } from 'vitest';
import {
  ComponentPropsError,
  Flannel,
  FLANNEL_DEFAULT_BACKEND,
  FLANNEL_DEFAULT_ENABLE_NFTABLES,
  FLANNEL_DEFAULT_NAMESPACE,
  FlannelBackend,
  KUBE_NETWORK_POLICIES_DEFAULT_FAIL_OPEN,
  KUBE_NETWORK_POLICIES_DEFAULT_NAMESPACE,
  KUBE_NETWORK_POLICIES_DEFAULT_NFQUEUE_ID,
  KUBE_NETWORK_POLICIES_DEFAULT_NRI,
  KubeNetworkPolicies,
  type FlannelProps,
  type KubeNetworkPoliciesProps,
} from '../../lib/components';
import { container, findObject, hasObject, podSpec, podTemplateMetadata, synthChart } from '../helpers/k8s';

const flannel = (props: FlannelProps) => synthChart((chart) => new Flannel(chart, 'Flannel', props));
const netConf = (objects: ReturnType<typeof flannel>, namespace = 'kube-flannel') =>
  JSON.parse(findObject(objects, 'ConfigMap', 'kube-flannel-cfg', namespace).data['net-conf.json']);

describe('Flannel', () => {
  it('puts the pod CIDR and backend into net-conf.json', () => {
    const objects = flannel({ podCidr: '10.50.0.0/16', backend: FlannelBackend.HOST_GW, enableNFTables: true });
    expect(netConf(objects)).toEqual({ Network: '10.50.0.0/16', EnableNFTables: true, Backend: { Type: 'host-gw' } });
  });

  it('defaults: namespace kube-flannel, VXLAN, iptables masquerading', () => {
    expect([FLANNEL_DEFAULT_NAMESPACE, FLANNEL_DEFAULT_BACKEND, FLANNEL_DEFAULT_ENABLE_NFTABLES]).toEqual(['kube-flannel', FlannelBackend.VXLAN, false]);
    const objects = flannel({ podCidr: '10.244.0.0/16' });
    const conf = netConf(objects, 'kube-flannel');
    expect(conf.Backend.Type).toBe('vxlan');
    expect(conf.EnableNFTables).toBe(false);
    expect(findObject(objects, 'DaemonSet', 'kube-flannel-ds').metadata.namespace).toBe('kube-flannel');
  });

  it('places every namespaced object in the namespace prop and binds the ServiceAccount there', () => {
    const objects = flannel({ podCidr: '10.244.0.0/16', namespace: 'cni' });
    for (const o of objects.filter((o) => !o.kind.startsWith('Cluster'))) expect(o.metadata.namespace, o.kind).toBe('cni');
    expect(findObject(objects, 'ClusterRoleBinding', 'flannel').subjects).toEqual([{ kind: 'ServiceAccount', name: 'flannel', namespace: 'cni' }]);
    expect(hasObject(objects, 'Namespace', 'cni')).toBe(false);
  });

  it('exposes the ICniProvider facts', () => {
    synthChart((chart) => {
      const cni = new Flannel(chart, 'Flannel', { podCidr: '10.244.0.0/16' });
      expect([cni.pluginName, cni.namespace, cni.podCidr, cni.enforcesNetworkPolicy]).toEqual(['flannel', 'kube-flannel', '10.244.0.0/16', false]);
    });
  });

  it('rolls the DaemonSet when the network configuration changes', () => {
    const checksum = (props: FlannelProps) => podTemplateMetadata(findObject(flannel(props), 'DaemonSet', 'kube-flannel-ds')).annotations['checksum/config'];
    expect(checksum({ podCidr: '10.244.0.0/16' })).toBe(checksum({ podCidr: '10.244.0.0/16' }));
    expect(checksum({ podCidr: '10.244.0.0/16' })).not.toBe(checksum({ podCidr: '10.245.0.0/16' }));
  });

  it('runs flanneld as root with only NET_ADMIN and NET_RAW, read-only, no escalation', () => {
    const ds = findObject(flannel({ podCidr: '10.244.0.0/16' }), 'DaemonSet', 'kube-flannel-ds');
    const sc = container(ds, 'kube-flannel').securityContext;
    expect(sc.capabilities).toEqual({ add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] });
    expect([sc.allowPrivilegeEscalation, sc.privileged, sc.readOnlyRootFilesystem, sc.seccompProfile.type]).toEqual([false, false, true, 'RuntimeDefault']);
    expect(container(ds, 'install-cni-plugin').image).toBe('ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3');
    expect(container(ds, 'kube-flannel').image).toBe('ghcr.io/flannel-io/flannel:v0.28.9');
    expect(podSpec(ds).automountServiceAccountToken).toBe(true);
  });

  it('fails on an invalid pod CIDR, namespace and backend, naming each', () => {
    const build = () => flannel({ podCidr: '10.244.0.1/16', namespace: 'Kube_Flannel', backend: 'udp' as FlannelBackend });
    expect(build).toThrow(ComponentPropsError);
    expect(build).toThrow(/podCidr: must be an IPv4 CIDR with no host bits set.*got "10\.244\.0\.1\/16"/);
    expect(build).toThrow(/namespace: .*got "Kube_Flannel"/);
    expect(build).toThrow(/backend: must be one of "vxlan", "host-gw", got "udp"/);
    try {
      build();
    } catch (error) {
      expect((error as ComponentPropsError).problems).toHaveLength(3);
    }
  });
});

const netpol = (props: KubeNetworkPoliciesProps = {}) => synthChart((chart) => new KubeNetworkPolicies(chart, 'Netpol', props));
const agent = (objects: ReturnType<typeof netpol>) => findObject(objects, 'DaemonSet', 'kube-network-policies');

describe('KubeNetworkPolicies', () => {
  it('defaults: kube-system, NRI on, fail closed, nfqueue 98', () => {
    expect([
      KUBE_NETWORK_POLICIES_DEFAULT_NAMESPACE,
      KUBE_NETWORK_POLICIES_DEFAULT_NRI,
      KUBE_NETWORK_POLICIES_DEFAULT_FAIL_OPEN,
      KUBE_NETWORK_POLICIES_DEFAULT_NFQUEUE_ID,
    ]).toEqual(['kube-system', true, false, 98]);
    const ds = agent(netpol());
    expect(ds.metadata.namespace).toBe('kube-system');
    const args = container(ds, 'kube-network-policies').args;
    expect(args).toContain('--fail-open=false');
    expect(args).toContain('--nfqueue-id=98');
    expect(args).not.toContain('--disable-nri');
    expect(podSpec(ds).volumes.map((v: any) => v.hostPath.path)).toContain('/var/run/nri');
  });

  it('without NRI: --disable-nri and no /var/run/nri host path', () => {
    const ds = agent(netpol({ nri: false }));
    expect(container(ds, 'kube-network-policies').args).toContain('--disable-nri');
    expect(podSpec(ds).volumes.map((v: any) => v.hostPath.path)).toEqual(['/var/run/netns']);
    expect(container(ds, 'kube-network-policies').volumeMounts.map((m: any) => m.mountPath)).toEqual(['/var/run/netns']);
  });

  it('passes failOpen and nfqueueId through', () => {
    const args = container(agent(netpol({ failOpen: true, nfqueueId: 7 })), 'kube-network-policies').args;
    expect(args).toContain('--fail-open=true');
    expect(args).toContain('--nfqueue-id=7');
  });

  it('exposes the INetworkPolicyEnforcer facts', () => {
    synthChart((chart) => {
      const enforcer = new KubeNetworkPolicies(chart, 'Netpol', { namespace: 'netpol', failOpen: true });
      expect([enforcer.enforcerName, enforcer.namespace, enforcer.failOpen]).toEqual(['kube-network-policies', 'netpol', true]);
    });
  });

  it('fails on an invalid namespace and nfqueue id', () => {
    expect(() => netpol({ namespace: '', nfqueueId: 70000 })).toThrow(/namespace: .*got ""[\s\S]*nfqueueId: must be an integer from 0 to 65535, got 70000/);
  });
});
