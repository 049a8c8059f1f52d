/**
 * Every custom resource we emit validates against its upstream CRD schema (../shared/crds), and a broken
 * one does not.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AcmeSolver, LetsEncryptIssuers, MetalLbL2Pools } from '../../lib/components';
import { crdValidator, findObjects, sharedDir, synthChart, type CrValidator, type K8sObject } from '../helpers/k8s';

const crd = (path: string): CrValidator => crdValidator(join(sharedDir(), 'crds', path));
const CRDS: Record<string, () => CrValidator> = {
  IPAddressPool: () => crd('metallb-v0.16.1/metallb.io_ipaddresspools.yaml'),
  L2Advertisement: () => crd('metallb-v0.16.1/metallb.io_l2advertisements.yaml'),
  ClusterIssuer: () => crd('cert-manager-v1.21.1/cert-manager.io_clusterissuers.yaml'),
};

const metallb = synthChart(
  (chart) =>
    new MetalLbL2Pools(chart, 'Pools', {
      pools: [
        { name: 'lan-pool', addresses: ['192.168.100.240-192.168.100.254'] },
        { name: 'extra', addresses: ['10.0.0.0/30'], autoAssign: false, avoidBuggyIPs: true },
      ],
      interfaces: ['eth0'],
    }),
);
const issuers = synthChart(
  (chart) =>
    new LetsEncryptIssuers(chart, 'Issuers', {
      email: 'admin@my-homelab.net',
      solvers: [
        AcmeSolver.dns01Cloudflare({ apiTokenSecretRef: { name: 'cloudflare-api-token', key: 'api-token' }, dnsZones: ['example.com'] }),
        AcmeSolver.http01Ingress({ ingressClassName: 'nginx' }),
      ],
    }),
);

describe('custom resources validate against their CRDs', () => {
  const all = [...metallb, ...issuers];

  it('emits only kinds we have CRD schemas for', () => {
    expect([...new Set(all.map((o) => o.kind))].sort()).toEqual(['ClusterIssuer', 'IPAddressPool', 'L2Advertisement']);
    expect(all).toHaveLength(6);
  });

  it.each(Object.keys(CRDS))('every %s is valid', (kind) => {
    const validate = CRDS[kind]();
    const objects = findObjects(all, kind);
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) expect(validate(object), object.metadata.name).toEqual([]);
  });
});

describe('broken custom resources fail validation', () => {
  const broken = (kind: string, change: (o: any) => void): string[] => {
    const object = structuredClone(findObjects([...metallb, ...issuers], kind)[0]) as K8sObject;
    change(object);
    return CRDS[kind]()(object);
  };

  it('an IPAddressPool without addresses, or with a non-boolean autoAssign', () => {
    expect(broken('IPAddressPool', (o) => delete o.spec.addresses)).toEqual(["/spec must have required property 'addresses'"]);
    expect(broken('IPAddressPool', (o) => (o.spec.autoAssign = 'yes'))).toEqual(['/spec/autoAssign must be boolean']);
  });

  it('an L2Advertisement with pools given as a string', () => {
    expect(broken('L2Advertisement', (o) => (o.spec.ipAddressPools = 'lan-pool'))).toEqual(['/spec/ipAddressPools must be array']);
  });

  it('a ClusterIssuer without an ACME server or account key reference', () => {
    expect(broken('ClusterIssuer', (o) => delete o.spec.acme.server)).toEqual(["/spec/acme must have required property 'server'"]);
    expect(broken('ClusterIssuer', (o) => delete o.spec.acme.privateKeySecretRef)).toEqual(["/spec/acme must have required property 'privateKeySecretRef'"]);
  });
});
