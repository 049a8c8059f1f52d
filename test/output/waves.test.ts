import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeCluster } from '../../lib/app/cluster-app';
import { declaredAgents } from '../../lib/app/platform';
import { loadDescription } from '../../lib/model/load';
import type { K8sObject } from '../../lib/k8s/object';
import { buildDependencyGraph, kindRank, planWaves, type WavePlan } from '../../lib/output/waves';
import { renderCluster } from '../../lib/render';
import * as yaml from 'js-yaml';
import { fixtureObjects, referenceModel, referenceRender } from './fixtures';

const id = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/** Position of every object in apply order: [wave index, index inside the wave file]. */
function positions(plan: WavePlan): Map<string, [number, number]> {
  const at = new Map<string, [number, number]>();
  plan.waves.forEach((wave, w) => wave.objects.forEach((o, i) => at.set(id(o), [w, i])));
  return at;
}

function waveOf(plan: WavePlan, ref: string): string {
  const wave = plan.waves.find((w) => w.objects.some((o) => id(o) === ref));
  if (!wave) throw new Error(`${ref} is in no wave`);
  return wave.name;
}

/** Every edge goes forward: ready edges to a later wave, order edges to a later wave or later in the same file. */
function expectEdgesRespected(plan: WavePlan) {
  const at = positions(plan);
  const broken = plan.graph.edges.flatMap((e) => {
    const [fw, fi] = at.get(id(plan.graph.objects[e.from]))!;
    const [tw, ti] = at.get(id(plan.graph.objects[e.to]))!;
    const ok = e.kind === 'ready' ? fw < tw : fw < tw || (fw === tw && fi < ti);
    return ok ? [] : [`${e.kind}: ${e.reason}`];
  });
  expect(broken).toEqual([]);
}

describe('wave planning on a fixture object set', () => {
  const plan = planWaves(fixtureObjects());

  it('names the waves after what they hold, numbered in apply order', () => {
    expect(plan.waves.map((w) => w.file)).toEqual([
      '00-namespaces.yaml',
      '10-cluster.yaml',
      '20-networking.yaml',
      '30-controllers.yaml',
      '40-custom-resources.yaml',
      '50-policies.yaml',
    ]);
    expect(plan.waves.flatMap((w) => w.objects).length).toBe(fixtureObjects().length);
  });

  it('derives the edges from the objects', () => {
    const graph = buildDependencyGraph(fixtureObjects());
    const reasons = graph.edges.map((e) => `${id(graph.objects[e.from])} -> ${id(graph.objects[e.to])} (${e.kind})`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'Namespace app -> Deployment app/web (order)',
        'CustomResourceDefinition widgets.example.com -> Widget app/w (ready)',
        'ServiceAccount app/web -> Deployment app/web (order)',
        'ConfigMap app/web-config -> Deployment app/web (order)',
        'Secret app/web-secret -> Deployment app/web (order)',
        'PersistentVolumeClaim app/web-data -> Deployment app/web (order)',
        'PriorityClass important -> Deployment app/web (order)',
        'Role app/web -> RoleBinding app/web (order)',
        'RoleBinding app/web -> Deployment app/web (order)',
        'ClusterRole netpol -> ClusterRoleBinding netpol (order)',
        'IngressClass nginx -> Ingress app/web (order)',
        'StorageClass nfs -> PersistentVolumeClaim app/web-data (order)',
        'CSIDriver nfs.csi.k8s.io -> StorageClass nfs (order)',
        'Service app/web -> Deployment app/web (order)',
        'Service app/web -> ValidatingWebhookConfiguration web-hook (order)',
        'Deployment app/web -> ValidatingWebhookConfiguration web-hook (order)',
        'DaemonSet kube-net/cni -> Deployment app/web (ready)',
        'DaemonSet kube-net/cni -> Deployment kube-system/storage (ready)',
        'Deployment app/web -> IPAddressPool metallb-system/pool (ready)',
        'Deployment app/web -> ClusterIssuer issuer (ready)',
        'DaemonSet kube-system/netpol -> NetworkPolicy app/default-deny (ready)',
      ]),
    );
    expect([...graph.cniAgents].map((i) => id(graph.objects[i]))).toEqual(['DaemonSet kube-net/cni']);
    expect([...graph.policyAgents].map((i) => id(graph.objects[i]))).toEqual(['DaemonSet kube-system/netpol']);
    // host-network pods that resolve through the host do not wait for the CNI
    expect(reasons).not.toContain('DaemonSet kube-net/cni -> DaemonSet kube-system/netpol (ready)');
  });

  it('respects every dependency edge', () => expectEdgesRespected(plan));

  it('puts no workload before its Namespace, ServiceAccount, ConfigMap, Secret, PVC and RoleBinding', () => {
    const at = positions(plan);
    const before = (a: string, b: string) => {
      const [aw, ai] = at.get(a)!;
      const [bw, bi] = at.get(b)!;
      return aw < bw || (aw === bw && ai < bi);
    };
    for (const dep of [
      'Namespace app',
      'ServiceAccount app/web',
      'ConfigMap app/web-config',
      'Secret app/web-secret',
      'PersistentVolumeClaim app/web-data',
      'RoleBinding app/web',
    ]) {
      expect(before(dep, 'Deployment app/web'), `${dep} before Deployment app/web`).toBe(true);
    }
  });

  it('ships supporting objects with the workload that uses them', () => {
    expect(waveOf(plan, 'ConfigMap app/web-config')).toBe('controllers');
    expect(waveOf(plan, 'ServiceAccount app/web')).toBe('controllers');
    expect(waveOf(plan, 'ServiceAccount kube-net/cni')).toBe('networking');
  });

  it('runs the CNI and the policy agent before every pod that needs the pod network', () => {
    expect(waveOf(plan, 'DaemonSet kube-net/cni')).toBe('networking');
    expect(waveOf(plan, 'DaemonSet kube-system/netpol')).toBe('networking');
    expect(waveOf(plan, 'Deployment app/web')).toBe('controllers');
    expect(waveOf(plan, 'Deployment kube-system/storage')).toBe('controllers');
  });

  it('applies custom resources after every workload, and never in the wave of their CRD', () => {
    const at = positions(plan);
    const lastWorkloadWave = Math.max(...plan.graph.objects.filter((o) => ['Deployment', 'DaemonSet'].includes(o.kind)).map((o) => at.get(id(o))![0]));
    for (const cr of ['IPAddressPool metallb-system/pool', 'ClusterIssuer issuer']) {
      expect(at.get(cr)![0]).toBeGreaterThan(lastWorkloadWave);
      expect(waveOf(plan, cr)).toBe('custom-resources');
    }
    expect(waveOf(plan, 'CustomResourceDefinition widgets.example.com')).toBe('cluster');
    expect(at.get('Widget app/w')![0]).toBeGreaterThan(at.get('CustomResourceDefinition widgets.example.com')![0]);
  });

  it('applies NetworkPolicies last', () => {
    expect(plan.waves[plan.waves.length - 1].objects.map(id)).toEqual(['NetworkPolicy app/default-deny']);
    expect(plan.waves[plan.waves.length - 1].name).toBe('policies');
  });

  it('keeps cluster-scoped configuration that needs nothing namespaced in the cluster wave, webhooks with their backend', () => {
    const cluster = plan.waves.find((w) => w.name === 'cluster')!.objects.map(id);
    expect(cluster).toEqual([
      'PriorityClass important',
      'CustomResourceDefinition widgets.example.com',
      'CSIDriver nfs.csi.k8s.io',
      'StorageClass nfs',
      'IngressClass nginx',
      'ClusterRole netpol',
      'ClusterRoleBinding netpol',
    ]);
    expect(waveOf(plan, 'ValidatingWebhookConfiguration web-hook')).toBe('controllers');
  });

  it('sorts each file by kind order, then namespace, then name', () => {
    for (const wave of plan.waves) {
      const keys = wave.objects.map((o) => [kindRank(o.kind), o.metadata.namespace ?? '', o.metadata.name ?? ''] as const);
      const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]) || a[2].localeCompare(b[2]));
      expect(keys).toEqual(sorted);
    }
  });

  it('is deterministic: input order does not matter', () => {
    const shuffled = [...fixtureObjects()].reverse();
    const again = planWaves(shuffled);
    expect(again.waves.map((w) => [w.file, w.objects.map(id)])).toEqual(plan.waves.map((w) => [w.file, w.objects.map(id)]));
  });

  it('without a CNI the workloads start the namespaced waves, still numbered by name', () => {
    const noCni = fixtureObjects().filter((o) => !(o.kind === 'DaemonSet') && o.metadata.name !== 'netpol');
    const files = planWaves(noCni).waves.map((w) => w.file);
    expect(files).toEqual(['00-namespaces.yaml', '10-cluster.yaml', '30-controllers.yaml', '40-custom-resources.yaml', '50-policies.yaml']);
  });
});

describe('wave planning on the reference cluster', () => {
  const { layout } = referenceRender();
  const plan = layout.plan;

  it('plans the six waves', () => {
    expect(plan.waves.map((w) => w.file)).toEqual([
      '00-namespaces.yaml',
      '10-cluster.yaml',
      '20-networking.yaml',
      '30-controllers.yaml',
      '40-custom-resources.yaml',
      '50-policies.yaml',
    ]);
  });

  it('respects every dependency edge', () => expectEdgesRespected(plan));

  it('puts flannel and kube-network-policies in networking, the controllers after them', () => {
    expect(waveOf(plan, 'DaemonSet kube-flannel/kube-flannel-ds')).toBe('networking');
    expect(waveOf(plan, 'DaemonSet kube-system/kube-network-policies')).toBe('networking');
    expect(waveOf(plan, 'Deployment ingress-nginx/ingress-nginx-controller')).toBe('controllers');
    expect(waveOf(plan, 'Deployment frpc/frpc')).toBe('controllers');
    // host network with cluster DNS: after the CNI
    expect(waveOf(plan, 'Deployment kube-system/csi-nfs-controller')).toBe('controllers');
    // named only in the controller's arguments (--configmap=$(POD_NAMESPACE)/ingress-nginx-controller)
    expect(waveOf(plan, 'ConfigMap ingress-nginx/ingress-nginx-controller')).toBe('controllers');
  });

  it('applies MetalLB pools and cert-manager issuers after every workload, NetworkPolicies last', () => {
    const crs = plan.waves.find((w) => w.name === 'custom-resources')!.objects.map((o) => o.kind);
    expect(new Set(crs)).toEqual(new Set(['ClusterIssuer', 'IPAddressPool', 'L2Advertisement']));
    const last = plan.waves[plan.waves.length - 1];
    expect(last.objects.length).toBeGreaterThan(0);
    expect(last.objects.every((o) => o.kind === 'NetworkPolicy')).toBe(true);
    expect(
      plan.waves
        .slice(0, -1)
        .flatMap((w) => w.objects)
        .some((o) => o.kind === 'NetworkPolicy'),
    ).toBe(false);
  });

  it('renderCluster writes one file per wave, each object in the file of its wave', () => {
    const result = renderCluster(referenceModel());
    const waveFiles = result.files.filter((f) => /^\d\d-[a-z-]+\.yaml$/.test(f.path));
    expect(waveFiles.map((f) => f.path)).toEqual(plan.waves.map((w) => w.file));
    for (const file of waveFiles) {
      const kinds = (yaml.loadAll(file.content) as K8sObject[]).map(id);
      expect(kinds, file.path).toEqual(plan.waves.find((w) => w.file === file.path)!.objects.map(id));
    }
  });
});

describe('network agents the components declare', () => {
  const valid = readdirSync('test/fixtures/valid')
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `test/fixtures/valid/${f}`);

  it.each(valid)('%s: the declared agents are the ones the planner would recognise, and the waves are the same', (path) => {
    const model = loadDescription(path);
    const { app, platform } = composeCluster(model);
    const objects = app.charts.flatMap((chart) => chart.toJson() as K8sObject[]);
    const declared = declaredAgents(platform);
    expect(declared.cni).toEqual(['DaemonSet/kube-flannel/kube-flannel-ds']);
    expect(declared.policy).toEqual(model.cni.networkPolicyEnforcer === 'none' ? [] : ['DaemonSet/kube-system/kube-network-policies']);
    const withDeclared = planWaves(objects, declared);
    const recognised = planWaves(objects);
    const names = (set: ReadonlySet<number>, plan: WavePlan) => [...set].map((i) => id(plan.graph.objects[i])).sort();
    expect(names(withDeclared.graph.cniAgents, withDeclared)).toEqual(names(recognised.graph.cniAgents, recognised));
    expect(names(withDeclared.graph.policyAgents, withDeclared)).toEqual(names(recognised.graph.policyAgents, recognised));
    expect(withDeclared.waves.map((w) => [w.file, w.objects.map(id)])).toEqual(recognised.waves.map((w) => [w.file, w.objects.map(id)]));
  });

  it('decides when given: a DaemonSet of your own that mounts /etc/cni is an ordinary workload, not the pod network', () => {
    const { app, platform } = composeCluster(referenceModel());
    const own: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'cni-inspector', namespace: 'kube-system' },
      spec: {
        selector: { matchLabels: { app: 'cni-inspector' } },
        template: {
          metadata: { labels: { app: 'cni-inspector' } },
          spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'cni', hostPath: { path: '/etc/cni/net.d' } }] },
        },
      },
    };
    const objects = [...app.charts.flatMap((chart) => chart.toJson() as K8sObject[]), own];
    const ref = 'DaemonSet kube-system/cni-inspector';
    const recognised = planWaves(objects);
    expect([...recognised.graph.cniAgents].map((i) => id(recognised.graph.objects[i]))).toContain(ref);
    const declared = planWaves(objects, declaredAgents(platform));
    expect([...declared.graph.cniAgents].map((i) => id(declared.graph.objects[i]))).toEqual(['DaemonSet kube-flannel/kube-flannel-ds']);
  });

  it('fails loudly when a declared agent is not among the objects', () => {
    expect(() => planWaves(fixtureObjects(), { cni: ['DaemonSet/kube-flannel/missing'], policy: [] })).toThrow(
      'internal: the declared agent DaemonSet/kube-flannel/missing is not among the objects',
    );
  });
});
