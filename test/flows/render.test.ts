/**
 * The flow check inside synth: the reference render's flow matrix, a planted policy that blocks a needed
 * flow (the webhook bug this module exists for), a missing API server flow, and many valid descriptions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { flowsCheck } from '../../lib/checks/flows';
import { OutputCheckError } from '../../lib/checks/types';
import { KubeNetworkPolicies } from '../../lib/components';
import { parseDescription } from '../../lib/model/load';
import { formatProblem } from '../../lib/model/problems';
import { renderCluster } from '../../lib/render';
import { findObject, synthChart } from '../helpers/k8s';
import { referenceModel } from '../security/fixtures';

const failures = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof OutputCheckError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
};

/** Patches one generated NetworkPolicy, as a library user could with cdk8s escape hatches. */
const patchPolicy =
  (namespace: string, name: string, ...patches: JsonPatch[]) =>
  (app: any) => {
    const target = app.node
      .findAll()
      .find((c: any) => c instanceof ApiObject && c.kind === 'NetworkPolicy' && c.metadata.name === name && c.metadata.namespace === namespace) as ApiObject;
    if (!target) throw new Error(`no NetworkPolicy ${namespace}/${name}`);
    target.addJsonPatch(...patches);
  };

describe('the reference render', () => {
  const result = renderCluster(referenceModel());
  const network = result.files.find((f) => f.path === 'docs/network.md')!.content;
  const rows = (heading: string) => {
    const section = network.split(`### ${heading}`)[1].split('\n\n')[1];
    return section.split('\n').slice(2);
  };

  it('runs the flows check', () => {
    expect(result.checks).toContain('flows');
  });

  it('the flow matrix lists every needed flow as allowed, with what allows it', () => {
    const required = rows('Required');
    expect(required.length).toBeGreaterThanOrEqual(12);
    for (const row of required) expect(row, row).toMatch(/\| allowed \| .+ \|$/);
    const hook = required.find((r) => r.startsWith('| `ingress-nginx-admission-webhook`'))!;
    expect(hook).toContain('| kube-apiserver | Service ingress-nginx/ingress-nginx-controller-admission | 443 | TCP |');
    expect(hook).toContain('`ingress-nginx/ingress-nginx-admission-webhook`, node exception');
    expect(required.find((r) => r.startsWith('| `flannel-apiserver`'))).toContain('| not subject to policy |');
    for (const id of [
      'frpc-forward',
      'frpc-tunnel',
      'ingress-nginx-from-lan',
      'ingress-to-apps',
      'ingress-to-apps-acme',
      'apps-dns',
      'ingress-nginx-apiserver',
    ]) {
      expect(
        required.some((r) => r.startsWith(`| \`${id}\``)),
        id,
      ).toBe(true);
    }
  });

  it('the flow matrix lists every must-deny flow as denied', () => {
    const denied = rows('Must be denied');
    expect(denied.map((r) => /^\| `([^`]+)`/.exec(r)![1])).toEqual([
      'apps-to-apiserver',
      'apps-to-frpc',
      'frpc-admin-from-internet',
      'frpc-admin-from-lan',
      'ingress-nginx-webhook-from-lan',
      'internet-to-apps',
      'lan-to-apps',
    ]);
    for (const row of denied) expect(row).toMatch(/\| denied \|$/);
  });
});

describe('synth fails when a policy blocks a needed flow', () => {
  it('the old webhook policy (control-plane IPs only) fails with one line naming the flow, the flannel.1 address and the policies', () => {
    const cps = ['192.168.100.201', '192.168.100.202', '192.168.100.203'].map((ip) => ({ ipBlock: { cidr: `${ip}/32` } }));
    const problems = failures(() =>
      renderCluster(referenceModel(), {
        extend: patchPolicy('ingress-nginx', 'ingress-nginx-admission-webhook', JsonPatch.replace('/spec/ingress/0/from', cps)),
      }),
    );
    expect(problems).toEqual([
      "flows: flow ingress-nginx-admission-webhook (kube-apiserver -> Service ingress-nginx/ingress-nginx-controller-admission, 443/TCP) is required but the dataplane presents 10.244.0.0 (the sending node's flannel.1 address (a subnet .0 in 10.244.0.0/16)) to ingress-nginx/ingress-nginx controller on 8443/TCP, blocked by NetworkPolicy ingress-nginx/ingress-nginx-admission-webhook",
    ]);
  });

  it('a policy that opens the app namespace to everyone fails the must-deny flows', () => {
    const problems = failures(() =>
      renderCluster(referenceModel(), { extend: patchPolicy('apps', 'ingress-to-apps', JsonPatch.remove('/spec/ingress/0/from')) }),
    );
    expect(problems).toEqual([
      'flows: flow internet-to-apps (Internet clients -> apps/app pods, all) must be denied but gets through (allowed by: apps/ingress-to-apps)',
      'flows: flow lan-to-apps (LAN clients -> apps/app pods, all) must be denied but gets through (allowed by: apps/ingress-to-apps)',
    ]);
  });

  it('an aggregated API whose Service has no API server flow fails, naming the APIService', () => {
    const extend = (app: any) =>
      new ApiObject(new Chart(app, 'mine'), 'api', {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1beta1.custom.metrics.k8s.io' },
        spec: {
          group: 'custom.metrics.k8s.io',
          version: 'v1beta1',
          service: { namespace: 'monitoring', name: 'prometheus-adapter' },
          groupPriorityMinimum: 100,
          versionPriority: 100,
        },
      });
    const model = referenceModel();
    const app = (() => {
      let problems: string[] = [];
      try {
        renderCluster(model, { extend, checks: [flowsCheck] });
      } catch (e) {
        problems = (e as OutputCheckError).problems.map(formatProblem);
      }
      return problems;
    })();
    expect(app).toEqual([
      expect.stringMatching(
        /^APIService v1beta1\.custom\.metrics\.k8s\.io: calls Service monitoring\/prometheus-adapter, but no component declares that flow from the API server/,
      ),
    ]);
  });
});

describe('every valid description passes the flow check', () => {
  const edit = (description: (d: any) => void) => referenceModel(description);
  const variants: Record<string, () => ReturnType<typeof referenceModel>> = {
    'host-gw': () => edit((d) => (d.cni.backend = 'host-gw')),
    'kube-proxy ipvs': () => edit((d) => (d.kubernetes.kubeProxyMode = 'ipvs')),
    'kube-proxy nftables, other pod CIDR (/14)': () =>
      edit((d) => {
        d.kubernetes.kubeProxyMode = 'nftables';
        d.kubernetes.podCidr = '172.20.0.0/14';
      }),
    'no tunnel, several app namespaces': () =>
      edit((d) => {
        delete d.tunnel;
        d.hosts = d.hosts.filter((h: any) => !h.roles.includes('tunnel-server'));
        d.namespaces = [{ name: 'apps' }, { name: 'web' }, { name: 'batch', allowIngressController: false }];
      }),
    'one control plane, host-gw, DNS-01': () =>
      edit((d) => {
        d.hosts = d.hosts.filter((h: any) => !['n100-002', 'n100-003'].includes(h.name));
        d.cni.backend = 'host-gw';
        d.acme.solver = { type: 'dns01', provider: 'cloudflare', apiTokenSecretRef: { name: 'cf', key: 'token' } };
      }),
  };
  for (const [label, model] of Object.entries(variants)) {
    it(label, () => {
      const m = model();
      // the render with the flows check wired in succeeds, and the check finds nothing in what it returned
      const { objects } = renderCluster(m, { checks: [flowsCheck] });
      expect(objects.filter((o) => o.kind === 'NetworkPolicy').length).toBeGreaterThan(5);
      expect(flowsCheck.run({ model: m, objects, files: [] })).toEqual([]);
    });
  }

  for (const file of readdirSync('test/fixtures/valid').sort()) {
    it(`fixture ${file}`, () => {
      const m = parseDescription(readFileSync(`test/fixtures/valid/${file}`, 'utf8'), file);
      expect(failures(() => renderCluster(m, { checks: [flowsCheck] }))).toEqual([]);
    });
  }
});

describe('kube-network-policies hardening', () => {
  const ds = (props = {}) =>
    findObject(
      synthChart((c) => new KubeNetworkPolicies(c, 'k', props)),
      'DaemonSet',
      'kube-network-policies',
    );
  const c = (o: any) => o.spec.template.spec.containers[0];

  it('logs at --v=1 (no per-packet logging evaluator) and binds metrics to loopback by default; both are props', () => {
    expect(c(ds()).args).toEqual(expect.arrayContaining(['--v=1', '--metrics-bind-address=127.0.0.1:9080']));
    const custom = c(ds({ verbosity: 2, metricsBindAddress: '127.0.0.1:9190' }));
    expect(custom.args).toEqual(expect.arrayContaining(['--v=2', '--metrics-bind-address=127.0.0.1:9190']));
    expect(custom.readinessProbe.httpGet).toMatchObject({ host: '127.0.0.1', port: 9190, path: '/metrics' });
  });

  it('rejects a bind address it cannot probe', () => {
    expect(() => ds({ metricsBindAddress: 'localhost' })).toThrow(/metricsBindAddress/);
    expect(() => ds({ metricsBindAddress: '127.0.0.1:70000' })).toThrow(/metricsBindAddress/);
  });
});

describe('components must declare their API access', () => {
  it('a Deployment that mounts a token in a default-deny namespace without an API flow fails, naming it', () => {
    const extend = (app: any) =>
      new ApiObject(new Chart(app, 'mine'), 'd', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'operator', namespace: 'apps' },
        spec: {
          selector: { matchLabels: { app: 'op' } },
          template: { metadata: { labels: { app: 'op' } }, spec: { containers: [{ name: 'op', image: 'x' }] } },
        },
      });
    expect(failures(() => renderCluster(referenceModel(), { extend, checks: [flowsCheck] }))).toEqual([
      expect.stringMatching(
        /^Deployment apps\/operator: mounts a ServiceAccount token in default-deny namespace apps, but no flow lets its pods reach the API server/,
      ),
    ]);
  });
});
