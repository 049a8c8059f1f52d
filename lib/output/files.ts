/**
 * A file to be written into the output directory, by path relative to it. Renderers return these; only the
 * writer touches the file system.
 */
export interface RenderedFile {
  /** Relative POSIX path inside dist/, e.g. `hosts/n100-001/kubeadm-init.yaml` or `10-networking.yaml`. */
  readonly path: string;
  readonly content: string;
  /** File mode. @default 0o644 */
  readonly mode?: number;
  /**
   * The documents `content` was serialized from (YAML files we produce from data: the wave files, flux/,
   * the hosts' kubeadm, Pod Security admission and audit policy files).
   * Checks read these instead of parsing the text back. Set only by {@link serializedFile}, as a
   * non-enumerable property: a copy (`{ ...file, content }`) has none, so edited text is never judged by
   * stale documents. @default - none: readers parse `content`
   */
  readonly documents?: readonly unknown[];
}

/** A file whose `content` is the serialization of `documents` (see {@link RenderedFile.documents}). */
export function serializedFile(path: string, content: string, documents: readonly unknown[], mode?: number): RenderedFile {
  return Object.defineProperty(mode === undefined ? { path, content } : { path, content, mode }, 'documents', { value: documents, enumerable: false });
}
