/** Public constructs validate their props at runtime; errors under the model name description paths, all at once. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../lib/cli';
import { ComponentPropsError } from '../../lib/components/private/validation';
import { IngressNginxAdmission } from '../../lib/components/ingress/ingress-nginx-admission';
import { parseDescription } from '../../lib/model/load';
import { DescriptionError } from '../../lib/model/problems';
import { ModelProblems } from '../../lib/app/model-problems';
import type { ClusterModel } from '../../lib/model/types';
import { renderCluster } from '../../lib/render';
import { AccessRbac } from '../../lib/security/rbac/access';
import { PodSecurityNamespace } from '../../lib/security/pod-security-namespace';
import { AllowEgress, AllowIngress, AllowTraffic, DefaultDeny } from '../../lib/security/network-policy/policies';
import { Peer, Port } from '../../lib/security/network-policy/peers';
import { FlowNetworkPolicies } from '../../lib/flows/generate';
import { scratchDir } from '../helpers/scratch';

const chart = () => new Chart(new App(), 'c');
const problemsOf = (build: () => unknown): readonly string[] => {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(ComponentPropsError);
    return (error as ComponentPropsError).problems;
  }
  throw new Error('built');
};

/** The problems a render of `model` fails with (a DescriptionError), as `path: first clause of the message`. */
function renderProblems(model: ClusterModel): string[] {
  let error: unknown;
  try {
    renderCluster(model);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DescriptionError);
  return (error as DescriptionError).problems.map((p) => `${p.path}: ${p.message.split(',')[0]}`);
}

describe('PodSecurityNamespace validates level, version and name', () => {
  it('lists every problem', () => {
    const problems = problemsOf(
      () =>
        new PodSecurityNamespace(chart(), 'Ns', {
          name: 'Apps_1',
          enforce: 'strict' as 'restricted',
          warn: 'none' as 'restricted',
          version: 'latest',
          labels: { 'pod-security.kubernetes.io/enforce': 'privileged' },
        }),
    );
    expect(problems).toEqual([
      'name: must be a lowercase RFC 1123 label (a-z, 0-9, "-", at most 63 characters), e.g. "my-name", got "Apps_1"',
      'enforce: must be one of "privileged", "baseline", "restricted", got "strict"',
      'warn: must be one of "privileged", "baseline", "restricted", got "none"',
      'version: must be the Kubernetes minor the levels are pinned to, such as "1.32" or "v1.32", got "latest"',
      'labels.pod-security.kubernetes.io/enforce: must not set Pod Security labels; use enforce, audit, warn and version, got "privileged"',
    ]);
  });

  it('accepts valid props', () => {
    const c = chart();
    new PodSecurityNamespace(c, 'Ns', { name: 'apps', enforce: 'restricted', version: 'v1.32' });
    expect(c.toJson()[0].metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});

describe('other constructs validate their props', () => {
  it('AccessRbac', () => {
    expect(
      problemsOf(
        () =>
          new AccessRbac(chart(), 'A', {
            namePrefix: 'Bad Prefix',
            subjects: [{ kind: 'Robot' as 'User', name: '', role: 'root' as 'admin', namespaces: ['NS'] }],
          }),
      ),
    ).toEqual([
      'namePrefix: must be a lowercase RFC 1123 label (a-z, 0-9, "-", at most 63 characters), e.g. "my-name", got "Bad Prefix"',
      'subjects[0].kind: must be one of "User", "Group", got "Robot"',
      'subjects[0].name: must be a user or group name, got ""',
      'subjects[0].role: must be one of "admin", "viewer", "operator", got "root"',
      'subjects[0].namespaces[0]: must be a lowercase RFC 1123 label (a-z, 0-9, "-", at most 63 characters), e.g. "my-name", got "NS"',
    ]);
  });

  it('IngressNginxAdmission', () => {
    expect(
      problemsOf(() => new IngressNginxAdmission(chart(), 'A', { namespace: 'Ingress', controllerSelector: {}, webhookPortName: 'web hook', labels: {} })),
    ).toHaveLength(3);
  });
});

describe('NetworkPolicy constructs validate their props', () => {
  const LABEL = 'must be a lowercase RFC 1123 label (a-z, 0-9, "-", at most 63 characters), e.g. "my-name"';
  const SUBDOMAIN = 'must be a lowercase RFC 1123 subdomain (a-z, 0-9, "-", "."), e.g. "my-name"';

  it('DefaultDeny', () => {
    expect(problemsOf(() => new DefaultDeny(chart(), 'D', { namespace: 'Apps', name: 'deny all' }))).toEqual([
      `namespace: ${LABEL}, got "Apps"`,
      `name: ${SUBDOMAIN}, got "deny all"`,
    ]);
  });

  it('AllowEgress and AllowIngress: name, namespace, labels, peer and ports, all at once', () => {
    expect(
      problemsOf(
        () =>
          new AllowEgress(chart(), 'E', {
            name: '',
            namespace: 'a_b',
            podLabels: { 'bad key!': 'x', app: 'web server' },
            to: undefined as unknown as Peer,
            ports: [{ protocol: 'TCP', port: 80 } as unknown as Port],
          }),
      ),
    ).toEqual([
      `name: ${SUBDOMAIN}, got ""`,
      `namespace: ${LABEL}, got "a_b"`,
      expect.stringMatching(/^podLabels: keys must be \[prefix\/\]name .*, got "bad key!"$/),
      expect.stringMatching(/^podLabels\.app: must be empty or up to 63 .*, got "web server"$/),
      expect.stringMatching(/^to: must be a Peer .*, got undefined$/),
      expect.stringMatching(/^ports\[0\]: must be Port\.tcp\(\.\.\.\) or Port\.udp\(\.\.\.\), got \{"protocol":"TCP","port":80\}$/),
    ]);
    expect(problemsOf(() => new AllowIngress(chart(), 'I', { name: 'ok', namespace: 'ok', from: null as unknown as Peer }))).toEqual([
      expect.stringMatching(/^from: must be a Peer .*, got null$/),
    ]);
  });

  it('AllowTraffic: both pod groups and the purpose', () => {
    expect(
      problemsOf(() => new AllowTraffic(chart(), 'T', { from: { namespace: 'Web' }, to: { namespace: 'db', podLabels: { app: '-x' } }, purpose: 'SQL' })),
    ).toEqual([`from.namespace: ${LABEL}, got "Web"`, expect.stringMatching(/^to\.podLabels\.app: .*, got "-x"$/), `purpose: ${LABEL}, got "SQL"`]);
  });

  it('Peer and Port factories: namespace, labels, addresses, port range and protocol', () => {
    expect(problemsOf(() => Peer.pods('Kube_System', { 'k8s-app': 'kube dns' }))).toEqual([
      `namespace: ${LABEL}, got "Kube_System"`,
      expect.stringMatching(/^podLabels\.k8s-app: .*, got "kube dns"$/),
    ]);
    expect(problemsOf(() => Peer.podsIn([]))).toEqual(['namespaces: must list at least one namespace, got []']);
    expect(problemsOf(() => Peer.podsIn(['ok', 'NOT OK']))).toEqual([`namespaces[1]: ${LABEL}, got "NOT OK"`]);
    expect(problemsOf(() => Peer.ipBlocks(['10.0.0.0/33', '10.0.0.1', 'host']))).toEqual([
      'cidrsOrAddresses[0]: not an IPv4 address or CIDR; use e.g. "192.168.100.201" or "10.0.0.0/8", got "10.0.0.0/33"',
      'cidrsOrAddresses[2]: not an IPv4 address or CIDR; use e.g. "192.168.100.201" or "10.0.0.0/8", got "host"',
    ]);
    for (const bad of [0, 65536, 80.5]) {
      expect(problemsOf(() => Port.tcp(bad))).toEqual([expect.stringMatching(new RegExp(`^port: must be a port number from 1 to 65535 .*, got ${bad}$`))]);
    }
    expect(problemsOf(() => Port.udp('Way-Too-Long-Port-Name'))).toHaveLength(1);
    // Valid input still builds.
    const c = chart();
    new AllowTraffic(c, 'T', {
      from: { namespace: 'web' },
      to: { namespace: 'db', podLabels: { 'app.kubernetes.io/name': 'postgres' } },
      ports: [Port.tcp(5432)],
      purpose: 'sql',
    });
    expect(c.toJson().map((o: { metadata: { namespace: string; name: string } }) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'web/to-db-sql',
      'db/from-web-sql',
    ]);
  });

  it('FlowNetworkPolicies: isolated namespaces', () => {
    expect(problemsOf(() => new FlowNetworkPolicies(chart(), 'F', { flows: [], dataplane: {} as never, isolatedNamespaces: ['apps', 'Bad_NS', ''] }))).toEqual([
      `isolatedNamespaces[1]: ${LABEL}, got "Bad_NS"`,
      `isolatedNamespaces[2]: ${LABEL}, got ""`,
    ]);
  });
});

describe('construct errors under the model', () => {
  const model = parseDescription(readFileSync('test/fixtures/valid/minimal.yaml', 'utf8'));

  it('are reported against description paths, all at once', () => {
    // Values the schema and semantic rules would catch: forced into the model to reach the constructs.
    const broken = structuredClone(model) as { -readonly [K in keyof ClusterModel]: any };
    broken.storage.classes[0].share = 'relative/path';
    broken.storage.classes[0].mountOptions = ['nfsvers=4.1,hard'];
    broken.storage.server = { ...broken.storage.server, ip: 'nas 1' };
    broken.metallb.pools[0].addresses = ['not-an-address'];
    expect(renderProblems(broken as ClusterModel)).toEqual([
      'metallb.pools[0].addresses[0]: must be an IPv4 CIDR ("192.168.100.240/28") or range ("192.168.100.240-192.168.100.254")',
      'storage.server: must be an IPv4 address or a DNS name of the NFS server',
      'storage.classes[0].share: must be an absolute export path such as "/mnt/server"',
      'storage.classes[0].mountOptions[0]: must be one mount option such as "nfsvers=4.1" (no commas or spaces)',
    ]);
  });

  it('security constructs (Pod Security namespaces, NetworkPolicies, RBAC) too, all at once', () => {
    // Values the schema and semantic rules would catch: forced into the model to reach the constructs.
    const broken = structuredClone(model) as { -readonly [K in keyof ClusterModel]: any };
    broken.namespaces[0].podSecurity = 'strict';
    broken.namespaces.push({ ...broken.namespaces[0], name: 'Team_B', podSecurity: 'baseline' });
    broken.access.push({ kind: 'Robot', name: 'bot', role: 'operator', namespaces: ['apps', 'NS'] });
    expect(renderProblems(broken as ClusterModel)).toEqual([
      'namespaces[1].name: must be a lowercase RFC 1123 label (a-z',
      'namespaces[0].podSecurity: must be one of "privileged"',
      'access[1].kind: must be one of "User"',
      'access[1].namespaces: must be a lowercase RFC 1123 label (a-z',
    ]);
  });

  it('a whole prop path can map to its own description path (the NetworkPolicies namespaces)', () => {
    const problems = new ModelProblems();
    const built = problems.build(
      'security.networkPolicies',
      () => new FlowNetworkPolicies(chart(), 'F', { flows: [], dataplane: {} as never, isolatedNamespaces: ['ok', 'Bad', 'Worse'] }),
      { 'isolatedNamespaces[1]': 'namespaces[3].name' },
    );
    expect(built).toBeUndefined();
    expect(problems.problems.map((p) => `${p.path}: ${p.message.split(',').at(-1)}`)).toEqual([
      'namespaces[3].name:  got "Bad"',
      'security.networkPolicies.isolatedNamespaces[2]:  got "Worse"',
    ]);
  });

  it('the CLI prints them under the description file, one line each (a description the schema accepts)', async () => {
    const dir = scratchDir('props-');
    try {
      const file = join(dir, 'cluster.yaml');
      writeFileSync(
        file,
        readFileSync('test/fixtures/valid/minimal.yaml', 'utf8').replace(
          'classes: [{ name: nfs, share: /export/k8s, default: true }]',
          'classes: [{ name: nfs, share: /export/k8s, default: true, mountOptions: ["nfsvers=4.1,hard", "soft timeo"] }]',
        ),
      );
      const err: string[] = [];
      const code = await runCli(['synth', '--config', file, '--out', join(dir, 'dist')], { out: () => undefined, err: (l) => err.push(l), now: () => 0 });
      expect(code).toBe(1); // 1: invalid description or failed output check (--help)
      expect(err.filter((l) => !l.startsWith('warning:'))).toEqual([
        `${file}: 2 problem(s); nothing was written`,
        'storage.classes[0].mountOptions[0]: must be one mount option such as "nfsvers=4.1" (no commas or spaces), got "nfsvers=4.1,hard"',
        'storage.classes[0].mountOptions[1]: must be one mount option such as "nfsvers=4.1" (no commas or spaces), got "soft timeo"',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
