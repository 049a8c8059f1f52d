/**
 * Pod Security in the rendered cluster: the namespaces we create, their levels (computed from the pods we
 * emit, or fixed by the description), and the output check that judges every pod template against the
 * level its namespace enforces.
 */
import { describe, expect, it } from 'vitest';
import { planNamespaces } from '../../lib/app/security';
import { securityReadmeSection } from '../../lib/readme/security';
import { checkNamespaceLabels, checkPodAdmission, namespaceEnforcement, podSecurityCheck } from '../../lib/checks/pod-security';
import { OutputCheckError } from '../../lib/checks/types';
import { loadDescription } from '../../lib/model/load';
import { renderCluster } from '../../lib/render';
import { ownedNamespaces } from '../../lib/security/namespaces';
import { findObject, findObjects } from '../helpers/k8s';
import { deployment, editObject, referenceModel, renderUnchecked, restrictedContainer, restrictedPodSpec } from './fixtures';

const model = referenceModel();
const { objects } = renderUnchecked(model);
const run = (objs = objects, m = model) => podSecurityCheck.run({ model: m, objects: objs, files: [] });

describe('namespaces of the reference render', () => {
  it('we create exactly the namespaces our objects use plus the app namespaces, not those Kubernetes or upstream installs create', () => {
    const names = findObjects(objects as any, 'Namespace').map((n) => n.metadata.name);
    expect(names).toEqual(['apps', 'frpc', 'ingress-nginx', 'kube-flannel']);
    for (const notOurs of ['kube-system', 'default', 'metallb-system', 'cert-manager']) expect(names).not.toContain(notOurs);
    // metallb-system is used (the pools live there) and kube-system too (CSI, kube-network-policies): used is not owned.
    expect(objects.some((o) => o.metadata.namespace === 'metallb-system')).toBe(true);
    expect(objects.some((o) => o.metadata.namespace === 'kube-system')).toBe(true);
  });

  it('ownership: objects in cert-manager, metallb-system or kube-system never make us create those namespaces', () => {
    const elsewhere = ['cert-manager', 'metallb-system', 'kube-system', 'default', 'tools'].map((ns) => deployment('x', ns, restrictedPodSpec()));
    expect(ownedNamespaces(model, elsewhere)).toEqual(['apps', 'tools']);
    const renamed = referenceModel((d) => (d.metallb.namespace = 'lb'));
    expect(ownedNamespaces(renamed, renderUnchecked(renamed).objects)).not.toContain('lb');
  });

  it('every namespace has enforce, audit and warn labels pinned to v<kubernetes minor>', () => {
    for (const ns of findObjects(objects as any, 'Namespace')) {
      for (const mode of ['enforce', 'audit', 'warn']) {
        expect(['privileged', 'baseline', 'restricted'], `${ns.metadata.name} ${mode}`).toContain(ns.metadata.labels?.[`pod-security.kubernetes.io/${mode}`]);
        expect(ns.metadata.labels?.[`pod-security.kubernetes.io/${mode}-version`], `${ns.metadata.name} ${mode}-version`).toBe('v1.32');
      }
    }
    expect(checkNamespaceLabels(model, objects)).toEqual([]);
  });

  it('levels: kube-flannel privileged (hostNetwork, hostPath, NET_ADMIN), the rest restricted', () => {
    const enforce = Object.fromEntries(
      findObjects(objects as any, 'Namespace').map((n) => [n.metadata.name, n.metadata.labels?.['pod-security.kubernetes.io/enforce']]),
    );
    expect(enforce).toEqual({ apps: 'restricted', frpc: 'restricted', 'ingress-nginx': 'restricted', 'kube-flannel': 'privileged' });
    const flannel = planNamespaces(model, objects).find((p) => p.name === 'kube-flannel')!;
    expect(flannel.reason).toMatch(/baseline would reject DaemonSet kube-flannel\/kube-flannel-ds \(.*hostNamespaces.*\)/);
  });

  it('the output check holds on the reference render and on every valid fixture', () => {
    expect(run()).toEqual([]);
    expect(renderCluster(model, { checks: [podSecurityCheck] }).checks).toEqual(['pod-security']);
    for (const fixture of ['minimal', 'five-control-planes-other-subnet', 'single-control-plane-no-tunnel', 'all-arm64']) {
      const m = loadDescription(`test/fixtures/valid/${fixture}.yaml`);
      expect(podSecurityCheck.run({ model: m, objects: renderUnchecked(m).objects, files: [] }), fixture).toEqual([]);
    }
  });
});

describe('the README section', () => {
  it('lists each namespace we create with its level, the reason and its NetworkPolicies, and the hostNetwork pods', () => {
    const body = securityReadmeSection(model, objects).body;
    expect(body).toMatch(
      /\| `kube-flannel` \| privileged \| most restrictive level that admits its pods; baseline would reject DaemonSet kube-flannel\/kube-flannel-ds .*\| none \|/,
    );
    expect(body).toMatch(/\| `frpc` \| restricted \| .* \| `allow-dns`, `default-deny`, `frpc-forward`, `frpc-tunnel` \|/);
    expect(body).toContain('DaemonSet kube-system/csi-nfs-node');
    expect(body).toContain('- Group `family`: viewer');
  });
});

describe('levels follow the pods and the description', () => {
  it('an app namespace takes the description level, even with no pods', () => {
    const m = referenceModel(
      (d) =>
        (d.namespaces = [
          { name: 'apps', podSecurity: 'baseline' },
          { name: 'legacy', podSecurity: 'privileged' },
        ]),
    );
    const r = renderUnchecked(m);
    expect(findObject(r.objects as any, 'Namespace', 'apps').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(findObject(r.objects as any, 'Namespace', 'legacy').metadata.labels?.['pod-security.kubernetes.io/warn']).toBe('privileged');
  });

  it('a component namespace gets the most restrictive level that admits its pods', () => {
    const extra = [
      deployment('chowner', 'tools', restrictedPodSpec({ containers: [restrictedContainer('app', { capabilities: { drop: ['ALL'], add: ['CHOWN'] } })] })),
      deployment('clean', 'quiet', restrictedPodSpec()),
    ];
    const plan = Object.fromEntries(planNamespaces(model, [...objects, ...extra]).map((p) => [p.name, p]));
    expect(plan.tools.level).toBe('baseline');
    expect(plan.tools.reason).toContain('restricted would reject Deployment tools/chowner (capabilities_restricted)');
    expect(plan.quiet.level).toBe('restricted');
  });
});

describe('the pod-security output check', () => {
  it('fails a pod in a restricted namespace that adds NET_RAW, naming the object, the field and the level', () => {
    const tampered = editObject(objects, 'Deployment', 'frpc', (d) => (d.spec.template.spec.containers[0].securityContext.capabilities.add = ['NET_RAW']));
    const problems = run(tampered);
    expect(problems).toEqual([
      {
        path: 'Deployment frpc/frpc spec.template.spec.containers[0].securityContext.capabilities.add',
        message: expect.stringMatching(/adds "NET_RAW".*namespace frpc enforces restricted \(baseline check capabilities_baseline\)/),
      },
    ]);
  });

  it('judges pods by the label on the Namespace object, not by what the level should have been', () => {
    const tampered = editObject(objects, 'Namespace', 'kube-flannel', (ns) => (ns.metadata.labels['pod-security.kubernetes.io/enforce'] = 'restricted'));
    const problems = run(tampered);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.path.startsWith('DaemonSet kube-flannel/kube-flannel-ds spec.template.spec.'))).toBe(true);
    expect(problems.map((p) => p.path)).toContain('DaemonSet kube-flannel/kube-flannel-ds spec.template.spec.hostNetwork');
  });

  it('fails synth through renderCluster when the cluster default would reject pods in a namespace that is not exempt', () => {
    const strict = referenceModel((d) => (d.security = { podSecurity: { enforce: 'baseline', exemptNamespaces: [] } }));
    let error: unknown;
    try {
      renderCluster(strict, { checks: [podSecurityCheck] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutputCheckError);
    const paths = (error as OutputCheckError).problems.map((p) => p.path);
    expect(paths).toContain('DaemonSet kube-system/csi-nfs-node spec.template.spec.hostNetwork');
    expect(
      (error as OutputCheckError).problems.every((p) =>
        p.message.includes('namespace kube-system has no enforce label, so the cluster default baseline applies'),
      ),
    ).toBe(true);
  });

  it('pins the labels to the described Kubernetes minor (v1.31 here) and evaluates with that policy version', () => {
    const m = referenceModel((d) => (d.kubernetes.version = 'v1.31.4'));
    const r = renderCluster(m, { checks: [podSecurityCheck] });
    expect(findObject(r.objects as any, 'Namespace', 'frpc').metadata.labels?.['pod-security.kubernetes.io/enforce-version']).toBe('v1.31');
    // Judged against the v1.32 reference model instead, all three version labels of the four namespaces are off.
    expect(checkNamespaceLabels(model, r.objects)).toHaveLength(12);
  });

  it('fails a namespace without the audit label or with an unpinned version', () => {
    const tampered = editObject(objects, 'Namespace', 'frpc', (ns) => {
      delete ns.metadata.labels['pod-security.kubernetes.io/audit'];
      ns.metadata.labels['pod-security.kubernetes.io/warn-version'] = 'latest';
    });
    expect(checkNamespaceLabels(model, tampered).map((p) => p.path)).toEqual([
      'Namespace frpc metadata.labels["pod-security.kubernetes.io/audit"]',
      'Namespace frpc metadata.labels["pod-security.kubernetes.io/warn-version"]',
    ]);
  });

  it('namespaces we do not own: the upstream label (metallb-system privileged), exemption (kube-system), else the cluster default', () => {
    expect(namespaceEnforcement(model, objects, 'metallb-system')).toMatchObject({ exempt: false, level: 'privileged' });
    expect(namespaceEnforcement(model, objects, 'kube-system')).toMatchObject({ exempt: true });
    expect(namespaceEnforcement(model, objects, 'cert-manager')).toMatchObject({ exempt: false, level: 'baseline' });
    const hostNet = (ns: string) => deployment('x', ns, restrictedPodSpec({ hostNetwork: true }));
    expect(checkPodAdmission(model, [hostNet('kube-system')])).toEqual([]);
    expect(checkPodAdmission(model, [hostNet('metallb-system')])).toEqual([]);
    expect(checkPodAdmission(model, [hostNet('cert-manager')])).toEqual([
      { path: 'Deployment cert-manager/x spec.template.spec.hostNetwork', message: expect.stringContaining('the cluster default baseline applies') },
    ]);
  });
});
