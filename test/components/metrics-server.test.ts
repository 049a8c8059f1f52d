/**
 * metrics-server v0.8.1 conforms to the upstream manifests in ../shared/upstream/metrics-server-v0.8.1
 * (RBAC at least as upstream's, same args, ports and probes, no --kubelet-insecure-tls), runs at Pod Security
 * restricted on a multi-arch pinned image, and is wired from the description (on by default, off cleanly,
 * refused without kubelet serving certificates).
 */
import { describe, expect, it } from 'vitest';
import { ComponentPropsError, MetricsServer } from '../../lib/components';
import { findImage } from '../../lib/versions';
import { Flows, tcp, type Flow } from '../../lib/flows';
import { buildClusterApp } from '../../lib/app/cluster-app';
import { dataplaneOf } from '../../lib/app/flows';
import { flowProblems } from '../../lib/checks/flows';
import { evaluatePodSecurity } from '../../lib/security/pod-security/evaluate';
import { renderCluster } from '../../lib/render';
import { DescriptionError } from '../../lib/model/problems';
import {
  container,
  findObject,
  findObjects,
  hasObject,
  podSpec,
  readSharedYaml,
  rulesBoundTo,
  synthChart,
  uncoveredPermissions,
  type PolicyRule,
} from '../helpers/k8s';
import { reference, variant } from '../hosts/fixtures';

const DIR = 'upstream/metrics-server-v0.8.1';
const upstream = () => ['rbac.yaml', 'deployment.yaml', 'service.yaml', 'apiservice.yaml'].flatMap((f) => readSharedYaml(`${DIR}/${f}`));
const ours = synthChart((chart) => new MetricsServer(chart, 'MetricsServer'));
const sa = { name: 'metrics-server', namespace: 'kube-system' };

describe('MetricsServer conforms to metrics-server v0.8.1 manifests/base', () => {
  it('grants the ServiceAccount every permission upstream grants it, with the same delegation bindings', () => {
    const up = upstream();
    for (const kind of ['ClusterRole', 'Role'] as const) {
      const required = rulesBoundTo(up, sa, kind);
      expect(uncoveredPermissions(required, rulesBoundTo(ours, sa, kind)), kind).toEqual([]);
    }
    expect(uncoveredPermissions(rulesBoundTo(up, sa, 'ClusterRole'), [])).not.toEqual([]); // there is something to cover
    for (const b of ['RoleBinding', 'ClusterRoleBinding']) {
      const refs = (objs: typeof ours) =>
        findObjects(objs, b)
          .filter((x) => x.subjects?.some((s: any) => s.name === sa.name))
          .map((x) => `${x.metadata.namespace ?? ''}/${x.metadata.name} -> ${x.roleRef.kind}/${x.roleRef.name}`)
          .sort();
      expect(refs(ours), b).toEqual(refs(up));
    }
    const reader = findObject(ours, 'ClusterRole', 'system:aggregated-metrics-reader');
    const upReader = findObject(up, 'ClusterRole', 'system:aggregated-metrics-reader');
    expect(uncoveredPermissions(upReader.rules as PolicyRule[], reader.rules as PolicyRule[])).toEqual([]);
    expect(reader.metadata.labels).toMatchObject(upReader.metadata.labels!);
  });

  it('runs the same args, port and probes as upstream, on the pinned multi-arch image, without insecure kubelet TLS', () => {
    const up = container(findObject(upstream(), 'Deployment', 'metrics-server'), 'metrics-server');
    const our = container(findObject(ours, 'Deployment', 'metrics-server', 'kube-system'), 'metrics-server');
    expect(our.args).toEqual(up.args);
    expect(our.args.join(' ')).not.toContain('insecure');
    expect(our.ports).toEqual(up.ports);
    expect(our.readinessProbe).toEqual(up.readinessProbe);
    expect(our.livenessProbe).toEqual(up.livenessProbe);
    expect(our.image).toBe('registry.k8s.io/metrics-server/metrics-server:v0.8.1');
    expect(findImage(our.image)?.platforms).toEqual(expect.arrayContaining(['amd64', 'arm64']));
  });

  it('serves the same Service and APIService', () => {
    const up = upstream();
    expect(findObject(ours, 'Service', 'metrics-server', 'kube-system').spec.ports).toEqual(findObject(up, 'Service', 'metrics-server').spec.ports);
    const api = findObject(ours, 'APIService', 'v1beta1.metrics.k8s.io');
    const { service, ...rest } = findObject(up, 'APIService', 'v1beta1.metrics.k8s.io').spec;
    expect(api.spec).toMatchObject(rest);
    expect(api.spec.service).toEqual({ ...service, namespace: 'kube-system' });
    // the Service selects the pods
    const selector = findObject(ours, 'Service', 'metrics-server').spec.selector;
    expect(
      podSpec(findObject(ours, 'Deployment', 'metrics-server')) && findObject(ours, 'Deployment', 'metrics-server').spec.template.metadata.labels,
    ).toMatchObject(selector);
  });

  it('is admitted by Pod Security restricted', () => {
    const deployment = findObject(ours, 'Deployment', 'metrics-server');
    expect(evaluatePodSecurity(deployment, 'restricted')).toEqual([]);
    expect(podSpec(deployment).hostNetwork).toBeUndefined();
  });

  it('declares its flows in the catalogue through typed handles', () => {
    let ms!: MetricsServer;
    let flows: readonly Flow[] = [];
    synthChart((chart) => {
      ms = new MetricsServer(chart, 'M', { namespace: 'monitoring' });
      flows = Flows.catalogue(chart).flows;
    });
    expect(ms.pods).toMatchObject({ kind: 'pods', namespace: 'monitoring', podLabels: { 'k8s-app': 'metrics-server' }, hostNetwork: false });
    expect(ms.service.backends).toBe(ms.pods);
    expect(ms.apiService).toBe('v1beta1.metrics.k8s.io');
    const byId = Object.fromEntries(flows.map((f) => [f.id, f]));
    expect(Object.keys(byId)).toEqual(['metrics-server-apiserver', 'metrics-server-apiservice', 'metrics-server-kubelets']);
    expect(byId['metrics-server-apiservice']).toMatchObject({
      expect: 'allow',
      from: { kind: 'api-server' },
      to: { kind: 'service', name: 'metrics-server', namespace: 'monitoring' },
      ports: [tcp(443)],
    });
    expect(byId['metrics-server-kubelets']).toMatchObject({ from: ms.pods, to: { kind: 'nodes', nodes: 'all' }, ports: [tcp(10250)] });
    expect(byId['metrics-server-apiserver'].to).toMatchObject({ kind: 'service', name: 'kubernetes', namespace: 'default' });
  });

  it('pins its defaults and validates its props', () => {
    expect(findObject(ours, 'Deployment', 'metrics-server').spec.replicas).toBe(1);
    expect(hasObject(ours, 'PodDisruptionBudget', 'metrics-server')).toBe(false);
    const ha = synthChart((chart) => new MetricsServer(chart, 'M', { replicas: 2, metricResolutionSeconds: 30 }));
    expect(findObject(ha, 'PodDisruptionBudget', 'metrics-server').spec.minAvailable).toBe(1);
    expect(container(findObject(ha, 'Deployment', 'metrics-server'), 'metrics-server').args).toContain('--metric-resolution=30s');
    expect(() => synthChart((chart) => new MetricsServer(chart, 'M', { namespace: 'Bad_NS', replicas: 0, metricResolutionSeconds: 5 }))).toThrow(
      ComponentPropsError,
    );
    try {
      synthChart((chart) => new MetricsServer(chart, 'M', { namespace: 'Bad_NS', replicas: 0, metricResolutionSeconds: 5 }));
    } catch (e) {
      expect((e as ComponentPropsError).problems).toHaveLength(3);
    }
  });
});

describe('metrics-server from the description', () => {
  it('passes the flows check, which fails without its API server flow', () => {
    const model = reference();
    const objects = renderCluster(model).objects;
    const flows = Flows.catalogue(buildClusterApp(model)).flows;
    expect(flows.map((f) => f.id)).toEqual(expect.arrayContaining(['metrics-server-apiservice', 'metrics-server-kubelets', 'metrics-server-apiserver']));
    expect(flowProblems(flows, objects, dataplaneOf(model))).toEqual([]);
    const without = flowProblems(
      flows.filter((f) => f.id !== 'metrics-server-apiservice'),
      objects,
      dataplaneOf(model),
    );
    expect(without.map((p) => `${p.path}: ${p.message}`)).toEqual([
      expect.stringMatching(/^APIService v1beta1\.metrics\.k8s\.io: calls Service kube-system\/metrics-server/),
    ]);
  });

  it('is deployed by default and turns off cleanly', () => {
    expect(renderCluster(reference()).objects.some((o) => o.kind === 'APIService')).toBe(true);
    const off = renderCluster(variant((d) => (d.operations = { metricsServer: { enabled: false } })));
    expect(off.objects.filter((o) => JSON.stringify(o).includes('metrics-server'))).toEqual([]);
  });

  it('is refused without kubelet serving certificates (it would need --kubelet-insecure-tls)', () => {
    let problems: string[] = [];
    try {
      variant((d) => (d.operations = { kubeletServingCertificates: { enabled: false } }));
    } catch (e) {
      problems = (e as DescriptionError).problems.map((p) => `${p.path}: ${p.message}`);
    }
    expect(problems).toEqual([expect.stringMatching(/^operations\.metricsServer\.enabled: metrics-server verifies kubelet serving certificates/)]);
    const both = variant((d) => (d.operations = { kubeletServingCertificates: { enabled: false }, metricsServer: { enabled: false } }));
    expect([both.operations.kubeletServingCertificates, both.operations.metricsServer]).toEqual([false, undefined]);
  });
});
