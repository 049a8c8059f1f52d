import { describe, expect, it } from 'vitest';
import {
  ACME_SOLVER_DEFAULT_DNS_ZONES,
  AcmeEnvironment,
  AcmeSolver,
  LETSENCRYPT_DEFAULT_ENVIRONMENTS,
  LetsEncryptIssuers,
  type LetsEncryptIssuersProps,
} from '../../lib/components';
import { findObject, findObjects, synthChart } from '../helpers/k8s';

const issuers = (props: LetsEncryptIssuersProps) => synthChart((chart) => new LetsEncryptIssuers(chart, 'Issuers', props));
const http01 = AcmeSolver.http01Ingress({ ingressClassName: 'nginx' });

describe('LetsEncryptIssuers', () => {
  it('defaults to a staging and a production ClusterIssuer, staging first', () => {
    expect(LETSENCRYPT_DEFAULT_ENVIRONMENTS).toEqual([AcmeEnvironment.STAGING, AcmeEnvironment.PRODUCTION]);
    const objects = issuers({ email: 'admin@my-homelab.net', solvers: [http01] });
    expect(findObjects(objects, 'ClusterIssuer').map((o) => o.metadata.name)).toEqual(['letsencrypt-staging', 'letsencrypt-production']);
  });

  it('points each issuer at its ACME directory with its own account key Secret', () => {
    const objects = issuers({ email: 'admin@my-homelab.net', solvers: [http01] });
    expect(findObject(objects, 'ClusterIssuer', 'letsencrypt-staging').spec.acme).toEqual({
      email: 'admin@my-homelab.net',
      server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
      privateKeySecretRef: { name: 'letsencrypt-staging-account-key' },
      solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }],
    });
    const production = findObject(objects, 'ClusterIssuer', 'letsencrypt-production');
    expect(production.apiVersion).toBe('cert-manager.io/v1');
    expect(production.metadata.namespace).toBeUndefined();
    expect(production.spec.acme.server).toBe('https://acme-v02.api.letsencrypt.org/directory');
    expect(production.spec.acme.privateKeySecretRef).toEqual({ name: 'letsencrypt-production-account-key' });
  });

  it('supports DNS-01 with a Cloudflare API token Secret, limited to zones', () => {
    const solver = AcmeSolver.dns01Cloudflare({ apiTokenSecretRef: { name: 'cloudflare', key: 'api-token' }, dnsZones: ['b.example', 'a.example'] });
    expect(solver.type).toBe('dns01');
    expect(solver.secretRefs).toEqual([{ name: 'cloudflare', key: 'api-token' }]);
    const objects = issuers({ email: 'admin@my-homelab.net', solvers: [solver], environments: [AcmeEnvironment.PRODUCTION] });
    expect(findObjects(objects, 'ClusterIssuer')).toHaveLength(1);
    expect(findObject(objects, 'ClusterIssuer', 'letsencrypt-production').spec.acme.solvers).toEqual([
      { selector: { dnsZones: ['a.example', 'b.example'] }, dns01: { cloudflare: { apiTokenSecretRef: { name: 'cloudflare', key: 'api-token' } } } },
    ]);
  });

  it('solvers default to every domain (no selector)', () => {
    expect(ACME_SOLVER_DEFAULT_DNS_ZONES).toEqual([]);
    expect(http01.toSolver().selector).toBeUndefined();
    expect(AcmeSolver.dns01Cloudflare({ apiTokenSecretRef: { name: 'cf', key: 'token' } }).toSolver().selector).toBeUndefined();
  });

  it('fails on an invalid e-mail, no solvers and repeated environments', () => {
    const build = () => issuers({ email: 'not-an-email', solvers: [], environments: [AcmeEnvironment.STAGING, AcmeEnvironment.STAGING] });
    expect(build).toThrow(/email: must be an e-mail address .*got "not-an-email"/);
    expect(() => issuers({ email: 'admin@example.com', solvers: [http01] })).toThrow(/reserved example domain \(RFC 2606\)/);
    const noEmail = issuers({ solvers: [http01] });
    for (const issuer of noEmail.filter((o: any) => o.kind === 'ClusterIssuer')) expect(issuer.spec.acme).not.toHaveProperty('email');
    expect(build).toThrow(/solvers: must list at least one solver/);
    expect(build).toThrow(/environments: must not repeat an environment/);
  });

  it('fails on invalid solver options', () => {
    expect(() => AcmeSolver.http01Ingress({ ingressClassName: '' })).toThrow(/AcmeSolver\.http01Ingress: invalid props[\s\S]*ingressClassName: .*got ""/);
    expect(() => AcmeSolver.dns01Cloudflare({ apiTokenSecretRef: { name: 'cf', key: 'a key' }, dnsZones: ['*.example.com'] })).toThrow(
      /apiTokenSecretRef\.key: .*got "a key"[\s\S]*dnsZones\[0\]: .*got "\*\.example\.com"/,
    );
  });
});
