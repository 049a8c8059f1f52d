/**
 * The YAML documents of a rendered file, parsed once per file and shared. One synth reads its own YAML
 * several times (the README's apply section, the docs, the schema check, the consistency check), and
 * parsing is a large part of its time.
 *
 * Every reader gets the same document objects: they are read-only (nothing may modify them). Parsed with
 * js-yaml's default schema; a file name only changes the message of a parse error, and failures are not
 * kept, so each reader gets its own error.
 */
import * as yaml from 'js-yaml';
import type { RenderedFile } from './files';

const parsed = new WeakMap<RenderedFile, { readonly content: string; readonly documents: readonly unknown[] }>();

/** `yaml.loadAll(file.content, undefined, options)`, parsed at most once per file object and content. */
export function parseYamlDocuments(file: RenderedFile, options: { readonly filename?: string } = {}): readonly unknown[] {
  const cached = parsed.get(file);
  if (cached && cached.content === file.content) return cached.documents;
  const documents = yaml.loadAll(file.content, undefined, options.filename === undefined ? undefined : { filename: options.filename });
  parsed.set(file, { content: file.content, documents });
  return documents;
}
