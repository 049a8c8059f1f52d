/**
 * Kubelet serving certificates (the CSR approver RUN against real CSRs made with openssl and a stubbed
 * kubectl), logins (the commands per access entry; the operator role grants what the README tells operators
 * to do) and the upgrade runbook (order per host, quorum, package pins).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loginCommand, renderUpgradeRunbook } from '../../lib/hosts/day2';
import type { ClusterModel } from '../../lib/model/types';
import { renderCluster } from '../../lib/render';
import { findObject, uncoveredPermissions, type PolicyRule } from '../helpers/k8s';
import { scratchDirs } from '../helpers/scratch';
import { run, skipWithout } from '../helpers/tools';
import { docOfKind, fileOf, filesByPath, reference, variant, variants } from './fixtures';

const ref = reference();
const freshDir = scratchDirs('day2-access-');
let csrCount = 0;
const readmeOf = (m: ClusterModel) => renderCluster(m).files.find((f) => f.path === 'README.md')!.content;

describe('kubelet serving certificates', () => {
  it('sets serverTLSBootstrap in the KubeletConfiguration every node gets, and turns off cleanly', () => {
    expect(docOfKind(fileOf(ref, 'hosts/n100-001/kubeadm-init.yaml').content, 'KubeletConfiguration').serverTLSBootstrap).toBe(true);
    const off = variant((d) => (d.operations = { kubeletServingCertificates: { enabled: false }, metricsServer: { enabled: false } }));
    expect(docOfKind(fileOf(off, 'hosts/n100-001/kubeadm-init.yaml').content, 'KubeletConfiguration')).not.toHaveProperty('serverTLSBootstrap');
    expect([...filesByPath(off).keys()].filter((p) => p.includes('kubelet-serving'))).toEqual([]);
  });

  /** A CSR as the kubelet makes it, by real openssl: subject O=system:nodes, CN=system:node:<node>, SANs. */
  function csr(dir: string, node: string, sans: string, org = 'system:nodes'): string {
    const key = join(dir, `${node}-${csrCount}.key`);
    const out = join(dir, `${node}-${++csrCount}.csr`);
    const r = run('openssl', [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      out,
      '-subj',
      `/O=${org}/CN=system:node:${node}`,
      '-addext',
      `subjectAltName=${sans}`,
    ]);
    expect(r.status, r.stderr).toBe(0);
    return Buffer.from(readFileSync(out)).toString('base64');
  }

  it('approves only pending kubelet-serving CSRs whose node, subject, names and IPs match the description', (ctx) => {
    skipWithout(ctx, 'sh', 'openssl', 'shellcheck');
    const dir = freshDir();
    const requests: Record<string, [signer: string, user: string, conditions: string, request: string]> = {
      good: ['kubernetes.io/kubelet-serving', 'system:node:raspberry-003', '', csr(dir, 'raspberry-003', 'DNS:raspberry-003,IP:192.168.100.213')],
      extraIp: ['kubernetes.io/kubelet-serving', 'system:node:n100-002', '', csr(dir, 'n100-002', 'DNS:n100-002,IP:192.168.100.202,IP:10.0.0.9')],
      otherNodesIp: ['kubernetes.io/kubelet-serving', 'system:node:n100-003', '', csr(dir, 'n100-003', 'DNS:n100-003,IP:192.168.100.201')],
      wrongOrg: ['kubernetes.io/kubelet-serving', 'system:node:5825u-001', '', csr(dir, '5825u-001', 'DNS:5825u-001,IP:192.168.100.221', 'evil')],
      unknownNode: ['kubernetes.io/kubelet-serving', 'system:node:intruder', '', csr(dir, 'intruder', 'DNS:intruder,IP:192.168.100.99')],
      notANode: ['kubernetes.io/kubelet-serving', 'mallory', '', csr(dir, 'n100-001', 'DNS:n100-001,IP:192.168.100.201')],
      clientCsr: ['kubernetes.io/kube-apiserver-client-kubelet', 'system:node:raspberry-001', '', csr(dir, 'raspberry-001', 'DNS:raspberry-001')],
      done: ['kubernetes.io/kubelet-serving', 'system:node:raspberry-002', 'Approved', csr(dir, 'raspberry-002', 'DNS:raspberry-002,IP:192.168.100.212')],
    };
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const list = Object.entries(requests)
      .map(([name, [signer, user, cond]]) => `${name} ${signer} ${user} ${cond}`)
      .join('\n');
    writeFileSync(join(dir, 'list'), `${list}\n`);
    for (const [name, [, , , request]] of Object.entries(requests)) writeFileSync(join(dir, `req-${name}`), request);
    writeFileSync(
      join(bin, 'kubectl'),
      `#!/bin/sh
case "$1 $2" in
  "get csr") if [ -n "\${3:-}" ] && [ "$3" != -o ]; then cat "${dir}/req-$3"; else cat "${dir}/list"; fi ;;
  "certificate approve") echo "$3" >> "${dir}/approved" ;;
  *) echo "unexpected kubectl $*" >&2; exit 9 ;;
esac
`,
      { mode: 0o755 },
    );
    const script = join(dir, 'approve');
    const content = fileOf(ref, 'hosts/n100-001/approve-kubelet-serving-csrs').content;
    writeFileSync(script, content, { mode: 0o755 });
    expect(run('sh', ['-n', script]).status).toBe(0);
    const sc = run('shellcheck', ['-s', 'sh', script]);
    expect(sc.status, sc.stdout).toBe(0);

    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const dry = run('sh', [script, '--dry-run'], { env });
    expect(dry.stdout.trim()).toBe('would approve good for raspberry-003');
    const r = run('sh', [script], { env });
    expect(r.status).toBe(1); // something was left pending
    expect(readFileSync(join(dir, 'approved'), 'utf8')).toBe('good\n');
    for (const refused of ['extraIp', 'otherNodesIp', 'wrongOrg', 'unknownNode', 'notANode']) expect(r.stderr, refused).toContain(`left pending: ${refused} `);
    expect(r.stderr).toContain('asks for IP Address:10.0.0.9');
    expect(r.stderr).not.toContain('clientCsr');
  });

  it('is documented as the choice, with the command to run after each join', () => {
    const readme = readmeOf(ref);
    expect(readme).toContain('/usr/local/sbin/approve-kubelet-serving-csrs');
    expect(readme).toMatch(/not by an in-cluster approver/);
  });
});

describe('logins', () => {
  it('gives a kubeadm kubeconfig user command per access entry, with validity, org for groups, and revocation', () => {
    const readme = readmeOf(ref);
    expect(loginCommand(ref, ref.access[0])).toBe(
      'kubeadm kubeconfig user --config /etc/kubernetes/kubeadm-init.yaml --client-name owner --validity-period 720h',
    );
    expect(loginCommand(ref, ref.access[1])).toBe(
      'kubeadm kubeconfig user --config /etc/kubernetes/kubeadm-init.yaml --client-name <person> --org family --validity-period 720h',
    );
    for (const a of ref.access) expect(readme).toContain(loginCommand(ref, a));
    expect(readme).toMatch(/cannot be revoked/);
    expect(readme).toMatch(/rotate the cluster CA/);
    expect(readme).toContain('(umask 077 && mkdir -p ~/.kube && set -C && ssh n100-001 sudo kubeadm kubeconfig user');
    expect(readme).toContain('> ~/.kube/homelab.conf)');
    expect(readme).not.toMatch(/> ~\/\.kube\/config/); // never overwrites the person's existing kubeconfig
    const short = variant((d) => (d.operations = { logins: { validity: '168h' } }));
    expect(readmeOf(short)).toContain('--validity-period 168h');
  });

  /**
   * The README's operator commands and the API permissions kubectl needs for each, written out here (from
   * what kubectl calls), independently of the task table the README is rendered from.
   */
  const rule = (verbs: string[], group: string, resources: string[]): PolicyRule => ({ apiGroups: [group], resources, verbs });
  const OPERATOR_COMMANDS: Record<string, PolicyRule[]> = {
    'kubectl -n <ns> get pods,deployments,services,ingresses,pvc': [
      rule(['list'], '', ['pods', 'services', 'persistentvolumeclaims']),
      rule(['list'], 'apps', ['deployments']),
      rule(['list'], 'networking.k8s.io', ['ingresses']),
    ],
    'kubectl -n <ns> logs deployment/<name>': [rule(['get'], 'apps', ['deployments']), rule(['list'], '', ['pods']), rule(['get'], '', ['pods/log'])],
    'kubectl -n <ns> apply -f app.yaml   # Deployments, Services, Ingresses, ConfigMaps, PVCs': [
      rule(['get', 'create', 'patch'], 'apps', ['deployments']),
      rule(['get', 'create', 'patch'], '', ['services', 'configmaps', 'persistentvolumeclaims']),
      rule(['get', 'create', 'patch'], 'networking.k8s.io', ['ingresses']),
    ],
    'kubectl -n <ns> rollout restart deployment/<name>': [rule(['get', 'patch'], 'apps', ['deployments'])],
    'kubectl -n <ns> scale deployment/<name> --replicas=2': [rule(['get', 'patch'], 'apps', ['deployments/scale'])],
    'kubectl -n <ns> create secret generic <name> --from-file=<file>': [rule(['create'], '', ['secrets'])],
    'kubectl -n <ns> exec -it <pod> -- sh': [rule(['get'], '', ['pods']), rule(['create'], '', ['pods/exec'])],
    'kubectl -n <ns> port-forward <pod> 8080:80': [rule(['get'], '', ['pods']), rule(['create'], '', ['pods/portforward'])],
    'kubectl -n <ns> top pods': [rule(['list'], 'metrics.k8s.io', ['pods'])],
    'kubectl -n <ns> create job <name> --image=<image>': [rule(['create'], 'batch', ['jobs'])],
  };

  it('the operator role grants every permission the operator commands in the README need', () => {
    const withOperator = variant((d) => d.access.push({ kind: 'User', name: 'ana', role: 'operator', namespaces: ['apps'] }));
    const rendered = renderCluster(withOperator);
    const readme = rendered.files.find((f) => f.path === 'README.md')!.content;
    const commands = [...readme.matchAll(/^\| [^|]+ \| `(kubectl [^`]+)` \|$/gm)].map((m) => m[1]);
    expect(commands).toEqual(Object.keys(OPERATOR_COMMANDS));
    const role = findObject(rendered.objects as any, 'ClusterRole', 'homelab-operator');
    for (const [command, needs] of Object.entries(OPERATOR_COMMANDS)) expect(uncoveredPermissions(needs, role.rules), command).toEqual([]);
    expect(uncoveredPermissions([rule(['create'], 'rbac.authorization.k8s.io', ['rolebindings'])], role.rules)).not.toEqual([]); // the role can say no
  });
});

describe('upgrade runbook', () => {
  const doc = renderUpgradeRunbook(ref);

  it('upgrades the first control plane with apply, the others with node one at a time, then each worker', () => {
    const headings = doc.split('\n').filter((l) => /^##+ /.test(l));
    const pos = (s: string) => headings.findIndex((h) => h.includes(s));
    expect(pos('n100-001')).toBeLessThan(pos('n100-002'));
    expect(pos('n100-002')).toBeLessThan(pos('n100-003'));
    expect(pos('n100-003')).toBeLessThan(pos('Workers'));
    const workers = ref.hosts.filter((h) => h.roles.includes('worker'));
    for (const w of workers) expect(pos(w.name)).toBeGreaterThan(pos('Workers'));
    const section = (name: string) => doc.split(new RegExp(`^##+ .*${name}.*$`, 'm'))[1].split(/^##+ /m)[0];
    expect(section('n100-001')).toContain('kubeadm upgrade plan');
    expect(section('n100-001')).toContain('kubeadm upgrade apply v1.33.<patch>');
    for (const h of ['n100-002', 'n100-003', 'raspberry-004']) {
      expect(section(h)).toContain('kubeadm upgrade node');
      expect(section(h)).not.toContain('upgrade apply');
      expect(section(h)).toContain(`kubectl drain ${h} --ignore-daemonsets`);
      expect(section(h).indexOf(`kubectl uncordon ${h}`)).toBeGreaterThan(section(h).indexOf(`kubectl drain ${h}`));
      expect(section(h)).toContain("sed -i 's#/core:/stable:/v1.32/deb/#/core:/stable:/v1.33/deb/#' /etc/apt/sources.list.d/kubernetes.list");
      expect(section(h)).toContain('apt-get install -y kubeadm=1.33.<patch>-1.1');
      expect(section(h)).toContain('apt-mark hold kubelet kubectl');
    }
    expect(doc).toMatch(/only one of the 3 members restarts at a time \(2 must be up\)/);
    expect(doc).toContain('The VIP 192.168.100.230 stays up');
    for (const lb of ['n100-004', 'nas-002']) expect(headings.some((h) => h.includes(lb))).toBe(false);
  });

  it('says so with one control plane, warns past the supported minors, and turns off cleanly', () => {
    expect(renderUpgradeRunbook(variants.singleControlPlane())).toMatch(/single control plane the API is unavailable/);
    expect(renderUpgradeRunbook(variant((d) => (d.kubernetes.version = 'v1.33.1')))).toMatch(/This generator supports Kubernetes 1\.31, 1\.32, 1\.33/);
    expect(doc).not.toMatch(/This generator supports/);
    const off = variant((d) => (d.operations = { upgradeRunbook: { enabled: false } }));
    expect(renderCluster(off).files.map((f) => f.path)).not.toContain('docs/upgrade.md');
    expect(renderCluster(ref).files.map((f) => f.path)).toContain('docs/upgrade.md');
  });
});

describe('every day-2 part off at once', () => {
  it('renders cleanly: no day-2 host file, flag, object or runbook, and the README says each is off', () => {
    const off = variant(
      (d) =>
        (d.operations = {
          etcdSnapshots: { enabled: false },
          auditLog: { enabled: false },
          encryptionAtRest: { enabled: false },
          kubeletServingCertificates: { enabled: false },
          metricsServer: { enabled: false },
          upgradeRunbook: { enabled: false },
        }),
    );
    const r = renderCluster(off);
    const paths = r.files.map((f) => f.path);
    expect(paths.filter((p) => /etcd-snapshot|backups-etcd|audit|encryption|approve-kubelet|upgrade\.md/.test(p))).toEqual([]);
    const init = fileOf(off, 'hosts/n100-001/kubeadm-init.yaml').content;
    expect(docOfKind(init, 'ClusterConfiguration').apiServer.extraArgs.map((a: { name: string }) => a.name)).toEqual(['admission-control-config-file']);
    expect(docOfKind(init, 'ClusterConfiguration').apiServer.extraVolumes.map((v: { name: string }) => v.name)).toEqual(['psa']);
    expect(docOfKind(init, 'KubeletConfiguration')).not.toHaveProperty('serverTLSBootstrap');
    expect(r.objects.filter((o) => o.kind === 'APIService')).toEqual([]);
    const ops = r.files.find((f) => f.path === 'README.md')!.content.split('## Operations')[1];
    for (const part of [
      'operations.etcdSnapshots',
      'operations.auditLog',
      'operations.encryptionAtRest',
      'operations.kubeletServingCertificates',
      'operations.upgradeRunbook',
    ]) {
      expect(ops).toContain(`Off (\`${part}\`)`);
    }
    expect(readmeOf(off)).not.toContain('kube-encryption-config');
  });
});
