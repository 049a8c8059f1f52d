/**
 * The shape of a Kubernetes object as synthesized (plain JSON), and tiny helpers on it. A leaf module: it
 * imports nothing, so the checks, the security evaluators, the output writer and the validators all share
 * one definition without importing each other.
 */

/** A Kubernetes object as synthesized: `apiVersion`, `kind`, `metadata` and whatever fields its kind has. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** `Kind namespace/name` for error messages. */
export function objectRef(object: K8sObject): string {
  const ns = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind} ${ns}${object.metadata.name ?? '(unnamed)'}`;
}
