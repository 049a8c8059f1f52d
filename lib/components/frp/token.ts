/**
 * The one secret both ends of the tunnel share: frpc reads it from a Secret, frps from a root-only file on
 * the tunnel server. Both are created from the same file on the admin machine, so the bytes agree.
 */

/** File on the admin machine that holds the one frp token: the Secret is created from it, the VPS gets a copy. */
export const FRP_TOKEN_FILE = 'frp-token';

/**
 * Creates the frp token file on the admin machine unless it exists, so whichever README step runs first
 * generates it and every later step reuses the same bytes (one line, no trailing newline).
 */
export function frpTokenGenerateCommands(): string[] {
  return [`[ -s ${FRP_TOKEN_FILE} ] || (umask 077 && openssl rand -hex 32 | tr -d '\\n' > ${FRP_TOKEN_FILE})   # once; reused if it exists`];
}
