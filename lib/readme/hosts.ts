/**
 * The body of the "Hosts" section of dist/README.md (the caller adds the `##` heading; subsections are
 * `###`): per host, which generated file goes where and which commands to run, in the order that works
 * (balancers, first control plane, other control planes, workers, VPS). Built from the same plan as the
 * files themselves.
 */
import type { ClusterModel, Host } from '../model/types';
import { day2AfterInit, day2AfterJoin, day2BeforeControlPlaneJoin, day2BeforeInit } from '../hosts/day2';
import { frpsInstructions } from '../components/frp/instructions';
import { firstControlPlane } from '../hosts/control-plane';
import { controlPlaneEndpoint, JOIN_SECRETS } from '../hosts/kubeadm';
import { healthCheckUrl, vrrpPlan } from '../hosts/keepalived';
import { kubernetesPackageVersion, PKGS_K8S_KEY_FINGERPRINT } from '../hosts/node-prep';
import { HOST_PATHS } from '../hosts/paths';
import { planHosts, type HostArtifact, type HostPlan } from '../hosts/plan';

/** The files of a host, from the render's {@link HostPlan}. */
type FilesOf = (host: Host) => readonly HostArtifact[];

const code = (s: string | number) => `\`${s}\``;
const fence = (lang: string, lines: readonly string[]) => ['```' + lang, ...lines, '```'];

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

const octal = (mode: number) => `0${mode.toString(8)}`;

function filesTable(host: Host, artifacts: readonly HostArtifact[], dir = host.name): string[] {
  const rows = artifacts.map((a) => {
    const where =
      a.delivery === 'file'
        ? `${code(a.target)}${host.provision ? ' (placed by cloud-init)' : ''}`
        : a.delivery === 'secret-template'
          ? `copy to ${code(a.target)}, mode 0600, fill in values`
          : a.delivery === 'seed'
            ? 'cloud-init seed (boot medium)'
            : 'read it';
    return [code(`hosts/${dir}/${a.file}`), where, octal(a.mode), a.purpose];
  });
  return table(['File', 'On the host', 'Mode', 'What'], rows);
}

/** `install` commands for hosts that cloud-init does not set up. */
function copyCommands(host: Host, artifacts: readonly HostArtifact[], dir = host.name): string[] {
  if (host.provision) return [];
  return [
    `# from a copy of hosts/${dir}/ on the host, as root`,
    ...artifacts.flatMap((a) => (a.delivery === 'file' ? [`install -D -m ${octal(a.mode)} ${a.file} ${a.target}`] : [])),
  ];
}

function hostHeading(host: Host, note: string): string {
  return `#### ${host.name} (${host.ip}): ${note}`;
}

function provisioningSection(model: ClusterModel): string[] {
  const hosts = model.hosts.filter((h) => h.provision);
  if (!hosts.length) return [];
  const nodes = hosts.some((h) => h.isNode);
  return [
    '### Provisioning with cloud-init',
    '',
    ...table(
      ['Host', 'Hardware', 'Seed'],
      hosts.map((h) => [
        h.name,
        `${h.hardware} (${h.arch})`,
        h.hardware === 'raspberry-pi' ? 'replace the files on the `system-boot` partition' : 'NoCloud drive labelled `CIDATA`',
      ]),
    ),
    '',
    "- Raspberry Pi: flash the Ubuntu Server 24.04 preinstalled arm64 image, then replace `user-data`, `network-config` and `meta-data` on its `system-boot` partition with the host's files.",
    '  The first boot appends `cgroup_enable=memory cgroup_memory=1` to `cmdline.txt` and reboots once, so the kubelet gets the memory cgroup.',
    '- amd64 hosts: the Ubuntu Server 24.04 cloud image (`noble-server-cloudimg-amd64.img`) is QCOW2, and written to a disk as it is it does not boot. Convert it to a raw image first, then write that to the target disk (from a live USB system) and boot once with a NoCloud seed attached:',
    '',
    ...fence('sh', [
      'qemu-img convert -f qcow2 -O raw noble-server-cloudimg-amd64.img noble-amd64.raw   # apt-get install qemu-utils',
      'dd if=noble-amd64.raw of=/dev/<target disk> bs=4M conv=fsync status=progress   # double-check the device: it is overwritten',
      'cloud-localds --network-config=network-config seed.img user-data meta-data          # apt-get install cloud-image-utils; write seed.img to a USB drive',
    ]).map((l) => `  ${l}`),
    '',
    '- `cloud-init status --wait` on the host shows when it is done. The `meta-data` instance-id is stable: to apply a changed `user-data` to an installed host run `cloud-init clean --reboot`.',
    ...(nodes
      ? [
          `- Kubernetes nodes get kubelet, kubeadm and kubectl ${code(kubernetesPackageVersion(model))} from pkgs.k8s.io, held with \`apt-mark hold\`.`,
          `  No key material is generated: the first boot downloads the repository key over HTTPS and installs it only if its fingerprint is ${code(PKGS_K8S_KEY_FINGERPRINT)}.`,
          '  If upstream rotates the key, installation stops there; update `PKGS_K8S_KEY_FINGERPRINT` after checking the new key.',
          '- `linux-modules-extra-raspi` is not installed (not verified to exist on 24.04). If `systemctl status systemd-modules-load` on a Raspberry Pi reports a missing module (e.g. `vxlan`), install the package that provides it.',
        ]
      : []),
    '',
  ];
}

function balancerSection(model: ClusterModel, filesOf: FilesOf): string[] {
  const api = model.apiServer;
  const plan = vrrpPlan(model);
  const stats = api.stats;
  return [
    '### 1. Load balancers: keepalived and HAProxy',
    '',
    `keepalived holds the API VIP ${code(`${api.vip}/${model.lan.prefixLength}`)} (virtual_router_id ${api.virtualRouterId}${plan.members.length > 1 ? ', unicast between the balancers' : ''}).`,
    `Each balancer checks ${code(healthCheckUrl(model))} (its own HAProxy, so the check passes only when a kube-apiserver answers behind it).`,
    `A failing check adds ${plan.weight} to the priority, which puts a failed balancer below every healthy one:`,
    '',
    ...table(
      ['Host', 'IP', 'State', 'Priority', 'Priority while its check fails'],
      plan.members.map((m) => [m.host.name, m.host.ip, m.state, String(m.priority), String(m.failedPriority)]),
    ),
    '',
    `Before \`kubeadm init\` no check can pass; all balancers lose the same weight and the VIP stays on the MASTER, which is what \`kubeadm init\` needs.`,
    '',
    'Secrets, created by hand on every balancer (root, mode 0600, identical on all of them, never in git):',
    '',
    `- ${code(api.vrrpAuthFile)}: the VRRP authentication block keepalived includes (the password is at most 8 characters; VRRP sends it in clear text on the LAN):`,
    '',
    ...fence('', ['authentication {', '    auth_type PASS', '    auth_pass <at most 8 characters>', '}']).map((l) => `  ${l}`),
    '',
    `- ${code(HOST_PATHS.haproxyEnv)}: ${code(stats.userEnv)} and ${code(stats.passwordEnv)} for the stats page on port ${stats.port}${stats.path} (see \`haproxy.env.example\`). HAProxy and keepalived refuse to start while these files are missing.`,
    ...(stats.publicHost
      ? [
          '',
          `From the Internet the stats pages are reachable only as ${code(`https://${stats.publicHost}${stats.path}`)} (an Ingress with a Let's Encrypt certificate in front of each balancer's port ${stats.port}, then HAProxy's basic auth); port ${stats.port} is never forwarded. Point the DNS name at the tunnel server.`,
        ]
      : []),
    '',
    ...plan.members.flatMap((m) => {
      const artifacts = filesOf(m.host);
      return [
        hostHeading(m.host, `${m.state}, priority ${m.priority}`),
        '',
        ...filesTable(m.host, artifacts),
        '',
        ...fence('sh', [
          ...(m.host.provision
            ? ['# files and packages are in place after cloud-init']
            : ['apt-get install -y keepalived haproxy curl   # or the NAS package manager']),
          ...copyCommands(m.host, artifacts),
          `install -m 0600 /dev/null ${api.vrrpAuthFile}   # then write the authentication block into it`,
          `install -m 0600 ${m.host.provision ? `/dev/null` : 'haproxy.env.example'} ${HOST_PATHS.haproxyEnv}   # then set ${stats.userEnv} and ${stats.passwordEnv}`,
          `haproxy -c -f ${HOST_PATHS.haproxyCfg}`,
          `keepalived -t -e -f ${HOST_PATHS.keepalivedConf}`,
          'systemctl daemon-reload',
          'systemctl enable haproxy keepalived',
          'systemctl restart haproxy keepalived',
        ]),
        '',
      ];
    }),
  ];
}

function joinCommands(controlPlane: boolean): string[] {
  const secrets = controlPlane ? Object.values(JOIN_SECRETS) : [JOIN_SECRETS.token, JOIN_SECRETS.caCertHash];
  return [
    '# as root (sudo -i); read keeps the values out of the shell history',
    `read -r -p 'bootstrap token: ' ${JOIN_SECRETS.token}`,
    `read -r -p 'CA cert hash (sha256:...): ' ${JOIN_SECRETS.caCertHash}`,
    ...(controlPlane ? [`read -r -s -p 'certificate key: ' ${JOIN_SECRETS.certificateKey}; echo`] : []),
    `export ${secrets.join(' ')}`,
    `(umask 077 && envsubst '${secrets.map((s) => `$${s}`).join(' ')}' < ${HOST_PATHS.kubeadmJoinTemplate} > ${HOST_PATHS.kubeadmJoinRendered})`,
    `kubeadm join --config ${HOST_PATHS.kubeadmJoinRendered}; rm -f ${HOST_PATHS.kubeadmJoinRendered}`,
  ];
}

/** Hosts whose files go to the same places, so one files table serves them all. */
function groupByFiles(hosts: readonly Host[], filesOf: FilesOf): Host[][] {
  const groups = new Map<string, Host[]>();
  for (const h of hosts) {
    const key = JSON.stringify(filesOf(h).map((a) => [a.file, a.delivery, a.mode, 'target' in a ? a.target : '']));
    groups.set(key, [...(groups.get(key) ?? []), h]);
  }
  return [...groups.values()];
}

function nodeGroups(model: ClusterModel, hosts: readonly Host[], filesOf: FilesOf): string[] {
  return groupByFiles(hosts, filesOf).flatMap((group) => {
    const sample = group[0];
    const artifacts = filesOf(sample);
    const dir = group.length === 1 ? sample.name : '<host>';
    return [
      ...table(
        ['Host', 'IP', 'Hardware', 'Roles'],
        group.map((h) => [h.name, h.ip, `${h.hardware} (${h.arch})`, h.roles.join(', ')]),
      ),
      '',
      group.length === 1 ? 'Files:' : 'Files, the same for each host above (`<host>` is its name):',
      '',
      ...filesTable(sample, artifacts, dir),
      '',
      ...(sample.provision
        ? []
        : [
            `Not provisioned by cloud-init: prepare the OS as the generated user-data does for other nodes (swap off, overlay and br_netfilter, containerd with SystemdCgroup, kubelet/kubeadm/kubectl ${kubernetesPackageVersion(model)}), then copy the files:`,
            '',
            ...fence('sh', copyCommands(sample, artifacts, dir)),
            '',
          ]),
    ];
  });
}

function controlPlaneSections(model: ClusterModel, filesOf: FilesOf): string[] {
  const first = firstControlPlane(model);
  const others = model.apiServer.controlPlanes.filter((h) => h !== first);
  return [
    '### 2. First control plane: kubeadm init',
    '',
    `The cluster endpoint is ${code(controlPlaneEndpoint(model))} (the VIP). No bootstrap token, CA hash or certificate key is ever generated into a file: kubeadm creates them.`,
    '',
    ...nodeGroups(model, [first], filesOf),
    ...fence('sh', [
      ...day2BeforeInit(model),
      `kubeadm init --config ${HOST_PATHS.kubeadmInit} --upload-certs`,
      'mkdir -p ~/.kube && cp /etc/kubernetes/admin.conf ~/.kube/config   # as root; copy it to your workstation as needed',
      ...day2AfterInit(model),
      '# values for the joins below:',
      'kubeadm token create --print-join-command        # --token and --discovery-token-ca-cert-hash (token valid 24 h)',
      'kubeadm init phase upload-certs --upload-certs   # certificate key for control planes (valid 2 h)',
    ]),
    '',
    '### 3. Other control planes: kubeadm join',
    '',
    ...(others.length
      ? [
          `\`${HOST_PATHS.kubeadmJoinTemplate}\` holds placeholders, not secrets. \`kubeadm join\` cannot take \`--token\` or \`--certificate-key\` together with \`--config\`, so \`envsubst\` fills the values into a root-only copy on tmpfs, which is deleted after the join:`,
          '',
          ...fence('sh', [...day2BeforeControlPlaneJoin(model), ...joinCommands(true), ...day2AfterJoin(model, true)]),
          '',
          ...nodeGroups(model, others, filesOf),
        ]
      : ['None: this cluster has a single control plane.', '']),
  ];
}

function workerSection(model: ClusterModel, filesOf: FilesOf): string[] {
  const workers = model.hosts.filter((h) => h.roles.includes('worker'));
  return [
    '### 4. Workers: kubeadm join',
    '',
    ...(workers.length
      ? [
          'The same as for control planes, without the certificate key:',
          '',
          ...fence('sh', [...joinCommands(false), ...day2AfterJoin(model, false)]),
          '',
          ...nodeGroups(model, workers, filesOf),
        ]
      : ['None.', '']),
  ];
}

function tunnelSection(model: ClusterModel, filesOf: FilesOf): string[] {
  const t = model.tunnel;
  if (!t) return ['### 5. Tunnel server', '', 'None: no tunnel is described.', ''];
  const artifacts = filesOf(t.server);
  return frpsInstructions(t, {
    heading: hostHeading(t.server, 'frps'),
    filesTable: filesTable(t.server, artifacts),
    copyCommands: copyCommands(t.server, artifacts),
  });
}

function otherHostsSection(model: ClusterModel, filesOf: FilesOf): string[] {
  const covered = (h: Host) => h.isNode || h.roles.includes('load-balancer') || model.tunnel?.server === h;
  const rest = model.hosts.filter((h) => !covered(h) && filesOf(h).length);
  if (!rest.length) return [];
  return ['### Other hosts', '', ...rest.flatMap((h) => [hostHeading(h, h.roles.join(', ')), '', ...filesTable(h, filesOf(h)), ''])];
}

/**
 * The "Hosts" section of dist/README.md: per host, which file goes where and which commands to run, in the
 * order that works. `plan`: the host files of this render (rendered once, see {@link planHosts}).
 */
export function hostInstructions(model: ClusterModel, plan: HostPlan = planHosts(model)): string {
  const filesOf: FilesOf = (host) => plan.get(host) ?? [];
  return [
    "Every host's files are in `hosts/<host>/`. No secret is generated: where a step needs one, you create a root-only file (mode 0600) on the host yourself; keep it out of git.",
    'Work in this order: 1. load balancers (the VIP must answer before `kubeadm init`), 2. the first control plane, 3. the other control planes, 4. the workers, 5. the tunnel server.',
    '',
    ...provisioningSection(model),
    ...balancerSection(model, filesOf),
    ...controlPlaneSections(model, filesOf),
    ...workerSection(model, filesOf),
    ...tunnelSection(model, filesOf),
    ...otherHostsSection(model, filesOf),
  ].join('\n');
}
