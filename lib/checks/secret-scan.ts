/**
 * Secret scan of everything a render writes: no private keys, bootstrap tokens, passwords or high-entropy
 * credentials in manifests, host files or docs, and no Secret objects with values. Secrets reach the cluster
 * and the hosts by reference (a Secret name, an environment variable, a root-only file), never through dist/.
 */
import * as yaml from 'js-yaml';
import type { Problem } from '../model/problems';
import type { RenderedFile } from '../output/files';
import { objectRef, type K8sObject, type OutputCheck } from './types';

export interface SecretFinding {
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** What was found, e.g. `private-key`, `bootstrap-token`, `literal-password`, `high-entropy`. */
  readonly kind: SecretKind;
  readonly message: string;
}

export type SecretKind = 'private-key' | 'bootstrap-token' | 'keepalived-auth-pass' | 'haproxy-auth' | 'literal-secret' | 'high-entropy' | 'env-literal';

/** Keys whose value is a secret by name (compared without `_`, `-` and `.`; the key may end with them). */
const SECRET_NAME = /(token|password|passwd|passphrase|secret|apikey|privatekey|authpass|credentials?)$/i;
/** Keys that often hold secrets; their values are flagged only when they look random. */
const MAYBE_SECRET_NAME = /(key|auth|cred|pass|pwd|salt|signature)$/i;

/** Minimum length and Shannon entropy (bits per character) for a value to look random. */
export const ENTROPY_MIN_LENGTH = 20;
export const ENTROPY_THRESHOLD = 4.0;

export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / value.length) * Math.log2(n / value.length);
  return bits;
}

/** Long enough and random enough to be a credential: high Shannon entropy, or a long hex string (hex tops out at 4 bits/char). */
export function looksRandom(value: string): boolean {
  return value.length >= ENTROPY_MIN_LENGTH && (shannonEntropy(value) > ENTROPY_THRESHOLD || /^[0-9a-f]{32,}$/i.test(value));
}

/** References and placeholders that are not secret values: `${VAR}`, `$VAR`, `$(VAR)`, `{{ .Envs.X }}`, `<placeholder>`. */
const REFERENCE = /\$\{[^}]*\}|\{\{[^}]*\}\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|<[^<>]+>/g;

function unquote(value: string): string {
  return value.replace(/^["']|["']$/g, '');
}

/** True when the value holds no literal: only references, placeholders, a file path, or punctuation. */
export function isReference(value: string): boolean {
  const v = unquote(value.trim());
  if (/^(\/|\.\/|~\/|file:\/\/|<)/.test(v)) return true;
  return !/[A-Za-z0-9]/.test(v.replace(REFERENCE, ''));
}

function isScalarLiteral(value: string): boolean {
  const v = unquote(value.trim());
  return v !== '' && !/^(true|false|null|~|yes|no|\d+(\.\d+)?)$/i.test(v) && !/^[|>[{]/.test(v);
}

function redact(value: string): string {
  const v = unquote(value);
  return v.length <= 4 ? '"****"' : `"${v.slice(0, 2)}…" (${v.length} characters)`;
}

const normalizeKey = (key: string) => key.replace(/[-_.]/g, '');
const SSH_PUBLIC_KEY = /\b(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-(ssh|ecdsa)[\w@.-]*) AAAA/;
const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
const BOOTSTRAP_TOKEN = /(?<![\w.-])[a-z0-9]{6}\.[a-z0-9]{16}(?![\w.-])/g;
/** `key: value` (colon followed by a space or quote), `key = value`, `--key=value`, `"key": "value"`. */
const ASSIGNMENT = /(?:^|[\s{,(])-{0,2}"?([A-Za-z][\w.-]*)"?\s*(?:=|:(?=[\s"']))\s*("[^"]*"|'[^']*'|\$\([^)]*\)|\{\{[^}]*\}\}|<[^<>]*>|[^\s,}#]+)/g;
const COMMENT = /^\s*(#|\/\/|;)/;

/**
 * One line. Assignments are judged only where they are configuration: not on comment lines, and in
 * Markdown only inside fenced code blocks (`prose` is true elsewhere), so explanations like "holds no
 * secret: ..." are not read as values.
 */
function scanLine(file: string, line: number, text: string, prose: boolean): SecretFinding[] {
  const out: SecretFinding[] = [];
  const add = (kind: SecretKind, message: string) => out.push({ file, line, kind, message });
  if (PRIVATE_KEY.test(text)) add('private-key', 'PEM private key material; keep keys on the hosts or in Secrets created out of band');
  for (const m of text.matchAll(BOOTSTRAP_TOKEN)) add('bootstrap-token', `kubeadm bootstrap token ${redact(m[0])}; generate tokens on the control plane (kubeadm token create) instead of rendering them`);
  const authPass = /^\s*auth_pass\s+(\S+)/.exec(text);
  if (authPass && !isReference(authPass[1])) add('keepalived-auth-pass', `keepalived auth_pass with a literal value ${redact(authPass[1])}; include the password from a root-only file instead`);
  const statsAuth = /^\s*stats\s+auth\s+(\S+)/.exec(text);
  if (statsAuth) {
    const password = statsAuth[1].replace(REFERENCE, '\u0000').split(':').slice(1).join(':');
    if (!password || /[A-Za-z0-9]/.test(password)) add('haproxy-auth', `HAProxy stats auth with a literal password; use "\${USER_ENV}:\${PASSWORD_ENV}" from the service environment`);
  }
  const insecure = /\binsecure-password\s+(\S+)/.exec(text);
  if (insecure && !isReference(insecure[1])) add('haproxy-auth', `HAProxy insecure-password with a literal value ${redact(insecure[1])}; use an environment variable`);
  if (out.length || prose || COMMENT.test(text) || SSH_PUBLIC_KEY.test(text)) return out;
  for (const m of text.matchAll(ASSIGNMENT)) {
    const [, key, rawValue] = m;
    const value = unquote(rawValue);
    if (!isScalarLiteral(rawValue) || isReference(rawValue)) continue;
    if (SECRET_NAME.test(normalizeKey(key))) {
      add('literal-secret', `${key} has a literal value ${redact(value)}; give a reference (an environment variable, a file, a Secret) instead`);
    } else if (MAYBE_SECRET_NAME.test(normalizeKey(key)) && looksRandom(value)) {
      add('high-entropy', `${key} has a random-looking value ${redact(value)} (entropy ${shannonEntropy(value).toFixed(2)} bits/char); secrets must not be rendered`);
    }
  }
  return out;
}

/** Container env entries whose name says "secret" and that carry a literal `value` instead of `valueFrom`. */
function scanYamlEnv(file: RenderedFile): SecretFinding[] {
  let docs: unknown[];
  try {
    docs = yaml.loadAll(file.content, undefined, { schema: yaml.CORE_SCHEMA });
  } catch {
    return [];
  }
  const out: SecretFinding[] = [];
  const lines = file.content.split('\n');
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const entry = node as Record<string, unknown>;
      if (typeof entry.name === 'string' && typeof entry.value === 'string' && SECRET_NAME.test(normalizeKey(entry.name)) && isScalarLiteral(entry.value) && !isReference(entry.value)) {
        const line = lines.findIndex((l) => l.includes(entry.name as string)) + 1;
        out.push({ file: file.path, line, kind: 'env-literal', message: `environment variable ${entry.name} has a literal value ${redact(entry.value)}; use valueFrom.secretKeyRef` });
      }
      Object.values(entry).forEach(walk);
    }
  };
  docs.forEach(walk);
  return out;
}

/** Every secret-looking thing in the files, by file and line. */
export function scanFilesForSecrets(files: readonly RenderedFile[]): SecretFinding[] {
  return files.flatMap((file) => {
    const markdown = /\.md$/.test(file.path);
    let fenced = false;
    const lineFindings = file.content.split('\n').flatMap((text, i) => {
      if (markdown && /^\s*(```|~~~)/.test(text)) fenced = !fenced;
      return scanLine(file.path, i + 1, text, markdown && !fenced);
    });
    const envFindings = /\.ya?ml$/.test(file.path) ? scanYamlEnv(file) : [];
    return [...lineFindings, ...envFindings];
  });
}

/** Secret objects that carry values (`data` or `stringData`); empty Secrets filled at runtime are fine. */
export function scanObjectsForSecrets(objects: readonly K8sObject[]): Problem[] {
  return objects
    .filter((o) => o.kind === 'Secret')
    .flatMap((o) =>
      (['data', 'stringData'] as const)
        .filter((field) => Object.keys((o[field] as Record<string, unknown> | undefined) ?? {}).length > 0)
        .map((field) => ({
          path: `${objectRef(o)} ${field}`,
          message: `has keys ${JSON.stringify(Object.keys(o[field] as object).sort())}; secret values never go into dist/: create the Secret out of band and reference it by name`,
        })),
    );
}

export const secretScanCheck: OutputCheck = {
  name: 'secret-scan',
  description: 'No private keys, bootstrap tokens, literal passwords or random-looking credentials in any rendered file, and no Secret objects with values.',
  run: ({ files, objects }) => [
    ...scanFilesForSecrets(files).map((f) => ({ path: `${f.file}:${f.line}`, message: f.message })),
    ...scanObjectsForSecrets(objects),
  ],
};
