import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { hostArtifacts, renderHostFiles, renderUserData } from '../../lib/hosts';
import type { ClusterModel } from '../../lib/model/types';
import { type Doc, fileOf, reference, variant, variants, yamlDocs } from './fixtures';

const ref = reference();
const userData = (m: ClusterModel, host: string): Doc => yamlDocs(fileOf(m, `hosts/${host}/user-data`).content)[0];
const writeFile = (ud: Doc, path: string): Doc => {
  const found = (ud.write_files as Doc[]).filter((f) => f.path === path);
  if (found.length !== 1) throw new Error(`${found.length} write_files entries for ${path}`);
  return found[0];
};
/** The lines of the one first-boot script (runcmd holds exactly one entry, starting with `set -eu`). */
const commands = (ud: Doc): string[] => {
  const runcmd = ud.runcmd as string[];
  expect(runcmd).toHaveLength(1);
  const lines = runcmd[0].split('\n').filter((l) => l);
  expect(lines[0]).toBe('set -eu');
  return lines.slice(1);
};

const PROVISIONED = ['5825u-001', '5825u-002', 'n100-001', 'n100-002', 'n100-003', 'n100-004', ...[1, 2, 3, 4, 5, 6, 7, 8].map((i) => `raspberry-00${i}`)];

describe('cloud-init seed files', () => {
  it('exist for exactly the provisioned hosts (not the NAS or the VPS)', () => {
    const seeded = (file: string) =>
      renderHostFiles(ref)
        .filter((f) => f.path.endsWith(`/${file}`))
        .map((f) => f.path.split('/')[1])
        .sort();
    expect(seeded('user-data')).toEqual([...PROVISIONED].sort());
    expect(seeded('meta-data')).toEqual([...PROVISIONED].sort());
    expect(seeded('network-config')).toEqual([...PROVISIONED].sort());
  });

  it('user-data starts with #cloud-config and uses only allow-listed top-level keys', () => {
    // cloud-init modules we rely on (cc_set_hostname, cc_users_groups, cc_ssh, cc_package_update_upgrade_install,
    // cc_write_files, cc_runcmd, cc_power_state_change), written out here rather than taken from the renderer
    const allowed = ['hostname', 'users', 'ssh_pwauth', 'package_update', 'package_upgrade', 'packages', 'write_files', 'runcmd', 'power_state'];
    const models = [ref, variants.ipvs(), variants.singleBalancer()];
    for (const m of models) {
      for (const f of renderHostFiles(m).filter((x) => x.path.endsWith('/user-data'))) {
        expect(f.content.split('\n')[0], f.path).toBe('#cloud-config');
        const keys = Object.keys(yamlDocs(f.content)[0]);
        expect(
          keys.filter((k) => !allowed.includes(k)),
          f.path,
        ).toEqual([]);
      }
    }
    expect(Object.keys(userData(ref, 'n100-001'))).toEqual([
      'hostname',
      'users',
      'ssh_pwauth',
      'package_update',
      'package_upgrade',
      'packages',
      'write_files',
      'runcmd',
    ]);
    expect(Object.keys(userData(ref, 'raspberry-001'))).toEqual([...Object.keys(userData(ref, 'n100-001')), 'power_state']);
  });

  it('network-config v2 gives the static address, default route and DNS of the model', () => {
    expect(yamlDocs(fileOf(ref, 'hosts/n100-002/network-config').content)[0]).toEqual({
      version: 2,
      ethernets: {
        enp1s0: {
          dhcp4: false,
          addresses: ['192.168.100.202/24'],
          routes: [{ to: 'default', via: '192.168.100.1' }],
          nameservers: { addresses: ['192.168.100.1'] },
        },
      },
    });
    const m = variant(
      (d) => (d.lan = { cidr: '192.168.100.0/24', gateway: '192.168.100.2', dnsServers: ['192.168.100.3', '1.1.1.1'], searchDomains: ['home.arpa'] }),
    );
    const eth0 = yamlDocs(fileOf(m, 'hosts/raspberry-003/network-config').content)[0].ethernets.eth0;
    expect(eth0.routes).toEqual([{ to: 'default', via: '192.168.100.2' }]);
    expect(eth0.nameservers).toEqual({ addresses: ['192.168.100.3', '1.1.1.1'], search: ['home.arpa'] });
  });

  it('meta-data has a stable, unique instance-id and the host name', () => {
    const meta = PROVISIONED.map((h) => yamlDocs(fileOf(ref, `hosts/${h}/meta-data`).content)[0]);
    expect(meta[2]).toEqual({ 'instance-id': 'homelab-n100-001', 'local-hostname': 'n100-001' });
    expect(new Set(meta.map((x) => x['instance-id'])).size).toBe(PROVISIONED.length);
  });
});

describe('user-data of Kubernetes nodes', () => {
  const ud = userData(ref, 'raspberry-001');

  it('sets the hostname and the model users with SSH access (literal keys, which need no network, and imports) and sudo, and no password login', () => {
    expect(ud.hostname).toBe('raspberry-001');
    expect(ud.ssh_pwauth).toBe(false);
    expect(ud.users).toEqual([
      {
        name: 'owner',
        shell: '/bin/bash',
        lock_passwd: true,
        sudo: 'ALL=(ALL) NOPASSWD:ALL',
        ssh_authorized_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl owner@laptop'],
        ssh_import_id: ['gh:owner'],
      },
    ]);
    const keyed = variant((d) => (d.users = [{ name: 'ops', sudo: false, sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITest ops@laptop'] }]));
    expect(userData(keyed, 'n100-001').users).toEqual([
      { name: 'ops', shell: '/bin/bash', lock_passwd: true, ssh_authorized_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITest ops@laptop'] },
    ]);
    // No literal key anywhere: refused, since first-boot access would depend on GitHub.
    expect(() => variant((d) => (d.users = [{ name: 'ops', sshImportIds: ['gh:ops'] }]))).toThrow(/no user has sshAuthorizedKeys/);
    expect(() => variant((d) => (d.users = []))).toThrow(/no user is listed/);
  });

  it('loads the kernel modules and sysctls Kubernetes, Flannel VXLAN and kube-network-policies need', () => {
    expect(
      writeFile(ud, '/etc/modules-load.d/kubernetes.conf')
        .content.split('\n')
        .filter((l: string) => l && !l.startsWith('#')),
    ).toEqual(['overlay', 'br_netfilter', 'vxlan', 'nfnetlink_queue']);
    expect(writeFile(ud, '/etc/sysctl.d/90-kubernetes.conf').content).toContain('net.ipv4.ip_forward = 1\n');
    expect(writeFile(ud, '/etc/sysctl.d/90-kubernetes.conf').content).toContain('net.bridge.bridge-nf-call-iptables = 1\n');
    expect(commands(ud).slice(0, 2)).toEqual(['systemctl restart systemd-modules-load.service', 'sysctl --system']);
  });

  it('adds the IPVS modules and tools only in IPVS mode', () => {
    const ipvs = userData(variants.ipvs(), 'raspberry-001');
    expect(writeFile(ipvs, '/etc/modules-load.d/kubernetes.conf').content).toMatch(/\nip_vs\nip_vs_rr\nip_vs_wrr\nip_vs_sh\nnf_conntrack\n/);
    expect(ipvs.packages).toEqual(expect.arrayContaining(['ipset', 'ipvsadm']));
    expect(ud.packages).not.toContain('ipvsadm');
    expect(writeFile(ud, '/etc/modules-load.d/kubernetes.conf').content).not.toContain('ip_vs');
  });

  it('turns swap off now and for later boots', () => {
    expect(commands(ud)).toContain('swapoff -a');
    expect(commands(ud).some((c) => c.startsWith('sed -ri') && c.endsWith('/etc/fstab') && c.includes('swap'))).toBe(true);
  });

  it('configures containerd for systemd cgroups, the kubeadm pause image and NRI for kube-network-policies', () => {
    const file = writeFile(ud, '/etc/containerd/config.toml');
    expect(file).not.toHaveProperty('defer');
    const config = parseToml(file.content) as Doc;
    expect(config.version).toBe(2);
    const cri = config.plugins['io.containerd.grpc.v1.cri'];
    expect(cri.sandbox_image).toBe('registry.k8s.io/pause:3.10');
    expect(cri.containerd.runtimes.runc).toEqual({ runtime_type: 'io.containerd.runc.v2', options: { SystemdCgroup: true } });
    expect(config.plugins['io.containerd.nri.v1.nri']).toEqual({ disable: false, socket_path: '/var/run/nri/nri.sock' });
  });

  it('leaves NRI off when kube-network-policies runs without it', () => {
    const m = variant((d) => (d.cni.nri = false));
    const config = parseToml(writeFile(userData(m, 'raspberry-001'), '/etc/containerd/config.toml').content) as Doc;
    expect(config.plugins).not.toHaveProperty(['io.containerd.nri.v1.nri']);
  });

  it('installs kubelet, kubeadm and kubectl pinned to the model version from pkgs.k8s.io, and holds them', () => {
    // The apt list is written by the script after the key checked out, never by write_files.
    expect((ud.write_files as Doc[]).some((f) => f.path === '/etc/apt/sources.list.d/kubernetes.list')).toBe(false);
    const cmds = commands(ud);
    const fingerprint = cmds.findIndex((c) => c.includes("grep -q '^fpr:::::::::DE15B14486CD377B9E876E1A234654DA9A296436:$'"));
    const list = cmds.findIndex((c) => c.endsWith('install -m 0644 /dev/stdin /etc/apt/sources.list.d/kubernetes.list'));
    expect(cmds[list]).toContain("'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.32/deb/ /'");
    expect(fingerprint).toBeGreaterThan(cmds.findIndex((c) => c.includes('Release.key')));
    expect(list).toBeGreaterThan(fingerprint);
    const keyStep = list;
    const install = cmds.indexOf('apt-get install -y kubelet=1.32.3-1.1 kubeadm=1.32.3-1.1 kubectl=1.32.3-1.1');
    expect(keyStep).toBeGreaterThan(-1);
    expect(cmds.indexOf('apt-get update')).toBeGreaterThan(keyStep);
    expect(install).toBeGreaterThan(cmds.indexOf('apt-get update'));
    expect(cmds[install + 1]).toBe('apt-mark hold kubelet kubeadm kubectl');
    expect(ud.packages).not.toContain('kubelet');
  });

  it('follows the model minor and version', () => {
    const m = variant((d) => (d.kubernetes.version = 'v1.33.1'));
    const u = userData(m, 'n100-002');
    expect(commands(u).find((c) => c.includes('/etc/apt/sources.list.d/kubernetes.list'))).toContain('/core:/stable:/v1.33/deb/');
    expect(commands(u)).toContain('apt-get install -y kubelet=1.33.1-1.1 kubeadm=1.33.1-1.1 kubectl=1.33.1-1.1');
  });

  it('installs nfs-common only when the cluster has NFS storage', () => {
    expect(ud.packages).toEqual(['ca-certificates', 'containerd', 'curl', 'gettext-base', 'gnupg', 'nfs-common']);
    expect(
      userData(
        variant((d) => delete d.storage),
        'raspberry-001',
      ).packages,
    ).not.toContain('nfs-common');
  });

  it('enables the memory cgroup on Raspberry Pis only, rebooting once when the running kernel lacks it', () => {
    expect(commands(ud)).toContain("sed -i '1{/cgroup_enable=memory/!s/$/ cgroup_enable=memory cgroup_memory=1/}' /boot/firmware/cmdline.txt");
    expect(ud.power_state).toMatchObject({ mode: 'reboot', condition: ['sh', '-c', '! grep -qw cgroup_enable=memory /proc/cmdline'] });
    const n100 = userData(ref, 'n100-001');
    expect(commands(n100).some((c) => c.includes('cmdline.txt'))).toBe(false);
    expect(n100).not.toHaveProperty('power_state');
  });

  it('carries no key material', () => {
    for (const h of PROVISIONED) expect(fileOf(ref, `hosts/${h}/user-data`).content).not.toMatch(/BEGIN PGP|PRIVATE KEY/);
  });
});

describe('user-data of the provisioned balancer (n100-004)', () => {
  const ud = userData(ref, 'n100-004');

  it('installs keepalived, HAProxy and curl and nothing of Kubernetes', () => {
    expect(ud.packages).toEqual(['curl', 'haproxy', 'keepalived']);
    const text = fileOf(ref, 'hosts/n100-004/user-data').content;
    expect(text).not.toMatch(/kubelet|kubeadm|containerd|pkgs\.k8s\.io/);
  });

  it('places the balancer files and enables both services', () => {
    expect((ud.write_files as Doc[]).map((f) => `${f.path} ${f.permissions}`)).toEqual([
      '/etc/haproxy/haproxy.cfg 0644',
      '/etc/keepalived/check_apiserver.sh 0755',
      '/etc/keepalived/keepalived.conf 0644',
      '/etc/systemd/system/haproxy.service.d/10-env.conf 0644',
      '/etc/systemd/system/keepalived.service.d/10-vrrp-auth.conf 0644',
    ]);
    expect(commands(ud)).toEqual(['systemctl daemon-reload', 'systemctl enable haproxy.service keepalived.service']);
  });
});

describe('embedding', () => {
  it('every installable file of a provisioned host is embedded byte for byte with its mode, and no secret template is', () => {
    for (const host of ref.hosts.filter((h) => h.provision)) {
      const artifacts = hostArtifacts(ref, host);
      const ud = userData(ref, host.name);
      for (const a of artifacts) {
        if (a.delivery === 'file') {
          const wf = writeFile(ud, a.target);
          expect(wf.content, `${host.name}:${a.file}`).toBe(a.content);
          expect(wf.permissions).toBe(`0${a.mode.toString(8)}`);
          expect(wf.owner).toBe('root:root');
        }
        if (a.delivery === 'secret-template') expect((ud.write_files as Doc[]).some((f) => f.path === a.target)).toBe(false);
      }
    }
  });

  it('kubeadm files reach the control planes and workers through write_files', () => {
    expect(writeFile(userData(ref, 'n100-001'), '/etc/kubernetes/kubeadm-init.yaml').permissions).toBe('0600');
    expect(writeFile(userData(ref, 'n100-001'), '/etc/kubernetes/psa/psa-admission.yaml').content).toContain('PodSecurityConfiguration');
    expect(writeFile(userData(ref, '5825u-002'), '/etc/kubernetes/kubeadm-join.yaml').content).toContain('name: "5825u-002"');
  });

  it('renderUserData is a pure function of its inputs', () => {
    const host = ref.hosts[0];
    expect(renderUserData(ref, host, hostArtifacts(ref, host))).toBe(fileOf(ref, 'hosts/n100-001/user-data').content);
  });
});
