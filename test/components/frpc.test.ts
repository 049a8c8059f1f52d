import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import {
  Frpc,
  FRPC_DEFAULT_NAMESPACE,
  FRPC_DEFAULT_PROXY_PROTOCOL,
  FRPC_DEFAULT_SERVER_PORT,
  FRPC_DEFAULT_TOKEN_SECRET,
  FRPC_DEFAULT_WEB_SERVER_AUTH,
  FRPC_DEFAULT_WEB_SERVER_PORT,
  type FrpcProps,
} from '../../lib/components';
import { container, findObject, findObjects, podSpec, podTemplateMetadata, synthChart } from '../helpers/k8s';

const base: FrpcProps = {
  serverAddr: '161.132.4.98',
  localIP: '192.168.100.240',
  proxies: [
    { name: 'https', localPort: 443, remotePort: 443 },
    { name: 'http', localPort: 80, remotePort: 80 },
  ],
};
const frpc = (props: Partial<FrpcProps> = {}) => synthChart((chart) => new Frpc(chart, 'Frpc', { ...base, ...props }));
const toml = (objects: ReturnType<typeof frpc>): any => parse(findObject(objects, 'ConfigMap', 'frpc-config').data['frpc.toml']);
const deployment = (objects: ReturnType<typeof frpc>) => findObject(objects, 'Deployment', 'frpc');

describe('Frpc', () => {
  it('dials frps and forwards each port to the local IP over TCP', () => {
    const config = toml(frpc({ serverPort: 7001 }));
    expect([config.serverAddr, config.serverPort, config.loginFailExit]).toEqual(['161.132.4.98', 7001, false]);
    expect(config.log).toEqual({ to: 'console', level: 'info' });
    expect(config.proxies).toEqual([
      { name: 'http', type: 'tcp', localIP: '192.168.100.240', localPort: 80, remotePort: 80 },
      { name: 'https', type: 'tcp', localIP: '192.168.100.240', localPort: 443, remotePort: 443 },
    ]);
  });

  it('reads the token from the mounted Secret and never emits the Secret', () => {
    const objects = frpc({ tokenSecretRef: { name: 'tunnel', key: 'frp' } });
    expect(toml(objects).auth).toEqual({ method: 'token', tokenSource: { type: 'file', file: { path: '/etc/frp-secret/token' } } });
    expect(findObjects(objects, 'Secret')).toEqual([]);
    const volume = podSpec(deployment(objects)).volumes.find((v: any) => v.name === 'token');
    expect(volume.secret).toEqual({ secretName: 'tunnel', items: [{ key: 'frp', path: 'token' }], defaultMode: 0o440 });
    expect(container(deployment(objects), 'frpc').volumeMounts).toContainEqual({ name: 'token', mountPath: '/etc/frp-secret', readOnly: true });
  });

  it('protects the admin API with its own password Secret (not the tunnel token), templated, never a literal', () => {
    const objects = frpc();
    expect(toml(objects).webServer).toEqual({ addr: '0.0.0.0', port: 7400, password: '{{ .Envs.FRPC_WEB_PASSWORD }}' });
    expect(container(deployment(objects), 'frpc').env).toEqual([
      { name: 'FRPC_WEB_PASSWORD', valueFrom: { secretKeyRef: { name: 'frpc-admin', key: 'password' } } },
    ]);
    const own = frpc({ webServerPasswordSecretRef: { name: 'admin-pw', key: 'pw' } });
    expect(container(deployment(own), 'frpc').env[0].valueFrom.secretKeyRef).toEqual({ name: 'admin-pw', key: 'pw' });
    expect(() => frpc({ tokenSecretRef: { name: 'same', key: 'k' }, webServerPasswordSecretRef: { name: 'same', key: 'k' } })).toThrow(
      /must not be the tunnel token/,
    );
    const open = frpc({ webServerAuth: false });
    expect(toml(open).webServer).toEqual({ addr: '0.0.0.0', port: 7400 });
    expect(container(deployment(open), 'frpc').env).toBeUndefined();
  });

  it('sends PROXY protocol v2 on every proxy when asked', () => {
    for (const proxy of toml(frpc({ proxyProtocol: true })).proxies) expect(proxy.transport).toEqual({ proxyProtocolVersion: 'v2' });
  });

  it('defaults: port 7000, no PROXY protocol, Secret frp-token/token, namespace frpc, admin on 7400 with auth', () => {
    expect([
      FRPC_DEFAULT_SERVER_PORT,
      FRPC_DEFAULT_PROXY_PROTOCOL,
      FRPC_DEFAULT_TOKEN_SECRET,
      FRPC_DEFAULT_NAMESPACE,
      FRPC_DEFAULT_WEB_SERVER_PORT,
      FRPC_DEFAULT_WEB_SERVER_AUTH,
    ]).toEqual([7000, false, { name: 'frp-token', key: 'token' }, 'frpc', 7400, true]);
    const objects = frpc();
    const config = toml(objects);
    expect(config.serverPort).toBe(7000);
    expect(config.proxies.some((p: any) => p.transport)).toBe(false);
    expect(config.webServer.port).toBe(7400);
    expect('password' in config.webServer).toBe(true);
    expect(podSpec(deployment(objects)).volumes.find((v: any) => v.name === 'token').secret).toMatchObject({
      secretName: 'frp-token',
      items: [{ key: 'token', path: 'token' }],
    });
    for (const o of objects) expect(o.metadata.namespace, o.kind).toBe('frpc');
  });

  it('runs the pinned image non-root (65532), read-only, without a service account token', () => {
    const d = deployment(frpc());
    const c = container(d, 'frpc');
    expect(c.image).toBe('fatedier/frpc:v0.70.1');
    expect(c.args).toEqual(['-c', '/etc/frp/frpc.toml']);
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsGroup: 65532,
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(podSpec(d).automountServiceAccountToken).toBe(false);
    expect(d.spec.replicas).toBe(1);
  });

  it('probes /healthz on the admin port', () => {
    const c = container(deployment(frpc({ webServerPort: 7411 })), 'frpc');
    expect(c.ports).toEqual([{ name: 'admin', containerPort: 7411, protocol: 'TCP' }]);
    for (const probe of [c.livenessProbe, c.readinessProbe]) expect(probe.httpGet).toEqual({ path: '/healthz', port: 'admin' });
    expect(toml(frpc({ webServerPort: 7411 })).webServer.port).toBe(7411);
  });

  it('rolls the pod when the configuration changes', () => {
    const checksum = (props: Partial<FrpcProps>) => podTemplateMetadata(deployment(frpc(props))).annotations['checksum/config'];
    expect(checksum({})).toBe(checksum({}));
    expect(checksum({})).not.toBe(checksum({ serverPort: 7001 }));
    expect(checksum({})).not.toBe(checksum({ proxyProtocol: true }));
  });

  it("forwards to a DNS name (a controller's tunnel Service) as well as to an IP", () => {
    const proxies = toml(frpc({ localIP: 'traefik-tunnel.traefik.svc' })).proxies;
    expect(proxies.map((p: any) => `${p.localIP}:${p.localPort}`)).toEqual(['traefik-tunnel.traefik.svc:80', 'traefik-tunnel.traefik.svc:443']);
    expect(() => frpc({ localIP: '192.168.100' })).toThrow(/localIP: must be an IPv4 address or a DNS name/);
  });

  it('fails on invalid props, naming each', () => {
    const build = () =>
      frpc({
        serverAddr: 'frps host',
        serverPort: 0,
        localIP: 'Ingress_Host',
        tokenSecretRef: { name: 'Token', key: 'k/ey' },
        proxies: [
          { name: 'http', localPort: 80, remotePort: 70000 },
          { name: 'http', localPort: 80, remotePort: 8080 },
        ],
      });
    expect(build).toThrow(/serverAddr: must be an IPv4 address or a DNS name, got "frps host"/);
    expect(build).toThrow(/serverPort: must be a port number from 1 to 65535, got 0/);
    expect(build).toThrow(/localIP: must be an IPv4 address or a DNS name .*got "Ingress_Host"/);
    expect(build).toThrow(/tokenSecretRef\.name: .*got "Token"/);
    expect(build).toThrow(/tokenSecretRef\.key: .*got "k\/ey"/);
    expect(build).toThrow(/proxies\[0\]\.remotePort: must be a port number from 1 to 65535, got 70000/);
    expect(build).toThrow(/proxies\[\]\.name: "http" occurs more than once/);
    expect(() => frpc({ proxies: [] })).toThrow(/proxies: must list at least one forwarded port/);
  });
});
