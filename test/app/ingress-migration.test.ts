/**
 * The migration section of dist/README.md: its annotation lists agree with the upstream support table
 * (../shared/upstream/traefik-v3.7.9/ingress-nginx.md), and it follows the chosen controller.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingressMigrationSection, TRAEFIK_SUPPORTED_ANNOTATIONS, TRAEFIK_UNSUPPORTED_ANNOTATIONS } from '../../lib/readme/ingress-migration';
import { loadDescription } from '../../lib/model/load';
import { renderCluster } from '../../lib/render';
import { sharedDir } from '../helpers/k8s';

const table = readFileSync(join(sharedDir(), 'upstream/traefik-v3.7.9/ingress-nginx.md'), 'utf8');
const [supportedPart, unsupportedPart] = table.split('### Unsupported Annotations');
const names = (text: string) => new Set([...text.matchAll(/`(nginx\.ingress\.kubernetes\.io\/[a-z0-9-]+)`<\/a>/g)].map((m) => m[1]));

describe('ingress migration section', () => {
  it('lists as translated only annotations of the upstream support table, and as ignored only its unsupported ones', () => {
    const supported = names(supportedPart);
    const unsupported = names(unsupportedPart);
    expect(supported.size).toBeGreaterThan(60);
    expect(unsupported.size).toBeGreaterThan(30);
    expect(TRAEFIK_SUPPORTED_ANNOTATIONS.filter((a) => !supported.has(a) || unsupported.has(a))).toEqual([]);
    expect(TRAEFIK_UNSUPPORTED_ANNOTATIONS.filter((a) => !unsupported.has(a))).toEqual([]);
  });

  it('with ingress-nginx: says how to switch, in an order that releases the webhook before the address', () => {
    const section = ingressMigrationSection(loadDescription('hostconfig/cluster.yaml'));
    expect(section.title).toBe('Migrating to Traefik');
    expect(section.body).toContain('ingress.controller: traefik');
    const webhook = section.body.indexOf('delete validatingwebhookconfiguration ingress-nginx-admission');
    const address = section.body.indexOf('kubectl -n ingress-nginx delete service ingress-nginx-controller');
    expect(webhook).toBeGreaterThan(0);
    expect(address).toBeGreaterThan(webhook);
    expect(section.body).toContain('traefik-tunnel.traefik.svc');
  });

  it('with Traefik: is in dist/README.md, names the tunnel target and the PROXY protocol change for LAN clients', () => {
    const readme = renderCluster(loadDescription('test/fixtures/valid/reference-traefik.yaml')).files.find((f) => f.path === 'README.md')!.content;
    expect(readme).toContain('## Ingress controller: Traefik (migrating from ingress-nginx)');
    expect(readme).toContain('LAN clients and pods that connect to the ingress IP directly work again');
    expect(readme).not.toContain('## Warnings');
  });
});
