/** A key in a Secret the user creates; components reference it and never emit the Secret. */
export interface SecretKeyRef {
  /** Secret name (in the namespace the consuming component documents). */
  readonly name: string;
  /** Key inside the Secret. */
  readonly key: string;
}
