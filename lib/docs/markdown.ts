/**
 * Small Markdown helpers for the generated docs: tables with escaped cells, inline code.
 * Pure string functions; no layout decisions live here.
 */

/** Escapes a table cell: pipes would split the cell, newlines would end the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** A GitHub/GitLab pipe table. Every row must have as many cells as there are headers. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  for (const row of rows) {
    if (row.length !== headers.length) throw new Error(`internal: table row has ${row.length} cells, expected ${headers.length}: ${JSON.stringify(row)}`);
  }
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** Inline code span; backticks inside are rare in our values and are widened around. */
export function code(text: string | number): string {
  const value = String(text);
  return value.includes('`') ? `\`\` ${value} \`\`` : `\`${value}\``;
}

/** `a, b and c`. */
export function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `1 address` / `15 addresses`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${thousands(count)} ${count === 1 ? singular : pluralForm}`;
}

/** `1048576` → `1,048,576` (locale-independent, so output does not depend on the machine). */
export function thousands(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
