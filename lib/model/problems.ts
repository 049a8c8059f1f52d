/**
 * A problem found in a cluster description: the field path (`hosts[3].ip`) and a message that shows the bad
 * value and says what would be valid. Printed one per line as `path: message`.
 */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** Longest quoted value echoed in a message; longer ones are cut (a hostile description may hold megabytes). */
const MAX_ECHOED_VALUE = 120;
/** Longest field path echoed. */
const MAX_PATH = 200;

/** Cuts long quoted values (`"…"`) in a message to {@link MAX_ECHOED_VALUE} characters. */
function truncateValues(message: string): string {
  return message.replace(/"((?:[^"\\]|\\.)*)"/g, (whole, inner: string) =>
    inner.length <= MAX_ECHOED_VALUE ? whole : `"${inner.slice(0, MAX_ECHOED_VALUE)}…" (${inner.length} characters)`,
  );
}

/** One line for a problem: `path: message` (`(root)` for the whole description; long paths and values shortened). */
export function formatProblem(problem: Problem): string {
  const path = problem.path || '(root)';
  return `${path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path}: ${truncateValues(problem.message)}`;
}

/** Thrown by the loader when a description is invalid; carries every problem found. */
export class DescriptionError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly Problem[],
  ) {
    super(`${file}: ${problems.length} problem(s)\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'DescriptionError';
  }
}

/** Renders a value for an error message: strings quoted, everything else as compact JSON. */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Turns a JSON pointer (`/hosts/3/ip`) into a field path (`hosts[3].ip`). */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, seg) => (/^\d+$/.test(seg) ? `${path}[${seg}]` : path ? `${path}.${seg}` : seg), '');
}
