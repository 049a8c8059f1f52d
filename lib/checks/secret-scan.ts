/**
 * Secret scan of everything a render writes: no private keys, bootstrap tokens, passwords or high-entropy
 * credentials in manifests, host files or docs, and no Secret objects with values. Secrets reach the cluster
 * and the hosts by reference (a Secret name, an environment variable, a root-only file), never through dist/.
 */
import * as yaml from 'js-yaml';
import type { Problem } from '../model/problems';
import type { RenderedFile } from '../output/files';
import { objectRef, type K8sObject } from '../k8s/object';
import type { OutputCheck } from './types';

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
const ENTROPY_MIN_LENGTH = 20;
const ENTROPY_THRESHOLD = 4.0;

export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / value.length) * Math.log2(n / value.length);
  return bits;
}

/** Long enough and random enough to be a credential: high Shannon entropy, or a long hex string (hex tops out at 4 bits/char). */
function looksRandom(value: string): boolean {
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
const FENCE = /^\s*(```|~~~)/;

/** Regular expressions of the line checks, each compiled once. */
const AUTH_PASS = /^\s*auth_pass\s+(\S+)/;
const STATS_AUTH = /^\s*stats\s+auth\s+(\S+)/;
const INSECURE_PASSWORD = /\binsecure-password\s+(\S+)/;
const isTokenChar = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39); // [a-z0-9]
const isWordDotDash = (c: number) => isTokenChar(c) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x2e || c === 0x2d; // [\w.-]

/**
 * Whether BOOTSTRAP_TOKEN matches anywhere in `content`: the same test as the regular expression, but only at
 * the dots (the expression tried every position: about 2.5 ms a synth, a tenth of that this way).
 */
export function holdsBootstrapToken(content: string): boolean {
  for (let dot = content.indexOf('.', 6); dot !== -1; dot = content.indexOf('.', dot + 1)) {
    const start = dot - 6;
    const end = dot + 17; // one past the 16 characters after the dot
    if (end > content.length) return false;
    if (start > 0 && isWordDotDash(content.charCodeAt(start - 1))) continue;
    if (end < content.length && isWordDotDash(content.charCodeAt(end))) continue;
    let ok = true;
    for (let i = start; ok && i < end; i++) if (i !== dot && !isTokenChar(content.charCodeAt(i))) ok = false;
    if (ok) return true;
  }
  return false;
}

/**
 * Which line checks can find anything in a file at all. Each test is implied by a match on any one line
 * (the line patterns contain these literals, and a bootstrap token on a line is one in the file too), so a
 * check whose flag is false would find nothing on any line and is skipped; every line is still scanned.
 */
interface LineChecks {
  readonly privateKey: boolean;
  readonly bootstrapToken: boolean;
  readonly authPass: boolean;
  readonly statsAuth: boolean;
  readonly insecurePassword: boolean;
}

function lineChecksFor(content: string): LineChecks {
  return {
    privateKey: content.includes('PRIVATE KEY'),
    bootstrapToken: holdsBootstrapToken(content),
    authPass: content.includes('auth_pass'),
    statsAuth: content.includes('stats'),
    insecurePassword: content.includes('insecure-password'),
  };
}

/**
 * Every key SECRET_NAME or MAYBE_SECRET_NAME matches contains one of these words once `-`, `_` and `.` are
 * removed, so a line without any of them (letters perhaps separated by those characters) has no assignment
 * worth judging.
 */
const SECRET_NAME_PART = new RegExp(
  ['token', 'secret', 'key', 'auth', 'cred', 'pass', 'pwd', 'salt', 'signature'].map((word) => word.split('').join('[-_.]*')).join('|'),
  'i',
);

const enum KeyKind {
  None,
  Secret,
  MaybeSecret,
}

/** Whether an assignment key names a secret, may hold one (flagged when random-looking), or neither. */
function keyKind(key: string): KeyKind {
  const normalized = normalizeKey(key);
  if (SECRET_NAME.test(normalized)) return KeyKind.Secret;
  return MAYBE_SECRET_NAME.test(normalized) ? KeyKind.MaybeSecret : KeyKind.None;
}

/**
 * One line; findings are appended to `out`. Assignments are judged only where they are configuration: not
 * on comment lines, and in Markdown only inside fenced code blocks (`prose` is true elsewhere), so
 * explanations like "holds no secret: ..." are not read as values.
 */
function scanLine(out: SecretFinding[], file: string, line: number, text: string, prose: boolean, checks: LineChecks): void {
  const found = out.length;
  if (checks.privateKey && PRIVATE_KEY.test(text))
    out.push({ file, line, kind: 'private-key', message: 'PEM private key material; keep keys on the hosts or in Secrets created out of band' });
  if (checks.bootstrapToken) {
    for (const m of text.matchAll(BOOTSTRAP_TOKEN))
      out.push({
        file,
        line,
        kind: 'bootstrap-token',
        message: `kubeadm bootstrap token ${redact(m[0])}; generate tokens on the control plane (kubeadm token create) instead of rendering them`,
      });
  }
  const authPass = checks.authPass ? AUTH_PASS.exec(text) : null;
  if (authPass && !isReference(authPass[1]))
    out.push({
      file,
      line,
      kind: 'keepalived-auth-pass',
      message: `keepalived auth_pass with a literal value ${redact(authPass[1])}; include the password from a root-only file instead`,
    });
  const statsAuth = checks.statsAuth ? STATS_AUTH.exec(text) : null;
  if (statsAuth) {
    const password = statsAuth[1].replace(REFERENCE, '\u0000').split(':').slice(1).join(':');
    if (!password || /[A-Za-z0-9]/.test(password))
      out.push({
        file,
        line,
        kind: 'haproxy-auth',
        message: `HAProxy stats auth with a literal password; use "\${USER_ENV}:\${PASSWORD_ENV}" from the service environment`,
      });
  }
  const insecure = checks.insecurePassword ? INSECURE_PASSWORD.exec(text) : null;
  if (insecure && !isReference(insecure[1]))
    out.push({
      file,
      line,
      kind: 'haproxy-auth',
      message: `HAProxy insecure-password with a literal value ${redact(insecure[1])}; use an environment variable`,
    });
  if (out.length > found || prose || !SECRET_NAME_PART.test(text)) return;
  // Assignments count only on lines that are not comments and hold no SSH public key; those two tests run
  // once the line has an assignment whose key could name a secret (nothing else can be found here).
  let configuration: boolean | undefined;
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(text); m; m = ASSIGNMENT.exec(text)) {
    const [, key, rawValue] = m;
    const kind = keyKind(key);
    if (kind === KeyKind.None) continue;
    configuration ??= !COMMENT.test(text) && !SSH_PUBLIC_KEY.test(text);
    if (!configuration) return;
    if (!isScalarLiteral(rawValue) || isReference(rawValue)) continue;
    const value = unquote(rawValue);
    if (kind === KeyKind.Secret) {
      out.push({
        file,
        line,
        kind: 'literal-secret',
        message: `${key} has a literal value ${redact(value)}; give a reference (an environment variable, a file, a Secret) instead`,
      });
    } else if (looksRandom(value)) {
      out.push({
        file,
        line,
        kind: 'high-entropy',
        message: `${key} has a random-looking value ${redact(value)} (entropy ${shannonEntropy(value).toFixed(2)} bits/char); secrets must not be rendered`,
      });
    }
  }
}

/**
 * Container env entries whose name says "secret" and that carry a literal `value` instead of `valueFrom`:
 * in the documents the file was serialized from when it has them (the wave files: the objects themselves),
 * else in its text parsed with the core schema (timestamps stay strings).
 */
function scanYamlEnv(file: RenderedFile): SecretFinding[] {
  let docs: readonly unknown[];
  try {
    docs = file.documents ?? yaml.loadAll(file.content, undefined, { schema: yaml.CORE_SCHEMA });
  } catch {
    return [];
  }
  const out: SecretFinding[] = [];
  let lines: string[] | undefined; // split when there is something to report
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const entry = node as Record<string, unknown>;
      if (
        typeof entry.name === 'string' &&
        typeof entry.value === 'string' &&
        SECRET_NAME.test(normalizeKey(entry.name)) &&
        isScalarLiteral(entry.value) &&
        !isReference(entry.value)
      ) {
        lines ??= file.content.split('\n');
        const line = lines.findIndex((l) => l.includes(entry.name as string)) + 1;
        out.push({
          file: file.path,
          line,
          kind: 'env-literal',
          message: `environment variable ${entry.name} has a literal value ${redact(entry.value)}; use valueFrom.secretKeyRef`,
        });
      }
      Object.values(entry).forEach(walk);
    }
  };
  docs.forEach(walk);
  return out;
}

/** Scans every line of `file` with {@link scanLine}. */
function scanEveryLine(findings: SecretFinding[], file: RenderedFile, checks: LineChecks): void {
  const markdown = /\.md$/.test(file.path);
  let fenced = false;
  let line = 0;
  for (let start = 0; start <= file.content.length; line++) {
    const end = file.content.indexOf('\n', start);
    const text = end === -1 ? file.content.slice(start) : file.content.slice(start, end);
    if (markdown && FENCE.test(text)) fenced = !fenced;
    scanLine(findings, file.path, line + 1, text, markdown && !fenced, checks);
    if (end === -1) break;
    start = end + 1;
  }
}

/** SECRET_NAME_PART over a whole file; a line holds a match only if one starts on it (the words span no line break). */
const SECRET_NAME_PART_ANYWHERE = new RegExp(SECRET_NAME_PART.source, 'gi');
/** FENCE at the start of any line (`[^\S\n]` is `\s` within one line). */
const FENCE_LINE = /^[^\S\n]*(?:```|~~~)/gm;

/**
 * {@link scanEveryLine} for a file where no line check can find anything (every flag of `checks` false): then
 * only an assignment can, on a line SECRET_NAME_PART matches, so only those lines are scanned, found by one
 * pass of the expression over the file (testing every line took about a third of the scan's time). A
 * Markdown fence toggles prose as in the line-by-line scan. Finds exactly what it finds.
 */
function scanCandidateLines(findings: SecretFinding[], file: RenderedFile, checks: LineChecks): void {
  const { content } = file;
  const markdown = /\.md$/.test(file.path);
  const fences: number[] = []; // start of every fence line, in order
  if (markdown) for (const m of content.matchAll(FENCE_LINE)) fences.push(m.index);
  let fence = 0;
  let fenced = false;
  let line = 1; // the line that starts at `lineStart`
  let lineStart = 0;
  SECRET_NAME_PART_ANYWHERE.lastIndex = 0;
  for (let m = SECRET_NAME_PART_ANYWHERE.exec(content); m; m = SECRET_NAME_PART_ANYWHERE.exec(content)) {
    const start = content.lastIndexOf('\n', m.index - 1) + 1;
    for (let i = content.indexOf('\n', lineStart); i !== -1 && i < start; i = content.indexOf('\n', i + 1)) line++;
    lineStart = start;
    for (; fence < fences.length && fences[fence] <= start; fence++) fenced = !fenced;
    const end = content.indexOf('\n', start);
    const scannedUpTo = end === -1 ? content.length + 1 : end + 1;
    scanLine(findings, file.path, line, content.slice(start, end === -1 ? content.length : end), markdown && !fenced, checks);
    SECRET_NAME_PART_ANYWHERE.lastIndex = scannedUpTo; // the next line: this one is scanned whole
  }
}

/** Options of {@link scanFilesForSecrets}. */
export interface SecretScanOptions {
  /** Scan every line of every file, the plain way (tests hold the usual scan to it). @default false */
  readonly everyLine?: boolean;
}

/** Every secret-looking thing in the files, by file and line. */
export function scanFilesForSecrets(files: readonly RenderedFile[], options: SecretScanOptions = {}): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const file of files) {
    const checks = lineChecksFor(file.content);
    const lineChecks = checks.privateKey || checks.bootstrapToken || checks.authPass || checks.statsAuth || checks.insecurePassword;
    if (options.everyLine || lineChecks) scanEveryLine(findings, file, checks);
    else scanCandidateLines(findings, file, checks);
    if (/\.ya?ml$/.test(file.path)) findings.push(...scanYamlEnv(file));
  }
  return findings;
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
  beforeWrite: true,
  run: ({ files, objects }) => [
    ...scanFilesForSecrets(files).map((f) => ({ path: `${f.file}:${f.line}`, message: f.message })),
    ...scanObjectsForSecrets(objects),
  ],
};
