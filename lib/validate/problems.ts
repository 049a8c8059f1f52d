/**
 * Problems found in rendered output. Each names the file, the object (`Kind namespace/name`) and the field
 * path; it is a {@link Problem} whose `path` joins the three, so the CLI prints one line per problem:
 * `30-controllers.yaml: Deployment frpc/frpc: spec.replicas: must be integer, got "2"`.
 */
import type { K8sObject } from '../k8s/object';
import type { Problem } from '../model/problems';

export interface ValidationProblem extends Problem {
  /** Path relative to the rendered directory, e.g. `30-controllers.yaml` or `hosts/n100-001/user-data`. */
  readonly file: string;
  /** `Kind namespace/name` of the object, when the problem is inside one. */
  readonly object?: string;
  /** Field path inside the object (`spec.template.spec.containers[0].image`); empty for the whole object. */
  readonly field?: string;
}

export function validationProblem(file: string, object: string | undefined, field: string | undefined, message: string): ValidationProblem {
  const path = [file, object, field].filter((part) => part !== undefined && part !== '').join(': ');
  return { path, message, file, ...(object !== undefined ? { object } : {}), ...(field ? { field } : {}) };
}

/** `Kind namespace/name` (or `Kind name` for cluster-scoped objects) from any parsed document. */
export function describeObject(object: unknown): string {
  const o = (object ?? {}) as Partial<K8sObject>;
  const kind = typeof o.kind === 'string' ? o.kind : '(no kind)';
  const metadata = (o.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const ns = typeof metadata.namespace === 'string' && metadata.namespace ? `${metadata.namespace}/` : '';
  const name = typeof metadata.name === 'string' ? metadata.name : '(unnamed)';
  return `${kind} ${ns}${name}`;
}

/** Renders a value for a message, shortened. */
export function showValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** JSON pointer segments → `a.b[0].c`. */
export function fieldPath(segments: readonly (string | number)[]): string {
  return segments.reduce<string>((path, seg) => {
    if (typeof seg === 'number' || /^\d+$/.test(seg)) return `${path}[${seg}]`;
    const name = /^[A-Za-z_$][\w$-]*$/.test(seg) ? seg : `[${JSON.stringify(seg)}]`;
    return name.startsWith('[') ? `${path}${name}` : path ? `${path}.${name}` : name;
  }, '');
}

/** `/spec/containers/0/name` → `spec.containers[0].name`. */
export function pointerToFieldPath(pointer: string): string {
  if (!pointer) return '';
  return fieldPath(
    pointer
      .split('/')
      .slice(1)
      .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~')),
  );
}
