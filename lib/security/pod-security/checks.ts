/**
 * The Pod Security Standards checks, one function per check of `k8s.io/pod-security-admission/policy`
 * (same check IDs), with the rules of the policy versions v1.25 to v1.33.
 *
 * Each finding names one field and carries the least restrictive level that forbids it. Where upstream has a
 * restricted check that replaces a baseline one (capabilities, volumes, seccomp), the restricted function
 * reports only what the baseline one lets through, so a value is reported once, at its own level; a pod is
 * admitted at a level exactly when no finding has that level or a lower one.
 */
import { containersOf, type ContainerRef, type PodSpecJson, type SecurityContextJson } from '../pod-template';

export type ViolationLevel = 'baseline' | 'restricted';

/** Where a finding points: a field of the pod spec or of the pod metadata. */
interface Finding {
  readonly check: string;
  readonly level: ViolationLevel;
  readonly field: { readonly in: 'spec' | 'metadata'; readonly path: string };
  readonly message: string;
}

interface PodView {
  readonly spec: PodSpecJson;
  readonly annotations: Readonly<Record<string, string>>;
  /** Policy minor version, e.g. 32. */
  readonly minor: number;
}

type Check = (pod: PodView) => Finding[];

const quote = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(', ');
const spec = (path: string) => ({ in: 'spec' as const, path });

function finding(check: string, level: ViolationLevel, path: string, message: string): Finding {
  return { check, level, field: spec(path), message };
}

/** The pod-level security context (path `securityContext`) followed by every container's. */
function securityContexts(pod: PodView): { sc: SecurityContextJson | undefined; path: string; container?: ContainerRef }[] {
  return [
    { sc: pod.spec.securityContext, path: 'securityContext' },
    ...containersOf(pod.spec).map((c) => ({ sc: c.container.securityContext, path: `${c.path}.securityContext`, container: c })),
  ];
}

const isWindows = (pod: PodView) => pod.spec.os?.name === 'windows';

// ---- baseline ------------------------------------------------------------------------------------------------

const windowsHostProcess: Check = (pod) =>
  securityContexts(pod)
    .filter(({ sc }) => sc?.windowsOptions?.hostProcess === true)
    .map(({ path }) =>
      finding(
        'windowsHostProcess',
        'baseline',
        `${path}.windowsOptions.hostProcess`,
        'is true; HostProcess containers get privileged access to the Windows node',
      ),
    );

const hostNamespaces: Check = (pod) =>
  (['hostNetwork', 'hostPID', 'hostIPC'] as const)
    .filter((field) => pod.spec[field] === true)
    .map((field) => finding('hostNamespaces', 'baseline', field, `is true; sharing the node's namespaces is not allowed below privileged`));

const privileged: Check = (pod) =>
  containersOf(pod.spec)
    .filter((c) => c.container.securityContext?.privileged === true)
    .map((c) => finding('privileged', 'baseline', `${c.path}.securityContext.privileged`, 'is true; privileged containers are not allowed below privileged'));

/** Capabilities baseline lets containers add (the container runtime's default set). */
const BASELINE_CAPABILITIES: readonly string[] = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

const capabilitiesBaseline: Check = (pod) =>
  containersOf(pod.spec).flatMap((c) => {
    const extra = (c.container.securityContext?.capabilities?.add ?? []).filter((cap) => !BASELINE_CAPABILITIES.includes(cap));
    return extra.length
      ? [
          finding(
            'capabilities_baseline',
            'baseline',
            `${c.path}.securityContext.capabilities.add`,
            `adds ${quote(extra)}; baseline allows adding only ${BASELINE_CAPABILITIES.join(', ')}`,
          ),
        ]
      : [];
  });

const hostPathVolumes: Check = (pod) =>
  (pod.spec.volumes ?? []).flatMap((v, i) =>
    v.hostPath !== undefined
      ? [
          finding(
            'hostPathVolumes',
            'baseline',
            `volumes[${i}].hostPath`,
            `volume ${JSON.stringify(v.name)} mounts a host path; hostPath volumes are not allowed below privileged`,
          ),
        ]
      : [],
  );

const hostPorts: Check = (pod) =>
  containersOf(pod.spec).flatMap((c) =>
    (c.container.ports ?? []).flatMap((p, j) =>
      p.hostPort
        ? [
            finding(
              'hostPorts',
              'baseline',
              `${c.path}.ports[${j}].hostPort`,
              `is ${p.hostPort}; host ports are not allowed below privileged (leave it unset or 0)`,
            ),
          ]
        : [],
    ),
  );

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const APPARMOR_TYPES = ['RuntimeDefault', 'Localhost'];

const appArmorProfile: Check = (pod) => [
  ...securityContexts(pod)
    .filter(({ sc }) => sc?.appArmorProfile !== undefined && !APPARMOR_TYPES.includes(sc.appArmorProfile.type ?? ''))
    .map(({ sc, path }) =>
      finding(
        'appArmorProfile',
        'baseline',
        `${path}.appArmorProfile.type`,
        `is ${JSON.stringify(sc!.appArmorProfile!.type)}; allowed: ${quote(APPARMOR_TYPES)}`,
      ),
    ),
  ...Object.entries(pod.annotations)
    .filter(([key, value]) => key.startsWith(APPARMOR_ANNOTATION_PREFIX) && !(value === '' || value === 'runtime/default' || value.startsWith('localhost/')))
    .map(([key, value]): Finding => ({
      check: 'appArmorProfile',
      level: 'baseline',
      field: { in: 'metadata', path: `annotations[${JSON.stringify(key)}]` },
      message: `is ${JSON.stringify(value)}; allowed: "runtime/default" or "localhost/<profile>"`,
    })),
];

function selinuxTypes(minor: number): string[] {
  return ['', 'container_t', 'container_init_t', 'container_kvm_t', ...(minor >= 31 ? ['container_engine_t'] : [])];
}

const seLinuxOptions: Check = (pod) =>
  securityContexts(pod).flatMap(({ sc, path }) => {
    const opts = sc?.seLinuxOptions;
    if (!opts) return [];
    const out: Finding[] = [];
    const allowed = selinuxTypes(pod.minor);
    if (!allowed.includes(opts.type ?? ''))
      out.push(
        finding(
          'seLinuxOptions',
          'baseline',
          `${path}.seLinuxOptions.type`,
          `is ${JSON.stringify(opts.type)}; allowed: unset or ${quote(allowed.filter(Boolean))}`,
        ),
      );
    if (opts.user)
      out.push(finding('seLinuxOptions', 'baseline', `${path}.seLinuxOptions.user`, `is ${JSON.stringify(opts.user)}; a custom SELinux user is not allowed`));
    if (opts.role)
      out.push(finding('seLinuxOptions', 'baseline', `${path}.seLinuxOptions.role`, `is ${JSON.stringify(opts.role)}; a custom SELinux role is not allowed`));
    return out;
  });

const procMount: Check = (pod) =>
  containersOf(pod.spec)
    .filter((c) => c.container.securityContext?.procMount !== undefined && c.container.securityContext.procMount !== 'Default')
    .map((c) =>
      finding(
        'procMount',
        'baseline',
        `${c.path}.securityContext.procMount`,
        `is ${JSON.stringify(c.container.securityContext!.procMount)}; allowed: unset or "Default"`,
      ),
    );

const SECCOMP_TYPES = ['RuntimeDefault', 'Localhost'];

const seccompProfileBaseline: Check = (pod) =>
  securityContexts(pod)
    .filter(({ sc }) => sc?.seccompProfile !== undefined && !SECCOMP_TYPES.includes(sc.seccompProfile.type ?? ''))
    .map(({ sc, path }) =>
      finding(
        'seccompProfile_baseline',
        'baseline',
        `${path}.seccompProfile.type`,
        `is ${JSON.stringify(sc!.seccompProfile!.type)}; allowed: ${quote(SECCOMP_TYPES)}`,
      ),
    );

/** The sysctls baseline allows, by the policy version that added them. */
function safeSysctls(minor: number): string[] {
  return [
    'kernel.shm_rmid_forced',
    'net.ipv4.ip_local_port_range',
    'net.ipv4.tcp_syncookies',
    'net.ipv4.ping_group_range',
    'net.ipv4.ip_unprivileged_port_start',
    ...(minor >= 27 ? ['net.ipv4.ip_local_reserved_ports'] : []),
    ...(minor >= 29 ? ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'] : []),
    ...(minor >= 32 ? ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'] : []),
  ];
}

const sysctls: Check = (pod) => {
  const safe = safeSysctls(pod.minor);
  return (pod.spec.securityContext?.sysctls ?? []).flatMap((s, i) =>
    safe.includes(s.name)
      ? []
      : [finding('sysctls', 'baseline', `securityContext.sysctls[${i}].name`, `${JSON.stringify(s.name)} is not a safe sysctl; allowed: ${safe.join(', ')}`)],
  );
};

// ---- restricted ----------------------------------------------------------------------------------------------

/** Volume sources restricted allows. */
const RESTRICTED_VOLUME_SOURCES: readonly string[] = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

const restrictedVolumes: Check = (pod) =>
  (pod.spec.volumes ?? []).flatMap((v, i) => {
    const sources = Object.keys(v).filter((k) => k !== 'name');
    if (sources.some((s) => RESTRICTED_VOLUME_SOURCES.includes(s)) || v.hostPath !== undefined) return [];
    const source = sources[0] ?? 'unknown';
    return [
      finding(
        'restrictedVolumes',
        'restricted',
        `volumes[${i}].${source}`,
        `volume ${JSON.stringify(v.name)} is of type ${source}; restricted allows only ${RESTRICTED_VOLUME_SOURCES.join(', ')} (use a PersistentVolumeClaim)`,
      ),
    ];
  });

const allowPrivilegeEscalation: Check = (pod) =>
  isWindows(pod)
    ? []
    : containersOf(pod.spec)
        .filter((c) => c.container.securityContext?.allowPrivilegeEscalation !== false)
        .map((c) => {
          const value = c.container.securityContext?.allowPrivilegeEscalation;
          return finding(
            'allowPrivilegeEscalation',
            'restricted',
            `${c.path}.securityContext.allowPrivilegeEscalation`,
            `is ${value === undefined ? 'unset' : value}; restricted requires false`,
          );
        });

const runAsNonRoot: Check = (pod) => {
  const podValue = pod.spec.securityContext?.runAsNonRoot;
  const out: Finding[] = [];
  if (podValue === false) out.push(finding('runAsNonRoot', 'restricted', 'securityContext.runAsNonRoot', 'is false; restricted requires true'));
  for (const c of containersOf(pod.spec)) {
    const value = c.container.securityContext?.runAsNonRoot;
    if (value === false) out.push(finding('runAsNonRoot', 'restricted', `${c.path}.securityContext.runAsNonRoot`, 'is false; restricted requires true'));
    else if (value === undefined && podValue !== true) {
      out.push(
        finding(
          'runAsNonRoot',
          'restricted',
          `${c.path}.securityContext.runAsNonRoot`,
          'is unset and the pod does not set securityContext.runAsNonRoot: true; restricted requires it on the pod or on every container',
        ),
      );
    }
  }
  return out;
};

const runAsUser: Check = (pod) =>
  securityContexts(pod)
    .filter(({ sc }) => sc?.runAsUser === 0)
    .map(({ path }) => finding('runAsUser', 'restricted', `${path}.runAsUser`, 'is 0 (root); restricted requires a non-zero user'));

const seccompProfileRestricted: Check = (pod) => {
  if (isWindows(pod) || pod.spec.securityContext?.seccompProfile !== undefined) return [];
  return containersOf(pod.spec)
    .filter((c) => c.container.securityContext?.seccompProfile === undefined)
    .map((c) =>
      finding(
        'seccompProfile_restricted',
        'restricted',
        `${c.path}.securityContext.seccompProfile.type`,
        'is unset and the pod sets no securityContext.seccompProfile; restricted requires "RuntimeDefault" or "Localhost" on the pod or on every container',
      ),
    );
};

const capabilitiesRestricted: Check = (pod) =>
  isWindows(pod)
    ? []
    : containersOf(pod.spec).flatMap((c) => {
        const caps = c.container.securityContext?.capabilities;
        const out: Finding[] = [];
        if (!(caps?.drop ?? []).includes('ALL')) {
          out.push(
            finding(
              'capabilities_restricted',
              'restricted',
              `${c.path}.securityContext.capabilities.drop`,
              `is ${caps?.drop ? JSON.stringify(caps.drop) : 'unset'}; restricted requires it to include "ALL"`,
            ),
          );
        }
        const extra = (caps?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE' && BASELINE_CAPABILITIES.includes(cap));
        if (extra.length)
          out.push(
            finding(
              'capabilities_restricted',
              'restricted',
              `${c.path}.securityContext.capabilities.add`,
              `adds ${quote(extra)}; restricted allows adding only "NET_BIND_SERVICE"`,
            ),
          );
        return out;
      });

/** Every check, baseline first, in the order of the upstream check IDs. */
export const CHECKS: Readonly<Record<ViolationLevel, readonly Check[]>> = {
  baseline: [
    appArmorProfile,
    capabilitiesBaseline,
    hostNamespaces,
    hostPathVolumes,
    hostPorts,
    privileged,
    procMount,
    seLinuxOptions,
    seccompProfileBaseline,
    sysctls,
    windowsHostProcess,
  ],
  restricted: [allowPrivilegeEscalation, capabilitiesRestricted, restrictedVolumes, runAsNonRoot, runAsUser, seccompProfileRestricted],
};
