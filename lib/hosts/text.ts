/**
 * Small typed line-builders for the host formats that have no serializer (keepalived.conf, haproxy.cfg,
 * systemd units, shell scripts, key=value lists). Every value passes through a checker that knows the
 * format's quoting rules and throws on anything that could break out of its slot (whitespace, quotes,
 * newlines, comment characters). The model has already validated meaning; these checks guard syntax.
 */

/** Where generated files say they came from. No time or host state, so output stays deterministic. */
export function generatedBy(clusterName: string): string {
  return `Generated from the cluster description (cluster ${clusterName}); do not edit, change the description and render again.`;
}

/** Comment lines with a prefix (`#`, `!`), one per element; rejects newlines so a comment cannot end early. */
export function comment(prefix: string, ...texts: readonly string[]): string[] {
  return texts.map((t) => {
    if (/[\r\n]/.test(t)) throw new Error(`internal: comment text must be one line, got ${JSON.stringify(t)}`);
    return t ? `${prefix} ${t}` : prefix;
  });
}

/** Joins lines into file content with exactly one trailing newline. */
export function fileOf(lines: readonly string[]): string {
  return `${lines.join('\n')}\n`;
}

function check(value: string, pattern: RegExp, format: string, what: string): string {
  if (!pattern.test(value)) {
    throw new Error(`${format}: ${what} ${JSON.stringify(value)} cannot be written safely (expected ${pattern.source})`);
  }
  return value;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** An environment variable name, as used in `${NAME}` references. */
export function envName(name: string): string {
  return check(name, ENV_NAME, 'environment', 'variable name');
}

/**
 * An environment file template: only the variable NAMES, for the owner to copy to `target` and fill in.
 * Secrets stay on the host; generated files never hold their values.
 */
export function envFileTemplate(clusterName: string, target: string, purpose: string, names: readonly string[]): string {
  return fileOf([
    ...comment('#', generatedBy(clusterName), `Copy to ${target} (owner root, mode 0600) and fill in the values; keep it out of git.`, purpose),
    ...names.map((name) => `${envName(name)}=`),
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// keepalived.conf: whitespace-separated words, `{ }` blocks, `"..."` for strings with spaces.

/** A string keepalived reads as one double-quoted word. */
export interface KaQuoted {
  readonly quoted: string;
}
export type KaWord = string | number | KaQuoted;
export type KaNode = { readonly words: readonly KaWord[]; readonly children?: readonly KaNode[] };

const KA_BARE = /^[A-Za-z0-9_.:/@+-]+$/;

function kaWord(word: KaWord): string {
  if (typeof word === 'number') {
    if (!Number.isInteger(word)) throw new Error(`keepalived: ${word} is not an integer`);
    return String(word);
  }
  if (typeof word === 'string') return check(word, KA_BARE, 'keepalived', 'word');
  return `"${check(word.quoted, /^[^"\\\r\n{}#!]+$/, 'keepalived', 'quoted string')}"`;
}

export const ka = {
  line: (...words: KaWord[]): KaNode => ({ words }),
  block: (words: KaWord[], children: KaNode[]): KaNode => ({ words, children }),
  quoted: (text: string): KaQuoted => ({ quoted: text }),
};

export function renderKeepalived(nodes: readonly KaNode[], depth = 0): string[] {
  const pad = '    '.repeat(depth);
  return nodes.flatMap((node) => {
    const head = `${pad}${node.words.map(kaWord).join(' ')}`;
    return node.children ? [`${head} {`, ...renderKeepalived(node.children, depth + 1), `${pad}}`] : [head];
  });
}

// ---------------------------------------------------------------------------------------------------------
// haproxy.cfg: sections of keyword lines. Environment variables are expanded only inside double quotes
// (configuration.txt §2.3), so they exist here only as a quoted word built from validated names.

export interface HapQuoted {
  readonly quoted: string;
}
export type HapWord = string | number | HapQuoted;
export interface HapSection {
  readonly header: readonly HapWord[];
  readonly lines: readonly (readonly HapWord[])[];
}

const HAP_BARE = /^[A-Za-z0-9_.:/@*,+-]+$/;

function hapWord(word: HapWord): string {
  if (typeof word === 'number') {
    if (!Number.isInteger(word)) throw new Error(`haproxy: ${word} is not an integer`);
    return String(word);
  }
  if (typeof word === 'string') return check(word, HAP_BARE, 'haproxy', 'word');
  return `"${word.quoted}"`;
}

export const hap = {
  /** `"${A}:${B}"`: environment references joined by a literal separator, expanded by HAProxy at start. */
  envJoin: (separator: string, ...names: string[]): HapQuoted => ({
    quoted: names.map((n) => `\${${envName(n)}}`).join(check(separator, /^[:@/._-]?$/, 'haproxy', 'separator')),
  }),
};

export function renderHaproxy(sections: readonly HapSection[]): string[] {
  return sections.flatMap((s, i) => [...(i ? [''] : []), s.header.map(hapWord).join(' '), ...s.lines.map((words) => `    ${words.map(hapWord).join(' ')}`)]);
}

// ---------------------------------------------------------------------------------------------------------
// systemd unit files: `[Section]` and `Key=value`; command lines are split by systemd's own quoting rules.

/** A `${NAME}` reference that systemd expands from Environment=/EnvironmentFile= to exactly one argument. */
export interface UnitEnvRef {
  readonly env: string;
}
export type UnitArg = string | UnitEnvRef;
export type UnitValue = string | number | boolean;
export type UnitSection = readonly [name: string, entries: readonly (readonly [key: string, value: UnitValue])[]];

const UNIT_ARG = /^[A-Za-z0-9_./:=@+,-]+$/;

/** A command line for Exec*=: plain words, or `"${NAME}"` for a validated environment reference. */
export function execLine(...argv: UnitArg[]): string {
  return argv.map((a) => (typeof a === 'string' ? check(a, UNIT_ARG, 'systemd', 'command argument') : `"\${${envName(a.env)}}"`)).join(' ');
}

export function renderUnit(sections: readonly UnitSection[]): string[] {
  return sections.flatMap(([name, entries], i) => [
    ...(i ? [''] : []),
    `[${check(name, /^[A-Z][A-Za-z]*$/, 'systemd', 'section')}]`,
    ...entries.map(([key, value]) => {
      const text = typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
      // `%` starts a specifier and `\` an escape in unit files; newlines would start a new key.
      return `${check(key, /^[A-Z][A-Za-z0-9]*$/, 'systemd', 'key')}=${check(text, /^[^%\\\r\n]*$/, 'systemd', `value of ${key}`)}`;
    }),
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// POSIX shell and simple line formats.

/** Single-quotes a string for POSIX sh. */
export function shQuote(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`sh: ${JSON.stringify(value)} contains a newline`);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `key = value` lines (sysctl.d). */
export function keyValueLines(entries: readonly (readonly [string, string | number])[]): string[] {
  return entries.map(([k, v]) => `${check(k, /^[a-z0-9_.-]+$/, 'sysctl', 'key')} = ${check(String(v), /^[A-Za-z0-9_.:/-]+$/, 'sysctl', `value of ${k}`)}`);
}

/** One name per line (modules-load.d). */
export function nameLines(names: readonly string[]): string[] {
  return names.map((n) => check(n, /^[a-z0-9_-]+$/, 'modules-load.d', 'module name'));
}
