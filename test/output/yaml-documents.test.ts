/**
 * The shared YAML parse of rendered files: one parse per file object and content, the same result as
 * js-yaml, and parse errors that are not kept (each reader gets its own, with its file name).
 */
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { RenderedFile } from '../../lib/output/files';
import { parseYamlDocuments } from '../../lib/output/yaml-documents';

describe('parseYamlDocuments', () => {
  it('parses like yaml.loadAll, once per file object', () => {
    const file: RenderedFile = { path: 'a.yaml', content: 'a: 1\n---\nb: [x, y]\n---\n' };
    const docs = parseYamlDocuments(file);
    expect(docs).toEqual(yaml.loadAll(file.content));
    expect(parseYamlDocuments(file)).toBe(docs);
    expect(parseYamlDocuments(file, { filename: 'a.yaml' })).toBe(docs);
    expect(parseYamlDocuments({ ...file })).not.toBe(docs);
    expect(parseYamlDocuments({ ...file })).toEqual(docs);
  });

  it('parses again when the content of a file object changed', () => {
    const file = { path: 'a.yaml', content: 'a: 1\n' };
    expect(parseYamlDocuments(file)).toEqual([{ a: 1 }]);
    file.content = 'a: 2\n';
    expect(parseYamlDocuments(file)).toEqual([{ a: 2 }]);
  });

  it('throws js-yaml\'s error every time, naming the file when asked', () => {
    const file: RenderedFile = { path: 'bad.yaml', content: 'a: [1\n' };
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return (error as Error).message;
      }
      return undefined;
    };
    expect(message(() => parseYamlDocuments(file))).toBe(message(() => yaml.loadAll(file.content)));
    expect(message(() => parseYamlDocuments(file, { filename: file.path }))).toBe(message(() => yaml.loadAll(file.content, undefined, { filename: file.path })));
    expect(message(() => parseYamlDocuments(file, { filename: file.path }))).toContain('in "bad.yaml"');
  });
});
