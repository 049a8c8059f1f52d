import { describe, expect, it } from 'vitest';
import { applyReadmeSection, secretsToCreate } from '../../lib/readme/apply';
import * as yaml from 'js-yaml';
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
    expect(applies).toEqual([
      '00-namespaces.yaml',
      '10-cluster.yaml',
      '20-networking.yaml',
      '30-controllers.yaml',
      '40-custom-resources.yaml',
      '50-policies.yaml',
    ]);
  });

  it('waits for the CNI and policy agent to roll out before applying the controllers', () => {
    const controllers = line('kubectl apply -f dist/30-controllers.yaml');
    expect(line('kubectl -n kube-flannel rollout status daemonset/kube-flannel-ds')).toBeLessThan(controllers);
    expect(line('kubectl -n kube-system rollout status daemonset/kube-network-policies')).toBeLessThan(controllers);
    expect(line('kubectl apply -f dist/20-networking.yaml')).toBeLessThan(line('kubectl -n kube-flannel rollout status'));
  });

  it('waits for every workload of the controllers wave before the custom resources', () => {
    const crs = line('kubectl apply -f dist/40-custom-resources.yaml');
    // the workloads in dist/30-controllers.yaml, read from the file itself
    const controllers = files.find((f) => f.path === '30-controllers.yaml')!.content;
    const workloads = (yaml.loadAll(controllers) as any[])
      .filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet')
      .map((o) => `${o.metadata.namespace} ${o.kind.toLowerCase()}/${o.metadata.name}`);
    expect(workloads.sort()).toEqual([
      'frpc deployment/frpc',
      'ingress-nginx deployment/ingress-nginx-controller',
      'kube-system daemonset/csi-nfs-node',
      'kube-system deployment/csi-nfs-controller',
      'kube-system deployment/metrics-server',
    ]);
    for (const w of workloads) {
      const [namespace, workload] = w.split(' ');
      expect(line(`kubectl -n ${namespace} rollout status ${workload}`)).toBeLessThan(crs);
    }
  });

  it('installs MetalLB and cert-manager after the pod network exists and before their custom resources, waiting for CRDs and webhooks', () => {
    const crs = line('kubectl apply -f dist/40-custom-resources.yaml');
    const networking = line('kubectl apply -f dist/20-networking.yaml');
    const metallb = line('kubectl apply -f https://raw.githubusercontent.com/metallb/metallb/v0.16.1/config/manifests/metallb-native.yaml');
    const certManager = line('kubectl apply -f https://github.com/cert-manager/cert-manager/releases/download/v1.21.1/cert-manager.yaml');
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
    expect(prune).toContain('kubectl apply -f dist/ --prune -l app.kubernetes.io/part-of=homelab');
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

  it('lists each wave with the number of objects its file holds', () => {
    const rows = [...section.body.matchAll(/^\| (\d+) \| `(\d\d-[a-z-]+\.yaml)` \| (\d+) \|/gm)].map((m) => [Number(m[1]), m[2], Number(m[3])]);
    const counted = (file: string) =>
      (yaml.loadAll(files.find((f) => f.path === file)!.content) as unknown[]).filter((d) => d !== null && d !== undefined).length;
    expect(rows.map(([n, file]) => [n, file])).toEqual([
      [0, '00-namespaces.yaml'],
      [10, '10-cluster.yaml'],
      [20, '20-networking.yaml'],
      [30, '30-controllers.yaml'],
      [40, '40-custom-resources.yaml'],
      [50, '50-policies.yaml'],
    ]);
    for (const [, file, count] of rows) expect(count, file as string).toBe(counted(file as string));
  });
});
