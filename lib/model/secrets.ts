/**
 * Rejects literal secret values in a description. Secrets are references (an in-cluster Secret name and
 * key, an environment variable name, a file on a host), never values; see README "Secrets".
 */
import type { Problem } from './problems';

/** Keys whose string value would be a secret. References end in Env, File, Ref or are objects. */
const SECRET_KEY = /(token|password|passwd|passphrase|secret|apikey|privatekey|authpass|credentials?)$/i;
const PRIVATE_KEY_MATERIAL = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function redact(value: string): string {
  return value.length <= 4 ? '"****"' : `"${value.slice(0, 2)}…" (${value.length} characters)`;
}

const HINTS: Record<string, string> = {
  'tunnel.token': 'tunnel.token: {secret: {name: frp-token, key: token}, serverFile: /etc/frp/token}',
};

/**
 * Private key material in a comment of the description text (a YAML parser drops comments, so the value
 * walk of {@link findLiteralSecrets} cannot see them; values are reported there). One problem per line.
 */
export function findPrivateKeyText(text: string): Problem[] {
  return text.split('\n').flatMap((line, i) => {
    const marker = line.search(PRIVATE_KEY_MATERIAL);
    const comment = line.search(/(^|\s)#/);
    return marker >= 0 && comment >= 0 && comment < marker
      ? [
          {
            path: '(file)',
            message: `line ${i + 1}: a comment contains private key material; remove it from the description (and rotate the key): list only public keys (ssh-ed25519 ...)`,
          },
        ]
      : [];
  });
}

export function findLiteralSecrets(raw: unknown): Problem[] {
  const problems: Problem[] = [];
  // Each object is scanned once, at its first path: an alias (*name) shares its anchor's object, so the scan
  // stays linear in the document however often the anchor is referenced.
  const seen = new WeakSet<object>();
  const walk = (node: unknown, path: string, key: string): void => {
    if (node && typeof node === 'object') {
      if (seen.has(node)) return;
      seen.add(node);
    }
    if (typeof node === 'string') {
      if (PRIVATE_KEY_MATERIAL.test(node)) {
        problems.push({ path, message: 'contains private key material; list only public keys (ssh-ed25519 ...)' });
      } else if (SECRET_KEY.test(key)) {
        const hint = HINTS[path] ?? 'an environment variable name (…Env), a file on the host (…File) or {secret: {name, key}}';
        problems.push({
          path,
          message: `literal secret value ${redact(node)} is not allowed in the description; give a reference instead: ${hint}`,
        });
      }
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`, key));
      return;
    }
    if (node && typeof node === 'object') {
      for (const [childKey, child] of Object.entries(node)) walk(child, path ? `${path}.${childKey}` : childKey, childKey);
    }
  };
  walk(raw, '', '');
  return problems;
}
