/**
 * Conformance with the upstream release manifests in ../shared/upstream: our RBAC grants at least what
 * upstream grants, and the images, commands, args and ports that must match do match.
 */
import { describe, expect, it } from 'vitest';
import { Flannel, FlannelBackend, IngressNginx, KubeNetworkPolicies, NfsCsiDriver, Traefik, TRAEFIK_ENTRY_POINTS } from '../../lib/components';
import {
  allContainers,
  container,
  findObject,
  findObjects,
  permissions,
  podSpec,
  readSharedYaml,
  rulesBoundTo,
  synthChart,
  uncoveredPermissions,
  type K8sObject,
  type PolicyRule,
} from '../helpers/k8s';

const UPSTREAM = {
  flannel: 'upstream/flannel-v0.28.9/kube-flannel.yml',
  kubeNetworkPolicies: 'upstream/kube-network-policies-v1.1.1/install.yaml',
  ingressNginx: 'upstream/ingress-nginx-v1.15.1/deploy-cloud.yaml',
  csiRbac: 'upstream/csi-driver-nfs-v4.13.4/rbac-csi-nfs.yaml',
  csiDriverInfo: 'upstream/csi-driver-nfs-v4.13.4/csi-nfs-driverinfo.yaml',
  csiController: 'upstream/csi-driver-nfs-v4.13.4/csi-nfs-controller.yaml',
  csiNode: 'upstream/csi-driver-nfs-v4.13.4/csi-nfs-node.yaml',
  traefikRbac: 'upstream/traefik-v3.7.9/kubernetes-ingress-nginx-rbac.yml',
  traefikExample: 'upstream/traefik-v3.7.9/kubernetes-gateway-traefik-lb-svc.yml',
};

/** Upstream pins images by tag and digest; we pin the tag (versions.ts explains why). */
const withoutDigest = (image: string) => image.replace(/@sha256:[0-9a-f]+$/, '');

const rulesOf = (objects: readonly K8sObject[], kind: string, name: string, namespace?: string): PolicyRule[] =>
  findObject(objects, kind, name, namespace).rules as PolicyRule[];

/** Asserts every container of `upstream` exists in `ours` with the same image, command, args and ports. */
function expectSameContainers(
  ours: K8sObject,
  upstream: K8sObject,
  options: { extraArgs?: Record<string, string[]>; replacedArgs?: Record<string, Record<string, string>> } = {},
): void {
  const names = (o: K8sObject) => allContainers(o).map((c) => c.name);
  expect(names(ours)).toEqual(names(upstream));
  for (const up of allContainers(upstream)) {
    const our = container(ours, up.name);
    expect(our.image, `${up.name} image`).toBe(withoutDigest(up.image));
    expect(our.command, `${up.name} command`).toEqual(up.command);
    const replaced = options.replacedArgs?.[up.name] ?? {};
    expect(our.args, `${up.name} args`).toEqual([...(up.args ?? []).map((a: string) => replaced[a] ?? a), ...(options.extraArgs?.[up.name] ?? [])]);
    const ports = (c: any) => (c.ports ?? []).map((p: any) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' }));
    expect(ports(our), `${up.name} ports`).toEqual(ports(up));
    const mounts = (c: any) =>
      (c.volumeMounts ?? []).map((m: any) => `${m.mountPath.replace(/\/$/, '')}${m.mountPropagation ? ` (${m.mountPropagation})` : ''}`).sort();
    expect(mounts(our), `${up.name} mounts`).toEqual(expect.arrayContaining(mounts(up)));
  }
}

/** hostPath volumes by name. */
const hostPaths = (o: K8sObject) => Object.fromEntries((podSpec(o).volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => [v.name, v.hostPath]));

describe('Flannel conforms to kube-flannel.yml v0.28.9', () => {
  const upstream = () => readSharedYaml(UPSTREAM.flannel);
  const ours = synthChart((chart) => new Flannel(chart, 'Flannel', { podCidr: '10.244.0.0/16', backend: FlannelBackend.VXLAN }));

  it('grants every permission of the upstream ClusterRole to the flannel ServiceAccount', () => {
    const required = rulesOf(upstream(), 'ClusterRole', 'flannel');
    expect(permissions(required)).toHaveLength(5);
    expect(uncoveredPermissions(required, rulesBoundTo(ours, { name: 'flannel', namespace: 'kube-flannel' }, 'ClusterRole'))).toEqual([]);
  });

  it('runs the same images, commands, args and ports', () => {
    expectSameContainers(findObject(ours, 'DaemonSet', 'kube-flannel-ds', 'kube-flannel'), findObject(upstream(), 'DaemonSet', 'kube-flannel-ds'));
  });

  it('mounts the same host paths, with the same pod-level placement', () => {
    const our = findObject(ours, 'DaemonSet', 'kube-flannel-ds');
    const up = findObject(upstream(), 'DaemonSet', 'kube-flannel-ds');
    expect(hostPaths(our)).toEqual(hostPaths(up));
    for (const field of ['hostNetwork', 'priorityClassName', 'tolerations', 'affinity', 'serviceAccountName'])
      expect(podSpec(our)[field], field).toEqual(podSpec(up)[field]);
    expect(our.spec.selector).toEqual(up.spec.selector);
  });

  it('keeps the capabilities flanneld needs', () => {
    const our = container(findObject(ours, 'DaemonSet', 'kube-flannel-ds'), 'kube-flannel');
    const up = container(findObject(upstream(), 'DaemonSet', 'kube-flannel-ds'), 'kube-flannel');
    expect(our.securityContext.capabilities.add).toEqual(expect.arrayContaining(up.securityContext.capabilities.add));
    expect(our.securityContext.privileged).toBe(false);
  });

  it('writes the same CNI and network configuration for the same pod CIDR and backend', () => {
    const our = findObject(ours, 'ConfigMap', 'kube-flannel-cfg', 'kube-flannel').data;
    const up = findObject(upstream(), 'ConfigMap', 'kube-flannel-cfg').data;
    expect(JSON.parse(our['cni-conf.json'])).toEqual(JSON.parse(up['cni-conf.json']));
    expect(JSON.parse(our['net-conf.json'])).toEqual(JSON.parse(up['net-conf.json']));
  });
});

describe('kube-network-policies conforms to install.yaml v1.1.1', () => {
  const upstream = () => readSharedYaml(UPSTREAM.kubeNetworkPolicies);
  const ours = synthChart((chart) => new KubeNetworkPolicies(chart, 'Netpol', { nri: true, failOpen: false }));
  const sa = { name: 'kube-network-policies', namespace: 'kube-system' };

  it('grants every permission of the upstream ClusterRole', () => {
    const required = rulesOf(upstream(), 'ClusterRole', 'kube-network-policies');
    expect(permissions(required)).toHaveLength(6);
    expect(uncoveredPermissions(required, rulesBoundTo(ours, sa, 'ClusterRole'))).toEqual([]);
  });

  it('runs the same image and args, with the documented deviations: --v=1 (no per-packet log), explicit --fail-open, metrics on loopback', () => {
    expectSameContainers(findObject(ours, 'DaemonSet', 'kube-network-policies', 'kube-system'), findObject(upstream(), 'DaemonSet', 'kube-network-policies'), {
      replacedArgs: { 'kube-network-policies': { '--v=2': '--v=1' } },
      extraArgs: { 'kube-network-policies': ['--fail-open=false', '--metrics-bind-address=127.0.0.1:9080'] },
    });
  });

  it('adds a readiness probe on the /metrics listener it binds (upstream has none), reached from the host network on loopback', () => {
    const c = container(findObject(ours, 'DaemonSet', 'kube-network-policies'), 'kube-network-policies');
    expect(container(findObject(upstream(), 'DaemonSet', 'kube-network-policies'), 'kube-network-policies').readinessProbe).toBeUndefined();
    expect(c.readinessProbe.httpGet).toEqual({ host: '127.0.0.1', path: '/metrics', port: 9080, scheme: 'HTTP' });
    expect(c.args).toContain(`--metrics-bind-address=127.0.0.1:${c.readinessProbe.httpGet.port}`);
  });

  it('mounts the same host paths (with NRI) and keeps host networking and privileges', () => {
    const our = findObject(ours, 'DaemonSet', 'kube-network-policies');
    const up = findObject(upstream(), 'DaemonSet', 'kube-network-policies');
    expect(hostPaths(our)).toEqual(hostPaths(up));
    expect(podSpec(our).hostNetwork).toBe(podSpec(up).hostNetwork);
    expect(podSpec(our).tolerations).toEqual(podSpec(up).tolerations);
    expect(container(our, 'kube-network-policies').securityContext.privileged).toBe(true);
    expect(container(our, 'kube-network-policies').env).toEqual(container(up, 'kube-network-policies').env);
  });
});

describe('ingress-nginx conforms to deploy-cloud.yaml v1.15.1', () => {
  const upstream = () => readSharedYaml(UPSTREAM.ingressNginx);
  const ours = synthChart((chart) => new IngressNginx(chart, 'Ingress', { className: 'nginx', loadBalancerIP: '192.168.100.240' }));
  const controllerSa = { name: 'ingress-nginx', namespace: 'ingress-nginx' };
  const admissionSa = { name: 'ingress-nginx-admission', namespace: 'ingress-nginx' };

  it('grants the controller every permission of the upstream Role and ClusterRole', () => {
    const role = rulesOf(upstream(), 'Role', 'ingress-nginx', 'ingress-nginx');
    const clusterRole = rulesOf(upstream(), 'ClusterRole', 'ingress-nginx');
    expect(permissions(role)).toHaveLength(31);
    expect(permissions(clusterRole)).toHaveLength(30);
    expect(uncoveredPermissions(role, rulesBoundTo(ours, controllerSa, 'Role'))).toEqual([]);
    expect(uncoveredPermissions(clusterRole, rulesBoundTo(ours, controllerSa, 'ClusterRole'))).toEqual([]);
  });

  it('grants the certgen Jobs every permission of the upstream admission Role and ClusterRole', () => {
    const role = rulesOf(upstream(), 'Role', 'ingress-nginx-admission', 'ingress-nginx');
    const clusterRole = rulesOf(upstream(), 'ClusterRole', 'ingress-nginx-admission');
    expect(permissions([...role, ...clusterRole])).toHaveLength(4);
    expect(uncoveredPermissions(role, rulesBoundTo(ours, admissionSa, 'Role'))).toEqual([]);
    expect(uncoveredPermissions(clusterRole, rulesBoundTo(ours, admissionSa, 'ClusterRole'))).toEqual([]);
  });

  it('runs the controller with the same image, args and ports', () => {
    const our = findObject(ours, 'Deployment', 'ingress-nginx-controller', 'ingress-nginx');
    const up = findObject(upstream(), 'Deployment', 'ingress-nginx-controller');
    expectSameContainers(our, up);
    expect(our.spec.selector).toEqual(up.spec.selector);
    const keep = ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'allowPrivilegeEscalation', 'seccompProfile', 'readOnlyRootFilesystem'];
    for (const field of keep) expect(container(our, 'controller').securityContext[field], field).toEqual(container(up, 'controller').securityContext[field]);
    expect(container(our, 'controller').securityContext.capabilities).toEqual(container(up, 'controller').securityContext.capabilities);
  });

  it('runs the certgen Jobs with the same image and args', () => {
    for (const name of ['ingress-nginx-admission-create', 'ingress-nginx-admission-patch']) {
      expectSameContainers(findObject(ours, 'Job', name, 'ingress-nginx'), findObject(upstream(), 'Job', name));
    }
  });

  it('exposes the same Service ports and webhook', () => {
    const servicePorts = (o: K8sObject) => o.spec.ports;
    for (const name of ['ingress-nginx-controller', 'ingress-nginx-controller-admission']) {
      const our = findObject(ours, 'Service', name, 'ingress-nginx');
      const up = findObject(upstream(), 'Service', name);
      expect(servicePorts(our), name).toEqual(servicePorts(up));
      expect(our.spec.selector, name).toEqual(up.spec.selector);
      expect(our.spec.type, name).toBe(up.spec.type);
    }
    const upHook = findObject(upstream(), 'ValidatingWebhookConfiguration', 'ingress-nginx-admission').webhooks;
    expect(findObject(ours, 'ValidatingWebhookConfiguration', 'ingress-nginx-admission').webhooks).toEqual(upHook);
    expect(findObject(ours, 'IngressClass', 'nginx').spec).toEqual(findObject(upstream(), 'IngressClass', 'nginx').spec);
  });
});

describe('Traefik conforms to the v3.7.9 kubernetesIngressNGINX RBAC and example', () => {
  const ours = synthChart(
    (chart) => new Traefik(chart, 'Traefik', { loadBalancerIP: '192.168.100.240', tunnel: { proxyProtocolTrustedIPs: ['10.244.0.0/16'] } }),
  );
  const sa = { name: 'traefik', namespace: 'traefik' };

  it('grants the controller every permission of the upstream ClusterRole', () => {
    const upstream = rulesOf(readSharedYaml(UPSTREAM.traefikRbac), 'ClusterRole', 'traefik-ingress-nginx-controller');
    expect(permissions(upstream)).toHaveLength(16);
    expect(uncoveredPermissions(upstream, rulesBoundTo(ours, sa, 'ClusterRole'))).toEqual([]);
  });

  it('runs the same image line as the upstream example, pinned to the patch release', () => {
    const up = findObject(readSharedYaml(UPSTREAM.traefikExample), 'Deployment', 'traefik');
    const upImage = allContainers(up)[0].image as string;
    expect(upImage).toBe('traefik:v3.7');
    expect(container(findObject(ours, 'Deployment', 'traefik', 'traefik'), 'traefik').image).toBe('docker.io/library/traefik:v3.7.9');
  });

  it('exposes web and websecure on a LoadBalancer Service like the example, tunnel entry points only on a ClusterIP Service', () => {
    const up = findObject(readSharedYaml(UPSTREAM.traefikExample), 'Service', 'traefik');
    const lb = findObject(ours, 'Service', 'traefik', 'traefik');
    expect(lb.spec.type).toBe(up.spec.type);
    expect(lb.spec.ports.map((p: any) => [p.port, p.targetPort])).toEqual(up.spec.ports.map((p: any) => [p.port, p.targetPort]));
    const tunnel = findObject(ours, 'Service', 'traefik-tunnel', 'traefik');
    expect(tunnel.spec.type).toBe('ClusterIP');
    expect(tunnel.spec.ports.map((p: any) => [p.port, p.targetPort])).toEqual([
      [80, TRAEFIK_ENTRY_POINTS.tunnelWeb.name],
      [443, TRAEFIK_ENTRY_POINTS.tunnelWebsecure.name],
    ]);
  });
});

describe('csi-driver-nfs conforms to deploy/v4.13.4', () => {
  const ours = synthChart((chart) => new NfsCsiDriver(chart, 'Nfs', { snapshots: true }));
  const withoutSnapshots = synthChart((chart) => new NfsCsiDriver(chart, 'Nfs'));
  const controllerSa = { name: 'csi-nfs-controller-sa', namespace: 'kube-system' };

  it('grants the controller every permission of the upstream provisioner and resizer ClusterRoles', () => {
    const upstream = readSharedYaml(UPSTREAM.csiRbac);
    const required = findObjects(upstream, 'ClusterRole').flatMap((r) => r.rules as PolicyRule[]);
    expect(findObjects(upstream, 'ClusterRole').map((r) => r.metadata.name)).toEqual(['nfs-external-provisioner-role', 'nfs-external-resizer-role']);
    expect(permissions(required)).toHaveLength(67);
    expect(uncoveredPermissions(required, rulesBoundTo(ours, controllerSa, 'ClusterRole'))).toEqual([]);
    expect(uncoveredPermissions(required, rulesBoundTo(withoutSnapshots, controllerSa, 'ClusterRole'))).toEqual([]);
    // Upstream binds nothing to the node plugin's ServiceAccount; neither do we.
    expect(rulesBoundTo(ours, { name: 'csi-nfs-node-sa', namespace: 'kube-system' }, 'ClusterRole')).toEqual([]);
  });

  it('registers the same CSIDriver', () => {
    const up = findObject(readSharedYaml(UPSTREAM.csiDriverInfo), 'CSIDriver', 'nfs.csi.k8s.io');
    expect(findObject(ours, 'CSIDriver', 'nfs.csi.k8s.io').spec).toEqual(up.spec);
  });

  it('runs the controller with the same images and args (snapshotter only with snapshots)', () => {
    const up = findObject(readSharedYaml(UPSTREAM.csiController), 'Deployment', 'csi-nfs-controller');
    const our = findObject(ours, 'Deployment', 'csi-nfs-controller', 'kube-system');
    expectSameContainers(our, up);
    expect(hostPaths(our)).toEqual(hostPaths(up));
    expect(podSpec(our).hostNetwork).toBe(true);
    expect(podSpec(our).tolerations).toEqual(podSpec(up).tolerations);
    expect(container(our, 'nfs').securityContext).toEqual(container(up, 'nfs').securityContext);

    const lean = findObject(withoutSnapshots, 'Deployment', 'csi-nfs-controller');
    expect(allContainers(lean).map((c) => c.name)).toEqual(
      allContainers(up)
        .map((c) => c.name)
        .filter((n) => n !== 'csi-snapshotter'),
    );
  });

  it('runs the node plugin with the same images, args and host paths on every node', () => {
    const up = findObject(readSharedYaml(UPSTREAM.csiNode), 'DaemonSet', 'csi-nfs-node');
    const our = findObject(ours, 'DaemonSet', 'csi-nfs-node', 'kube-system');
    expectSameContainers(our, up);
    expect(hostPaths(our)).toEqual(hostPaths(up));
    expect(podSpec(our).tolerations).toEqual(podSpec(up).tolerations);
    expect(container(our, 'node-driver-registrar').env).toEqual(container(up, 'node-driver-registrar').env);
    expect(container(our, 'nfs').securityContext).toEqual(container(up, 'nfs').securityContext);
  });
});
