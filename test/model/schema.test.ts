/**
 * The description format is defined once (lib/model/description.ts): the published JSON Schema is generated
 * from it, the validator compiled from it behaves as plain ajv with ajv-formats does, and the TypeScript type
 * follows it (the `expectTypeOf` checks fail `npm run typecheck`).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DESCRIPTION_SCHEMA, type Description } from '../../lib/model/description';
import { T, type Static } from '../../lib/model/schema-builder';
import { validateShape } from '../../lib/model/schema';
import { compileDescriptionValidator, DESCRIPTION_FORMATS, descriptionValidator } from '../../lib/model/validator';
import type { Arch, PodSecurityLevel, SecretKeyRef } from '../../lib/model/types';
import { generatedFiles } from '../../scripts/generate';

const ROOT = resolve(__dirname, '../..');

const minimal = () => ({
  name: 'lab',
  kubernetes: { version: 'v1.32.3' },
  lan: { cidr: '10.0.0.0/24', gateway: '10.0.0.1' },
  hosts: [{ name: 'cp-1', ip: '10.0.0.11', hardware: 'n100', roles: ['control-plane'] }],
  apiServer: { vip: '10.0.0.10', balancers: [{ host: 'cp-1', priority: 100 }] },
  metallb: { pools: [{ name: 'pool', addresses: ['10.0.0.200-10.0.0.210'] }] },
  ingress: { loadBalancerIP: '10.0.0.200' },
  acme: { email: 'ops@my-homelab.net', solver: { type: 'dns01', provider: 'cloudflare', apiTokenSecretRef: { name: 'cf', key: 'token' } } },
});

describe('the published JSON Schema', () => {
  it.each(Object.entries(generatedFiles()))('%s is current (run npm run generate)', (path, expected) => {
    expect(readFileSync(join(ROOT, path), 'utf8')).toBe(expected);
  });

  const published = JSON.parse(readFileSync(join(ROOT, 'hostconfig/cluster.schema.json'), 'utf8'));

  it('requires what has neither a default nor an optional mark, and closes every object', () => {
    expect(published.required).toEqual(['name', 'kubernetes', 'lan', 'hosts', 'apiServer', 'metallb', 'ingress']);
    expect(published.additionalProperties).toBe(false);
    expect(published.properties.hosts.items.required).toEqual(['name', 'ip', 'hardware', 'roles']);
    expect(published.properties.hosts.items.additionalProperties).toBe(false);
    expect(published.properties.apiServer.properties.stats.required).toBeUndefined();
  });

  it('carries defaults, patterns, formats and descriptions as written in the definition', () => {
    expect(published.properties.tunnel.properties.token.properties.secret).toEqual({
      $ref: '#/definitions/secretKeyRef',
      default: { name: 'frp-token', key: 'token' },
      description: 'In-cluster Secret (namespace tunnel.namespace) read by frpc.',
    });
    expect(published.properties.kubernetes.properties.version).toEqual({
      type: 'string',
      pattern: '^v\\d+\\.\\d+\\.\\d+$',
      description: 'Kubernetes version on every node, e.g. v1.32.3. Supported minors: 1.31, 1.32, 1.33.',
    });
    expect(published.definitions.ipv4).toEqual({ type: 'string', format: 'ipv4' });
    expect(published.properties.hosts.items.properties.labels).toEqual({
      type: 'object',
      additionalProperties: { type: 'string' },
      default: {},
      description: 'Extra Kubernetes node labels.',
    });
    expect(Object.keys(published)).toEqual(['$schema', '$id', 'title', 'description', 'type', 'additionalProperties', 'required', 'properties', 'definitions']);
  });

  it('keeps the acme solver as if/then/else on its type', () => {
    const solver = published.properties.acme.properties.solver;
    expect(solver.if).toEqual({ properties: { type: { const: 'dns01' } } });
    expect(solver.then.required).toEqual(['type', 'provider', 'apiTokenSecretRef']);
    expect(solver.else).toEqual({ additionalProperties: false, properties: { type: { const: 'http01' } } });
  });
});

describe('the description validator', () => {
  it('is compiled once per process', () => {
    expect(descriptionValidator()).toBe(descriptionValidator());
  });

  it('fills every default and returns the description typed', () => {
    const result = validateShape(minimal());
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const d = result.description;
    expect(d.kubernetes).toEqual({
      version: 'v1.32.3',
      podCidr: '10.244.0.0/16',
      serviceCidr: '10.96.0.0/12',
      dnsDomain: 'cluster.local',
      kubeProxyMode: 'iptables',
      criSocket: 'unix:///var/run/containerd/containerd.sock',
    });
    expect(d.hosts[0]).toEqual({ name: 'cp-1', ip: '10.0.0.11', hardware: 'n100', roles: ['control-plane'], external: false, os: 'ubuntu-24.04', labels: {} });
    expect(d.apiServer.stats).toEqual({ port: 8404, path: '/stats', userEnv: 'HAPROXY_STATS_USER', passwordEnv: 'HAPROXY_STATS_PASSWORD' });
    expect(d.acme?.solver).toEqual({ type: 'dns01', provider: 'cloudflare', apiTokenSecretRef: { name: 'cf', key: 'token' }, dnsZones: [] });
    expect(d.operations.etcdSnapshots).toEqual({ directory: 'etcd-snapshots', schedule: '*-*-* 00/6:00:00', keep: 28, mountOptions: ['nfsvers=4.1', 'hard'] });
    expect(d.output).toEqual({ flux: false });
  });

  it('uses the formats of ajv-formats (full mode) without loading it', () => {
    expect(Object.keys(DESCRIPTION_FORMATS)).toEqual(['ipv4', 'email']);
    expect(DESCRIPTION_FORMATS.ipv4).toEqual(fullFormats.ipv4);
    expect(DESCRIPTION_FORMATS.email).toEqual(fullFormats.email);
  });

  it('reports what ajv with its default options and ajv-formats reports (the speed options change nothing)', () => {
    const plain = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true, strictTypes: false });
    addFormats(plain, ['ipv4', 'email']);
    expect(plain.validateSchema(DESCRIPTION_SCHEMA), JSON.stringify(plain.errors)).toBe(true); // draft-07 meta-schema
    const reference = plain.compile<unknown>(DESCRIPTION_SCHEMA as object);
    const fast = compileDescriptionValidator();
    const cases: Array<(d: ReturnType<typeof minimal> & Record<string, unknown>) => void> = [
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
      (d) => ((d.acme.solver as Record<string, unknown>).apiTokenSecretRef = { name: 'CF' }),
      (d) => (d.metallb.pools = []),
      (d) => ((d.lan as Record<string, unknown>).cidr = '10.0.0/24'),
      (d) => delete (d as Record<string, unknown>).ingress,
    ];
    // Everything an error carries except schemaPath, which names the definition instead of the inlined copy.
    const errors = (v: ValidateFunction) => v.errors?.map(({ schemaPath: _, ...error }) => error);
    for (const mutate of cases) {
      const [a, b] = [minimal(), minimal()];
      mutate(a);
      mutate(b);
      expect(fast(b)).toBe(reference(a));
      expect(errors(fast)).toEqual(errors(reference)); // data and parentSchema included (verbose)
      expect(b).toEqual(a); // the same defaults filled in
    }
    expect(reference(minimal())).toBe(true);
  });
});

describe('the schema builder', () => {
  it('requires properties without a default or an optional mark, listed just before the properties', () => {
    const schema = T.object({
      description: 'd',
      properties: { a: T.string(), b: T.optional(T.integer()), c: T.boolean({ default: true }) },
    });
    expect(JSON.stringify(schema)).toBe(
      '{"type":"object","additionalProperties":false,"description":"d","required":["a"],"properties":{"a":{"type":"string"},"b":{"type":"integer"},"c":{"type":"boolean","default":true}}}',
    );
    expectTypeOf<Static<typeof schema>>().toEqualTypeOf<{ a: string; c: boolean; b?: number }>();
  });

  it('refuses an optional property with a default (ajv would always fill it)', () => {
    expect(() => T.object({ properties: { a: T.optional(T.string({ default: 'x' })) } })).toThrow('schema: optional property a has a default; drop T.optional');
  });
});

describe('the Description type', () => {
  it('follows the schema: defaults filled, optional fields optional', () => {
    expectTypeOf<Description['hosts'][number]>().toEqualTypeOf<{
      name: string;
      ip: string;
      hardware: 'raspberry-pi' | 'n100' | 'mini-pc' | 'nas' | 'vps';
      roles: ('control-plane' | 'worker' | 'load-balancer' | 'nfs-server' | 'tunnel-server')[];
      external: boolean;
      os: 'ubuntu-24.04';
      labels: Record<string, string>;
      arch?: 'amd64' | 'arm64';
      interface?: string;
      provision?: boolean;
    }>();
    expectTypeOf<NonNullable<Description['acme']>['solver']>().toEqualTypeOf<
      { type: 'http01' } | { type: 'dns01'; provider: 'cloudflare'; apiTokenSecretRef: { name: string; key: string }; dnsZones: string[] }
    >();
    expectTypeOf<Arch>().toEqualTypeOf<'amd64' | 'arm64'>();
    expectTypeOf<PodSecurityLevel>().toEqualTypeOf<'privileged' | 'baseline' | 'restricted'>();
    expectTypeOf<SecretKeyRef>().toEqualTypeOf<{ readonly name: string; readonly key: string }>();
  });
});
