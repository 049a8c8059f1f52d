/**
 * Turns AJV errors into field issues that say what is wrong in Kubernetes terms: the field path, what
 * would be valid and the value found.
 */
import { pointerToFieldPath, showValue } from './problems';
import { compareCodePoints } from '../compare';

/** One finding inside an object: the field path (`spec.replicas`, empty for the root) and what is wrong. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** The parts of an AJV error we read (AJV 8 shape). */
export interface AjvErrorLike {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

function valueAt(root: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((value, seg) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[seg] : undefined), root);
}

/**
 * Describes AJV errors against `root`. `schemaName` ends "unknown field" messages (`the CRD schema of ...`).
 * Errors inside the branches of a failed anyOf/oneOf are folded into the one error for the alternative.
 */
export function describeAjvErrors(errors: readonly AjvErrorLike[], root: unknown, schemaName: string): FieldIssue[] {
  const branchFailures = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.schemaPath);
  const issues: FieldIssue[] = [];
  for (const error of errors) {
    if (branchFailures.some((path) => error.schemaPath !== path && error.schemaPath.startsWith(`${path}/`))) continue;
    const got = () => showValue(valueAt(root, error.instancePath));
    switch (error.keyword) {
      case 'required':
        issues.push({ field: pointerToFieldPath(`${error.instancePath}/${String(error.params.missingProperty)}`), message: 'required field is missing' });
        break;
      case 'additionalProperties':
        issues.push({
          field: pointerToFieldPath(`${error.instancePath}/${String(error.params.additionalProperty).replace(/~/g, '~0').replace(/\//g, '~1')}`),
          message: `unknown field (not in ${schemaName})`,
        });
        break;
      case 'enum':
        issues.push({
          field: pointerToFieldPath(error.instancePath),
          message: `must be one of ${(error.params.allowedValues as unknown[]).map((v) => showValue(v)).join(', ')}, got ${got()}`,
        });
        break;
      case 'type':
        issues.push({ field: pointerToFieldPath(error.instancePath), message: `must be ${String(error.params.type).replace(/,/g, ' or ')}, got ${got()}` });
        break;
      case 'anyOf':
      case 'oneOf':
        issues.push({ field: pointerToFieldPath(error.instancePath), message: `does not match any of the allowed alternatives, got ${got()}` });
        break;
      default:
        issues.push({ field: pointerToFieldPath(error.instancePath), message: `${error.message ?? error.keyword}, got ${got()}` });
    }
  }
  return issues;
}

/** Drops duplicates and sorts by field, then message. */
export function uniqueIssues(issues: readonly FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues
    .filter((issue) => {
      const key = `${issue.field}\0${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => compareCodePoints(a.field, b.field) || compareCodePoints(a.message, b.message));
}
