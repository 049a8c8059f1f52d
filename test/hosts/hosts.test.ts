import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { tunnelServerPorts } from '../../lib/components/frp';
import { renderHostFiles } from '../../lib/hosts';
import { hostInstructions } from '../../lib/readme/hosts';
import { docOfKind, fileOf, reference, variant, variants, yamlDocs } from './fixtures';

const ref = reference();
const files = renderHostFiles(ref);

describe('renderHostFiles', () => {
  it('puts every file under hosts/<known host>/, sorted, without duplicates', () => {
    const paths = files.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
    expect(new Set(paths).size).toBe(paths.length);
    const names = new Set(ref.hosts.map((h) => h.name));
    for (const p of paths) {
      expect(p).toMatch(/^hosts\/[^/]+\/[^.][^ ]*$/);
      expect(names.has(p.split('/')[1]), p).toBe(true);
    }
  });

  it('gives each kind of host its files', () => {
    const of = (host: string) => files.filter((f) => f.path.startsWith(`hosts/${host}/`)).map((f) => f.path.slice(`hosts/${host}/`.length));
    const day2 = ['audit-policy.yaml', 'etcd-snapshot', 'etcd-snapshot.service', 'etcd-snapshot.timer', 'kube-encryption-config', 'var-backups-etcd.mount'];
    const sorted = (names: string[]) => names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(of('n100-001')).toEqual(
      sorted(['approve-kubelet-serving-csrs', ...day2, 'kubeadm-init.yaml', 'meta-data', 'network-config', 'psa-admission.yaml', 'user-data']),
    );
    expect(of('n100-002')).toEqual(sorted([...day2, 'kubeadm-join.yaml', 'meta-data', 'network-config', 'psa-admission.yaml', 'user-data']));
    expect(of('raspberry-005')).toEqual(['kubeadm-join.yaml', 'meta-data', 'network-config', 'user-data']);
    expect(of('nas-002')).toEqual([
      'check_apiserver.sh',
      'haproxy.cfg',
      'haproxy.env.example',
      'haproxy.service.d/10-env.conf',
      'keepalived.conf',
      'keepalived.service.d/10-vrrp-auth.conf',
    ]);
    expect(of('vps')).toEqual(['firewall-ports.txt', 'frps.env.example', 'frps.service', 'frps.toml']);
  });

  it('has the expected file count: 3 control planes x11 (+1 CSR approver on the first), 10 workers x4, n100-004 9, 2 NAS x6 + nas-001 nfs-exports, vps 4', () => {
    expect(files).toHaveLength(3 * 11 + 1 + 10 * 4 + 9 + 2 * 6 + 1 + 4);
  });

  it('sets file modes: scripts executable, kubeadm files root-only', () => {
    const mode = (p: string) => fileOf(ref, p).mode;
    expect(mode('hosts/nas-001/check_apiserver.sh')).toBe(0o755);
    expect(mode('hosts/n100-001/kubeadm-init.yaml')).toBe(0o600);
    expect(mode('hosts/raspberry-001/kubeadm-join.yaml')).toBe(0o600);
    expect(mode('hosts/vps/frps.toml')).toBe(0o644);
  });

  it('is deterministic: rendering twice gives identical files and instructions', () => {
    expect(renderHostFiles(reference())).toEqual(files);
    expect(hostInstructions(reference())).toBe(hostInstructions(ref));
    const m = variants.ipvs();
    expect(renderHostFiles(m)).toEqual(renderHostFiles(variants.ipvs()));
  });
});

describe('consistency across artifacts', () => {
  const cc = docOfKind(fileOf(ref, 'hosts/n100-001/kubeadm-init.yaml').content, 'ClusterConfiguration');
  const [endpointHost, endpointPort] = cc.controlPlaneEndpoint.split(':');

  it('the VIP and port are the same in kubeadm, keepalived, HAProxy and the health check', () => {
    expect(cc.controlPlaneEndpoint).toBe('192.168.100.230:6443');
    for (const lb of ['n100-004', 'nas-001', 'nas-002']) {
      expect(fileOf(ref, `hosts/${lb}/keepalived.conf`).content).toMatch(new RegExp(`\\n\\s+${endpointHost.replace(/\./g, '\\.')}/24 dev \\S+\\n`));
      expect(fileOf(ref, `hosts/${lb}/haproxy.cfg`).content).toContain(`\n    bind :${endpointPort}\n`);
      expect(fileOf(ref, `hosts/${lb}/check_apiserver.sh`).content).toContain(`https://127.0.0.1:${endpointPort}/readyz`);
    }
    for (const node of ['n100-002', 'raspberry-008', '5825u-001']) {
      const join = docOfKind(fileOf(ref, `hosts/${node}/kubeadm-join.yaml`).content, 'JoinConfiguration');
      expect(join.discovery.bootstrapToken.apiServerEndpoint).toBe(cc.controlPlaneEndpoint);
    }
  });

  it('HAProxy backends are exactly the kube-apiserver advertise addresses', () => {
    const init = docOfKind(fileOf(ref, 'hosts/n100-001/kubeadm-init.yaml').content, 'InitConfiguration');
    const advertised = [
      `${init.localAPIEndpoint.advertiseAddress}:${init.localAPIEndpoint.bindPort}`,
      ...['n100-002', 'n100-003'].map((h) => {
        const ep = docOfKind(fileOf(ref, `hosts/${h}/kubeadm-join.yaml`).content, 'JoinConfiguration').controlPlane.localAPIEndpoint;
        return `${ep.advertiseAddress}:${ep.bindPort}`;
      }),
    ];
    const servers = fileOf(ref, 'hosts/nas-001/haproxy.cfg')
      .content.split('\n')
      .filter((l) => l.trim().startsWith('server '))
      .map((l) => l.trim().split(/\s+/)[2]);
    expect(servers).toEqual(advertised);
    expect(servers).toEqual(['192.168.100.201:6443', '192.168.100.202:6443', '192.168.100.203:6443']);
  });

  it('the kubeadm pod subnet is the model pod CIDR', () => {
    expect(cc.networking.podSubnet).toBe('10.244.0.0/16');
    const m = variant((d) => (d.kubernetes.podCidr = '10.42.0.0/16'));
    expect(docOfKind(fileOf(m, 'hosts/n100-001/kubeadm-init.yaml').content, 'ClusterConfiguration').networking.podSubnet).toBe('10.42.0.0/16');
  });

  it('frps listens on the tunnel bindPort and allows exactly the forwarded ports, which are the firewall ports', () => {
    const frps = parseToml(fileOf(ref, 'hosts/vps/frps.toml').content) as { bindPort: number; allowPorts: { single: number }[] };
    expect(frps.bindPort).toBe(7000);
    expect(frps.allowPorts.map((p) => p.single)).toEqual([80, 443]);
    expect(
      tunnelServerPorts(ref.tunnel!)
        .map((p) => p.port)
        .sort((a, b) => a - b),
    ).toEqual([...frps.allowPorts.map((p) => p.single), frps.bindPort, 22].sort((a, b) => a - b));
    const firewall = fileOf(ref, 'hosts/vps/firewall-ports.txt')
      .content.split('\n')
      .filter((l) => /^\d/.test(l))
      .map((l) => l.split(/\s+/)[0]);
    expect(firewall).toEqual(['22/tcp', '80/tcp', '443/tcp', '7000/tcp']);
  });

  it('the kube-proxy mode, the node modules and containerd NRI follow the same model fields', () => {
    const m = variants.ipvs();
    expect(docOfKind(fileOf(m, 'hosts/n100-001/kubeadm-init.yaml').content, 'KubeProxyConfiguration').mode).toBe('ipvs');
    expect(fileOf(m, 'hosts/raspberry-002/user-data').content).toContain('ip_vs_rr');
  });
});

describe('no secret in any host file', () => {
  const SECRET_PATTERNS: [string, RegExp][] = [
    ['bootstrap token value', /token:\s*["']?[a-z0-9]{6}\.[a-z0-9]{16}/],
    ['VRRP password', /auth_pass\s+(?!<)\S/],
    ['HAProxy stats password literal', /stats auth\s+(?!"\$\{[A-Z_][A-Z0-9_]*\}:\$\{[A-Z_][A-Z0-9_]*\}"\s*$)/m],
    ['frp token literal', /auth\.token\s*=|^\s*token\s*=/m],
    ['certificate key value', /certificateKey:\s*["']?[0-9a-f]{64}/],
    ['CA hash value', /sha256:[0-9a-f]{64}/],
    ['private key', /PRIVATE KEY/],
  ];
  const models = { reference: ref, ipvs: variants.ipvs(), singleBalancer: variants.singleBalancer() };

  for (const [label, m] of Object.entries(models)) {
    it(`${label}: files and README section match no secret pattern`, () => {
      const texts = [...renderHostFiles(m).map((f) => [f.path, f.content] as const), ['README', hostInstructions(m)] as const];
      for (const [path, content] of texts) {
        for (const [what, re] of SECRET_PATTERNS) expect(content, `${path}: ${what}`).not.toMatch(re);
      }
    });
  }

  it('the patterns do catch literal secrets', () => {
    const bad = [
      'token: abcdef.0123456789abcdef',
      'auth_pass 42',
      'stats auth admin:hunter2',
      'stats auth "admin:${PASS}"',
      'auth.token = "x"',
      `certificateKey: "${'a'.repeat(64)}"`,
    ];
    for (const text of bad)
      expect(
        SECRET_PATTERNS.some(([, re]) => re.test(text)),
        text,
      ).toBe(true);
  });

  it('placeholders survive as placeholders', () => {
    const join = yamlDocs(fileOf(ref, 'hosts/n100-003/kubeadm-join.yaml').content)[0];
    expect(join.discovery.bootstrapToken.token).toBe('${KUBEADM_TOKEN}');
  });
});

describe('hostInstructions', () => {
  const md = hostInstructions(ref);

  it('orders the work: balancers, first control plane, other control planes, workers, tunnel server', () => {
    const at = (s: string) => md.indexOf(s);
    const order = ['### 1. Load balancers', '### 2. First control plane', '### 3. Other control planes', '### 4. Workers', '### 5. Tunnel server'].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('names every host that gets files, and every file of the balancers and the VPS with its target', () => {
    for (const h of ref.hosts) expect(md, h.name).toContain(h.name);
    expect(md).toContain('| `hosts/nas-001/keepalived.conf` | `/etc/keepalived/keepalived.conf` |');
    expect(md).toContain('install -D -m 0755 check_apiserver.sh /etc/keepalived/check_apiserver.sh');
    expect(md).toContain('| `hosts/vps/frps.toml` | `/etc/frp/frps.toml` |');
  });

  it('gives the commands: init with --upload-certs, joins through envsubst, the secrets to create', () => {
    expect(md).toContain('kubeadm init --config /etc/kubernetes/kubeadm-init.yaml --upload-certs');
    expect(md).toContain(
      "envsubst '$KUBEADM_TOKEN $KUBEADM_CA_CERT_HASH $KUBEADM_CERTIFICATE_KEY' < /etc/kubernetes/kubeadm-join.yaml > /run/kubeadm-join.yaml",
    );
    expect(md).toContain("envsubst '$KUBEADM_TOKEN $KUBEADM_CA_CERT_HASH' < /etc/kubernetes/kubeadm-join.yaml");
    expect(md).toContain('install -m 0600 /dev/null /etc/keepalived/vrrp-auth.conf');
    expect(md).toContain('/etc/haproxy/stats.env');
    expect(md).toContain('/etc/frp/token');
  });

  it('states the failover priorities and the tunnel ports from the same plan the files use', () => {
    expect(md).toContain('| n100-004 | 192.168.100.204 | MASTER | 150 | 89 |');
    expect(md).toContain('`80/tcp`, `443/tcp`, `7000/tcp`');
    expect(md).toContain('DE15B14486CD377B9E876E1A234654DA9A296436');
  });

  it('says so when there is no tunnel or a single control plane', () => {
    expect(hostInstructions(variants.noTunnel())).toContain('None: no tunnel is described.');
    expect(hostInstructions(variants.singleControlPlane())).toContain('None: this cluster has a single control plane.');
  });
});
