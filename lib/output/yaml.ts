/**
 * The YAML serializer of every file synth writes: js-yaml's `dump` (4.x) with no line folding and no anchors,
 * byte for byte, for JSON data, in a fraction of the time. Serializing the reference render's ~100 documents
 * with js-yaml took about a tenth of a synth, most of it deciding each string's scalar style character by
 * character; here that decision is made once per distinct string (keys, labels and images repeat across
 * documents) by the same rules, ported from js-yaml's dumper (`chooseScalarStyle`, `writeScalar`,
 * `writeBlockMapping`, `writeBlockSequence`), with js-yaml's own default schema deciding which plain strings
 * would read back as another type.
 *
 * Anything that is not JSON data (a Date, a class instance, a function, a non-integer or non-finite number,
 * a key long enough to need `? `) goes to js-yaml itself for the whole document, so the output never differs.
 * test/output/yaml.test.ts holds it to js-yaml on every document of every fixture and on generated strings.
 */
import * as yaml from 'js-yaml';

/** Options: the subset synth uses. */
export interface YamlDumpOptions {
  /** Quote character where quoting is needed. @default "'" */
  readonly quotingType?: '"' | "'";
  /** Quote every string value (not keys). @default false */
  readonly forceQuotes?: boolean;
}

/** js-yaml's scalar styles without the folded one (no line width, no folding). */
const enum Style {
  Plain,
  Single,
  Literal,
  Double,
}

/** Not JSON data: js-yaml serializes the whole document. */
class NotJson extends Error {}

const DEPRECATED_BOOLEANS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const DEPRECATED_BASE60 = /^[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?$/;

const ESCAPES: Record<number, string> = {
  0x00: '\\0',
  0x07: '\\a',
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0b: '\\v',
  0x0c: '\\f',
  0x0d: '\\r',
  0x1b: '\\e',
  0x22: '\\"',
  0x5c: '\\\\',
  0x85: '\\N',
  0xa0: '\\_',
  0x2028: '\\L',
  0x2029: '\\P',
};

interface ImplicitType {
  resolve(data: string): boolean;
}
/** js-yaml's default schema: a plain scalar any of these resolves is not read back as a string. */
const IMPLICIT: readonly ImplicitType[] = (yaml.DEFAULT_SCHEMA as unknown as { compiledImplicit?: ImplicitType[] }).compiledImplicit ?? [];
/** Without the schema's types (another js-yaml), every document goes to js-yaml. */
const PORTED = IMPLICIT.length > 0;

const isPrintable = (c: number) =>
  (c >= 0x20 && c <= 0x7e) ||
  (c >= 0xa1 && c <= 0xd7ff && c !== 0x2028 && c !== 0x2029) ||
  (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff) ||
  (c >= 0x10000 && c <= 0x10ffff);
const isWhitespace = (c: number | null) => c === 0x20 || c === 0x09;
const isNsCharOrWhitespace = (c: number) => isPrintable(c) && c !== 0xfeff && c !== 0x0d && c !== 0x0a;

/** ns-plain-safe in block context (js-yaml's isPlainSafe with inblock). */
function isPlainSafe(c: number, prev: number | null): boolean {
  const cIsNsCharOrWhitespace = isNsCharOrWhitespace(c);
  const cIsNsChar = cIsNsCharOrWhitespace && !isWhitespace(c);
  return (
    (cIsNsCharOrWhitespace && c !== 0x23 && !(prev === 0x3a && !cIsNsChar)) ||
    (prev !== null && isNsCharOrWhitespace(prev) && !isWhitespace(prev) && c === 0x23) ||
    (prev === 0x3a && cIsNsChar)
  );
}

/** Not an indicator, whitespace or unprintable: may start a plain scalar. */
const NOT_PLAIN_FIRST = new Set([0x2d, 0x3f, 0x3a, 0x2c, 0x5b, 0x5d, 0x7b, 0x7d, 0x23, 0x26, 0x2a, 0x21, 0x7c, 0x3d, 0x3e, 0x27, 0x22, 0x25, 0x40, 0x60]);
const isPlainSafeFirst = (c: number) => isPrintable(c) && c !== 0xfeff && !isWhitespace(c) && !NOT_PLAIN_FIRST.has(c);
const isPlainSafeLast = (c: number) => !isWhitespace(c) && c !== 0x3a;

function codePointAt(s: string, i: number): number {
  const first = s.charCodeAt(i);
  if (first >= 0xd800 && first <= 0xdbff && i + 1 < s.length) {
    const second = s.charCodeAt(i + 1);
    if (second >= 0xdc00 && second <= 0xdfff) return (first - 0xd800) * 0x400 + second - 0xdc00 + 0x10000;
  }
  return first;
}

/**
 * Whether js-yaml's default schema reads the plain scalar back as another type (null, bool, int, float,
 * timestamp, merge). Each of those starts with one of these characters, so only such strings are tried.
 */
const MAYBE_TYPED = /^[0-9+\-.~<nNtTfF]/;
const ambiguous = (s: string) => MAYBE_TYPED.test(s) && IMPLICIT.some((t) => t.resolve(s));

/** Letters, digits, `_`, `.`, `/` and inner `-` only: plain-safe throughout (names, labels, paths, images). */
const SIMPLE = /^[A-Za-z0-9_./][A-Za-z0-9_./-]*$/;
/** Printable ASCII and line feeds only: no escape needed, no character js-yaml's rules single out. */
const PRINTABLE_ASCII_LINES = /^[\x20-\x7e\n]*$/;

/** js-yaml's chooseScalarStyle with lineWidth -1 (no folding) in block context; `s` is not empty. */
function chooseStyle(s: string, singleLineOnly: boolean, double: boolean, forceQuotes: boolean): Style {
  // The two common cases, decided by one regular expression each; what js-yaml's loop below would decide.
  if (SIMPLE.test(s)) return !forceQuotes && !ambiguous(s) ? Style.Plain : double ? Style.Double : Style.Single;
  if (!singleLineOnly && !forceQuotes && s.includes('\n') && PRINTABLE_ASCII_LINES.test(s)) return Style.Literal;
  let plain = isPlainSafeFirst(codePointAt(s, 0)) && isPlainSafeLast(codePointAt(s, s.length - 1));
  let hasLineBreak = false;
  let prev: number | null = null;
  for (let i = 0; i < s.length;) {
    const c = codePointAt(s, i);
    if (!singleLineOnly && !forceQuotes && c === 0x0a) hasLineBreak = true;
    else if (!isPrintable(c)) return Style.Double;
    plain = plain && isPlainSafe(c, prev);
    prev = c;
    i += c >= 0x10000 ? 2 : 1;
  }
  if (!hasLineBreak) {
    if (plain && !forceQuotes && !ambiguous(s)) return Style.Plain;
    return double ? Style.Double : Style.Single;
  }
  return Style.Literal;
}

function escapeDouble(s: string): string {
  let out = '';
  for (let i = 0; i < s.length;) {
    const c = codePointAt(s, i);
    const escape = ESCAPES[c];
    if (!escape && isPrintable(c)) {
      out += s[i];
      if (c >= 0x10000) out += s[i + 1];
    } else {
      out += escape ?? encodeHex(c);
    }
    i += c >= 0x10000 ? 2 : 1;
  }
  return out;
}

function encodeHex(c: number): string {
  const hex = c.toString(16).toUpperCase();
  const [handle, length] = c <= 0xff ? ['x', 2] : c <= 0xffff ? ['u', 4] : ['U', 8];
  return `\\${handle}${'0'.repeat(length - hex.length)}${hex}`;
}

/** Every non-empty line of `s` indented by `spaces` (js-yaml's indentString). */
function indentLines(s: string, spaces: number): string {
  const indent = ' '.repeat(spaces);
  let out = '';
  let position = 0;
  while (position < s.length) {
    const next = s.indexOf('\n', position);
    const line = next === -1 ? s.slice(position) : s.slice(position, next + 1);
    position = next === -1 ? s.length : next + 1;
    if (line.length && line !== '\n') out += indent;
    out += line;
  }
  return out;
}

/** A literal block scalar's header: indentation indicator when it starts with a space, then chomping. */
function blockHeader(s: string): string {
  const indicator = /^\n* /.test(s) ? '2' : '';
  const clip = s[s.length - 1] === '\n';
  const keep = clip && (s[s.length - 2] === '\n' || s === '\n');
  return `${indicator}${keep ? '+' : clip ? '' : '-'}\n`;
}

/** Strings each scalar cache holds at most (a render of the reference cluster has about 800). */
const CACHE_LIMIT = 50_000;

/** The emitter for one set of options; scalars of a single line are cached by string (and key or value). */
class Emitter {
  private readonly keys = new Map<string, string | Style.Literal>();
  private readonly values = new Map<string, string | Style.Literal>();
  private readonly double: boolean;
  private readonly forceQuotes: boolean;

  constructor(options: YamlDumpOptions) {
    this.double = options.quotingType === '"';
    this.forceQuotes = options.forceQuotes ?? false;
  }

  private quoted(s: string): string {
    return this.double ? `"${s}"` : `'${s}'`;
  }

  /** js-yaml's writeScalar; `level` matters only for a literal block. */
  scalar(s: string, level: number, isKey: boolean): string {
    const cache = isKey ? this.keys : this.values;
    let single = cache.get(s);
    if (single === undefined) {
      single = this.single(s, isKey);
      if (cache.size >= CACHE_LIMIT) cache.clear(); // a long-running process renders many clusters: bounded
      cache.set(s, single);
    }
    if (single !== Style.Literal) return single;
    const body = indentLines(s, 2 * Math.max(1, level));
    return `|${blockHeader(s)}${body[body.length - 1] === '\n' ? body.slice(0, -1) : body}`;
  }

  /** The scalar as written when it takes one line, or Literal. */
  private single(s: string, isKey: boolean): string | Style.Literal {
    if (s.length === 0) return this.double ? '""' : "''";
    if (DEPRECATED_BOOLEANS.has(s) || DEPRECATED_BASE60.test(s)) return this.quoted(s);
    switch (chooseStyle(s, isKey, this.double, this.forceQuotes && !isKey)) {
      case Style.Plain:
        return s;
      case Style.Single:
        return `'${s.replace(/'/g, "''")}'`;
      case Style.Double:
        return `"${escapeDouble(s)}"`;
      default:
        return Style.Literal;
    }
  }

  /** js-yaml's writeNode for JSON data; undefined for a value js-yaml skips (undefined). */
  node(value: unknown, level: number, compact: boolean): string | undefined {
    if (value === null) return 'null';
    switch (typeof value) {
      case 'string':
        return this.scalar(value, level, false);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'number':
        if (!Number.isInteger(value) || Object.is(value, -0)) throw new NotJson();
        return String(value);
      case 'undefined':
        return undefined;
      case 'object':
        break;
      default:
        throw new NotJson();
    }
    if (Array.isArray(value)) return value.length ? this.sequence(value, level, compact) : '[]';
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new NotJson();
    const keys = Object.keys(value as object);
    return keys.length ? this.mapping(value as Record<string, unknown>, keys, level, compact) : '{}';
  }

  private sequence(items: readonly unknown[], level: number, compact: boolean): string {
    let out = '';
    const nextLine = `\n${' '.repeat(2 * level)}`;
    for (const item of items) {
      const dump = this.node(item, level + 1, true) ?? 'null';
      if (!compact || out !== '') out += nextLine;
      out += dump.charCodeAt(0) === 0x0a ? '-' : '- ';
      out += dump;
    }
    return out;
  }

  private mapping(object: Record<string, unknown>, keys: readonly string[], level: number, compact: boolean): string {
    let out = '';
    const nextLine = `\n${' '.repeat(2 * level)}`;
    for (const key of keys) {
      const dump = this.node(object[key], level + 1, false);
      if (dump === undefined) continue;
      const keyDump = this.scalar(key, level + 1, true);
      if (keyDump.length > 1024) throw new NotJson();
      if (!compact || out !== '') out += nextLine;
      out += keyDump;
      out += dump.charCodeAt(0) === 0x0a ? ':' : ': ';
      out += dump;
    }
    return out || '{}';
  }
}

const emitters = new Map<string, Emitter>();

/**
 * `yaml.dump(value, { lineWidth: -1, noRefs: true, ...options })`, byte for byte (see the file comment).
 */
export function dumpYaml(value: unknown, options: YamlDumpOptions = {}): string {
  const jsYaml = () => yaml.dump(value, { lineWidth: -1, noRefs: true, ...options });
  if (!PORTED) return jsYaml();
  const id = `${options.quotingType ?? "'"}${options.forceQuotes ? 'f' : ''}`;
  let emitter = emitters.get(id);
  if (!emitter) emitters.set(id, (emitter = new Emitter(options)));
  try {
    const dump = emitter.node(value, 0, true);
    return dump === undefined ? '' : `${dump}\n`;
  } catch (error) {
    if (error instanceof NotJson) return jsYaml();
    throw error;
  }
}
