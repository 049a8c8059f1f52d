/**
 * `ingress.controller: traefik` in the model: the namespace default follows the controller, and the tunnel
 * targets Traefik's tunnel Service instead of the LAN LoadBalancer IP.
 */
import { readFileSync } from 'node:fs';
import { dump, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseDescription } from '../../lib/model/load';

const minimal = load(readFileSync('test/fixtures/valid/minimal.yaml', 'utf8')) as any;
const withIngress = (ingress: object) => parseDescription(dump({ ...minimal, ingress: { ...minimal.ingress, ...ingress } }));

describe('model: ingress.controller', () => {
  it('defaults to ingress-nginx in namespace ingress-nginx; the tunnel targets the ingress IP', () => {
    const m = withIngress({});
    expect([m.ingress.controller, m.ingress.namespace]).toEqual(['ingress-nginx', 'ingress-nginx']);
    expect(m.tunnel?.targetAddress).toBe('192.168.1.200');
  });

  it('traefik: namespace traefik by default, the tunnel targets its tunnel Service', () => {
    const m = withIngress({ controller: 'traefik' });
    expect(m.ingress.namespace).toBe('traefik');
    expect(m.tunnel?.targetAddress).toBe('traefik-tunnel.traefik.svc');
    const custom = withIngress({ controller: 'traefik', namespace: 'edge' });
    expect(custom.tunnel?.targetAddress).toBe('traefik-tunnel.edge.svc');
  });
});
