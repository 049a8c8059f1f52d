/**
 * cloud-init NoCloud seed for provisioned hosts (Ubuntu 24.04): `user-data` (#cloud-config),
 * `network-config` (v2, static address) and `meta-data`.
 *
 * user-data embeds the host's generated files through `write_files`, so a provisioned host comes up with
 * everything except the secrets the owner creates by hand. Kubernetes nodes get the OS preparation from
 * node-prep.ts; balancer hosts get keepalived, HAProxy and curl (and no Kubernetes packages).
 *
 * cloud-init 22.4's schema does not reject unknown top-level keys, so user-data may only use
 * {@link CLOUD_CONFIG_TOP_LEVEL_KEYS}; the tests check that list against cloud-init's own schema.
 */
import type { ClusterModel, Host } from '../model/types';
import { nodeFirstBootLines, nodePackages, PI_REBOOT_CONDITION, renderContainerdConfig, renderModulesLoad, renderSysctl } from './node-prep';
import { HOST_PATHS } from './paths';
import type { HostArtifact } from './artifact';
import { comment, generatedBy } from './text';
import { toYaml } from './yaml';

/** The only top-level keys our user-data may contain. */
export const CLOUD_CONFIG_TOP_LEVEL_KEYS = [
  'hostname',
  'users',
  'ssh_pwauth',
  'package_update',
  'package_upgrade',
  'packages',
  'write_files',
  'runcmd',
  'power_state',
] as const;

type CloudConfigKey = (typeof CLOUD_CONFIG_TOP_LEVEL_KEYS)[number];

interface WriteFile {
  path: string;
  content: string;
  owner: string;
  permissions: string;
  /** Written after packages are installed (cloud-init `write-files-deferred`). */
  defer?: boolean;
}

const octal = (mode: number) => `0${mode.toString(8)}`;

function writeFile(path: string, content: string, mode: number, defer = false): WriteFile {
  return { path, content, owner: 'root:root', permissions: octal(mode), ...(defer ? { defer: true } : {}) };
}

function users(model: ClusterModel): unknown[] {
  // Without listed users keep the image's default user, so the host stays reachable.
  if (!model.users.length) return ['default'];
  return model.users.map((u) => ({
    name: u.name,
    shell: '/bin/bash',
    lock_passwd: true,
    ...(u.sudo ? { sudo: 'ALL=(ALL) NOPASSWD:ALL' } : {}),
    ...(u.sshAuthorizedKeys.length ? { ssh_authorized_keys: [...u.sshAuthorizedKeys] } : {}),
    ...(u.sshImportIds.length ? { ssh_import_id: [...u.sshImportIds] } : {}),
  }));
}

/**
 * The whole first-boot `runcmd` as ONE shell script under `set -eu`: cloud-init runs runcmd entries as a
 * plain `sh` script without `-e`, so separate entries would carry on after a failed step (a fingerprint
 * mismatch would still install, hold and enable). Undefined when the host has nothing to run.
 */
function firstBootScript(model: ClusterModel, host: Host): string | undefined {
  const lines = [
    ...(host.isNode ? nodeFirstBootLines(model, host) : []),
    ...(host.roles.includes('load-balancer') ? ['systemctl daemon-reload', 'systemctl enable haproxy.service keepalived.service'] : []),
  ];
  return lines.length ? ['set -eu', ...lines].join('\n') + '\n' : undefined;
}

/** `user-data` for a provisioned host; `embedded` are the host's generated files that have a target path. */
export function renderUserData(model: ClusterModel, host: Host, embedded: readonly HostArtifact[]): string {
  const isBalancer = host.roles.includes('load-balancer');
  const packages = new Set<string>([...(host.isNode ? nodePackages(model) : []), ...(isBalancer ? ['curl', 'haproxy', 'keepalived'] : [])]);
  const files: WriteFile[] = [
    ...(host.isNode
      ? [
          writeFile(HOST_PATHS.modulesLoad, renderModulesLoad(model), 0o644),
          writeFile(HOST_PATHS.sysctl, renderSysctl(model), 0o644),
          // Before packages: the containerd package keeps an existing config (cloud-init runs apt with --force-confold).
          writeFile(HOST_PATHS.containerdConfig, renderContainerdConfig(model), 0o644),
          // The apt list is not here: the first-boot script writes it once the key's fingerprint checked out.
        ]
      : []),
    ...embedded.flatMap((a) => (a.delivery === 'file' ? [writeFile(a.target, a.content, a.mode)] : [])),
  ];
  const script = firstBootScript(model, host);
  const runcmd = script ? [script] : [];
  const config: Partial<Record<CloudConfigKey, unknown>> = {
    hostname: host.name,
    users: users(model),
    ssh_pwauth: false,
    package_update: true,
    package_upgrade: true,
    ...(packages.size ? { packages: [...packages].sort() } : {}),
    write_files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    ...(runcmd.length ? { runcmd } : {}),
    ...(host.isNode && host.hardware === 'raspberry-pi'
      ? { power_state: { mode: 'reboot', message: 'Rebooting to enable the memory cgroup', condition: [...PI_REBOOT_CONDITION] } }
      : {}),
  };
  return [
    '#cloud-config',
    ...comment(
      '#',
      generatedBy(model.name),
      `cloud-init user-data for ${host.name} (${host.hardware}, ${host.arch}, ${host.roles.join(', ')}).`,
      'Secrets are not in here; the README lists the files to create on the host afterwards.',
    ),
    toYaml(config),
  ].join('\n');
}

/** network-config v2: the host's static LAN address, default route via the LAN gateway, DNS from the model. */
export function renderNetworkConfig(model: ClusterModel, host: Host): string {
  const lan = model.lan;
  const config = {
    version: 2,
    ethernets: {
      [host.interface]: {
        dhcp4: false,
        addresses: [`${host.ip}/${lan.prefixLength}`],
        routes: [{ to: 'default', via: lan.gateway }],
        nameservers: { addresses: [...lan.dnsServers], ...(lan.searchDomains.length ? { search: [...lan.searchDomains] } : {}) },
      },
    },
  };
  return [...comment('#', generatedBy(model.name)), toYaml(config)].join('\n');
}

/**
 * meta-data: a stable instance-id per host. cloud-init runs its per-instance steps once per id, so editing
 * user-data later does not silently re-run them on an installed host (`cloud-init clean --reboot` does).
 */
export function renderMetaData(model: ClusterModel, host: Host): string {
  return toYaml({ 'instance-id': `${model.name}-${host.name}`, 'local-hostname': host.name });
}
