/**
 * Shape validation of a raw description with the description schema (lib/model/description.ts, validated by
 * ajv): unknown keys rejected, types and enums checked, defaults filled in place. Every ajv error becomes one
 * {@link Problem} with a field path; the messages read the failing value and its schema (`data` and
 * `parentSchema`, ajv's `verbose` option).
 */
import type { ErrorObject } from 'ajv';
import { PATTERNS, type Description } from './description';
import { pointerToPath, show, type Problem } from './problems';
import { descriptionValidator } from './validator';

/** Friendly names for the patterns used in the schema. */
const PATTERN_HINTS: Record<string, string> = {
  [PATTERNS.cidr]: 'an IPv4 CIDR such as 10.244.0.0/16',
  [PATTERNS.dnsLabel]: "a lowercase DNS label (a-z, 0-9 and '-', at most 63 characters)",
  [PATTERNS.envName]: 'an environment variable name such as FRP_TOKEN',
  [PATTERNS.absPath]: 'an absolute path such as /etc/frp/token',
  [PATTERNS.kubernetesVersion]: 'a version such as v1.32.3',
  [PATTERNS.sshPublicKey]: 'a public key line such as "ssh-ed25519 AAAA... user@host"',
  [PATTERNS.sshImportId]: 'gh:<github-user> or lp:<launchpad-user>',
};

function describeError(error: ErrorObject): Problem | undefined {
  const path = pointerToPath(error.instancePath);
  const at = (child: string) => (path ? `${path}.${child}` : child);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: at(String(params.missingProperty)), message: 'required field is missing' };
    case 'additionalProperties': {
      const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {}).filter((k) => k !== '$schema');
      return {
        path: at(String(params.additionalProperty)),
        message: `unknown field; valid fields here: ${allowed.join(', ')}`,
      };
    }
    case 'enum':
      return { path, message: `${show(error.data)} is not one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { path, message: `${show(error.data)} must be ${show(params.allowedValue)}` };
    case 'type':
      return { path, message: `expected ${String(params.type)}, got ${show(error.data)}` };
    case 'pattern': {
      const hint = PATTERN_HINTS[String(params.pattern)] ?? `text matching ${String(params.pattern)}`;
      return { path, message: `${show(error.data)} is not valid; expected ${hint}` };
    }
    case 'format':
      return { path, message: `${show(error.data)} is not a valid ${params.format === 'ipv4' ? 'IPv4 address' : String(params.format)}` };
    case 'minimum':
    case 'maximum':
      return { path, message: `${show(error.data)} is out of range; it must be ${String(params.comparison)} ${String(params.limit)}` };
    case 'minItems':
      return { path, message: `must list at least ${String(params.limit)} item(s)` };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'uniqueItems':
      return { path, message: `items ${String(params.j)} and ${String(params.i)} are duplicates; list each once` };
    case 'if':
      return undefined; // the failing branch reports the real problem
    default:
      return { path, message: error.message ?? error.keyword };
  }
}

/** The outcome of {@link validateShape}: the typed, defaulted description, or every problem found. */
export type ShapeResult = { readonly ok: true; readonly description: Description } | { readonly ok: false; readonly problems: Problem[] };

/**
 * Validates the raw description against the schema, filling defaults in place (the caller passes its own
 * copy). Returns the same object typed as a {@link Description}, or every problem found, de-duplicated, in
 * document order.
 */
export function validateShape(raw: unknown): ShapeResult {
  const validate = descriptionValidator();
  if (validate(raw)) return { ok: true, description: raw };
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of validate.errors ?? []) {
    const problem = describeError(error);
    const key = problem && `${problem.path}\u0000${problem.message}`;
    if (problem && key && !seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  // Every failing `if` comes with a failing branch, so this holds; it keeps an invalid description from passing.
  if (!problems.length) problems.push({ path: '', message: 'does not match the description schema' });
  return { ok: false, problems };
}
