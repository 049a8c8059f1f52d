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
}
