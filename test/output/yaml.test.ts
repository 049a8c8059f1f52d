/**
 * lib/output/yaml.ts writes exactly what js-yaml's dump writes (lineWidth -1, noRefs) for the three option
 * sets synth uses: on every document of every valid fixture's render, on strings chosen for every rule of
 * js-yaml's scalar styles, and on generated strings and documents.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadDescription } from '../../lib/model/load';
import { dumpYaml, type YamlDumpOptions } from '../../lib/output/yaml';
import { renderUnchecked } from '../../lib/render';

const OPTION_SETS: readonly YamlDumpOptions[] = [{}, { quotingType: '"' }, { quotingType: '"', forceQuotes: true }, { forceQuotes: true }];
const jsYaml = (value: unknown, options: YamlDumpOptions) => yaml.dump(value, { lineWidth: -1, noRefs: true, ...options });

/** Both serializers on `value`, each option set; returns the cases that differ. */
function differences(value: unknown): string[] {
  return OPTION_SETS.flatMap((options) => {
    const want = jsYaml(value, options);
    const got = dumpYaml(value, options);
    return got === want ? [] : [`${JSON.stringify(options)} ${JSON.stringify(value)}:\n  js-yaml: ${JSON.stringify(want)}\n  ours:    ${JSON.stringify(got)}`];
  });
}

/** Strings for every branch of js-yaml's scalar style choice. */
const TRICKY = [
  '',
  ' ',
  'a',
  'a b',
  'true',
  'True',
  'TRUE',
  'false',
  'yes',
  'Yes',
  'on',
  'OFF',
  'y',
  'N',
  'null',
  'Null',
  '~',
  '1',
  '-1',
  '+1',
  '0',
  '007',
  '1.0',
  '1.5e3',
  '1e3',
  '0x1F',
  '0o17',
  '0b101',
  '1_000',
  '.inf',
  '-.Inf',
  '.nan',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '1:20',
  '190:20:30.15',
  '<<',
  '=',
  '-',
  '--',
  '---',
  '- a',
  '-a',
  '?',
  '? a',
  '?a',
  ':',
  ':a',
  'a:',
  'a: b',
  'a:b',
  'a:/b',
  'http://example.com:8080/a?b=c&d=e#f',
  'a #b',
  'a#b',
  '#a',
  '[a]',
  'a[0]',
  '{a}',
  'a{b}',
  'a,b',
  '*a',
  '&a',
  '!a',
  '|a',
  '>a',
  "'a",
  '"a',
  'a"b',
  "it's",
  '%a',
  '@a',
  '`a',
  'a ',
  ' a',
  '\ta',
  'a\t',
  'a\tb',
  'a\nb',
  'a\n',
  'a\n\n',
  'a\n\n\n',
  '\n',
  '\n\n',
  '\na',
  ' a\nb',
  '\n a',
  'a\n b\n',
  'line1\n  indented\nline3\n',
  'trailing \nspace',
  'a\r\nb',
  'a\rb',
  'a\u0085b',
  'a\u00a0b',
  '\u2028',
  'a\u2029b',
  'é',
  '日本語',
  '😀',
  'a😀b\nc',
  'a\u0000b',
  'a\u0007b',
  'a\u001bb',
  '\ufeffa',
  'a\ufeff',
  '\ud800',
  'back\\slash',
  'say "hi"',
  '${VAR}',
  '$(VAR)',
  '{{ .Envs.X }}',
  '<placeholder>',
  '10.0.0.0/16',
  '192.168.1.1',
  'fe80::1',
  '::1',
  'ghcr.io/org/image:v1.2.3@sha256:0123456789abcdef',
  'app.kubernetes.io/name',
  '#!/bin/sh\nset -eu\necho "$1"\n',
  '  two leading spaces\nline',
  'x'.repeat(1100),
];

describe('dumpYaml (js-yaml dump, byte for byte)', () => {
  it('on every document of every valid fixture and the reference description', () => {
    const root = join(__dirname, '../..');
    const descriptions = [
      ...readdirSync(join(root, 'test/fixtures/valid'))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(root, 'test/fixtures/valid', f)),
      join(root, 'hostconfig/cluster.yaml'),
    ];
    let documents = 0;
    const problems: string[] = [];
    for (const file of descriptions) {
      const render = renderUnchecked(loadDescription(file), { checks: [] });
      for (const f of render.files) {
        for (const doc of f.documents ?? []) {
          documents++;
          problems.push(...differences(doc));
        }
      }
      for (const object of render.objects) problems.push(...differences(object));
    }
    expect(documents).toBeGreaterThan(500);
    expect(problems).toEqual([]);
  });

  it('on strings for every scalar style rule, as values, keys and in sequences, at every depth', () => {
    const problems: string[] = [];
    for (const s of TRICKY) {
      problems.push(...differences(s));
      problems.push(...differences({ [s]: s }));
      problems.push(...differences([s, [s], { k: s }]));
      problems.push(...differences({ a: { b: { c: s, list: [s, { d: s }] } } }));
      problems.push(...differences([[[s]]]));
    }
    expect(problems).toEqual([]);
  });

  it('on generated documents of strings made from the characters the rules look at', () => {
    // a seeded generator: the same cases every run
    let seed = 0x2f6b3a91;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const alphabet = [
      'a',
      'Z',
      '0',
      '9',
      ' ',
      '\t',
      '\n',
      ':',
      '#',
      '-',
      '?',
      '!',
      "'",
      '"',
      '\\',
      ',',
      '[',
      '{',
      '}',
      '|',
      '>',
      '.',
      '_',
      '/',
      'é',
      '\u2028',
      '\u0085',
      '\u0001',
      '😀',
      'e',
      'x',
      '+',
    ];
    const string = () => Array.from({ length: next(12) }, () => alphabet[next(alphabet.length)]).join('');
    const value = (depth: number): unknown => {
      const k = next(depth > 3 ? 4 : 7);
      if (k <= 1) return string();
      if (k === 2) return next(2) === 0 ? next(1000) - 500 : next(3) === 0 ? null : next(2) === 0;
      if (k === 3) return string();
      if (k === 4) return Array.from({ length: next(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: next(4) }, () => [string(), value(depth + 1)]));
    };
    const problems: string[] = [];
    for (let i = 0; i < 1500; i++) problems.push(...differences(value(0)));
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it('hands what is not JSON data to js-yaml: the same text, or the same error', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    for (const value of [
      1.5,
      -0,
      NaN,
      Infinity,
      1e21,
      new Date(Date.UTC(2026, 11, 4)),
      new Point(1),
      { a: undefined, b: 1 },
      [undefined, 1],
      undefined,
      { a: [] },
      {},
      [],
    ])
      expect(differences(value), String(value)).toEqual([]);
    expect(() => dumpYaml({ f: () => 1 })).toThrow(/unacceptable kind of an object to dump/);
  });
});
