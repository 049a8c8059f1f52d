/**
 * The secret scan skips work it can prove useless (a check whose literal is nowhere in the file, an
 * assignment whose key cannot name a secret); these cases sit right at those edges and must still be found.
 */
import { describe, expect, it } from 'vitest';
import { scanFilesForSecrets } from '../../lib/checks/secret-scan';

const kinds = (path: string, content: string) => scanFilesForSecrets([{ path, content }]).map((f) => [f.kind, f.line]);

describe('secret scan filters', () => {
  it('keys are compared without -, _ and ., even between the letters of a secret word', () => {
    expect(kinds('a.conf', 't-o-k-e-n = hunter2hunter2')).toEqual([['literal-secret', 1]]);
    expect(kinds('a.yaml', 'x:\n  pass_word: "hunter2"')).toEqual([['literal-secret', 2]]);
    expect(kinds('a.yaml', 'Sig.Nature: Zx8Qp2Lm9Vt4Rk7Wn3Yb6Hc1Jd5Fg0Ae')).toEqual([['high-entropy', 1]]);
    expect(kinds('a.yaml', 'monkey: Zx8Qp2Lm9Vt4Rk7Wn3Yb6Hc1Jd5Fg0Ae\nname: Zx8Qp2Lm9Vt4Rk7Wn3Yb6Hc1Jd5Fg0Ae')).toEqual([['high-entropy', 1]]);
  });

  it('a comment or an SSH public key on the line still silences its assignments', () => {
    expect(kinds('a.yaml', '# password: hunter2')).toEqual([]);
    expect(kinds('a.yaml', 'key: ssh-ed25519 AAAAC3Nza user@host password: hunter2')).toEqual([]);
    expect(kinds('a.yaml', 'name: x  # password: hunter2')).toEqual([['literal-secret', 1]]);
  });

  it('line checks run on every line of a file that has their literal anywhere', () => {
    expect(kinds('haproxy.cfg', 'global\n  log stdout\nlisten stats\n    stats auth admin:hunter2')).toEqual([['haproxy-auth', 4]]);
    expect(kinds('kubeadm.yaml', 'a: b\n\ntoken: "abcdef.0123456789abcdef"\n')).toEqual([['bootstrap-token', 3]]);
    expect(kinds('x.md', 'text\n```\n-----BEGIN EC PRIVATE KEY-----\n```')).toEqual([['private-key', 3]]);
  });

  it('YAML env values are judged the same with or without timestamps, merge keys and tags in the file', () => {
    const env = (extra: string) => `spec:\n  env:\n  - name: API_TOKEN\n    value: hunter2${extra}\n`;
    for (const extra of ['', '\n  date: 2024-01-31', '\n  base: &b {x: 1}\n  merged: {<<: *b}', '\n  tagged: !!str 1']) {
      expect(kinds('a.yaml', env(extra)), extra).toContainEqual(['env-literal', 3]);
    }
    expect(kinds('a.yaml', 'env:\n- name: API_TOKEN\n  value: 2024-01-31\n')).toEqual([['env-literal', 2]]);
  });
});
