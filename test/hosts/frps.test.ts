import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { renderFrpsService, renderFrpsToml, tunnelServerPorts } from '../../lib/components/frp';
import { renderHostFiles } from '../../lib/hosts';
import { fileOf, reference, variant, variants } from './fixtures';
import { FRPS_SHAPE, unknownKeys } from './formats';

const ref = reference();
const toml = (content: string) => parse(content) as Record<string, any>;

/** Forwarded ports above 1024 and a public dashboard. */
const highPorts = () =>
  variant((d) => {
    d.tunnel.forwardedPorts = [
      { name: 'http', remotePort: 8080, localPort: 80 },
      { name: 'https', remotePort: 8443, localPort: 443 },
    ];
    d.tunnel.dashboard = { port: 7500, addr: '0.0.0.0' };
  });

describe('frps.toml', () => {
  const config = toml(fileOf(ref, 'hosts/vps/frps.toml').content);

  it('listens on the model bindPort for TLS-only clients', () => {
    expect(config.bindAddr).toBe('0.0.0.0');
    expect(config.bindPort).toBe(7000);
    expect(config.transport).toEqual({ tls: { force: true } });
    expect(toml(renderFrpsToml(variant((d) => (d.tunnel.bindPort = 7443)))).bindPort).toBe(7443);
  });

  it('lets frpc open exactly the forwarded ports', () => {
    expect(config.allowPorts).toEqual([{ single: 80 }, { single: 443 }]);
    expect(toml(renderFrpsToml(highPorts())).allowPorts).toEqual([{ single: 8080 }, { single: 8443 }]);
  });

  it('reads the token from the server file, never from the config', () => {
    expect(config.auth).toEqual({ method: 'token', tokenSource: { type: 'file', file: { path: '/etc/frp/token' } } });
    expect(fileOf(ref, 'hosts/vps/frps.toml').content).not.toMatch(/^\s*token\s*=|auth\.token\s*=/m);
  });

  it('takes the dashboard credentials from environment templates', () => {
    expect(config.webServer).toEqual({
      addr: '127.0.0.1',
      port: 7500,
      user: '{{ .Envs.FRPS_DASHBOARD_USER }}',
      password: '{{ .Envs.FRPS_DASHBOARD_PASSWORD }}',
    });
  });

  it('logs to the console (journald)', () => {
    expect(config.log).toEqual({ to: 'console', level: 'info' });
  });

  it('uses only frps field names', () => {
    expect(unknownKeys(config, FRPS_SHAPE)).toEqual([]);
    expect(unknownKeys(toml(renderFrpsToml(highPorts())), FRPS_SHAPE)).toEqual([]);
    expect(unknownKeys({ bindport: 1, auth: { tokenFile: 'x' } }, FRPS_SHAPE)).toEqual(['bindport', 'auth.tokenFile']);
  });
});

describe('tunnel server ports', () => {
  it('are SSH, the bindPort and the forwarded ports; the loopback dashboard is not opened', () => {
    expect(tunnelServerPorts(ref.tunnel!).map((p) => `${p.port}/${p.protocol}`)).toEqual(['22/tcp', '80/tcp', '443/tcp', '7000/tcp']);
  });

  it('keep SSH open on its configured port, so enabling the firewall does not lock the owner out', () => {
    const ssh = variant((d) => (d.tunnel.sshPort = 2222));
    expect(tunnelServerPorts(ssh.tunnel!).find((p) => p.port === 2222)?.purpose).toMatch(/SSH/);
    expect(tunnelServerPorts(ssh.tunnel!).some((p) => p.port === 22)).toBe(false);
    expect(fileOf(ssh, 'hosts/vps/firewall-ports.txt').content).toMatch(/^2222\/tcp +# SSH/m);
  });

  it('include the dashboard when it binds a non-loopback address', () => {
    expect(tunnelServerPorts(highPorts().tunnel!).map((p) => p.port)).toEqual([22, 7000, 7500, 8080, 8443]);
  });

  it('firewall-ports.txt lists exactly those ports', () => {
    const listed = (content: string) =>
      content
        .split('\n')
        .filter((l) => /^\d/.test(l))
        .map((l) => l.split(/\s+/)[0]);
    expect(listed(fileOf(ref, 'hosts/vps/firewall-ports.txt').content)).toEqual(['22/tcp', '80/tcp', '443/tcp', '7000/tcp']);
    expect(listed(fileOf(highPorts(), 'hosts/vps/firewall-ports.txt').content)).toEqual(['22/tcp', '7000/tcp', '7500/tcp', '8080/tcp', '8443/tcp']);
  });
});

describe('frps.service', () => {
  const unit = fileOf(ref, 'hosts/vps/frps.service').content;
  const values = (content: string, key: string) =>
    content
      .split('\n')
      .filter((l) => l.startsWith(`${key}=`))
      .map((l) => l.slice(key.length + 1));

  it('runs frps with the generated config and the env file', () => {
    expect(values(unit, 'ExecStart')).toEqual(['/usr/local/bin/frps -c /etc/frp/frps.toml']);
    expect(values(unit, 'EnvironmentFile')).toEqual(['/etc/frp/frps.env']);
  });

  it('refuses to start without dashboard credentials or token (frp would render "<no value>")', () => {
    expect(values(unit, 'ExecStartPre')).toEqual([
      '/usr/bin/test -n "${FRPS_DASHBOARD_USER}"',
      '/usr/bin/test -n "${FRPS_DASHBOARD_PASSWORD}"',
      '/usr/bin/test -s /etc/frp/token',
    ]);
  });

  it('keeps only CAP_NET_BIND_SERVICE for ports below 1024, nothing otherwise', () => {
    expect(values(unit, 'CapabilityBoundingSet')).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(values(renderFrpsService(highPorts()), 'CapabilityBoundingSet')).toEqual(['']);
  });

  it('is sandboxed', () => {
    for (const [k, v] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['RestrictSUIDSGID', 'yes'],
    ]) {
      expect(values(unit, k), k).toEqual([v]);
    }
  });
});

describe('without a tunnel', () => {
  it('no host gets frps files', () => {
    expect(renderHostFiles(variants.noTunnel()).filter((f) => /frps|firewall-ports/.test(f.path))).toEqual([]);
  });
});
