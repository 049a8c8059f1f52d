import { createHash } from 'node:crypto';

/** First `length` hex characters of the SHA-256 of `text`: a stable content fingerprint. */
export function contentHash(text: string, length = 10): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
