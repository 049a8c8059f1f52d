/**
 * A tiny Mermaid `flowchart` writer that produces diagrams GitHub and GitLab render.
 *
 * Node ids are generated, never taken from data: host names such as `5825u-001` start with a digit or contain
 * characters Mermaid reads as syntax, and words like `end` are keywords. Ids are a capitalised kind prefix plus
 * the sanitised name (`Host_5825u_001`), made unique on collision. Every label is a quoted string with `"`
 * written as `#quot;`, so parentheses, slashes, colons and arrows inside labels stay text.
 */

/** Node shapes we use (Mermaid `id["…"]`, `id(["…"])`, `id(("…"))`, `id[("…")]`). */
export type MermaidShape = 'box' | 'stadium' | 'circle' | 'database';

/** Arrow styles: `-->` solid, `-.->` dotted (standby or optional paths). */
export type MermaidEdge = 'solid' | 'dotted';

const SHAPES: Record<MermaidShape, [string, string]> = {
  box: ['[', ']'],
  stadium: ['([', '])'],
  circle: ['((', '))'],
  database: ['[(', ')]'],
};

/** Quotes a label: `"` becomes the `#quot;` entity; newlines become `<br/>`. */
export function mermaidLabel(text: string): string {
  return `"${text.replace(/"/g, '#quot;').replace(/\r?\n/g, '<br/>')}"`;
}

/** A safe id: letters, digits and `_`, starting with an upper-case letter. */
export function mermaidId(kind: string, name: string): string {
  const prefix = kind.replace(/[^A-Za-z0-9]/g, '') || 'N';
  return `${prefix[0].toUpperCase()}${prefix.slice(1)}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
}

interface Line {
  readonly depth: number;
  readonly text: string;
}

/** Builds one flowchart; `render()` returns the fenced ```` ```mermaid ```` block. */
export class Flowchart {
  private readonly ids = new Map<string, string>();
  private readonly used = new Set<string>();
  private readonly lines: Line[] = [];
  /** Edges come after every node and subgraph, so an edge never pulls a node into the wrong group. */
  private readonly edges: string[] = [];
  private depth = 1;

  constructor(private readonly direction: 'LR' | 'TB' = 'LR') {}

  /** The id for `(kind, name)`, allocated on first use. */
  id(kind: string, name: string): string {
    const key = `${kind}\u0000${name}`;
    const known = this.ids.get(key);
    if (known) return known;
    const base = mermaidId(kind, name);
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}_${n}`;
    this.ids.set(key, id);
    this.used.add(id);
    return id;
  }

  /** Declares a node and returns its id. */
  node(kind: string, name: string, label: string, shape: MermaidShape = 'box'): string {
    const id = this.id(kind, name);
    const [open, close] = SHAPES[shape];
    this.lines.push({ depth: this.depth, text: `${id}${open}${mermaidLabel(label)}${close}` });
    return id;
  }

  /** Groups the nodes declared inside `body` in a titled box. */
  subgraph(name: string, title: string, body: () => void): string {
    const id = this.id('Group', name);
    this.lines.push({ depth: this.depth, text: `subgraph ${id}[${mermaidLabel(title)}]` });
    this.depth++;
    body();
    this.depth--;
    this.lines.push({ depth: this.depth, text: 'end' });
    return id;
  }

  /** An arrow between two declared ids, with an optional label. */
  edge(from: string, to: string, label?: string, style: MermaidEdge = 'solid'): void {
    const arrow = style === 'solid' ? '-->' : '-.->';
    if (!this.used.has(from) || !this.used.has(to)) throw new Error(`internal: edge ${from} -> ${to} uses an undeclared node`);
    this.edges.push(label === undefined ? `${from} ${arrow} ${to}` : `${from} ${arrow}|${mermaidLabel(label)}| ${to}`);
  }

  render(): string {
    return [
      '```mermaid',
      `flowchart ${this.direction}`,
      ...this.lines.map((l) => `${'  '.repeat(l.depth)}${l.text}`),
      ...this.edges.map((e) => `  ${e}`),
      '```',
    ].join('\n');
  }
}
