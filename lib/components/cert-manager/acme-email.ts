/**
 * Let's Encrypt refuses ACME account e-mails at the RFC 2606 / RFC 6761 reserved example domains; cert-manager
 * then never registers the account and no certificate is ever issued. Pure, shared by the construct and the
 * description's semantic rules.
 */

/** Reserved second-level names and top-level domains that never receive mail. */
const RESERVED_SLDS = ['example.com', 'example.net', 'example.org'];
const RESERVED_TLDS = ['example', 'test', 'invalid', 'localhost'];

/** True when `domain` is, or is under, an RFC 2606 reserved example domain. */
export function isReservedExampleDomain(domain: string): boolean {
  const d = domain.toLowerCase().replace(/\.$/, '');
  const labels = d.split('.');
  return RESERVED_SLDS.some((s) => d === s || d.endsWith(`.${s}`)) || RESERVED_TLDS.includes(labels[labels.length - 1]);
}

/** Why `email` cannot be an ACME account e-mail, or undefined when it can. */
export function acmeEmailProblem(email: string): string | undefined {
  const match = /^[^@\s]+@([^@\s]+\.[^@\s]+)$/.exec(email);
  if (!match) return 'must be an e-mail address such as "you@your-domain.net"';
  if (isReservedExampleDomain(match[1])) {
    return `uses ${match[1]}, a reserved example domain (RFC 2606): Let's Encrypt refuses it and no certificate is issued; give a real address or leave the e-mail out (it is optional)`;
  }
  return undefined;
}
