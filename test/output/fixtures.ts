/**
 * Fixtures for the output and validation tests: a small object set with every dependency kind the wave
 * planner knows, the real render of hostconfig/cluster.yaml, and the shared CRD directory.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildClusterApp } from '../../lib/app/cluster-app';
import type { K8sObject } from '../../lib/k8s/object';
import { renderHostFiles } from '../../lib/hosts';
import { loadDescription } from '../../lib/model/load';
import type { ClusterModel } from '../../lib/model/types';
import type { RenderedFile } from '../../lib/output/files';
import { planManifests, synthChartObjects, type ManifestLayout } from '../../lib/output/manifests';

/** `../shared/crds` (MetalLB and cert-manager CRDs); fails the calling test clearly when ../shared is missing. */
export function sharedCrdsDir(): string {
  const dir = resolve('../shared/crds');
  if (!existsSync(dir))
    throw new Error(`../shared is missing: expected the upstream CRDs at ${dir} (shared/ must sit beside the repository, see ../shared/README.md)`);
  return dir;
}

export function referenceModel(overrides: { flux?: boolean } = {}): ClusterModel {
  const model = loadDescription('hostconfig/cluster.yaml');
  return overrides.flux === undefined ? model : { ...model, output: { ...model.output, flux: overrides.flux } };
}

/** The reference cluster through the full manifest pipeline (chart ids, labels, waves), plus its host files. */
export function referenceRender(overrides: { flux?: boolean } = {}): { model: ClusterModel; layout: ManifestLayout; files: RenderedFile[] } {
  const model = referenceModel(overrides);
  const layout = planManifests(synthChartObjects(buildClusterApp(model)), model);
  return { model, layout, files: [...layout.files, ...renderHostFiles(model)] };
}

const meta = (name: string, namespace?: string, labels?: Record<string, string>) => ({
  name,
  ...(namespace ? { namespace } : {}),
  ...(labels ? { labels } : {}),
});

/** A small object set exercising every edge of the dependency graph. Deliberately unsorted. */
export function fixtureObjects(): K8sObject[] {
  const podSpec = (extra: Record<string, unknown>) => ({ containers: [{ name: 'main', image: 'example/app:1' }], ...extra });
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny', 'app'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: meta('pool', 'metallb-system'), spec: { addresses: ['192.168.1.240-192.168.1.250'] } },
    { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: meta('issuer'), spec: { selfSigned: {} } },
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta('w', 'app'), spec: { size: 1 } },
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: meta('widgets.example.com'),
      spec: {
        group: 'example.com',
        names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } },
          },
        ],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('web', 'app'),
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: podSpec({
            serviceAccountName: 'web',
            priorityClassName: 'important',
            volumes: [
              { name: 'config', configMap: { name: 'web-config' } },
              { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } },
            ],
            containers: [{ name: 'main', image: 'example/app:1', envFrom: [{ secretRef: { name: 'web-secret' } }] }],
          }),
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('web', 'app'), spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('web-config', 'app'), data: { a: 'b' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('web-secret', 'app'), stringData: { token: 'not-a-real-secret' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('web', 'app') },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta('web-data', 'app'),
      spec: { storageClassName: 'nfs', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
    },
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: meta('nfs'), provisioner: 'nfs.csi.k8s.io' },
    { apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: meta('nfs.csi.k8s.io'), spec: { attachRequired: false } },
    { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: meta('important'), value: 1000 },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta('web', 'app'),
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta('web', 'app'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'web' },
      subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'app' }],
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('web', 'app'),
      spec: { ingressClassName: 'nginx', defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
    },
    { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: meta('nginx'), spec: { controller: 'k8s.io/ingress-nginx' } },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: meta('web-hook'),
      webhooks: [
        { name: 'web.example.com', admissionReviewVersions: ['v1'], sideEffects: 'None', clientConfig: { service: { name: 'web', namespace: 'app' } } },
      ],
    },
    // the CNI: host network, writes /etc/cni/net.d
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('cni', 'kube-net'),
      spec: {
        selector: { matchLabels: { app: 'cni' } },
        template: {
          metadata: { labels: { app: 'cni' } },
          spec: podSpec({ hostNetwork: true, serviceAccountName: 'cni', volumes: [{ name: 'cni', hostPath: { path: '/etc/cni/net.d' } }] }),
        },
      },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('cni', 'kube-net') },
    // the NetworkPolicy agent: host network, its ServiceAccount may watch NetworkPolicies
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('netpol', 'kube-system'),
      spec: {
        selector: { matchLabels: { app: 'netpol' } },
        template: { metadata: { labels: { app: 'netpol' } }, spec: podSpec({ hostNetwork: true, serviceAccountName: 'netpol' }) },
      },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('netpol', 'kube-system') },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta('netpol'),
      rules: [{ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta('netpol'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'netpol' },
      subjects: [{ kind: 'ServiceAccount', name: 'netpol', namespace: 'kube-system' }],
    },
    // host network but cluster DNS: still needs the pod network
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('storage', 'kube-system'),
      spec: {
        selector: { matchLabels: { app: 'storage' } },
        template: { metadata: { labels: { app: 'storage' } }, spec: podSpec({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }) },
      },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta('kube-net') },
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta('app') },
  ] as K8sObject[];
}
