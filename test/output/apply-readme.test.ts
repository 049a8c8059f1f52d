import { describe, expect, it } from 'vitest';
import { applyReadmeSection, secretsToCreate } from '../../lib/output/manifests';
import { PREREQUISITE_MANIFESTS } from '../../lib/versions';
import { referenceRender } from './fixtures';

/** The lines of the first ```sh block after `heading`. */
function shellBlock(body: string, heading: string): string[] {
  const after = body.slice(body.indexOf(heading));
  const start = after.indexOf('```sh\n') + '```sh\n'.length;
  return after.slice(start, after.indexOf('```', start)).trim().split('\n');
}

describe('applyReadmeSection', () => {
  const { model, layout, files } = referenceRender({ flux: true });
  const section = applyReadmeSection(model, files);
  const kubectl = shellBlock(section.body, '### With kubectl');
  const line = (text: string) => {
    const i = kubectl.findIndex((l) => l === text || l.startsWith(text));
    expect(i, `line "${text}" in the kubectl sequence`).toBeGreaterThanOrEqual(0);
    return i;
  };

  it('applies every wave file once, in wave order', () => {
    const applies = kubectl.filter((l) => l.startsWith('kubectl apply -f dist/')).map((l) => l.slice('kubectl apply -f dist/'.length));
    expect(applies).toEqual(layout.plan.waves.map((w) => w.file));
  });

  it('waits for the CNI and policy agent to roll out before applying the controllers', () => {
    const controllers = line('kubectl apply -f dist/30-controllers.yaml');
    expect(line('kubectl -n kube-flannel rollout status daemonset/kube-flannel-ds')).toBeLessThan(controllers);
    expect(line('kubectl -n kube-system rollout status daemonset/kube-network-policies')).toBeLessThan(controllers);
    expect(line('kubectl apply -f dist/20-networking.yaml')).toBeLessThan(line('kubectl -n kube-flannel rollout status'));
  });

  it('waits for every workload of the controllers wave before the custom resources', () => {
    const crs = line('kubectl apply -f dist/40-custom-resources.yaml');
    for (const o of layout.plan.waves.find((w) => w.name === 'controllers')!.objects.filter((x) => x.kind === 'Deployment' || x.kind === 'DaemonSet')) {
      expect(line(`kubectl -n ${o.metadata.namespace} rollout status ${o.kind.toLowerCase()}/${o.metadata.name}`)).toBeLessThan(crs);
    }
  });

  it('installs MetalLB and cert-manager after the pod network exists and before their custom resources, waiting for CRDs and webhooks', () => {
    const crs = line('kubectl apply -f dist/40-custom-resources.yaml');
    const networking = line('kubectl apply -f dist/20-networking.yaml');
    const metallb = line(`kubectl apply -f ${PREREQUISITE_MANIFESTS.metallb}`);
    const certManager = line(`kubectl apply -f ${PREREQUISITE_MANIFESTS.certManager}`);
    for (const install of [metallb, certManager]) expect(install).toBeGreaterThan(networking);
    const waits = [
      'kubectl wait --for=condition=Established --timeout=2m crd/ipaddresspools.metallb.io crd/l2advertisements.metallb.io',
      'kubectl -n metallb-system rollout status deployment/controller',
      'kubectl wait --for=condition=Established --timeout=2m crd/clusterissuers.cert-manager.io',
      'kubectl -n cert-manager rollout status deployment/cert-manager-webhook',
    ];
    for (const wait of waits) expect(line(wait)).toBeLessThan(crs);
    expect(line('kubectl -n metallb-system rollout status deployment/controller')).toBeGreaterThan(metallb);
  });

  it('asks for the Secrets dist/ only references, once their namespace exists, except those a Job creates', () => {
    expect(secretsToCreate(layout.objects)).toEqual(['frpc/frp-token', 'frpc/frpc-admin']);
    expect(line('# now create the Secrets')).toBe(line('kubectl apply -f dist/00-namespaces.yaml') + 1);
  });

  it('gives the prune command with the part-of selector and every kind we emit', () => {
    const prune = shellBlock(section.body, '### Pruning').join('\n');
    expect(prune).toContain(`kubectl apply -f dist/ --prune -l app.kubernetes.io/part-of=${model.output.partOf}`);
    for (const kind of new Set(layout.objects.map((o) => `${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}/${o.kind}`))) {
      expect(prune).toContain(`--prune-allowlist=${kind}`);
    }
  });

  it('documents Argo CD (sync waves, no recursion) and Flux', () => {
    expect(section.title).toBe('Applying the manifests');
    expect(section.body).toContain('argocd.argoproj.io/sync-wave');
    expect(section.body).toMatch(/directory:\n {6}recurse: false/);
    expect(section.body).toContain('kubectl apply -f dist/flux/kustomizations.yaml');
    expect(section.body).toContain('`homelab-40-custom-resources`');
    const noFlux = referenceRender();
    expect(applyReadmeSection(noFlux.model, noFlux.files).body).toContain('Set `output.flux: true`');
  });

  it('lists each wave with its object count', () => {
    for (const wave of layout.plan.waves) expect(section.body).toContain(`| ${wave.number} | \`${wave.file}\` | ${wave.objects.length} |`);
  });
});
