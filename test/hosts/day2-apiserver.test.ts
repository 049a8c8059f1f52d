/**
 * The kube-apiserver side of day 2: the audit Policy (evaluated request by request with the apiserver's
 * first-match rule), its kubeadm flags and mounts; Secret encryption at rest: the flag and mount, the host
 * script RUN in a sandbox (init, check, export | import, rotation), and proof that no key material is in dist/.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { auditPolicy } from '../../lib/hosts/day2';
import { loadDescription } from '../../lib/model/load';
import type { ClusterModel } from '../../lib/model/types';
import { renderCluster } from '../../lib/render';
import { scratchDirs } from '../helpers/scratch';
import { run, skipWithout } from '../helpers/tools';
import { docOfKind, fileOf, filesByPath, reference, variant, yamlDocs } from './fixtures';

const ref = reference();
const freshDir = scratchDirs('day2-apiserver-');

const apiServerOf = (m: ClusterModel) => docOfKind(fileOf(m, 'hosts/n100-001/kubeadm-init.yaml').content, 'ClusterConfiguration').apiServer;
const argsOf = (m: ClusterModel) => Object.fromEntries(apiServerOf(m).extraArgs.map((a: { name: string; value: string }) => [a.name, a.value]));

// ---------------------------------------------------------------------------------------------------------
// A minimal evaluator of audit.k8s.io/v1 Policy rules (k8s.io/apiserver/pkg/audit/policy/checker.go):
// the first rule whose every given selector matches decides the level.

interface Req {
  user: string;
  groups?: string[];
  verb: string;
  group?: string;
  resource?: string;
  namespace?: string;
  path?: string;
}

function ruleMatches(rule: any, r: Req): boolean {
  if (rule.users && !rule.users.includes(r.user)) return false;
  if (rule.userGroups && !rule.userGroups.some((g: string) => (r.groups ?? []).includes(g))) return false;
  if (rule.verbs && !rule.verbs.includes(r.verb)) return false;
  if (rule.namespaces && !rule.namespaces.includes(r.namespace ?? '')) return false;
  if (rule.nonResourceURLs) {
    if (!r.path) return false;
    return rule.nonResourceURLs.some((u: string) => (u.endsWith('*') ? r.path!.startsWith(u.slice(0, -1)) : r.path === u));
  }
  if (rule.resources) {
    if (r.path) return false;
    return rule.resources.some((g: any) => g.group === (r.group ?? '') && (!g.resources || g.resources.includes(r.resource)));
  }
  return true;
}

function levelOf(policy: any, r: Req): string {
  return policy.rules.find((rule: any) => ruleMatches(rule, r))?.level ?? 'None';
}

describe('audit policy', () => {
  const policy = yamlDocs(fileOf(ref, 'hosts/n100-001/audit-policy.yaml').content)[0];
  const alice = { user: 'alice', groups: ['family', 'system:authenticated'] };
  const kubelet = { user: 'system:node:n100-002', groups: ['system:nodes', 'system:authenticated'] };

  it('is an audit.k8s.io/v1 Policy with only known rule fields, identical on every control plane', () => {
    expect(policy.apiVersion).toBe('audit.k8s.io/v1');
    expect(policy.kind).toBe('Policy');
    expect(policy.omitStages).toEqual(['RequestReceived']);
    const known = new Set(['level', 'users', 'userGroups', 'verbs', 'resources', 'namespaces', 'nonResourceURLs', 'omitStages', 'omitManagedFields']);
    for (const rule of policy.rules) for (const k of Object.keys(rule)) expect(known.has(k), k).toBe(true);
    for (const rule of policy.rules) expect(['None', 'Metadata', 'Request', 'RequestResponse']).toContain(rule.level);
    expect(fileOf(ref, 'hosts/n100-002/audit-policy.yaml').content).toBe(fileOf(ref, 'hosts/n100-001/audit-policy.yaml').content);
  });

  it('logs Secrets, ConfigMaps and token requests at Metadata only, whoever asks', () => {
    for (const verb of ['get', 'list', 'create', 'update', 'patch', 'delete']) {
      expect(levelOf(policy, { ...alice, verb, resource: 'secrets', namespace: 'apps' }), verb).toBe('Metadata');
      expect(levelOf(policy, { ...alice, verb, resource: 'configmaps', namespace: 'apps' }), verb).toBe('Metadata');
    }
    expect(levelOf(policy, { ...kubelet, verb: 'create', resource: 'serviceaccounts/token', namespace: 'apps' })).toBe('Metadata');
    expect(levelOf(policy, { ...alice, verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' })).toBe('Metadata');
    // no rule could ever log a Secret body: every rule that matches secrets before the Metadata one is None
    const secretRuleIndex = policy.rules.findIndex((r: any) => r.resources?.some((g: any) => g.resources?.includes('secrets')));
    expect(policy.rules.slice(0, secretRuleIndex).every((r: any) => r.level === 'None')).toBe(true);
  });

  it('logs RBAC and other writes with their bodies, other reads as metadata', () => {
    expect(levelOf(policy, { ...alice, verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' })).toBe('RequestResponse');
    expect(levelOf(policy, { ...alice, verb: 'delete', group: 'rbac.authorization.k8s.io', resource: 'roles', namespace: 'apps' })).toBe('RequestResponse');
    expect(levelOf(policy, { ...alice, verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'apps' })).toBe('RequestResponse');
    expect(levelOf(policy, { ...kubelet, verb: 'patch', resource: 'nodes/status' })).toBe('RequestResponse');
    expect(levelOf(policy, { ...alice, verb: 'list', resource: 'pods', namespace: 'apps' })).toBe('Metadata');
  });

  it('drops noisy read-only system traffic, probes, events and leases', () => {
    expect(levelOf(policy, { ...kubelet, verb: 'get', resource: 'nodes' })).toBe('None');
    expect(levelOf(policy, { user: 'system:kube-proxy', verb: 'watch', resource: 'services' })).toBe('None');
    expect(
      levelOf(policy, {
        user: 'system:serviceaccount:kube-system:coredns',
        groups: ['system:serviceaccounts:kube-system'],
        verb: 'list',
        group: 'discovery.k8s.io',
        resource: 'endpointslices',
      }),
    ).toBe('None');
    expect(levelOf(policy, { user: 'system:kube-scheduler', verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system' })).toBe(
      'None',
    );
    expect(levelOf(policy, { user: 'system:anonymous', verb: 'get', path: '/readyz' })).toBe('None');
    expect(levelOf(policy, { ...alice, verb: 'create', resource: 'events', namespace: 'apps' })).toBe('None');
    expect(policy).toEqual(auditPolicy());
  });

  it('is wired through ClusterConfiguration v1beta4: flags as {name, value}, policy read-only, log dir writable', () => {
    const args = argsOf(ref);
    expect(args).toMatchObject({
      'audit-policy-file': '/etc/kubernetes/audit/policy.yaml',
      'audit-log-path': '/var/log/kubernetes/audit/audit.log',
      'audit-log-maxage': '30',
      'audit-log-maxbackup': '10',
      'audit-log-maxsize': '100',
    });
    const volumes = apiServerOf(ref).extraVolumes;
    const mountOf = (path: string) => volumes.find((v: any) => path.startsWith(`${v.mountPath}/`));
    expect(mountOf('/etc/kubernetes/audit/policy.yaml')).toMatchObject({ hostPath: '/etc/kubernetes/audit', readOnly: true });
    expect(mountOf('/var/log/kubernetes/audit/audit.log')).toMatchObject({
      hostPath: '/var/log/kubernetes/audit',
      readOnly: false,
      pathType: 'DirectoryOrCreate',
    });
    expect(new Set(volumes.map((v: any) => v.name)).size).toBe(volumes.length);
    expect(fileOf(ref, 'hosts/n100-003/user-data').content).toContain('  - path: /etc/kubernetes/audit/policy.yaml\n');
  });

  it('takes rotation from the description and turns off cleanly', () => {
    const tuned = variant((d) => (d.operations = { auditLog: { maxAge: 7, maxBackup: 3, maxSize: 50 } }));
    expect(argsOf(tuned)).toMatchObject({ 'audit-log-maxage': '7', 'audit-log-maxbackup': '3', 'audit-log-maxsize': '50' });
    const off = variant((d) => (d.operations = { auditLog: { enabled: false } }));
    expect(Object.keys(argsOf(off)).filter((k) => k.startsWith('audit-'))).toEqual([]);
    expect(apiServerOf(off).extraVolumes.map((v: any) => v.name)).not.toContain('audit-policy');
    expect([...filesByPath(off).keys()].filter((p) => p.includes('audit'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('encryption at rest: kubeadm wiring', () => {
  it('points kube-apiserver at the config and mounts its directory read-only, which must exist', () => {
    expect(argsOf(ref)['encryption-provider-config']).toBe('/etc/kubernetes/encryption/config.yaml');
    const vol = apiServerOf(ref).extraVolumes.find((v: any) => v.name === 'encryption');
    expect(vol).toEqual({
      name: 'encryption',
      hostPath: '/etc/kubernetes/encryption',
      mountPath: '/etc/kubernetes/encryption',
      readOnly: true,
      pathType: 'Directory',
    });
    // the script writes the config where the flag points
    expect(fileOf(ref, 'hosts/n100-001/kube-encryption-config').content).toContain("DIR='/etc/kubernetes/encryption'");
  });

  it('puts the key step before kubeadm init and before each control-plane join in the README', () => {
    const readme = renderCluster(ref).files.find((f) => f.path === 'README.md')!.content;
    const hosts = readme.split('## Hosts')[1].split('## Operations')[0];
    expect(hosts.indexOf('kube-encryption-config init')).toBeGreaterThan(0);
    expect(hosts.indexOf('kube-encryption-config init')).toBeLessThan(hosts.indexOf('kubeadm init --config'));
    const cpJoin = hosts.split('### 3. Other control planes')[1];
    expect(cpJoin.indexOf('kube-encryption-config import')).toBeGreaterThan(0);
    expect(cpJoin.indexOf('kube-encryption-config import')).toBeLessThan(cpJoin.indexOf('kubeadm join --config'));
    expect(readme).toContain('kubectl get secrets -A -o json | kubectl replace -f -');
  });

  it('turns off cleanly', () => {
    const off = variant((d) => (d.operations = { encryptionAtRest: { enabled: false } }));
    expect(argsOf(off)['encryption-provider-config']).toBeUndefined();
    expect([...filesByPath(off).keys()].filter((p) => p.includes('encryption'))).toEqual([]);
    expect(renderCluster(off).files.find((f) => f.path === 'README.md')!.content).not.toContain('kube-encryption-config init');
  });
});

describe('kube-encryption-config in a sandbox', () => {
  function sandbox(provider = 'secretbox') {
    const root = freshDir();
    const m = provider === 'secretbox' ? ref : variant((d) => (d.operations = { encryptionAtRest: { provider } }));
    const script = fileOf(m, 'hosts/n100-001/kube-encryption-config').content;
    expect(script).toContain("DIR='/etc/kubernetes/encryption'");
    const make = (name: string) => {
      const path = join(root, name);
      writeFileSync(path, script.replace("DIR='/etc/kubernetes/encryption'", `DIR='${root}/${name}.d'`), { mode: 0o755 });
      return (args: string[], input?: string) => run('sh', [path, ...args], { input });
    };
    return { root, first: make('first'), second: make('second'), dir: (n: string) => join(root, `${n}.d`) };
  }

  const keysOf = (cfg: any) => {
    const providers = cfg.resources[0].providers;
    const [kind] = Object.keys(providers[0]);
    return { kind, keys: providers[0][kind].keys as { name: string; secret: string }[], last: providers[providers.length - 1] };
  };

  it('init creates one random 32-byte key, root-only, and a valid EncryptionConfiguration; it never replaces it', (ctx) => {
    skipWithout(ctx, 'sh');
    const box = sandbox();
    const r = box.first(['init']);
    expect(r.status, r.stderr).toBe(0);
    const keysFile = join(box.dir('first'), 'keys');
    expect(statSync(keysFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(box.dir('first'), 'config.yaml')).mode & 0o777).toBe(0o600);
    expect(statSync(box.dir('first')).mode & 0o777).toBe(0o700);
    const cfg = yaml.load(readFileSync(join(box.dir('first'), 'config.yaml'), 'utf8')) as any;
    expect(cfg.apiVersion).toBe('apiserver.config.k8s.io/v1');
    expect(cfg.kind).toBe('EncryptionConfiguration');
    expect(cfg.resources[0].resources).toEqual(['secrets']);
    const { kind, keys, last } = keysOf(cfg);
    expect(kind).toBe('secretbox');
    expect(keys).toHaveLength(1);
    expect(Buffer.from(keys[0].secret, 'base64')).toHaveLength(32);
    expect(last).toEqual({ identity: {} });
    // a second init keeps the key
    const before = readFileSync(keysFile, 'utf8');
    expect(box.first(['init']).stdout).toContain('kept the existing keys');
    expect(readFileSync(keysFile, 'utf8')).toBe(before);
    expect(box.first(['check']).status).toBe(0);
    // a second sandbox gets a different key: it is random, not derived from anything in dist/
    const other = sandbox();
    other.first(['init']);
    expect(readFileSync(join(other.dir('first'), 'keys'), 'utf8')).not.toBe(before);
  });

  it('export | import copies the keys to another control plane; export refuses nothing but a terminal', (ctx) => {
    skipWithout(ctx, 'sh');
    const box = sandbox();
    box.first(['init']);
    const exported = box.first(['export']);
    expect(exported.status).toBe(0);
    const imported = box.second(['import'], exported.stdout);
    expect(imported.status, imported.stderr).toBe(0);
    const parsed = (n: string) => yaml.load(readFileSync(join(box.dir(n), 'config.yaml'), 'utf8'));
    expect(parsed('second')).toEqual(parsed('first'));
    expect(readFileSync(join(box.dir('second'), 'keys'), 'utf8')).toBe(readFileSync(join(box.dir('first'), 'keys'), 'utf8'));
    expect(box.second(['check']).status).toBe(0);
    // garbage is rejected and leaves the existing keys alone
    const before = readFileSync(join(box.dir('second'), 'keys'), 'utf8');
    const bad = box.second(['import'], 'key-x c2hvcnQ=\n');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/not 32 bytes/);
    expect(readFileSync(join(box.dir('second'), 'keys'), 'utf8')).toBe(before);
    expect(readdirSync(box.dir('second')).sort()).toEqual(['config.yaml', 'keys']);
    // a control plane without keys fails its check (before kubeadm join would)
    const third = sandbox();
    expect(third.first(['check']).status).not.toBe(0);
  });

  it('rotates: add-key (read-only second), promote (writes), drop (old key gone)', (ctx) => {
    skipWithout(ctx, 'sh');
    const box = sandbox('aescbc');
    box.first(['init']);
    const [oldKey] = box.first(['list']).stdout.trim().split('\n');
    // key names carry the time in seconds; make the next one differ
    writeFileSync(join(box.dir('first'), 'keys'), readFileSync(join(box.dir('first'), 'keys'), 'utf8').replace(oldKey, 'key-old'));
    expect(box.first(['add-key']).status).toBe(0);
    const cfgOf = () => keysOf(yaml.load(readFileSync(join(box.dir('first'), 'config.yaml'), 'utf8')));
    const initial = cfgOf();
    const { kind } = initial;
    let { keys } = initial;
    expect(kind).toBe('aescbc');
    expect(keys.map((k) => k.name)[0]).toBe('key-old');
    expect(keys).toHaveLength(2);
    const fresh = keys[1].name;
    expect(box.first(['drop', 'key-old']).status).not.toBe(0); // the write key cannot be dropped
    expect(box.first(['promote', fresh]).status).toBe(0);
    expect(cfgOf().keys.map((k) => k.name)).toEqual([fresh, 'key-old']);
    expect(box.first(['drop', 'key-old']).status).toBe(0);
    ({ keys } = cfgOf());
    expect(keys.map((k) => k.name)).toEqual([fresh]);
    expect(box.first(['promote', 'key-nope']).status).not.toBe(0);
  });

  it('sh -n and shellcheck accept the script', (ctx) => {
    skipWithout(ctx, 'sh', 'shellcheck');
    const path = join(freshDir(), 'kube-encryption-config');
    writeFileSync(path, fileOf(ref, 'hosts/n100-001/kube-encryption-config').content);
    expect(run('sh', ['-n', path]).status).toBe(0);
    const sc = run('shellcheck', ['-s', 'sh', path]);
    expect(sc.status, sc.stdout).toBe(0);
  });
});

describe('no key material anywhere in dist/', () => {
  const FIXTURES = resolve(__dirname, '../fixtures/valid');
  const renders = [
    ['reference', ref] as const,
    ...readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => [f, loadDescription(join(FIXTURES, f))] as const),
  ];
  /** Any base64 string that decodes to exactly 32 bytes: the size of a secretbox/aescbc key. */
  const KEY_LIKE = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{43}=(?![A-Za-z0-9+/=])/g;

  it.each(renders.map(([name, m]) => [name, m]))('%s: no EncryptionConfiguration and no 32-byte base64 value in any file', (_name, m) => {
    const files = renderCluster(m as ClusterModel).files;
    // every valid description renders the day-2 runbooks
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['docs/etcd-restore.md', 'docs/upgrade.md']));
    for (const f of files) {
      for (const hit of f.content.match(KEY_LIKE) ?? []) expect(Buffer.from(hit, 'base64').length, `${f.path}: ${hit.slice(0, 4)}…`).not.toBe(32);
      expect(f.content, f.path).not.toMatch(/^kind: EncryptionConfiguration$/m);
      expect(f.content, f.path).not.toMatch(/^\s*secret: [A-Za-z0-9+/]{8,}/m);
    }
    // the committed dist/ of the reference, too
    if (m === ref) {
      const committed = renderCluster(ref).files.map((f) => readFileSync(resolve(__dirname, '../../dist', f.path), 'utf8'));
      expect(committed.join('\n').match(KEY_LIKE) ?? []).toEqual([]);
    }
  });

  it('would catch a key (the check is real)', (ctx) => {
    skipWithout(ctx, 'sh');
    const root = freshDir();
    const path = join(root, 'k');
    writeFileSync(path, fileOf(ref, 'hosts/n100-001/kube-encryption-config').content.replace("DIR='/etc/kubernetes/encryption'", `DIR='${root}/d'`));
    expect(run('sh', [path, 'init']).status).toBe(0);
    const config = readFileSync(join(root, 'd/config.yaml'), 'utf8');
    expect(config.match(KEY_LIKE)).toHaveLength(1);
    expect(config).toMatch(/^\s*secret: [A-Za-z0-9+/]{8,}/m);
  });
});
