/**
 * frps on the tunnel server (frp v0.70, TOML config), its systemd unit and the firewall ports it needs:
 * the server end of the frp component, the files the tunnel server gets (`frpsHostArtifacts`).
 *
 * Secrets stay on the server: the client token is read from `tunnel.token.serverFile`
 * (`auth.tokenSource.type = "file"`, frp v0.64+), the dashboard credentials from environment variables
 * through frp's `{{ .Envs.NAME }}` templating. An unset variable would render as "<no value>", so the unit
 * refuses to start while either is empty.
 *
 * The unit keeps root (so it can read the root-only token file and bind ports below 1024) but drops every
 * capability except CAP_NET_BIND_SERVICE (none at all when every port is ≥ 1024) and makes the file system
 * read-only.
 */
import { stringify } from 'smol-toml';
import { installed, secretTemplate, type HostArtifact } from '../../hosts/artifact';
import { comment, envFileTemplate, envName, execLine, fileOf, generatedBy, renderUnit, type UnitSection } from '../../hosts/text';
import type { ClusterModel, TunnelModel } from '../../model/types';
import { FRPS_PATHS } from './paths';

/** An inbound port the tunnel server must accept from the Internet, and why. */
export interface TunnelPort {
  readonly port: number;
  readonly protocol: 'tcp';
  readonly purpose: string;
}

const isLoopback = (addr: string) => addr.startsWith('127.');
const frpTemplate = (name: string) => `{{ .Envs.${envName(name)} }}`;

/**
 * Every port the tunnel server must accept from the Internet, sorted: SSH, the frps bindPort, each forwarded
 * remote port, and the dashboard only when it does not bind to loopback. Docs, tests and the firewall list
 * all come from here.
 */
export function tunnelServerPorts(tunnel: TunnelModel): TunnelPort[] {
  const ports: TunnelPort[] = [
    { port: tunnel.sshPort, protocol: 'tcp', purpose: 'SSH to the tunnel server itself (open it before enabling the firewall)' },
    { port: tunnel.bindPort, protocol: 'tcp', purpose: 'frps bindPort: frpc in the cluster connects here' },
    ...tunnel.forwardedPorts.map((p) => ({
      port: p.remotePort,
      protocol: p.protocol,
      purpose: `forwarded to ${tunnel.targetAddress}:${p.localPort} (proxy ${p.name})`,
    })),
    ...(isLoopback(tunnel.dashboard.addr)
      ? []
      : [{ port: tunnel.dashboard.port, protocol: 'tcp' as const, purpose: `frps dashboard on ${tunnel.dashboard.addr}` }]),
  ];
  return ports.sort((a, b) => a.port - b.port);
}

function requireTunnel(model: ClusterModel): TunnelModel {
  if (!model.tunnel) throw new Error('internal: the model has no tunnel');
  return model.tunnel;
}

/**
 * `frps.toml` for the tunnel server: bind port, `allowPorts` (exactly the forwarded ports), token from a
 * root-only file, TLS forced, dashboard credentials from the environment.
 */
export function renderFrpsToml(model: ClusterModel): string {
  const t = requireTunnel(model);
  const config = {
    bindAddr: '0.0.0.0',
    bindPort: t.bindPort,
    // frpc may open exactly the forwarded ports, nothing else.
    allowPorts: t.forwardedPorts.map((p) => ({ single: p.remotePort })),
    auth: { method: 'token', tokenSource: { type: 'file', file: { path: t.token.serverFile } } },
    transport: { tls: { force: true } },
    webServer: {
      addr: t.dashboard.addr,
      port: t.dashboard.port,
      user: frpTemplate(t.dashboard.userEnv),
      password: frpTemplate(t.dashboard.passwordEnv),
    },
    log: { to: 'console', level: 'info' },
  };
  return fileOf([
    ...comment(
      '#',
      generatedBy(model.name),
      `frps on ${t.server.name} (${t.server.ip}). Client token: ${t.token.serverFile} (root, 0600), the same value as`,
      `Secret ${t.token.secret.name}/${t.token.secret.key} in namespace ${t.namespace}. Dashboard credentials: ${FRPS_PATHS.frpsEnv}.`,
      `Check with: set -a; . ${FRPS_PATHS.frpsEnv}; set +a; frps verify -c ${FRPS_PATHS.frpsToml}`,
    ),
    '',
    stringify(config).trimEnd(),
  ]);
}

/**
 * `frps.env.example`: the names of the dashboard credential variables, to copy and fill in on the server.
 */
export function renderFrpsEnvExample(model: ClusterModel): string {
  const d = requireTunnel(model).dashboard;
  return envFileTemplate(
    model.name,
    FRPS_PATHS.frpsEnv,
    'frps dashboard credentials. Avoid double quotes and backslashes (they are substituted into TOML strings).',
    [d.userEnv, d.passwordEnv],
  );
}

/**
 * `frps.service`: the systemd unit, which refuses to start without the credentials and the token file, with
 * only CAP_NET_BIND_SERVICE and a read-only file system.
 */
export function renderFrpsService(model: ClusterModel): string {
  const t = requireTunnel(model);
  const listens = [t.bindPort, t.dashboard.port, ...t.forwardedPorts.map((p) => p.remotePort)];
  const sections: UnitSection[] = [
    [
      'Unit',
      [
        ['Description', `frp server (frps) for cluster ${model.name}`],
        ['Documentation', 'https://github.com/fatedier/frp'],
        ['After', 'network-online.target'],
        ['Wants', 'network-online.target'],
      ],
    ],
    [
      'Service',
      [
        ['Type', 'simple'],
        ['EnvironmentFile', FRPS_PATHS.frpsEnv],
        ['ExecStartPre', execLine('/usr/bin/test', '-n', { env: t.dashboard.userEnv })],
        ['ExecStartPre', execLine('/usr/bin/test', '-n', { env: t.dashboard.passwordEnv })],
        ['ExecStartPre', execLine('/usr/bin/test', '-s', t.token.serverFile)],
        ['ExecStart', execLine(FRPS_PATHS.frpsBinary, '-c', FRPS_PATHS.frpsToml)],
        ['Restart', 'on-failure'],
        ['RestartSec', '5s'],
        ['CapabilityBoundingSet', listens.some((p) => p < 1024) ? 'CAP_NET_BIND_SERVICE' : ''],
        ['NoNewPrivileges', true],
        ['ProtectSystem', 'strict'],
        ['ProtectHome', true],
        ['PrivateTmp', true],
        ['PrivateDevices', true],
        ['ProtectKernelTunables', true],
        ['ProtectKernelModules', true],
        ['ProtectKernelLogs', true],
        ['ProtectControlGroups', true],
        ['ProtectClock', true],
        ['ProtectHostname', true],
        ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX AF_NETLINK'],
        ['RestrictNamespaces', true],
        ['RestrictRealtime', true],
        ['RestrictSUIDSGID', true],
        ['LockPersonality', true],
        ['MemoryDenyWriteExecute', true],
        ['SystemCallArchitectures', 'native'],
        ['SystemCallFilter', '@system-service'],
        ['UMask', '0077'],
      ],
    ],
    ['Install', [['WantedBy', 'multi-user.target']]],
  ];
  return fileOf([...comment('#', generatedBy(model.name)), ...renderUnit(sections)]);
}

/** Plain list for the VPS firewall: `<port>/<protocol>` first on each line, a comment after it. */
export function renderFirewallPorts(model: ClusterModel): string {
  const t = requireTunnel(model);
  const ports = tunnelServerPorts(t);
  return fileOf([
    ...comment(
      '#',
      generatedBy(model.name),
      `Inbound ports to open on the tunnel server ${t.server.name} (${t.server.ip}), and nothing else from frp:`,
      isLoopback(t.dashboard.addr)
        ? `the dashboard binds ${t.dashboard.addr}:${t.dashboard.port}; reach it with ssh -L ${t.dashboard.port}:${t.dashboard.addr}:${t.dashboard.port}.`
        : `the dashboard listens on ${t.dashboard.addr}:${t.dashboard.port} and is listed below; restrict its sources if you can.`,
    ),
    ...ports.map((p) => `${`${p.port}/${p.protocol}`.padEnd(10)} # ${p.purpose}`),
  ]);
}

/** The files the tunnel server gets from frp (in `dist/hosts/<server>/`), in the host plan's order. */
export function frpsHostArtifacts(model: ClusterModel): HostArtifact[] {
  const P = FRPS_PATHS;
  return [
    installed('frps.toml', P.frpsToml, 0o644, 'frps configuration', renderFrpsToml(model)),
    installed('frps.service', P.frpsUnit, 0o644, 'systemd unit for frps', renderFrpsService(model)),
    secretTemplate('frps.env.example', P.frpsEnv, 'names of the dashboard credential variables', renderFrpsEnvExample(model)),
    { file: 'firewall-ports.txt', content: renderFirewallPorts(model), mode: 0o644, delivery: 'reference', purpose: 'inbound ports to open on the server' },
  ];
}
