import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatProblem } from '../../lib/model/problems';
import { writeOutput } from '../../lib/output/writer';
import { validateRenderedDir, type ValidationProblem } from '../../lib/validate';
import { scratchDir } from '../helpers/scratch';
import { referenceRender, sharedCrdsDir } from '../output/fixtures';

type Json = Record<string, any>;

let pristine: string;
let dir: string;
const { model, files } = referenceRender({ flux: true });
const options = () => ({ crdsDir: sharedCrdsDir(), kubernetesMinor: model.kubernetes.minor, partOf: model.output.partOf });

beforeAll(async () => {
  pristine = join(scratchDir('validate-'), 'dist');
  await writeOutput(pristine, files);
});
afterAll(() => rmSync(join(pristine, '..'), { recursive: true, force: true }));
beforeEach(() => {
  dir = join(scratchDir('validate-copy-'), 'dist');
  cpSync(pristine, dir, { recursive: true });
});

/** Rewrites one object of a wave file in the copy. */
function plant(file: string, kind: string, name: string, change: (o: Json) => void) {
  const path = join(dir, file);
  const docs = yaml.loadAll(readFileSync(path, 'utf8')) as Json[];
  const target = docs.find((d) => d.kind === kind && d.metadata.name === name);
  if (!target) throw new Error(`no ${kind} ${name} in ${file}`);
  change(target);
  writeFileSync(path, docs.map((d) => yaml.dump(d, { lineWidth: -1 })).join('---\n'));
}

function only(problems: ValidationProblem[]): ValidationProblem {
  expect(problems.map(formatProblem)).toHaveLength(1);
  return problems[0];
}

describe('validateRenderedDir', () => {
  it('accepts a clean render (schemas, CRDs, served API versions, hygiene, host files, Flux)', () => {
    expect(validateRenderedDir(pristine, options()).map(formatProblem)).toEqual([]);
  });

  it('reports a wrong type with file, object and field path', () => {
    plant('30-controllers.yaml', 'Deployment', 'frpc', (o) => (o.spec.replicas = 'two'));
    const p = only(validateRenderedDir(dir, options()));
    expect(p).toMatchObject({ file: '30-controllers.yaml', object: 'Deployment frpc/frpc', field: 'spec.replicas' });
    expect(p.message).toBe('must be integer, got "two"');
    expect(formatProblem(p)).toBe('30-controllers.yaml: Deployment frpc/frpc: spec.replicas: must be integer, got "two"');
  });

  it('reports a missing required field', () => {
    plant('30-controllers.yaml', 'Deployment', 'ingress-nginx-controller', (o) => delete o.spec.selector);
    expect(only(validateRenderedDir(dir, options()))).toMatchObject({
      object: 'Deployment ingress-nginx/ingress-nginx-controller',
      field: 'spec.selector',
      message: 'required field is missing',
    });
  });

  it('reports a value outside an enum, with the allowed values', () => {
    plant('50-policies.yaml', 'NetworkPolicy', 'default-deny', (o) => (o.spec.policyTypes = ['Ingress', 'Sideways']));
    const problems = validateRenderedDir(dir, options());
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems)
      expect(p).toMatchObject({ file: '50-policies.yaml', field: 'spec.policyTypes[1]', message: 'must be one of "Egress", "Ingress", got "Sideways"' });
  });

  it('reports an unknown (misspelled) field deep inside a pod template', () => {
    plant('30-controllers.yaml', 'Deployment', 'frpc', (o) => {
      o.spec.template.spec.containers[0].imagePullPolice = 'Always';
      o.spec.replica = 1;
    });
    const problems = validateRenderedDir(dir, options());
    expect(problems.map((p) => [p.object, p.field, p.message])).toEqual([
      ['Deployment frpc/frpc', 'spec.replica', 'unknown field (not in the apps/v1 Deployment schema)'],
      ['Deployment frpc/frpc', 'spec.template.spec.containers[0].imagePullPolice', 'unknown field (not in the apps/v1 Deployment schema)'],
    ]);
  });

  it('reports a custom resource that violates its CRD', () => {
    plant('40-custom-resources.yaml', 'IPAddressPool', 'lan-pool', (o) => {
      o.spec.addresses = 'x';
      o.spec.autoassign = true;
    });
    const problems = validateRenderedDir(dir, options());
    expect(problems.map((p) => [p.file, p.object, p.field, p.message])).toEqual([
      ['40-custom-resources.yaml', 'IPAddressPool metallb-system/lan-pool', 'spec.addresses', 'must be array, got "x"'],
      [
        '40-custom-resources.yaml',
        'IPAddressPool metallb-system/lan-pool',
        'spec.autoassign',
        'unknown field (not in the CRD schema of metallb.io/v1beta1 IPAddressPool)',
      ],
    ]);
  });

  it('reports a custom resource of a kind no CRD defines, when CRDs are given', () => {
    plant('40-custom-resources.yaml', 'L2Advertisement', 'lan-pool-l2', (o) => (o.kind = 'L3Advertisement'));
    expect(only(validateRenderedDir(dir, options()))).toMatchObject({ object: 'L3Advertisement metallb-system/lan-pool-l2', field: 'apiVersion' });
    // without CRDs a custom resource cannot be checked, so it is not a problem
    expect(validateRenderedDir(dir, { ...options(), crdsDir: undefined })).toEqual([]);
  });

  it('reports an API version the cluster does not serve', () => {
    plant('30-controllers.yaml', 'PodDisruptionBudget', 'ingress-nginx-controller', (o) => (o.apiVersion = 'policy/v1beta1'));
    const p = only(validateRenderedDir(dir, options()));
    expect(p).toMatchObject({ object: 'PodDisruptionBudget ingress-nginx/ingress-nginx-controller', field: 'apiVersion' });
    expect(p.message).toMatch(/^not served by Kubernetes 1\.32: policy\/v1beta1 PodDisruptionBudget was removed in Kubernetes 1\.25; use policy\/v1/);
  });

  it('reports a misspelled built-in kind', () => {
    plant('30-controllers.yaml', 'Deployment', 'frpc', (o) => (o.kind = 'Deploymnet'));
    expect(only(validateRenderedDir(dir, options()))).toMatchObject({
      object: 'Deploymnet frpc/frpc',
      field: 'apiVersion',
      message: expect.stringContaining('not a Kubernetes API kind'),
    });
  });

  it('reports hygiene: missing label, status, null, missing namespace, wrong sync-wave', () => {
    plant('30-controllers.yaml', 'Deployment', 'frpc', (o) => {
      delete o.metadata.labels['app.kubernetes.io/part-of'];
      o.status = { replicas: 1 };
      o.metadata.annotations['argocd.argoproj.io/sync-wave'] = '20';
    });
    plant('30-controllers.yaml', 'ConfigMap', 'frpc-config', (o) => {
      delete o.metadata.namespace;
      o.data.extra = null;
    });
    const found = validateRenderedDir(dir, options()).map((p) => `${p.object}: ${p.field}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'Deployment frpc/frpc: metadata.labels["app.kubernetes.io/part-of"]',
        'Deployment frpc/frpc: status',
        'Deployment frpc/frpc: metadata.annotations["argocd.argoproj.io/sync-wave"]',
        'ConfigMap frpc-config: metadata.namespace',
        'ConfigMap frpc-config: data.extra',
      ]),
    );
  });

  it('reports host files that do not parse and user-data without #cloud-config', () => {
    const file = (path: string) => {
      const found = files.find((f) => f.path === path);
      if (!found) throw new Error(`${path} is not in the render`);
      return found;
    };
    const [userData, toml, hostYaml] = [file('hosts/n100-001/user-data'), file('hosts/vps/frps.toml'), file('hosts/n100-001/kubeadm-init.yaml')];
    writeFileSync(join(dir, userData.path), userData.content.replace(/^#cloud-config\n/, ''));
    writeFileSync(join(dir, toml.path), `${toml.content}\n[broken\n`);
    writeFileSync(join(dir, hostYaml.path), `${hostYaml.content}\n  - : [\n`);
    const problems = validateRenderedDir(dir, options());
    expect(problems.map((p) => p.file).sort()).toEqual(['hosts/n100-001/kubeadm-init.yaml', 'hosts/n100-001/user-data', 'hosts/vps/frps.toml']);
    expect(problems.find((p) => p.file === 'hosts/n100-001/user-data')!.message).toMatch(/must start with a "#cloud-config" line/);
    expect(problems.find((p) => p.file === 'hosts/vps/frps.toml')!.message).toMatch(/^does not parse/);
    expect(problems.find((p) => p.file === 'hosts/n100-001/kubeadm-init.yaml')!.message).toMatch(/^does not parse/);
  });

  it('reports a manifest that does not parse, and a missing directory', () => {
    writeFileSync(join(dir, '20-networking.yaml'), 'kind: [\n');
    expect(only(validateRenderedDir(dir, options()))).toMatchObject({ file: '20-networking.yaml', message: expect.stringMatching(/^does not parse/) });
    expect(only(validateRenderedDir(join(dir, 'nope'), options())).message).toMatch(/not a directory/);
  });

  it('runs extra host-file checks the host renderers provide', () => {
    const problems = validateRenderedDir(pristine, {
      ...options(),
      hostFileCheck: (path) => (path.endsWith('haproxy.cfg') ? [{ path: 'global', message: 'planted' }] : []),
    });
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(formatProblem(p)).toMatch(/^hosts\/[^/]+\/haproxy\.cfg: global: planted$/);
  });
});
