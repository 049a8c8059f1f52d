/**
 * Locale-independent string order: by Unicode code point, the same under every LANG/LC_ALL. Use this (never
 * `localeCompare`) for anything that shapes output, so renders are byte-identical on every machine.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) {
      // At the first differing code unit, codePointAt gives whole code points (or the low surrogates after a
      // shared high surrogate, whose order is their code points' order).
      return a.codePointAt(i)! < b.codePointAt(i)! ? -1 : 1;
    }
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
