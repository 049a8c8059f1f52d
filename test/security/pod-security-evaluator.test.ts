/**
 * The Pod Security Standards evaluator (lib/security/pod-security), rule by rule: each check rejects what
 * Pod Security Admission v1.32 rejects, at the right level, naming the field; and admits what it admits.
 */
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../lib/k8s/object';
import {
  admittingLevel,
  evaluatePodSecurity,
  podSecurityLabels,
  podSecurityViolations,
  strictestAdmittingLevel,
  type PodSecurityLevel,
} from '../../lib/security/pod-security';
import { deployment, pod, restrictedContainer, restrictedPodSpec } from './fixtures';

/** `[check, level, path]` of every violation, for compact assertions. */
const summary = (object: K8sObject, version?: string) => podSecurityViolations(object, { version }).map((v) => [v.check, v.level, v.path]);
const level = (object: K8sObject, version?: string): PodSecurityLevel => strictestAdmittingLevel([object], { version });

const withContainerSc = (sc: Record<string, unknown>) => pod(restrictedPodSpec({ containers: [restrictedContainer('app', sc)] }));
const withPodSc = (sc: Record<string, unknown>) =>
  pod(restrictedPodSpec({ securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, ...sc } }));

describe('a restricted-compliant pod', () => {
  it('has no violations and is admitted at restricted', () => {
    expect(summary(pod(restrictedPodSpec()))).toEqual([]);
    expect(level(pod(restrictedPodSpec()))).toBe('restricted');
  });

  it('a minimal pod (no securityContext) is baseline: it fails only restricted checks', () => {
    const minimal = pod({ containers: [{ name: 'app', image: 'x:1' }] });
    expect(level(minimal)).toBe('baseline');
    expect(new Set(summary(minimal).map(([check]) => check))).toEqual(
      new Set(['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted']),
    );
    expect(summary(minimal).every(([, l]) => l === 'restricted')).toBe(true);
  });
});

describe('baseline checks', () => {
  it('windowsHostProcess: hostProcess true on pod or container', () => {
    expect(summary(withPodSc({ windowsOptions: { hostProcess: true } }))).toEqual([
      ['windowsHostProcess', 'baseline', 'spec.securityContext.windowsOptions.hostProcess'],
    ]);
    expect(summary(withContainerSc({ windowsOptions: { hostProcess: true } }))).toEqual([
      ['windowsHostProcess', 'baseline', 'spec.containers[0].securityContext.windowsOptions.hostProcess'],
    ]);
    expect(summary(withContainerSc({ windowsOptions: { hostProcess: false } }))).toEqual([]);
  });

  it('hostNamespaces: hostNetwork, hostPID and hostIPC', () => {
    const p = pod(restrictedPodSpec({ hostNetwork: true, hostPID: true, hostIPC: true }));
    expect(summary(p)).toEqual([
      ['hostNamespaces', 'baseline', 'spec.hostNetwork'],
      ['hostNamespaces', 'baseline', 'spec.hostPID'],
      ['hostNamespaces', 'baseline', 'spec.hostIPC'],
    ]);
    expect(level(p)).toBe('privileged');
    expect(summary(pod(restrictedPodSpec({ hostNetwork: false })))).toEqual([]);
  });

  it('privileged: securityContext.privileged true', () => {
    expect(summary(withContainerSc({ privileged: true }))).toEqual([['privileged', 'baseline', 'spec.containers[0].securityContext.privileged']]);
    expect(summary(withContainerSc({ privileged: false }))).toEqual([]);
  });

  it('capabilities_baseline: NET_RAW, NET_ADMIN and SYS_ADMIN are rejected at baseline; the default set is not', () => {
    const raw = withContainerSc({ capabilities: { drop: ['ALL'], add: ['NET_RAW', 'SYS_ADMIN'] } });
    expect(summary(raw)).toEqual([['capabilities_baseline', 'baseline', 'spec.containers[0].securityContext.capabilities.add']]);
    expect(podSecurityViolations(raw)[0].message).toContain('"NET_RAW", "SYS_ADMIN"');
    expect(level(raw)).toBe('privileged');
    const chown = withContainerSc({ capabilities: { drop: ['ALL'], add: ['CHOWN'] } });
    expect(summary(chown)).toEqual([['capabilities_restricted', 'restricted', 'spec.containers[0].securityContext.capabilities.add']]);
    expect(level(chown)).toBe('baseline');
  });

  it('hostPathVolumes: a hostPath volume, reported once (baseline), not again as a restricted volume type', () => {
    const p = pod(restrictedPodSpec({ volumes: [{ name: 'root', hostPath: { path: '/' } }] }));
    expect(summary(p)).toEqual([['hostPathVolumes', 'baseline', 'spec.volumes[0].hostPath']]);
    expect(podSecurityViolations(p)[0].message).toContain('"root"');
  });

  it('hostPorts: non-zero hostPort on any container, 0 allowed', () => {
    const p = pod(
      restrictedPodSpec({ containers: [restrictedContainer('app', {}, { ports: [{ containerPort: 80 }, { containerPort: 443, hostPort: 443 }] })] }),
    );
    expect(summary(p)).toEqual([['hostPorts', 'baseline', 'spec.containers[0].ports[1].hostPort']]);
    expect(summary(pod(restrictedPodSpec({ containers: [restrictedContainer('app', {}, { ports: [{ containerPort: 80, hostPort: 0 }] })] })))).toEqual([]);
  });

  it('appArmorProfile: field type and beta annotation; RuntimeDefault, Localhost, runtime/default and localhost/* allowed', () => {
    expect(summary(withContainerSc({ appArmorProfile: { type: 'Unconfined' } }))).toEqual([
      ['appArmorProfile', 'baseline', 'spec.containers[0].securityContext.appArmorProfile.type'],
    ]);
    expect(summary(withPodSc({ appArmorProfile: { type: 'Unconfined' } }))).toEqual([
      ['appArmorProfile', 'baseline', 'spec.securityContext.appArmorProfile.type'],
    ]);
    expect(summary(withContainerSc({ appArmorProfile: { type: 'Localhost', localhostProfile: 'x' } }))).toEqual([]);
    const annotated = (value: string) => {
      const d = deployment('d', 'ns', restrictedPodSpec()) as any;
      d.spec.template.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': value };
      return d as K8sObject;
    };
    expect(summary(annotated('unconfined'))).toEqual([
      ['appArmorProfile', 'baseline', 'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]'],
    ]);
    expect(summary(annotated('runtime/default'))).toEqual([]);
    expect(summary(annotated('localhost/my-profile'))).toEqual([]);
  });

  it('seLinuxOptions: only container types; container_engine_t from policy v1.31; no user or role', () => {
    expect(summary(withPodSc({ seLinuxOptions: { type: 'spc_t' } }))).toEqual([['seLinuxOptions', 'baseline', 'spec.securityContext.seLinuxOptions.type']]);
    expect(summary(withContainerSc({ seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' } }))).toEqual([]);
    expect(summary(withContainerSc({ seLinuxOptions: { type: 'container_engine_t' } }))).toEqual([]);
    expect(summary(withContainerSc({ seLinuxOptions: { type: 'container_engine_t' } }), '1.30')).toEqual([
      ['seLinuxOptions', 'baseline', 'spec.containers[0].securityContext.seLinuxOptions.type'],
    ]);
    expect(summary(withContainerSc({ seLinuxOptions: { user: 'system_u', role: 'system_r' } }))).toEqual([
      ['seLinuxOptions', 'baseline', 'spec.containers[0].securityContext.seLinuxOptions.user'],
      ['seLinuxOptions', 'baseline', 'spec.containers[0].securityContext.seLinuxOptions.role'],
    ]);
  });

  it('procMount: only Default', () => {
    expect(summary(withContainerSc({ procMount: 'Unmasked' }))).toEqual([['procMount', 'baseline', 'spec.containers[0].securityContext.procMount']]);
    expect(summary(withContainerSc({ procMount: 'Default' }))).toEqual([]);
  });

  it('seccompProfile: Unconfined is rejected at baseline, on pod or container', () => {
    const p = withPodSc({ seccompProfile: { type: 'Unconfined' } });
    expect(summary(p)).toEqual([['seccompProfile_baseline', 'baseline', 'spec.securityContext.seccompProfile.type']]);
    expect(level(p)).toBe('privileged');
    expect(summary(withContainerSc({ seccompProfile: { type: 'Unconfined' } }))).toEqual([
      ['seccompProfile_baseline', 'baseline', 'spec.containers[0].securityContext.seccompProfile.type'],
    ]);
  });

  it('sysctls: the safe set of the policy version', () => {
    const sysctl = (name: string) => withPodSc({ sysctls: [{ name, value: '1' }] });
    expect(summary(sysctl('net.core.somaxconn'))).toEqual([['sysctls', 'baseline', 'spec.securityContext.sysctls[0].name']]);
    for (const safe of [
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_unprivileged_port_start',
      'net.ipv4.ip_local_reserved_ports',
      'net.ipv4.tcp_keepalive_time',
      'net.ipv4.tcp_rmem',
    ]) {
      expect(summary(sysctl(safe)), safe).toEqual([]);
    }
    expect(summary(sysctl('net.ipv4.tcp_rmem'), '1.31')).toHaveLength(1);
    expect(summary(sysctl('net.ipv4.tcp_keepalive_time'), '1.28')).toHaveLength(1);
  });
});

describe('restricted checks', () => {
  it('restrictedVolumes: inline nfs is rejected at restricted only; PVC, csi, ephemeral, projected are allowed', () => {
    const nfs = pod(restrictedPodSpec({ volumes: [{ name: 'data', nfs: { server: '192.168.100.171', path: '/mnt/server' } }] }));
    expect(summary(nfs)).toEqual([['restrictedVolumes', 'restricted', 'spec.volumes[0].nfs']]);
    expect(level(nfs)).toBe('baseline');
    const allowed = pod(
      restrictedPodSpec({
        volumes: [
          { name: 'a', persistentVolumeClaim: { claimName: 'c' } },
          { name: 'b', csi: { driver: 'x' } },
          { name: 'c', ephemeral: { volumeClaimTemplate: {} } },
          { name: 'd', projected: { sources: [] } },
          { name: 'e', emptyDir: {} },
          { name: 'f', secret: { secretName: 's' } },
          { name: 'g', configMap: { name: 'c' } },
          { name: 'h', downwardAPI: {} },
        ],
      }),
    );
    expect(summary(allowed)).toEqual([]);
  });

  it('allowPrivilegeEscalation: must be explicitly false', () => {
    const unset = pod(restrictedPodSpec({ containers: [{ name: 'app', image: 'x:1', securityContext: { capabilities: { drop: ['ALL'] } } }] }));
    expect(summary(unset)).toEqual([['allowPrivilegeEscalation', 'restricted', 'spec.containers[0].securityContext.allowPrivilegeEscalation']]);
    expect(summary(withContainerSc({ allowPrivilegeEscalation: true }))).toEqual([
      ['allowPrivilegeEscalation', 'restricted', 'spec.containers[0].securityContext.allowPrivilegeEscalation'],
    ]);
  });

  it('runAsNonRoot: true on the pod, or on every container; an explicit false anywhere fails', () => {
    const perContainer = pod(
      restrictedPodSpec({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [restrictedContainer('app', { runAsNonRoot: true })] }),
    );
    expect(summary(perContainer)).toEqual([]);
    const missing = pod(restrictedPodSpec({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }));
    expect(summary(missing)).toEqual([['runAsNonRoot', 'restricted', 'spec.containers[0].securityContext.runAsNonRoot']]);
    expect(summary(withContainerSc({ runAsNonRoot: false }))).toEqual([['runAsNonRoot', 'restricted', 'spec.containers[0].securityContext.runAsNonRoot']]);
    expect(summary(withPodSc({ runAsNonRoot: false }))).toEqual([
      ['runAsNonRoot', 'restricted', 'spec.securityContext.runAsNonRoot'],
      ['runAsNonRoot', 'restricted', 'spec.containers[0].securityContext.runAsNonRoot'],
    ]);
  });

  it('runAsUser: 0 is rejected on pod and container; other users pass', () => {
    expect(summary(withPodSc({ runAsUser: 0 }))).toEqual([['runAsUser', 'restricted', 'spec.securityContext.runAsUser']]);
    expect(summary(withContainerSc({ runAsUser: 0 }))).toEqual([['runAsUser', 'restricted', 'spec.containers[0].securityContext.runAsUser']]);
    expect(summary(withPodSc({ runAsUser: 65532 }))).toEqual([]);
  });

  it('seccompProfile: RuntimeDefault or Localhost on the pod or on every container', () => {
    const none = pod(restrictedPodSpec({ securityContext: { runAsNonRoot: true } }));
    expect(summary(none)).toEqual([['seccompProfile_restricted', 'restricted', 'spec.containers[0].securityContext.seccompProfile.type']]);
    const perContainer = pod(
      restrictedPodSpec({
        securityContext: { runAsNonRoot: true },
        containers: [restrictedContainer('app', { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } })],
      }),
    );
    expect(summary(perContainer)).toEqual([]);
  });

  it('capabilities: drop must include ALL; add only NET_BIND_SERVICE', () => {
    expect(summary(withContainerSc({ capabilities: { drop: ['NET_RAW'] } }))).toEqual([
      ['capabilities_restricted', 'restricted', 'spec.containers[0].securityContext.capabilities.drop'],
    ]);
    expect(summary(withContainerSc({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }))).toEqual([]);
  });

  it('Windows pods are exempt from the Linux-only restricted checks (capabilities, seccomp, privilege escalation)', () => {
    const windows = pod({ os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'app', image: 'x:1' }] });
    expect(summary(windows)).toEqual([]);
  });
});

describe('pod templates of every kind', () => {
  const spec = restrictedPodSpec({ hostNetwork: true });
  const template = { metadata: { labels: { app: 'x' } }, spec };
  const kinds: Array<[K8sObject, string]> = [
    [pod(spec), 'spec.hostNetwork'],
    [deployment('x', 'ns', spec), 'spec.template.spec.hostNetwork'],
    [{ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'x', namespace: 'ns' }, spec: { template } }, 'spec.template.spec.hostNetwork'],
    [{ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'x', namespace: 'ns' }, spec: { template } }, 'spec.template.spec.hostNetwork'],
    [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'x', namespace: 'ns' }, spec: { template } }, 'spec.template.spec.hostNetwork'],
    [{ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x', namespace: 'ns' }, spec: { template } }, 'spec.template.spec.hostNetwork'],
    [
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'x', namespace: 'ns' }, spec: { jobTemplate: { spec: { template } } } },
      'spec.jobTemplate.spec.template.spec.hostNetwork',
    ],
  ];
  for (const [object, path] of kinds) {
    it(`${object.kind}: the violation names the object and the full field path`, () => {
      const [violation] = evaluatePodSecurity(object, 'baseline');
      expect(violation).toMatchObject({ object: `${object.kind} ns/${object.metadata.name}`, check: 'hostNamespaces', level: 'baseline', path });
    });
  }

  it('init and ephemeral containers are checked like containers', () => {
    const p = pod(
      restrictedPodSpec({
        initContainers: [restrictedContainer('init', { privileged: true })],
        ephemeralContainers: [restrictedContainer('debug', { capabilities: { drop: ['ALL'], add: ['SYS_PTRACE'] } })],
      }),
    );
    expect(summary(p)).toEqual([
      ['capabilities_baseline', 'baseline', 'spec.ephemeralContainers[0].securityContext.capabilities.add'],
      ['privileged', 'baseline', 'spec.initContainers[0].securityContext.privileged'],
    ]);
  });

  it('objects without a pod template have no violations', () => {
    expect(podSecurityViolations({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })).toEqual([]);
  });
});

describe('levels', () => {
  const raw = withContainerSc({ capabilities: { drop: ['ALL'], add: ['NET_RAW'] } });
  it('evaluatePodSecurity returns what the level forbids: nothing at privileged', () => {
    expect(evaluatePodSecurity(raw, 'privileged')).toEqual([]);
    expect(evaluatePodSecurity(raw, 'baseline').map((v) => v.check)).toEqual(['capabilities_baseline']);
    expect(evaluatePodSecurity(raw, 'restricted').map((v) => v.check)).toEqual(['capabilities_baseline']);
  });

  it('strictestAdmittingLevel takes the weakest pod; no pods means restricted', () => {
    expect(strictestAdmittingLevel([pod(restrictedPodSpec()), raw])).toBe('privileged');
    expect(strictestAdmittingLevel([])).toBe('restricted');
    expect(admittingLevel(podSecurityViolations(pod({ containers: [{ name: 'a', image: 'x:1' }] })))).toBe('baseline');
  });

  it('rejects policy versions it does not implement, saying which it does', () => {
    expect(() => podSecurityViolations(raw, { version: 'latest' })).toThrow(/1\.25 to 1\.33/);
    expect(() => podSecurityViolations(raw, { version: '1.34' })).toThrow(/not supported/);
    expect(podSecurityViolations(raw, { version: 'v1.32' })).toHaveLength(1);
  });

  it('podSecurityLabels sets all three modes and pins the version', () => {
    expect(podSecurityLabels({ enforce: 'baseline', warn: 'restricted', version: '1.32' })).toEqual({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/enforce-version': 'v1.32',
      'pod-security.kubernetes.io/audit': 'baseline',
      'pod-security.kubernetes.io/audit-version': 'v1.32',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'v1.32',
    });
  });
});
