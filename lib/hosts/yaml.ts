/** The one YAML serializer setup for host files: js-yaml's dump, no line folding, no anchors (lib/output/yaml.ts). */
import { dumpYaml } from '../output/yaml';

export interface YamlOptions {
  /**
   * Double-quote every string. Used where text is substituted into the file later (envsubst), so the
   * substituted value stays a string whatever it looks like. @default false
   */
  readonly quoteStrings?: boolean;
}

export function toYaml(value: unknown, options: YamlOptions = {}): string {
  return dumpYaml(value, options.quoteStrings ? { forceQuotes: true, quotingType: '"' } : {});
}

/** A YAML host file: its text and the documents it serializes (checks read those, see RenderedFile.documents). */
export interface YamlFile {
  readonly content: string;
  readonly documents: readonly unknown[];
}

/** {@link renderYamlDocuments}, keeping the documents beside the text. */
export function yamlFile(commentLines: readonly string[], docs: readonly unknown[], options: YamlOptions = {}): YamlFile {
  return { content: renderYamlDocuments(commentLines, docs, options), documents: docs };
}

/** A multi-document YAML file: comment lines first, then the documents separated by `---`. */
export function renderYamlDocuments(commentLines: readonly string[], docs: readonly unknown[], options: YamlOptions = {}): string {
  return [...commentLines.map((l) => `${l}\n`), ...docs.map((d) => `---\n${toYaml(d, options)}`)].join('');
}
