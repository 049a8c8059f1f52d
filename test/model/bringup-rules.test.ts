/**
 * Rules and derivations added for a first bring-up that works: kubeadm's certSAN acceptance, Let's Encrypt's
 * refusal of example domains, and the ingress IP split off into a pool of its own.
 */
import { describe, expect, it } from 'vitest';
import { acmeEmailProblem, isReservedExampleDomain } from '../../lib/components/cert-manager/acme-email';
import { reserveIngressIp } from '../../lib/model/build';
import { certSanProblem } from '../../lib/model/semantic';

describe('certSANs as kubeadm ValidateCertSANs accepts them', () => {
  it.each(['api.home.arpa', '*.lan.home.arpa', 'k8s', '192.168.1.10', 'fd00::10'])('accepts %s', (san) => expect(certSanProblem(san)).toBeUndefined());
  it.each(['*.*', '*', 'api server.lan', 'API.lan', '*.*.lan', 'a..b', '-api.lan', 'api.lan.'])('refuses %s', (san) =>
    expect(certSanProblem(san)).toMatch(/kubeadm refuses/),
  );
});

describe('ACME e-mail', () => {
  it.each(['a@example.com', 'a@mail.example.org', 'a@EXAMPLE.NET', 'a@lab.test', 'a@x.example', 'a@host.invalid', 'a@box.localhost'])('refuses %s', (email) =>
    expect(acmeEmailProblem(email)).toMatch(/reserved example domain \(RFC 2606\)/),
  );
  it.each(['me@my-example.com', 'me@examples.org', 'me@testing.dev'])('accepts %s', (email) => expect(acmeEmailProblem(email)).toBeUndefined());
  it('does not mistake look-alikes for reserved domains', () => expect(isReservedExampleDomain('notexample.com')).toBe(false));
});

describe('reserveIngressIp', () => {
  const pool = (name: string, addresses: string[]) => ({ name, addresses, autoAssign: true, avoidBuggyIPs: false });

  it('splits the ingress IP off into its own pool with autoAssign false, keeping every other address', () => {
    const r = reserveIngressIp([pool('lan', ['192.168.1.240-192.168.1.254']), pool('other', ['192.168.1.100/30'])], '192.168.1.240');
    expect(r.pool).toBe('lan-ingress');
    expect(r.pools).toEqual([
      pool('lan', ['192.168.1.241-192.168.1.254']),
      { name: 'lan-ingress', addresses: ['192.168.1.240/32'], autoAssign: false, avoidBuggyIPs: false },
      pool('other', ['192.168.1.100/30']),
    ]);
  });

  it('cuts a range around an inner address and keeps single leftovers as /32', () => {
    const r = reserveIngressIp([pool('p', ['10.0.0.8/30'])], '10.0.0.9');
    expect(r.pools[0].addresses).toEqual(['10.0.0.8/32', '10.0.0.10-10.0.0.11']);
  });

  it('marks a pool that holds only the ingress IP autoAssign false instead of adding one', () => {
    const r = reserveIngressIp([pool('only', ['10.0.0.9/32'])], '10.0.0.9');
    expect(r).toEqual({ pool: 'only', pools: [{ ...pool('only', ['10.0.0.9/32']), autoAssign: false }] });
  });
});
