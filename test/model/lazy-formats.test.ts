/**
 * The CLI bundle loads ajv-formats-draft2019's formats on first use (scripts/bundle.mjs,
 * lazyDraft2019FormatsSource): the table @kubernetes-models/validate builds must be the same, name for name
 * and verdict for verdict, as with the package's own index, and nothing of the costly formats loads until one
 * is used.
 */
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lazyDraft2019FormatsSource } from '../../scripts/bundle.mjs';

const ROOT = resolve(__dirname, '../..');
const nodeRequire = createRequire(join(ROOT, 'package.json'));
type Format = ((value: string) => boolean) | RegExp;

/** The stub evaluated as a CommonJS module; `required` collects what it loads. */
function loadStub(): { formats: Record<string, Format>; required: string[] } {
  const required: string[] = [];
  const module = { exports: {} as Record<string, Format> };
  const require = (id: string) => {
    required.push(id);
    return nodeRequire(id);
  };
  new Function('module', 'exports', 'require', lazyDraft2019FormatsSource(ROOT))(module, module.exports, require);
  return { formats: module.exports, required };
}

const samples: Record<string, string[]> = {
  iri: ['https://例え.jp/パス?q=1', 'mailto:ops@my-homelab.net', 'not an iri', 'http://[::1]:80/', '//no-scheme', 'urn:isbn:0451450523', ''],
  'iri-reference': ['/relative/path', 'https://example.com/a b', '#fragment', '../x', 'http://[bad', ''],
  'idn-email': ['ops@my-homelab.net', 'δοκιμή@παράδειγμα.δοκιμή', 'no-at-sign', 'a@b', '@x.org', ''],
  'idn-hostname': ['example.com', 'münchen.de', '-leading.dash', 'a'.repeat(64), 'xn--mnchen-3ya.de', ''],
  duration: ['P1D', 'PT1H30M', 'P1Y2M', '1 day', 'P', ''],
};

describe('ajv-formats-draft2019, loaded on first use in the CLI bundle', () => {
  it('has every format of the package, each giving the same verdict on valid and invalid values', () => {
    const real = nodeRequire('ajv-formats-draft2019/formats/index.js') as Record<string, Format>;
    const { formats } = loadStub();
    expect(Object.keys(formats).sort()).toEqual(Object.keys(real).sort());
    let checked = 0;
    for (const [name, values] of Object.entries(samples)) {
      const verdict = (format: Format, value: string) => (format instanceof RegExp ? format.test(value) : format(value));
      for (const value of values) {
        expect(verdict(formats[name], value), `${name} ${JSON.stringify(value)}`).toBe(verdict(real[name], value));
        checked++;
      }
      // samples of both verdicts (iri-reference accepts every string tried, a relative reference being so lax)
      if (name !== 'iri-reference') expect(values.some((v) => verdict(real[name], v)) && values.some((v) => !verdict(real[name], v)), name).toBe(true);
    }
    expect(checked).toBeGreaterThan(25);
  });

  it('loads only the duration pattern until a format is used', () => {
    const { formats, required } = loadStub();
    expect(required).toEqual(['ajv-formats-draft2019/formats/duration.js']);
    (formats['idn-hostname'] as (value: string) => boolean)('example.com');
    (formats['idn-hostname'] as (value: string) => boolean)('example.org');
    expect(required).toEqual(['ajv-formats-draft2019/formats/duration.js', 'ajv-formats-draft2019/formats/idn-hostname.js']);
  });
});
