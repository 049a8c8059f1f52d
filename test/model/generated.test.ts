/**
 * Generated sources are in step with their inputs: lib/model/generated/description-validator.js (and its
 * .d.ts) is the ajv standalone code of hostconfig/cluster.schema.json (run `npm run generate` after
 * changing the schema), and reports what ajv compiling the schema at runtime reports.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { validateDescriptionSchema } from '../../lib/model/generated/description-validator';
import { DESCRIPTION_AJV_OPTIONS, DESCRIPTION_FORMATS, generatedFiles } from '../../scripts/generate';
import schema from '../../hostconfig/cluster.schema.json';

const ROOT = resolve(__dirname, '../..');

describe('generated sources', () => {
  it.each(Object.entries(generatedFiles()))('%s is current (run npm run generate)', (path, expected) => {
    expect(readFileSync(join(ROOT, path), 'utf8')).toBe(expected);
  });

  it('the generated description validator reports what ajv compiling the schema at runtime reports', () => {
    const ajv = new Ajv({ ...DESCRIPTION_AJV_OPTIONS });
    addFormats(ajv, [...DESCRIPTION_FORMATS]);
    const compiled = ajv.compile(schema);
    const valid = () => ({
      name: 'lab',
      kubernetes: { version: 'v1.32.3' },
      lan: { cidr: '10.0.0.0/24', gateway: '10.0.0.1' },
      hosts: [{ name: 'cp-1', ip: '10.0.0.11', hardware: 'n100', roles: ['control-plane'] }],
      apiServer: { vip: '10.0.0.10', balancers: [{ host: 'cp-1', priority: 100 }] },
      metallb: { pools: [{ name: 'pool', addresses: ['10.0.0.200-10.0.0.210'] }] },
      ingress: { loadBalancerIP: '10.0.0.200' },
      acme: { email: 'ops@my-homelab.net', solver: { type: 'dns01', provider: 'cloudflare', apiTokenSecretRef: { name: 'cf', key: 'token' } } },
    });
    const cases: Array<(d: ReturnType<typeof valid> & Record<string, unknown>) => void> = [
      () => undefined,
      (d) => (d.bogus = 1),
      (d) => ((d.hosts[0] as Record<string, unknown>).hardware = 'laptop'),
      (d) => (d.lan.gateway = '10.0.0.300'),
      (d) => (d.acme.email = 'nobody'),
      (d) => ((d.hosts[0].roles as unknown[]) = ['worker', 'worker']),
      (d) => ((d.apiServer.balancers[0] as Record<string, unknown>).priority = 0),
      (d) => ((d.kubernetes as Record<string, unknown>).version = 1.32),
      (d) => ((d.acme.solver as Record<string, unknown>).type = 'http01'),
      (d) => ((d.acme.solver as Record<string, unknown>).extra = true),
      (d) => (d.metallb.pools = []),
      (d) => delete (d as Record<string, unknown>).ingress,
    ];
    for (const mutate of cases) {
      const [a, b] = [valid(), valid()];
      mutate(a);
      mutate(b);
      expect(validateDescriptionSchema(b)).toBe(compiled(a));
      expect(validateDescriptionSchema.errors).toEqual(compiled.errors); // data and parentSchema included (verbose)
      expect(b).toEqual(a); // the same defaults filled in
    }
  });
});
