/**
 * A file a host gets: where it goes and how it gets there. A leaf module, so the host plan and the parts
 * that contribute files to it (day-2 operations) share the type and the helper without importing each other.
 */
import type { YamlFile } from './yaml';
interface ArtifactBase {
  /** Path inside `dist/hosts/<host>/`. */
  readonly file: string;
  readonly content: string;
  /** Mode in dist/ and on the host. */
  readonly mode: number;
  /** One line for the README. */
  readonly purpose: string;
  /** For a YAML file: the documents `content` serializes (the render's checks read them, not the text). */
  readonly documents?: readonly unknown[];
}

/**
 * A file a host gets, and how it gets there (installed, a secret template to fill in, a cloud-init seed, or
 * for reference only).
 */
export type HostArtifact =
  /** Installed as-is at `target` (cloud-init does it on provisioned hosts). */
  | (ArtifactBase & { readonly delivery: 'file'; readonly target: string })
  /** Lists variable names only: the owner copies it to `target` (mode 0600) and fills in the secrets. */
  | (ArtifactBase & { readonly delivery: 'secret-template'; readonly target: string })
  /** cloud-init seed: goes onto the boot medium (NoCloud), not into the installed system. */
  | (ArtifactBase & { readonly delivery: 'seed' })
  /** For the owner to read (e.g. firewall ports); not installed anywhere. */
  | (ArtifactBase & { readonly delivery: 'reference' });

/** A file installed as-is at `target`; `content` is its text, or a YAML file's text with its documents. */
export const installed = (file: string, target: string, mode: number, purpose: string, content: string | YamlFile): HostArtifact => ({
  file,
  ...(typeof content === 'string' ? { content } : { content: content.content, documents: content.documents }),
  mode,
  delivery: 'file',
  target,
  purpose,
});

/** A template listing variable names only: the owner copies it to `target` (mode 0600) and fills in the secrets. */
export const secretTemplate = (file: string, target: string, purpose: string, content: string): HostArtifact => ({
  file,
  content,
  mode: 0o644,
  delivery: 'secret-template',
  target,
  purpose,
});
