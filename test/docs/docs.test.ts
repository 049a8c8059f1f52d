/**
 * Generated docs (lib/docs): inventory, IP plan, port matrix, failure domains, checks and Mermaid diagrams,
 * asserted on meaning for the reference cluster and on shape for other valid descriptions.
 */
import { describe, expect, it } from 'vitest';
import { failureDomains, listeners, renderDocs, type DocsContext } from '../../lib/docs';
import { Flowchart, mermaidId, mermaidLabel } from '../../lib/docs/mermaid';
import { loadDescription } from '../../lib/model/load';
import type { ClusterModel } from '../../lib/model/types';
import { checkFlowchart, mermaidBlocks } from './mermaid-syntax';

const reference = loadDescription('hostconfig/cluster.yaml');
const lanOnly = loadDescription('test/fixtures/valid/single-control-plane-no-tunnel.yaml');
const lab = loadDescription('test/fixtures/valid/five-control-planes-other-subnet.yaml');
const minimal = loadDescription('test/fixtures/valid/minimal.yaml');

const context: DocsContext = {
  checks: [
    { name: 'first-check', description: 'The first thing holds.' },
    { name: 'composite', description: 'Several facts hold.', facts: [{ name: 'fact-a', description: 'Fact A holds.' }] },
  ],
};

function page(model: ClusterModel, name: string): string {
  const file = renderDocs(model, context).find((f) => f.path === `docs/${name}`);
  if (!file) throw new Error(`no docs/${name}`);
  return file.content;
}

/** Rows of the first Markdown table after `heading`, as arrays of trimmed cells. */
function tableAfter(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe('renderDocs', () => {
  it('writes Markdown under docs/ only, so kubectl apply -f dist ignores it', () => {
    const files = renderDocs(reference, context);
    expect(files.map((f) => f.path)).toEqual(['docs/architecture.md', 'docs/checks.md', 'docs/inventory.md', 'docs/network.md']);
    for (const f of files) expect(f.content.endsWith('\n')).toBe(true);
  });

  it('is deterministic: same model, same bytes; a re-loaded model gives the same bytes too', () => {
    const a = renderDocs(reference, context);
    const b = renderDocs(loadDescription('hostconfig/cluster.yaml'), context);
    expect(b).toEqual(a);
  });

  it('changes when the model changes (it is computed, not canned)', () => {
    const moved: ClusterModel = { ...reference, apiServer: { ...reference.apiServer, vip: '192.168.100.231' } };
    const text = page(moved, 'architecture.md');
    expect(text).toContain('192.168.100.231:6443');
    expect(text).not.toContain('192.168.100.230');
  });
});

describe('inventory', () => {
  const rows = tableAfter(page(reference, 'inventory.md'), '## Hosts');

  it('has one row per host in description order with IP, arch, hardware, roles, node and provisioning', () => {
    expect(rows.map((r) => r[0])).toEqual(
      [
        'n100-001',
        'n100-002',
        'n100-003',
        'n100-004',
        'raspberry-001',
        'raspberry-002',
        'raspberry-003',
        'raspberry-004',
        'raspberry-005',
        'raspberry-006',
        'raspberry-007',
        'raspberry-008',
        '5825u-001',
        '5825u-002',
        'nas-001',
        'nas-002',
        'vps',
      ].map((name) => `\`${name}\``),
    );
    const row = (name: string) => rows.find((r) => r[0] === `\`${name}\``)!;
    expect(row('5825u-001')).toEqual(['`5825u-001`', '192.168.100.221', 'amd64', 'mini PC', 'worker', 'yes', 'yes (ubuntu-24.04)', '`enp2s0`']);
    expect(row('raspberry-003').slice(1, 6)).toEqual(['192.168.100.213', 'arm64', 'Raspberry Pi', 'worker', 'yes']);
    expect(row('n100-004').slice(4, 7)).toEqual(['load-balancer', 'no', 'yes (ubuntu-24.04)']);
    expect(row('nas-001').slice(1, 7)).toEqual(['192.168.100.171', 'amd64', 'NAS', 'load-balancer, nfs-server', 'no', 'no']);
    expect(row('vps').slice(1, 7)).toEqual(['161.132.4.98', 'amd64', 'VPS', 'tunnel-server', 'no', 'no']);
  });

  it('summarises node counts by role and architecture', () => {
    expect(page(reference, 'inventory.md')).toContain('17 hosts, 13 Kubernetes nodes: 3 control planes, 10 workers (8 arm64, 2 amd64), 3 balancers.');
  });
});

describe('IP plan', () => {
  const plan = (model: ClusterModel) => new Map(tableAfter(page(model, 'inventory.md'), '## IP plan').map((r) => [r[0], r.slice(1)] as const));

  it('lists LAN, gateway, VIP, pools with sizes, ingress, NAS, VPS, pod and service CIDRs', () => {
    const p = plan(reference);
    expect(p.get('LAN')).toEqual(['192.168.100.0/24', '254 usable addresses']);
    expect(p.get('Gateway')?.[0]).toBe('192.168.100.1');
    expect(p.get('API VIP')?.[0]).toBe('192.168.100.230:6443');
    expect(p.get('MetalLB pool `lan-pool`')).toEqual(['192.168.100.241-192.168.100.254', '14 addresses']);
    expect(p.get('MetalLB pool `lan-pool-ingress`')).toEqual(['192.168.100.240/32', '1 address, not auto-assigned']);
    expect(p.get('Ingress')?.[0]).toBe('192.168.100.240');
    expect(p.get('NAS (NFS server)')?.[0]).toBe('192.168.100.171:2049');
    expect(p.get('VPS (tunnel server)')?.[0]).toBe('161.132.4.98');
    expect(p.get('Pod CIDR')?.slice(0, 1)).toEqual(['10.244.0.0/16']);
    expect(p.get('Pod CIDR')?.[1]).toMatch(/^65,536 addresses/);
    expect(p.get('Service CIDR')?.[1]).toMatch(/^1,048,576 addresses/);
  });

  it('sizes CIDR pools and several pools; omits NAS and VPS when the model has none', () => {
    const p = plan(lab);
    expect(p.get('MetalLB pool `ingress`')).toEqual(['10.20.3.0/28', '16 addresses, not auto-assigned']);
    expect(p.get('MetalLB pool `general`')).toEqual(['10.20.3.16-10.20.3.100', '85 addresses']);
    const q = plan(lanOnly);
    expect(q.has('NAS (NFS server)')).toBe(false);
    expect(q.has('VPS (tunnel server)')).toBe(false);
    expect(q.get('MetalLB pool `services`')).toEqual(['192.168.50.192-192.168.50.199, 192.168.50.201-192.168.50.223', '31 addresses']);
    expect(q.get('MetalLB pool `services-ingress`')).toEqual(['192.168.50.200/32', '1 address, not auto-assigned']);
  });
});

describe('port matrix', () => {
  const find = (model: ClusterModel, where: string, port: string) => listeners(model).filter((l) => l.where === where && l.port === port);

  it('says what listens where: HAProxy on each balancer → kube-apiserver bindPort on each control plane', () => {
    for (const b of ['n100-004', 'nas-001', 'nas-002']) {
      const [api] = find(reference, b, '6443');
      expect(api.service).toMatch(/^HAProxy frontend for the Kubernetes API/);
      expect(api.address).toContain('VIP 192.168.100.230');
      expect(find(reference, b, '8404')[0].service).toContain('/stats');
      const [vrrp] = find(reference, b, '-');
      expect(vrrp.protocol).toBe('IP proto 112');
      expect(vrrp.service).toContain('unicast');
    }
    expect(find(reference, 'n100-004', '6443')[0].service).toContain('MASTER, priority 150');
    for (const cp of ['n100-001', 'n100-002', 'n100-003']) expect(find(reference, cp, '6443')[0].service).toBe('kube-apiserver');
  });

  it('covers the ingress IP, NFS on the NAS and frps on the VPS', () => {
    const rows = listeners(reference);
    expect(rows.filter((l) => l.address === '192.168.100.240').map((l) => l.port)).toEqual(['80', '443']);
    expect(find(reference, 'nas-001', '2049')[0]).toMatchObject({ address: '192.168.100.171', protocol: 'TCP' });
    expect(find(reference, 'vps', '7000')[0]).toMatchObject({ address: '161.132.4.98', reach: 'Internet' });
    expect(find(reference, 'vps', '7500')[0]).toMatchObject({ address: '127.0.0.1', reach: 'VPS only' });
    expect(find(reference, 'vps', '443')[0].service).toContain('192.168.100.240:443');
  });

  it('follows the model: other ports, a forwarded port to another local port, PROXY protocol', () => {
    expect(find(lab, 'lb-1', '8443')).toHaveLength(1);
    expect(find(lab, 'cp-5', '6443')[0].service).toBe('kube-apiserver');
    expect(find(lab, 'edge', '7443')).toHaveLength(1);
    expect(find(lab, 'edge', '8080')[0].service).toContain('10.20.3.1:80 (PROXY protocol v2)');
    expect(listeners(lanOnly).some((l) => l.where === 'vps' || l.port === '7000')).toBe(false);
    expect(find(lanOnly, 'lb', '-')[0].service).not.toContain('unicast');
  });

  it('prints the port matrix, what the tunnel exposes and the VPS firewall', () => {
    const text = page(reference, 'network.md');
    expect(tableAfter(text, '## What the tunnel exposes')).toEqual([
      ['161.132.4.98:80/tcp', '`http`', '192.168.100.240:80', 'no'],
      ['161.132.4.98:443/tcp', '`https`', '192.168.100.240:443', 'no'],
    ]);
    const firewall = tableAfter(text, '### Firewall on vps (161.132.4.98)');
    expect(firewall.map((r) => r[0])).toEqual(['22', '80', '443', '7000']);
    // where, port and protocol of every listener of the reference cluster, written out
    expect(tableAfter(text, '## Port matrix').map((r) => `${r[0]} ${r[2]}/${r[3]}`)).toEqual([
      ...['n100-004', 'nas-001', 'nas-002'].flatMap((b) => [`${b} 6443/TCP`, `${b} 8404/TCP`, `${b} -/IP proto 112`]),
      ...['n100-001', 'n100-002', 'n100-003'].flatMap((cp) => [`${cp} 6443/TCP`, `${cp} 2379-2380/TCP`]),
      'every node (13) 10250/TCP',
      'every node (13) 8472/UDP',
      'every node (13) 7946/TCP+UDP',
      'MetalLB L2 (pool lan-pool-ingress) 80/TCP',
      'MetalLB L2 (pool lan-pool-ingress) 443/TCP',
      'nas-001 2049/TCP',
      'vps 7000/TCP',
      'vps 7500/TCP',
      'vps 80/TCP',
      'vps 443/TCP',
    ]);
    expect(page(lanOnly, 'network.md')).toContain('Nothing: there is no tunnel server');
  });
});

describe('failure domains', () => {
  const byFailure = (model: ClusterModel, prefix: string) => {
    const found = failureDomains(model).filter((d) => d.failure.startsWith(prefix));
    expect(found, prefix).toHaveLength(1);
    return found[0];
  };

  it('balancer down: kubectl and self-healing stop, running apps keep serving (named hosts, VIP, ingress)', () => {
    const d = byFailure(reference, 'Balancers down');
    expect(d.failure).toContain('n100-004, nas-001 and nas-002');
    expect(d.hosts).toEqual(['n100-004 192.168.100.204', 'nas-001 192.168.100.171', 'nas-002 192.168.100.172', 'VIP 192.168.100.230']);
    expect(d.breaks).toContain('192.168.100.230:6443');
    expect(d.breaks).toContain('`kubectl` and self-healing stop');
    expect(d.keepsWorking).toContain('keep serving');
    expect(d.keepsWorking).toContain('192.168.100.240:80/443');
    expect(d.keepsWorking).toContain('https://192.168.100.201:6443');
  });

  it('MetalLB down: LAN and Internet lose the apps, administration keeps working', () => {
    const d = byFailure(reference, 'MetalLB down');
    expect(d.hosts).toContain('pool lan-pool (192.168.100.241-192.168.100.254) and lan-pool-ingress (192.168.100.240/32)');
    expect(d.breaks).toContain('LAN users lose the apps at 192.168.100.240:80/443');
    expect(d.breaks).toContain('Internet users lose them too');
    expect(d.keepsWorking).toMatch(/^Cluster administration: the API VIP 192\.168\.100\.230/);
  });

  it('FRP down: only Internet access is lost; LAN users and administration are fine', () => {
    const d = byFailure(reference, 'FRP down');
    expect(d.hosts).toEqual(['vps 161.132.4.98:7000', 'frpc → 192.168.100.240']);
    expect(d.breaks).toBe('Only Internet access: public ports 80 and 443 on 161.132.4.98 stop answering.');
    expect(d.keepsWorking).toContain('LAN users reach the apps at 192.168.100.240:80/443');
    expect(d.keepsWorking).toContain('administration through 192.168.100.230:6443');
  });

  it('names the failover target, the NFS server and the quorum; notes a host in two domains', () => {
    expect(byFailure(reference, 'MASTER balancer n100-004 down').breaks).toContain('to nas-001 (priority 100');
    const nfs = byFailure(reference, 'NFS server nas-001 down');
    expect(nfs.breaks).toContain('nas-001, nas-002 and nas-003');
    expect(nfs.breaks).toContain('nas-001 is also a balancer (priority 100): the VIP stays with n100-004');
    expect(byFailure(reference, 'One control plane down').breaks).toContain('2 of 3');
    expect(byFailure(lab, 'One control plane down').breaks).toContain('3 of 5');
  });

  it('has no FRP or NFS row without a tunnel or storage, and a single control plane is its own domain', () => {
    const names = failureDomains(lanOnly).map((d) => d.failure);
    expect(names.some((n) => n.startsWith('FRP'))).toBe(false);
    expect(names.some((n) => n.startsWith('NFS'))).toBe(false);
    expect(names.some((n) => n.startsWith('MASTER balancer'))).toBe(false);
    expect(names).toContain('The only control plane cp down');
    expect(byFailure(lanOnly, 'MetalLB down').breaks).not.toContain('Internet');
  });

  it('is printed as a table in architecture.md', () => {
    const rows = tableAfter(page(reference, 'architecture.md'), '## Failure domains');
    expect(rows.map((r) => r[0])).toEqual([
      'Balancers down: keepalived/HAProxy on n100-004, nas-001 and nas-002',
      'MASTER balancer n100-004 down',
      'MetalLB down (namespace metallb-system)',
      'FRP down: frps on vps or frpc (namespace frpc)',
      'NFS server nas-001 down',
      'One control plane down (of n100-001, n100-002 and n100-003)',
    ]);
    expect(rows[0][1]).toBe('n100-004 192.168.100.204<br>nas-001 192.168.100.171<br>nas-002 192.168.100.172<br>VIP 192.168.100.230');
  });
});

describe('checks page', () => {
  it('lists the checks passed in, the facts of composite checks, and the model invariants with values', () => {
    const text = page(reference, 'checks.md');
    expect(tableAfter(text, '## Output checks')).toEqual([
      ['`first-check`', 'The first thing holds.'],
      ['`composite`', 'Several facts hold.'],
    ]);
    expect(tableAfter(text, '### `composite`')).toEqual([['`fact-a`', 'Fact A holds.']]);
    const invariants = new Map(tableAfter(text, '## Model invariants').map((r) => [r[0], r[1]] as const));
    expect(invariants.get('`etcd-quorum`')).toContain('3 control planes (n100-001, n100-002 and n100-003)');
    expect(invariants.get('`vip`')).toContain('192.168.100.230');
    expect(invariants.get('`ingress-ip`')).toBe('The ingress IP 192.168.100.240 lies in pool lan-pool-ingress.');
    expect(page(lanOnly, 'checks.md')).not.toContain('`tunnel-ports`');
  });
});

describe('Mermaid diagrams', () => {
  for (const [name, model] of [
    ['reference', reference],
    ['lab', lab],
    ['lan-only', lanOnly],
    ['minimal', minimal],
  ] as const) {
    it(`are valid flowcharts with safe ids (${name})`, () => {
      const blocks = mermaidBlocks(page(model, 'architecture.md'));
      expect(blocks.length).toBe(model.storage ? 3 : 2);
      for (const block of blocks) expect(checkFlowchart(block)).toEqual([]);
    });
  }

  it('draws the API path kubectl → VIP → each balancer (MASTER/BACKUP) → each control plane', () => {
    const [api] = mermaidBlocks(page(reference, 'architecture.md'));
    expect(api).toContain('Client_kubectl -->|"TCP 6443"| Vip_api');
    expect(api).toContain('Vip_api -->|"holds the VIP"| Balancer_n100_004');
    expect(api).toContain('Vip_api -.->|"takes over on failure"| Balancer_nas_002');
    expect(api).toContain('Balancer_n100_004["n100-004 192.168.100.204<br/>MASTER, priority 150<br/>HAProxy :6443"]');
    for (const b of ['n100_004', 'nas_001', 'nas_002']) {
      for (const cp of ['n100_001', 'n100_002', 'n100_003']) expect(api).toContain(`Balancer_${b} --> ControlPlane_${cp}`);
    }
  });

  it('draws Internet → frps → frpc → ingress IP → Service, and StorageClasses → NFS shares', () => {
    const [, internet, storage] = mermaidBlocks(page(reference, 'architecture.md'));
    expect(internet).toContain('Client_internet -->|"TCP 80, 443"| Vps_vps');
    expect(internet).toContain('Frpc_frpc -->|"dials 161.132.4.98:7000"| Vps_vps');
    expect(internet).toContain('Frpc_frpc -->|"80 → 80, 443 → 443"| Ingress_ip');
    expect(internet).toContain('Ingress_ip --> Service_ingress');
    expect(storage).toContain('subgraph Group_nfs["NFS server nas-001 192.168.100.171:2049"]');
    expect(storage).toContain('Driver_nfs -->|"nas-002"| Share__mnt_server2');
  });

  it('sanitises ids: digits first, keywords, collisions, quotes in labels', () => {
    expect(mermaidId('Host', '5825u-001')).toBe('Host_5825u_001');
    expect(mermaidId('host', 'end')).toBe('Host_end');
    const chart = new Flowchart();
    const a = chart.node('Host', 'a-b', 'say "hi" (a|b) --> x');
    const b = chart.node('Host', 'a_b', 'second');
    const c = chart.node('Host', 'end', 'end');
    chart.edge(a, b, 'x "y"');
    chart.edge(b, c);
    expect(a).not.toBe(b);
    expect(chart.id('Host', 'a-b')).toBe(a);
    const block = mermaidBlocks(chart.render())[0];
    expect(checkFlowchart(block)).toEqual([]);
    expect(block).toContain('"say #quot;hi#quot; (a|b) --> x"');
    expect(mermaidLabel('two\nlines')).toBe('"two<br/>lines"');
    expect(() => chart.edge(a, 'Host_missing')).toThrow(/undeclared/);
  });

  it('the syntax checker rejects what would break rendering (so the tests above can fail)', () => {
    expect(checkFlowchart('flowchart LR\n  5825u-001["x"]')).not.toEqual([]);
    expect(checkFlowchart('flowchart LR\n  A[unquoted (label)]')).not.toEqual([]);
    expect(checkFlowchart('flowchart LR\n  A["a"]\n  A --> B')).toEqual(['edge uses undeclared id B']);
    expect(checkFlowchart('flowchart LR\n  subgraph G["g"]\n  A["a"]')).toEqual(['1 unclosed subgraph(s)']);
    expect(checkFlowchart('flowchart LR\n  end["x"]')).not.toEqual([]);
  });
});
