/** One `## title` section of dist/README.md (a leaf: every section module imports it). */
export interface ReadmeSection {
  readonly title: string;
  /** Markdown body, without the heading. */
  readonly body: string;
}
