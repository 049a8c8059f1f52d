/**
 * keepalived for the API VIP, one config per balancer host, plus its health-check script.
 *
 * - The check asks the local HAProxy frontend for `/readyz`, so it passes only when HAProxy is up and at
 *   least one kube-apiserver behind it answers.
 * - A failed check lowers the priority by |weight|, chosen from the model's priorities so that any failed
 *   host drops below every healthy one (see {@link vrrpPlan}).
 * - The VRRP password is never written: the instance `include`s `apiServer.vrrpAuthFile`, which the owner
 *   creates on each balancer. A systemd drop-in refuses to start keepalived while that file is missing, so a
 *   host never advertises without authentication next to peers that use it.
 * - `enable_script_security` + `script_user root`: the only combination keepalived 2.2 accepts without a
 *   dedicated `keepalived_script` user (which the NAS hosts may not have). The script is root-owned, 0755.
 */
import type { ClusterModel, Host } from '../model/types';
import { HOST_PATHS } from './paths';
import { comment, execLine, fileOf, generatedBy, ka, renderKeepalived, renderUnit, shQuote } from './text';

/**
 * The kube-apiserver readiness endpoint both health checks ask. Not `/healthz`: deprecated since v1.16, and it
 * keeps answering 200 while an API server drains during shutdown, when `/readyz` already fails.
 */
export const API_READY_PATH = '/readyz';

/**
 * The health check's timing: the VIP leaves a balancer whose API path died after `interval × fall` seconds
 * (plus one VRRP advertisement); curl gives up before keepalived's own `timeout` kills the script.
 */
const CHECK_TIMING = { interval: 2, timeout: 3, fall: 2, rise: 2, curlMaxTime: 2 } as const;

/** keepalived accepts a vrrp_script weight in [-253, 253]. */
const MAX_WEIGHT = 253;

export interface VrrpMember {
  readonly host: Host;
  readonly state: 'MASTER' | 'BACKUP';
  readonly priority: number;
  /** Effective priority while this host's check fails (keepalived never goes below 1). */
  readonly failedPriority: number;
}

export interface VrrpPlan {
  /** Negative: added to the priority while the check fails. */
  readonly weight: number;
  /** Highest priority first; the first is MASTER. */
  readonly members: readonly VrrpMember[];
}

/**
 * MASTER on the highest priority, BACKUP elsewhere, and a weight of -(highest - lowest + 1): a host whose check
 * fails ends below the lowest priority of any healthy host, so the VIP really moves to a host that works.
 */
export function vrrpPlan(model: ClusterModel): VrrpPlan {
  const balancers = [...model.apiServer.balancers].sort((a, b) => b.priority - a.priority);
  const highest = balancers[0].priority;
  const lowest = balancers[balancers.length - 1].priority;
  const weight = -(highest - lowest + 1);
  if (balancers.length > 1 && (-weight > MAX_WEIGHT || highest + weight < 1)) {
    throw new Error(
      `apiServer.balancers: priorities ${highest} and ${lowest} are too far apart for a keepalived check weight ` +
        `(at most ${MAX_WEIGHT}) to move the VIP; keep the lowest priority at 2 or more and the spread at most ${MAX_WEIGHT - 1}`,
    );
  }
  return {
    weight,
    members: balancers.map((b, i) => ({
      host: b.host,
      state: i === 0 ? 'MASTER' : 'BACKUP',
      priority: b.priority,
      failedPriority: Math.max(1, b.priority + weight),
    })),
  };
}

/** URL the check script asks: the local HAProxy frontend, which forwards to a healthy kube-apiserver. */
export function healthCheckUrl(model: ClusterModel): string {
  return `https://127.0.0.1:${model.apiServer.port}${API_READY_PATH}`;
}

/**
 * `keepalived.conf` for one balancer host: the VRRP instance holding the API VIP, its priority and the
 * health check that lowers it.
 */
export function renderKeepalivedConf(model: ClusterModel, host: Host): string {
  const api = model.apiServer;
  const plan = vrrpPlan(model);
  const me = plan.members.find((m) => m.host.name === host.name);
  if (!me) throw new Error(`internal: ${host.name} is not in apiServer.balancers`);
  const peers = plan.members.filter((m) => m !== me).map((m) => m.host.ip);
  const conf = [
    ka.block(['global_defs'], [ka.line('router_id', host.name), ka.line('enable_script_security'), ka.line('script_user', 'root')]),
    ka.block(
      ['vrrp_script', 'check_apiserver'],
      [
        ka.line('script', ka.quoted(HOST_PATHS.checkApiserverScript)),
        // Failover within a few seconds: two failed checks 2 s apart (one slow answer never moves the VIP).
        ka.line('interval', CHECK_TIMING.interval),
        ka.line('timeout', CHECK_TIMING.timeout),
        ka.line('weight', plan.weight),
        ka.line('fall', CHECK_TIMING.fall),
        ka.line('rise', CHECK_TIMING.rise),
      ],
    ),
    ka.block(
      ['vrrp_instance', 'API_VIP'],
      [
        ka.line('state', me.state),
        ka.line('interface', host.interface),
        ka.line('virtual_router_id', api.virtualRouterId),
        ka.line('priority', me.priority),
        ka.line('advert_int', 1),
        // The authentication { auth_type PASS auth_pass … } block, written by the owner, never generated.
        ka.line('include', api.vrrpAuthFile),
        // Unicast needs at least one peer; a single balancer simply keeps the VIP.
        ...(peers.length
          ? [
              ka.line('unicast_src_ip', host.ip),
              ka.block(
                ['unicast_peer'],
                peers.map((ip) => ka.line(ip)),
              ),
            ]
          : []),
        ka.block(['virtual_ipaddress'], [ka.line(`${api.vip}/${model.lan.prefixLength}`, 'dev', host.interface)]),
        ka.block(['track_script'], [ka.line('check_apiserver')]),
      ],
    ),
  ];
  const others = plan.members.filter((m) => m !== me).map((m) => `${m.host.name} ${m.priority}`);
  return fileOf([
    ...comment(
      '#',
      generatedBy(model.name),
      `keepalived on ${host.name}: ${me.state}, priority ${me.priority}${others.length ? ` (others: ${others.join(', ')})` : ''}.`,
      `A failed check adds weight ${plan.weight}: priority ${me.priority} -> ${me.failedPriority}, below every healthy balancer.`,
      `${api.vrrpAuthFile} (root-only, identical on all balancers) holds the authentication block; see the README.`,
      `Check with: keepalived -t -e -f ${HOST_PATHS.keepalivedConf}`,
    ),
    ...renderKeepalived(conf),
  ]);
}

/** `check_apiserver.sh`: keepalived's health check, `/readyz` through the local HAProxy. */
export function renderCheckApiserver(model: ClusterModel): string {
  const url = healthCheckUrl(model);
  return fileOf([
    '#!/bin/sh',
    ...comment(
      '#',
      generatedBy(model.name),
      `keepalived health check: succeeds only when the local HAProxy answers and forwards ${API_READY_PATH} to a`,
      'kube-apiserver that reports healthy (-k: the API server certificate does not name 127.0.0.1).',
    ),
    `if ! curl --silent --fail --insecure --max-time ${CHECK_TIMING.curlMaxTime} --output /dev/null ${shQuote(url)}; then`,
    `    echo ${shQuote(`*** check_apiserver: GET ${url} failed`)} >&2`,
    '    exit 1',
    'fi',
  ]);
}

/** Drop-in for keepalived.service: no start without the VRRP authentication include. */
export function renderKeepalivedDropIn(model: ClusterModel): string {
  const file = model.apiServer.vrrpAuthFile;
  return fileOf([
    ...comment('#', generatedBy(model.name), `Refuse to start keepalived until ${file} exists and is not empty.`),
    ...renderUnit([['Service', [['ExecStartPre', execLine('/usr/bin/test', '-s', file)]]]]),
  ]);
}
