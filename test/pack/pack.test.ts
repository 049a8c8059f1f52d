/**
 * SLOW (about 20-40 s): packs the library and uses it from a throwaway project outside the repository.
 *
 * A copy of the tracked files as a fresh clone has them (no build/) → `npm pack`, whose `prepack` script
 * builds the library → a fresh project
 * in os.tmpdir() installs the tarball OFFLINE (dependencies from the npm cache; `--prefer-offline` if the
 * cache lacks something) → a JavaScript program synthesizes a small custom cluster from our constructs in a
 * bare cdk8s App and runs the full pipeline on a description → a TypeScript program type-checks against the
 * shipped declarations.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_FIELDS } from './assemble';

const REPO = resolve(__dirname, '../..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const CONSUMER_JS = `
const assert = require('node:assert');
const { App, Chart } = require('cdk8s');
const lib = require('homelab-cluster');

// A custom cluster from three of our pieces, in a bare cdk8s App/Chart.
const app = new App();
const chart = new Chart(app, 'office');
new lib.MetalLbL2Pools(chart, 'Pools', { pools: [{ name: 'office', addresses: ['10.9.0.100-10.9.0.110'] }] });
new lib.NfsStorageClass(chart, 'Nfs', { name: 'office-nfs', server: '10.9.0.5', share: '/export/office', defaultClass: true });
const objects = chart.toJson();

const privileged = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'debug', namespace: 'office' },
  spec: { selector: { matchLabels: { app: 'debug' } }, template: { metadata: { labels: { app: 'debug' } },
    spec: { hostNetwork: true, containers: [{ name: 'sh', image: 'busybox', securityContext: { privileged: true } }] } } },
};

// The whole pipeline on a description, from the package alone (schema, model, constructs, hosts, docs).
const description = [
  'name: tiny',
  'kubernetes: { version: v1.32.3 }',
  'lan: { cidr: 10.9.0.0/24, gateway: 10.9.0.1 }',
  'hosts:',
  '  - { name: cp-1, ip: 10.9.0.11, hardware: n100, roles: [control-plane], interface: enp1s0 }',
  '  - { name: w-1, ip: 10.9.0.21, hardware: raspberry-pi, roles: [worker] }',
  '  - { name: lb-1, ip: 10.9.0.6, hardware: mini-pc, roles: [load-balancer], interface: enp2s0 }',
  'users: [{ name: ops, sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@laptop"] }]',
  'apiServer: { vip: 10.9.0.10, balancers: [{ host: lb-1, priority: 100 }] }',
  'metallb: { pools: [{ name: office, addresses: [10.9.0.100-10.9.0.110] }] }',
  'ingress: { loadBalancerIP: 10.9.0.100 }',
  '',
].join('\\n');
const model = lib.parseDescription(description, 'tiny.yaml');
const result = lib.renderCluster(model);
const docs = lib.renderDocs(model, { checks: lib.OUTPUT_CHECKS });
let invalid;
try { lib.parseDescription(description.replace('vip: 10.9.0.10', 'vip: 10.9.0.11')); } catch (e) { invalid = e; }

process.stdout.write(JSON.stringify({
  objects: objects.map((o) => o.kind + '/' + o.metadata.name),
  pool: objects.find((o) => o.kind === 'IPAddressPool').spec.addresses,
  storageClass: objects.find((o) => o.kind === 'StorageClass'),
  violations: lib.evaluatePodSecurity(privileged, 'baseline').map((v) => v.check),
  strictest: lib.strictestAdmittingLevel([privileged]),
  files: result.files.map((f) => f.path),
  checks: result.checks,
  docs: docs.map((f) => f.path),
  architecture: docs.find((f) => f.path === 'docs/architecture.md').content,
  invalid: invalid && invalid.name,
}));
`;

const CONSUMER_TS = `
import { App, Chart } from 'cdk8s';
import { MetalLbL2Pools, NfsStorageClass, ReclaimPolicy, evaluatePodSecurity, renderDocs, type ClusterModel, type PodSecurityLevel, type RenderedFile } from 'homelab-cluster';

const chart = new Chart(new App(), 'typed');
const pools: MetalLbL2Pools = new MetalLbL2Pools(chart, 'Pools', { pools: [{ name: 'p', addresses: ['10.0.0.1/32'] }] });
new NfsStorageClass(chart, 'Nfs', { name: 'n', server: '10.0.0.2', share: '/x', reclaimPolicy: ReclaimPolicy.RETAIN });
const level: PodSecurityLevel = 'restricted';
export const count: number = evaluatePodSecurity({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } }, level).length;
export function docsFor(model: ClusterModel): RenderedFile[] { return renderDocs(model, { checks: [] }); }
export const poolNames: readonly string[] = pools.pools.map((p) => p.name);
// @ts-expect-error: props are checked against the shipped declarations
new MetalLbL2Pools(chart, 'Bad', { pools: 'not-an-array' });
`;

describe('pack and import (slow)', () => {
  let work: string;
  let output: {
    objects: string[];
    pool: string[];
    storageClass: { provisioner: string; parameters: Record<string, string>; metadata: { annotations?: Record<string, string> } };
    violations: string[];
    strictest: string;
    files: string[];
    checks: string[];
    docs: string[];
    architecture: string;
    invalid: string;
  };
  let consumer: string;
  let installMode: string;
  let clone: string;
  let packedFiles: string[];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'homelab-pack-'));
    // What a fresh clone holds: the tracked files, no build/ (node_modules linked in, as `npm ci` would make it)
    clone = join(work, 'clone');
    for (const file of run('git', ['ls-files', '-z'], REPO).split('\0').filter(Boolean)) {
      if (existsSync(join(REPO, file))) cpSync(join(REPO, file), join(clone, file), { recursive: true });
    }
    symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'));
    expect(existsSync(join(clone, 'build'))).toBe(false);
    const packed = JSON.parse(run(NPM, ['pack', '--json', '--pack-destination', work], clone)) as Array<{ filename: string; files: { path: string }[] }>;
    packedFiles = packed[0].files.map((f) => f.path);
    const tarball = join(work, packed[0].filename);

    consumer = join(work, 'consumer');
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'pack-consumer', version: '1.0.0', private: true }));
    const install = ['install', '--no-audit', '--no-fund', '--no-save', tarball];
    try {
      run(NPM, [...install.slice(0, 1), '--offline', ...install.slice(1)], consumer);
      installMode = '--offline';
    } catch {
      run(NPM, [...install.slice(0, 1), '--prefer-offline', ...install.slice(1)], consumer);
      installMode = '--prefer-offline';
    }
    console.info(`pack test: installed the tarball with npm install ${installMode}`);
    writeFileSync(join(consumer, 'consumer.js'), CONSUMER_JS);
    output = JSON.parse(execFileSync(process.execPath, ['consumer.js'], { cwd: consumer, encoding: 'utf8' }));
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs from the tarball outside the repository', () => {
    expect(consumer.startsWith(REPO)).toBe(false);
    const installed = JSON.parse(readFileSync(join(consumer, 'node_modules/homelab-cluster/package.json'), 'utf8'));
    for (const [field, value] of Object.entries(PACKAGE_FIELDS)) expect(installed[field], field).toEqual(value);
    // Only the compiled library ships: no sources, tests or scripts.
    expect(readdirSync(join(consumer, 'node_modules/homelab-cluster')).sort()).toEqual(expect.arrayContaining(['build', 'package.json']));
    expect(readdirSync(join(consumer, 'node_modules/homelab-cluster/build')).sort()).toEqual(['imports', 'lib']);
    // The description's JSON Schema, for editors.
    expect(readdirSync(join(consumer, 'node_modules/homelab-cluster/hostconfig'))).toEqual(['cluster.schema.json']);
  });

  it('npm pack on a fresh clone builds first (prepack) and ships the compiled library with its types', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining(['build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/cli.js', 'build/lib/output/writer.d.ts', 'package.json']),
    );
    expect(packedFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(existsSync(join(clone, 'build/lib/index.js'))).toBe(true);
  });

  it('cdk8s, constructs and cdk8s-plus-30 are peer dependencies: the consumer gets one copy of each', () => {
    const installed = JSON.parse(readFileSync(join(consumer, 'node_modules/homelab-cluster/package.json'), 'utf8'));
    expect(installed.peerDependencies).toEqual({ cdk8s: '^2.70.106', 'cdk8s-plus-30': '^2.4.10', constructs: '^10.8.1' });
    for (const name of ['cdk8s', 'constructs', 'cdk8s-plus-30']) {
      expect(installed.dependencies?.[name], name).toBeUndefined();
      expect(existsSync(join(consumer, 'node_modules', name, 'package.json')), name).toBe(true);
      expect(existsSync(join(consumer, 'node_modules/homelab-cluster/node_modules', name)), `nested ${name}`).toBe(false);
    }
  });

  it('synthesizes a custom cluster from our constructs in a bare cdk8s App', () => {
    expect(output.objects).toEqual(['IPAddressPool/office', 'L2Advertisement/office-l2', 'StorageClass/office-nfs']);
    expect(output.pool).toEqual(['10.9.0.100-10.9.0.110']);
    expect(output.storageClass.provisioner).toBe('nfs.csi.k8s.io');
    expect(output.storageClass.parameters).toEqual({ server: '10.9.0.5', share: '/export/office', mountPermissions: '0775' });
    expect(output.storageClass.metadata.annotations).toEqual({ 'storageclass.kubernetes.io/is-default-class': 'true' });
  });

  it('evaluates Pod Security from the package', () => {
    expect(output.violations).toEqual(expect.arrayContaining(['privileged', 'hostNamespaces']));
    expect(output.strictest).toBe('privileged');
  });

  it('runs the whole pipeline from a description, with its output checks and docs', () => {
    expect(output.files).toEqual(expect.arrayContaining(['README.md', 'hosts/cp-1/kubeadm-init.yaml', 'hosts/lb-1/haproxy.cfg', 'hosts/lb-1/keepalived.conf']));
    expect(output.checks).toEqual(['pod-security', 'network-policy', 'flows', 'rbac', 'image-platforms', 'secret-scan', 'kubernetes-schema']);
    expect(output.docs).toEqual(['docs/architecture.md', 'docs/checks.md', 'docs/inventory.md', 'docs/network.md']);
    expect(output.architecture).toContain('keepalived holds the VIP 10.9.0.10 on lb-1');
    expect(output.invalid).toBe('DescriptionError');
  });

  it('type-checks a TypeScript consumer against the shipped declarations', () => {
    writeFileSync(join(consumer, 'consumer.ts'), CONSUMER_TS);
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'node16', moduleResolution: 'node16', target: 'ES2022', noEmit: true, skipLibCheck: true, types: [] },
        files: ['consumer.ts'],
      }),
    );
    run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], consumer);
  });
});
