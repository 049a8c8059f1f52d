/**
 * HAProxy in front of the kube-apiservers, the same on every balancer host apart from the stats bind address.
 *
 * TCP pass-through on `apiServer.port` to exactly the control planes, each health-checked over TLS with
 * `GET /readyz` (`/healthz` is deprecated since v1.16 and stays 200 while an API server shuts down); a stats
 * page bound to the balancer's own LAN address (never the VIP or every address) protected by credentials that HAProxy reads from environment variables
 * (named in the model, expanded only inside double quotes). The variables come from an EnvironmentFile
 * that the owner creates; a systemd drop-in refuses to start HAProxy while either is empty, because an
 * unset variable silently becomes an empty user or password.
 */
import type { ClusterModel, Host } from '../model/types';
import { API_READY_PATH } from './keepalived';
import { HOST_PATHS } from './paths';
import { comment, envFileTemplate, execLine, fileOf, generatedBy, hap, renderHaproxy, renderUnit, type HapSection } from './text';

/** `ip:port` of every kube-apiserver HAProxy forwards to, in control-plane order. */
export function apiServerBackends(model: ClusterModel): { readonly name: string; readonly address: string }[] {
  return model.apiServer.controlPlanes.map((cp) => ({ name: cp.name, address: `${cp.ip}:${model.apiServer.bindPort}` }));
}

/**
 * `haproxy.cfg` for one balancer host: the API frontend, the control-plane backends (health-checked with
 * `/readyz`), the stats page on the host's own address.
 */
export function renderHaproxyCfg(model: ClusterModel, host: Host): string {
  const api = model.apiServer;
  const stats = api.stats;
  const sections: HapSection[] = [
    {
      header: ['global'],
      lines: [
        ['log', 'stdout', 'format', 'raw', 'local0'],
        ['user', 'haproxy'],
        ['group', 'haproxy'],
      ],
    },
    {
      header: ['defaults'],
      lines: [
        ['mode', 'tcp'],
        ['log', 'global'],
        ['option', 'tcplog'],
        ['option', 'dontlognull'],
        ['timeout', 'connect', '5s'],
        ['timeout', 'client', '35s'],
        ['timeout', 'server', '35s'],
        // Watches, logs -f and exec sessions are long-lived and may idle.
        ['timeout', 'tunnel', '1h'],
        ['timeout', 'check', '5s'],
      ],
    },
    {
      header: ['frontend', 'apiserver'],
      lines: [
        ['bind', `:${api.port}`],
        ['default_backend', 'apiserver'],
      ],
    },
    {
      header: ['backend', 'apiserver'],
      lines: [
        ['balance', 'roundrobin'],
        ['option', 'httpchk'],
        ['http-check', 'connect', 'ssl'],
        ['http-check', 'send', 'meth', 'GET', 'uri', API_READY_PATH],
        ['http-check', 'expect', 'status', 200],
        ['default-server', 'inter', '3s', 'fall', 3, 'rise', 2],
        ...apiServerBackends(model).map((b) => ['server', b.name, b.address, 'check', 'verify', 'none']),
      ],
    },
    {
      header: ['listen', 'stats'],
      lines: [
        ['bind', `${host.ip}:${stats.port}`],
        ['mode', 'http'],
        ['option', 'httplog'],
        ['stats', 'enable'],
        ['stats', 'uri', stats.path],
        ['stats', 'refresh', '10s'],
        ['stats', 'hide-version'],
        ['stats', 'auth', hap.envJoin(':', stats.userEnv, stats.passwordEnv)],
      ],
    },
  ];
  return fileOf([
    ...comment(
      '#',
      generatedBy(model.name),
      `HAProxy on ${host.name}: TCP ${api.port} -> kube-apiserver on the control planes, stats on ${host.ip}:${stats.port}${stats.path}.`,
      `${stats.userEnv} and ${stats.passwordEnv} come from ${HOST_PATHS.haproxyEnv} (haproxy.service.d/10-env.conf).`,
      `Check with: haproxy -c -f ${HOST_PATHS.haproxyCfg}`,
    ),
    ...renderHaproxy(sections),
  ]);
}

/** Names (never values) of the variables the owner puts into the environment file. */
export function renderHaproxyEnvExample(model: ClusterModel): string {
  const stats = model.apiServer.stats;
  return envFileTemplate(model.name, HOST_PATHS.haproxyEnv, 'Credentials of the HAProxy stats page. Avoid double quotes in the values.', [
    stats.userEnv,
    stats.passwordEnv,
  ]);
}

/** Drop-in for haproxy.service: load the stats credentials and refuse to start without them. */
export function renderHaproxyDropIn(model: ClusterModel): string {
  const stats = model.apiServer.stats;
  return fileOf([
    ...comment('#', generatedBy(model.name), `Loads the stats credentials from ${HOST_PATHS.haproxyEnv}; HAProxy does not start without them.`),
    ...renderUnit([
      [
        'Service',
        [
          ['EnvironmentFile', HOST_PATHS.haproxyEnv],
          ['ExecStartPre', execLine('/usr/bin/test', '-n', { env: stats.userEnv })],
          ['ExecStartPre', execLine('/usr/bin/test', '-n', { env: stats.passwordEnv })],
        ],
      ],
    ]),
  ]);
}
