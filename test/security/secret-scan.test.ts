/**
 * The secret scan: nothing in the reference render (or the valid fixtures), and each kind of planted secret
 * is found, by file and line, while references (${VAR}, {{ .Envs.X }}, file paths) are not.
 */
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../lib/k8s/object';
import { holdsBootstrapToken, isReference, scanFilesForSecrets, scanObjectsForSecrets, secretScanCheck, shannonEntropy } from '../../lib/checks/secret-scan';
import { loadDescription } from '../../lib/model/load';
import { serializedFile, type RenderedFile } from '../../lib/output/files';
import { serializeObjects } from '../../lib/output/manifests';
import { renderCluster } from '../../lib/render';
import { referenceModel, renderUnchecked } from './fixtures';

const model = referenceModel();
const rendered = renderUnchecked(model);
const scan = (path: string, content: string) => scanFilesForSecrets([{ path, content }]);
const kinds = (path: string, content: string) => scan(path, content).map((f) => [f.kind, f.line]);

/** One rendered file with `line` appended; fails if the file does not exist, so a plant never no-ops. */
function plant(path: string, line: string): RenderedFile[] {
  const target = rendered.files.find((f) => f.path === path);
  if (!target) throw new Error(`no rendered file ${path}`);
  return rendered.files.map((f) => (f === target ? { ...f, content: `${f.content}\n${line}\n` } : f));
}
const problemsAfter = (files: RenderedFile[]) => secretScanCheck.run({ model, objects: rendered.objects, files });

describe('the reference render', () => {
  it('has no secret material in any file or object, and synth with the check passes', () => {
    expect(problemsAfter([...rendered.files])).toEqual([]);
    expect(renderCluster(model, { checks: [secretScanCheck] }).checks).toEqual(['secret-scan']);
  });

  it('nor do the valid fixtures', () => {
    for (const fixture of ['minimal', 'five-control-planes-other-subnet', 'single-control-plane-no-tunnel', 'all-arm64']) {
      const m = loadDescription(`test/fixtures/valid/${fixture}.yaml`);
      const r = renderUnchecked(m);
      expect(secretScanCheck.run({ model: m, objects: r.objects, files: r.files }), fixture).toEqual([]);
    }
  });
});

describe('planted secrets are found, by file and line', () => {
  it('a kubeadm bootstrap token in a join config', () => {
    const path = rendered.files.find((f) => f.path.endsWith('kubeadm-join.yaml'))!.path;
    const problems = problemsAfter(plant(path, '    token: "abcdef.0123456789abcdef"'));
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toMatch(new RegExp(`^${path}:\\d+$`));
    expect(problems[0].message).toMatch(/bootstrap token "ab…" \(23 characters\)/);
    expect(problems[0].message).not.toContain('0123456789abcdef');
  });

  it('a PEM private key anywhere, even in a comment', () => {
    const problems = problemsAfter(plant('README.md', '# -----BEGIN OPENSSH PRIVATE KEY-----'));
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('PEM private key')]);
    expect(kinds('x.pem', 'a\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----')).toEqual([['private-key', 2]]);
    expect(kinds('x.pem', '-----BEGIN PRIVATE KEY-----')).toEqual([['private-key', 1]]);
    expect(kinds('x.pem', '-----BEGIN CERTIFICATE-----')).toEqual([]);
  });

  it('a literal keepalived auth_pass', () => {
    const problems = problemsAfter(plant('hosts/n100-004/keepalived.conf', '        auth_pass s3cr3t'));
    expect(problems).toEqual([
      { path: expect.stringMatching(/^hosts\/n100-004\/keepalived\.conf:\d+$/), message: expect.stringContaining('keepalived auth_pass with a literal value') },
    ]);
  });

  it('HAProxy stats auth with a literal password; environment references pass', () => {
    expect(kinds('haproxy.cfg', '    stats auth admin:hunter2')).toEqual([['haproxy-auth', 1]]);
    expect(kinds('haproxy.cfg', '    stats auth "${HAPROXY_STATS_USER}:hunter2"')).toEqual([['haproxy-auth', 1]]);
    expect(kinds('haproxy.cfg', '    stats auth "${HAPROXY_STATS_USER}:${HAPROXY_STATS_PASSWORD}"')).toEqual([]);
    expect(kinds('haproxy.cfg', '    user admin insecure-password hunter2')).toEqual([['haproxy-auth', 1]]);
  });

  it('frp auth.token and webServer.password literals (also inside a ConfigMap); Go-template and file references pass', () => {
    expect(kinds('frps.toml', 'auth.token = "hunter2hunter2"')).toEqual([['literal-secret', 1]]);
    expect(kinds('20-controllers.yaml', 'data:\n  frpc.toml: |\n    webServer.password = "letmein"')).toEqual([['literal-secret', 3]]);
    expect(kinds('frpc.toml', 'auth.token = "{{ .Envs.FRP_TOKEN }}"\nauth.tokenSource.file.path = "/etc/frp/token"\nauth.method = "token"')).toEqual([]);
  });

  it('random-looking values under key-like names; short, hex hashes behind sha256: and SSH public keys pass', () => {
    expect(kinds('a.yaml', 'apiKey: "Zx8Qp2Lm9Vt4Rk7Wn3Yb6Hc1Jd5Fg0Ae"')).toEqual([['literal-secret', 1]]);
    expect(kinds('a.yaml', 'tls.key: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUJ')).toEqual([['high-entropy', 1]]);
    expect(kinds('kubeadm.yaml', 'certificateKey: "9a1f0c2b7d4e8f3a6b5c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a"')).toEqual([['high-entropy', 1]]);
    expect(kinds('a.yaml', 'key: token\ncaCertHash: sha256:9a1f0c2b7d4e8f3a6b5c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a')).toEqual([]);
    expect(kinds('user-data', '    ssh_authorized_keys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx9q8Zr3vT2pL7mW4kY1nB6cH0jD5fE8aR owner]')).toEqual([]);
  });

  it('a secret-named env var with a literal value; valueFrom passes', () => {
    const manifest = (env: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    env:\n${env}`;
    expect(kinds('20-controllers.yaml', manifest('    - name: DB_PASSWORD\n      value: hunter2'))).toEqual([['env-literal', 8]]);
    expect(kinds('20-controllers.yaml', manifest('    - name: DB_PASSWORD\n      valueFrom: {secretKeyRef: {name: db, key: password}}'))).toEqual([]);
  });

  it('a wave file is judged by the objects it was serialized from, and an edited copy by its text', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', env: [{ name: 'DB_PASSWORD', value: 'hunter2' }] }] },
    };
    const file = serializedFile('30-controllers.yaml', serializeObjects([pod as K8sObject]), [pod]);
    expect(scanFilesForSecrets([file]).map((f) => [f.kind, f.line])).toEqual([['env-literal', 9]]);
    const fixed = {
      ...pod,
      spec: { containers: [{ name: 'c', env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] }] },
    };
    // the documents decide, not a second parse: the same text with objects that hold no literal passes
    expect(scanFilesForSecrets([serializedFile('30-controllers.yaml', file.content, [fixed])]).filter((f) => f.kind === 'env-literal')).toEqual([]);
    // a copy carries no documents: its (edited) text is parsed and judged
    expect(scanFilesForSecrets([{ ...file, content: file.content.replace('hunter2', 's3cr3t-value') }]).map((f) => [f.kind, f.line])).toEqual([
      ['env-literal', 9],
    ]);
  });

  it('prose and comments are not read as values; Markdown only inside code blocks', () => {
    expect(kinds('kubeadm-join.yaml', '# It holds no secret: kubeadm join fills it in')).toEqual([]);
    expect(kinds('README.md', 'The token: create it with kubeadm')).toEqual([]);
    expect(kinds('README.md', '```sh\nFRP_TOKEN=abc123def\n```')).toEqual([['literal-secret', 2]]);
    expect(kinds('README.md', '```sh\nFRP_TOKEN=<your token>\nHAPROXY_STATS_PASSWORD=$(openssl rand -hex 16)\n```')).toEqual([]);
  });

  it('Secret objects with data or stringData; an empty Secret filled at runtime passes', () => {
    const secret = (extra: Record<string, unknown>) =>
      ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'frp-token', namespace: 'frpc' }, ...extra }) as K8sObject;
    expect(scanObjectsForSecrets([secret({ stringData: { token: 'x' } })])).toEqual([
      { path: 'Secret frpc/frp-token stringData', message: expect.stringContaining('["token"]') },
    ]);
    expect(scanObjectsForSecrets([secret({ data: { token: 'eA==' } })]).map((p) => p.path)).toEqual(['Secret frpc/frp-token data']);
    expect(scanObjectsForSecrets([secret({})])).toEqual([]);
  });
});

describe('helpers', () => {
  it('references', () => {
    for (const ref of ['${VAR}', '"{{ .Envs.FRP_TOKEN }}"', '$(POD_NAMESPACE)', '$VAR', '/etc/frp/token', '<token>', '"${A}:${B}"'])
      expect(isReference(ref), ref).toBe(true);
    for (const literal of ['hunter2', '"abc${VAR}"', 'file']) expect(isReference(literal), literal).toBe(false);
  });

  it('entropy: random strings above 4 bits/char, words and hex below', () => {
    expect(shannonEntropy('Zx8Qp2Lm9Vt4Rk7Wn3Yb6Hc1Jd5Fg0Ae')).toBeGreaterThan(4);
    expect(shannonEntropy('passwordpasswordpassword')).toBeLessThan(4);
    expect(shannonEntropy('9a1f0c2b7d4e8f3a6b5c0d9e8f7a6b5c')).toBeLessThanOrEqual(4);
  });
});

describe('holdsBootstrapToken (the whole-file pre-test of the bootstrap-token rule)', () => {
  it("agrees with the rule's regular expression on tokens at every edge and on generated text", () => {
    const rule = /(?<![\w.-])[a-z0-9]{6}\.[a-z0-9]{16}(?![\w.-])/;
    const token = 'abcdef.0123456789abcdef';
    const cases = [
      token,
      ` ${token} `,
      `x${token}`,
      `.${token}`,
      `-${token}`,
      `_${token}`,
      `A${token}`,
      `${token}x`,
      `${token}.`,
      `${token}-`,
      `${token}A`,
      `(${token})`,
      `"${token}"`,
      'abcde.0123456789abcdef',
      'abcdef.0123456789abcde',
      'ABCDEF.0123456789abcdef',
      'abcdef..0123456789abcdef',
      `a.b.c ${token}`,
      `token: ${token}\n`,
      '',
      '.',
      'abcdef.',
    ];
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const alphabet = 'ab09.-_A ';
    for (let i = 0; i < 3000; i++) cases.push(Array.from({ length: 20 + next(20) }, () => alphabet[next(alphabet.length)]).join(''));
    for (let i = 0; i < 300; i++) cases.push(`${'x. '.slice(next(3), 3)}${token.slice(0, 6 + next(2))}${token.slice(6 + next(2))}${'x. '.slice(next(3))}`);
    const disagree = cases.filter((c) => holdsBootstrapToken(c) !== rule.test(c));
    expect(disagree).toEqual([]);
    expect(cases.filter((c) => rule.test(c)).length).toBeGreaterThan(10);
  });
});

describe('the scan of candidate lines (files where no line check can find anything)', () => {
  const everyLine = (files: RenderedFile[]) => scanFilesForSecrets(files, { everyLine: true });

  it('finds what the line-by-line scan finds in every valid fixture, with secrets planted in every file', () => {
    const renders = [
      rendered.files,
      ...['minimal', 'five-control-planes-other-subnet', 'single-control-plane-no-tunnel', 'all-arm64', 'reference-traefik'].map(
        (f) => renderUnchecked(loadDescription(`test/fixtures/valid/${f}.yaml`)).files,
      ),
    ];
    let found = 0;
    for (const files of renders) {
      expect(scanFilesForSecrets(files)).toEqual(everyLine([...files]));
      // the same files with a literal password and a random api key on lines inside them, in prose and in code
      const planted = files.map((f, i) => {
        const lines = f.content.split('\n');
        lines.splice(Math.floor(lines.length / 2), 0, `  password: hunter2-${i}`, `apiKey = Zx8Qp2Lm9Vt4Rk7Wn3Yb6Hc1Jd5Fg0Ae${i}`);
        return { path: f.path, content: lines.join('\n') };
      });
      const findings = scanFilesForSecrets(planted);
      expect(findings).toEqual(everyLine(planted));
      found += findings.length;
    }
    expect(found).toBeGreaterThan(500); // the planted lines are found (outside Markdown prose)
  });

  it('on the edges: first and last line, no final newline, CRLF, several matches on a line, Markdown fences of both kinds', () => {
    const secret = 'password: hunter2';
    const files: RenderedFile[] = [
      { path: 'a.conf', content: secret },
      { path: 'b.conf', content: `${secret}\n` },
      { path: 'c.conf', content: `x\n\n${secret}` },
      { path: 'd.conf', content: `x\r\n${secret}\r\ntoken: abc\r\n` },
      { path: 'e.conf', content: `secret: one, token: two, apiKey: Zx8Qp2Lm9Vt4Rk7Wn3Yb6Hc1Jd5Fg0Ae\n${secret}\n` },
      { path: 'f.conf', content: `# ${secret}\np-a-s-s-w-o-r-d: x\n` },
      { path: 'g.md', content: `${secret}\n\`\`\`\n${secret}\n\`\`\`\n${secret}\n  ~~~yaml\n${secret}\n  ~~~\n\t\`\`\`\n${secret}\n` },
      { path: 'h.md', content: `\`\`\`sh\n${secret}\n` },
      { path: 'i.md', content: `text\n\`\`\`\n\n\`\`\`\n${secret}\n\`\`\`\n${secret}` },
      { path: 'i2.md', content: `~~~ token: abc\n${secret}\n~~~ password: x\n${secret}\n` }, // a fence line that is itself a candidate
      { path: 'j.conf', content: '' },
      { path: 'k.conf', content: '\n\n\n' },
    ];
    const findings = scanFilesForSecrets(files);
    expect(findings).toEqual(everyLine(files));
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual([
      'a.conf:1',
      'b.conf:1',
      'c.conf:3',
      'd.conf:2',
      'd.conf:3',
      'e.conf:1',
      'e.conf:1',
      'e.conf:1',
      'e.conf:2',
      'f.conf:2',
      'g.md:3',
      'g.md:7',
      'g.md:10',
      'h.md:2',
      'i.md:7',
      'i2.md:1',
      'i2.md:2',
    ]);
  });
});
