/**
 * Shape validation of a raw description with the published JSON Schema (ajv): unknown keys rejected, types
 * and enums checked, defaults filled in place. Every ajv error becomes one {@link Problem} with a field path.
 *
 * The validator is ajv standalone code generated from the schema (generated/description-validator.js, by
 * `npm run generate`), so loading a description neither loads ajv's compiler nor compiles the schema. It
 * is compiled with `verbose: true`: errors carry `data` and `parentSchema`, which the messages below use.
 */
import type { ErrorObject } from 'ajv';
import schema from '../../hostconfig/cluster.schema.json';
import { validateDescriptionSchema as validate } from './generated/description-validator';
import { pointerToPath, show, type Problem } from './problems';

/** The JSON Schema of the description format, as published in `hostconfig/cluster.schema.json`. */
export const DESCRIPTION_SCHEMA: object = schema;

/** Friendly names for the patterns used in the schema. */
const PATTERN_HINTS: Record<string, string> = {
  [schema.definitions.cidr.pattern]: 'an IPv4 CIDR such as 10.244.0.0/16',
  [schema.definitions.dnsLabel.pattern]: "a lowercase DNS label (a-z, 0-9 and '-', at most 63 characters)",
  [schema.definitions.envName.pattern]: 'an environment variable name such as FRP_TOKEN',
  [schema.definitions.absPath.pattern]: 'an absolute path such as /etc/frp/token',
  [schema.properties.kubernetes.properties.version.pattern]: 'a version such as v1.32.3',
  [schema.properties.users.items.properties.sshAuthorizedKeys.items.pattern]:
    'a public key line such as "ssh-ed25519 AAAA... user@host"',
  [schema.properties.users.items.properties.sshImportIds.items.pattern]: 'gh:<github-user> or lp:<launchpad-user>',
};

function describeError(error: ErrorObject): Problem | undefined {
  const path = pointerToPath(error.instancePath);
  const at = (child: string) => (path ? `${path}.${child}` : child);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: at(String(params.missingProperty)), message: 'required field is missing' };
    case 'additionalProperties': {
      const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {}).filter(
        (k) => k !== '$schema',
      );
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

/**
 * Validates the raw description against the schema, filling defaults in place (the caller passes its own
 * copy). Returns every problem found, de-duplicated, in document order.
 */
export function validateShape(raw: unknown): Problem[] {
  if (validate(raw)) return [];
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
  return problems;
}
