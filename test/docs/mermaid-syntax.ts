/**
 * A strict checker for the subset of Mermaid `flowchart` syntax the docs emit. It accepts only what GitHub's
 * and GitLab's Mermaid render without surprises: declared ids of letters/digits/underscores starting with a
 * letter (never a keyword), quoted labels without raw double quotes, balanced subgraphs, edges between
 * declared nodes. Returns the problems; empty means valid.
 */
const ID = '[A-Za-z][A-Za-z0-9_]*';
const LABEL = '"[^"]*"';
const NODE = new RegExp(`^(${ID})(?:\\[${LABEL}\\]|\\(\\[${LABEL}\\]\\)|\\(\\(${LABEL}\\)\\)|\\[\\(${LABEL}\\)\\])$`);
const SUBGRAPH = new RegExp(`^subgraph (${ID})\\[${LABEL}\\]$`);
const EDGE = new RegExp(`^(${ID}) (?:-->|-\\.->)(?:\\|${LABEL}\\|)? (${ID})$`);
const KEYWORDS = new Set(['end', 'subgraph', 'graph', 'flowchart', 'style', 'class', 'classDef', 'click', 'linkStyle', 'direction', 'default']);

export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]);
}

export function checkFlowchart(block: string): string[] {
  const problems: string[] = [];
  const [header, ...lines] = block.split('\n');
  if (!/^flowchart (LR|TB|TD|RL|BT)$/.test(header)) problems.push(`bad header ${JSON.stringify(header)}`);
  const declared = new Set<string>();
  const edges: Array<[string, string]> = [];
  let depth = 0;
  const useId = (id: string, line: string) => {
    if (KEYWORDS.has(id.toLowerCase())) problems.push(`keyword used as id in ${JSON.stringify(line)}`);
    if (/^[ox]/.test(id)) problems.push(`id starting with o/x can be read as an edge end: ${JSON.stringify(line)}`);
  };
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    let m: RegExpExecArray | null;
    if (line === 'end') {
      depth--;
      if (depth < 0) problems.push('unbalanced end');
    } else if ((m = SUBGRAPH.exec(line))) {
      useId(m[1], line);
      if (declared.has(m[1])) problems.push(`duplicate id ${m[1]}`);
      declared.add(m[1]);
      depth++;
    } else if ((m = NODE.exec(line))) {
      useId(m[1], line);
      if (declared.has(m[1])) problems.push(`duplicate id ${m[1]}`);
      declared.add(m[1]);
    } else if ((m = EDGE.exec(line))) {
      edges.push([m[1], m[2]]);
    } else {
      problems.push(`unrecognised line ${JSON.stringify(line)}`);
    }
  }
  if (depth !== 0) problems.push(`${depth} unclosed subgraph(s)`);
  for (const [from, to] of edges) {
    for (const id of [from, to]) if (!declared.has(id)) problems.push(`edge uses undeclared id ${id}`);
  }
  return problems;
}
