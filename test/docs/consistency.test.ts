/**
 * The cross-artifact consistency check (lib/docs/consistency.ts): it holds on real renders, it actually
 * reads the artifacts it claims to compare, and each fact fails when one file is tampered with.
 */
import { describe, expect, it } from 'vitest';
import { Artifacts } from '../proofs/artifacts';
import { checkConsistency, CONSISTENCY_FACTS, consistencyCheck } from '../proofs/consistency';
import { loadDescription } from '../../lib/model/load';
import type { ClusterModel } from '../../lib/model/types';
import { OutputCheckError } from '../../lib/checks/types';
import type { RenderedFile } from '../../lib/output/files';
import { renderCluster } from '../../lib/render';

const reference = loadDescription('hostconfig/cluster.yaml');
const render = (model: ClusterModel) => renderCluster(model, { checks: [] }).files;
const referenceFiles = render(reference);

/** Replaces `from` with `to` in one file; fails the test if `from` is not there (so a tamper never silently no-ops). */
function tamper(files: readonly RenderedFile[], path: string | RegExp, from: string | RegExp, to: string): RenderedFile[] {
  const matches = (p: string) => (typeof path === 'string' ? p === path : path.test(p));
  const targets = files.filter((f) => matches(f.path) && (typeof from === 'string' ? f.content.includes(from) : from.test(f.content)));
  if (!targets.length) throw new Error(`tamper: ${String(from)} not found in ${String(path)}`);
  const target = targets[0];
  return files.map((f) => (f === target ? { ...f, content: f.content.replace(from, to) } : f));
}

const problemsOf = (files: readonly RenderedFile[], model = reference) => checkConsistency(model, files);

describe('consistency check on real renders', () => {
  it('holds for the reference cluster', () => {
    expect(problemsOf(referenceFiles)).toEqual([]);
  });

  for (const fixture of ['minimal', 'five-control-planes-other-subnet', 'single-control-plane-no-tunnel', 'all-arm64', 'reference-traefik']) {
    it(`holds for test/fixtures/valid/${fixture}.yaml`, () => {
      const model = loadDescription(`test/fixtures/valid/${fixture}.yaml`);
      expect(problemsOf(render(model), model)).toEqual([]);
    });
  }

  it('actually finds every artifact it compares in the reference render (not vacuously true)', () => {
    const a = new Artifacts(referenceFiles);
    const kinds = a.kubeadmDocuments().map((d) => `${d.file} ${String(d.doc.kind)}`);
    expect(kinds).toContain('hosts/n100-001/kubeadm-init.yaml ClusterConfiguration');
    expect(kinds).toContain('hosts/5825u-001/kubeadm-join.yaml JoinConfiguration');
    for (const b of ['n100-004', 'nas-001', 'nas-002']) {
      expect(a.hostFile(b, 'keepalived.conf')?.content, b).toContain('192.168.100.230/24 dev');
      expect(a.hostFile(b, 'haproxy.cfg')?.content, b).toContain('server n100-003 192.168.100.203:6443');
    }
    expect(a.hostFile('vps', 'frps.toml')?.content).toContain('bindPort = 7000');
    const objects = a.manifests();
    expect(objects.filter((o) => o.kind === 'IPAddressPool').map((o) => o.name)).toEqual(['lan-pool', 'lan-pool-ingress']);
    expect(
      objects.filter((o) => o.kind === 'Service' && o.namespace === 'ingress-nginx' && (o.body.spec as { type?: string }).type === 'LoadBalancer'),
    ).toHaveLength(1);
    expect(objects.filter((o) => o.kind === 'ConfigMap' && o.body.data && 'net-conf.json' in (o.body.data as object))).toHaveLength(1);
    expect(a.frpcConfigs()).toHaveLength(1);
  });

  it('is an OutputCheck that lists its facts for the docs', () => {
    expect(consistencyCheck.name).toBe('cross-artifact-consistency');
    expect(consistencyCheck.facts.map((f) => f.name)).toEqual([
      'api-endpoint',
      'haproxy-backends',
      'vrrp',
      'pod-network',
      'ingress-address',
      'lan-listeners',
      'tunnel-ports',
      'tunnel-target',
    ]);
    for (const f of CONSISTENCY_FACTS) expect(f.description.length).toBeGreaterThan(20);
    const result = renderCluster(reference, { checks: [consistencyCheck] });
    expect(result.checks).toEqual(['cross-artifact-consistency']);
  });

  it('tolerates absent components: no host files, or no manifests at all', () => {
    expect(problemsOf(referenceFiles.filter((f) => !f.path.startsWith('hosts/')))).toEqual([]);
    expect(problemsOf(referenceFiles.filter((f) => f.path.includes('/')))).toEqual([]);
  });
});

describe('consistency check on tampered file sets', () => {
  /** Every problem names the fact and the tampered file. */
  const expectFailure = (files: RenderedFile[], fact: string, path: string, text: RegExp) => {
    const problems = problemsOf(files);
    expect(problems.length, JSON.stringify(problems)).toBeGreaterThan(0);
    expect(problems).toContainEqual({ path, message: expect.stringMatching(new RegExp(`^${fact}: .*${text.source}`)) });
  };

  it('api-endpoint: the VIP in keepalived.conf', () => {
    const files = tamper(referenceFiles, 'hosts/nas-002/keepalived.conf', '192.168.100.230/24', '192.168.100.231/24');
    expectFailure(files, 'api-endpoint', 'hosts/nas-002/keepalived.conf', /does not contain the API VIP 192\.168\.100\.230/);
  });

  it('api-endpoint: HAProxy binding another address than the VIP', () => {
    const files = tamper(referenceFiles, 'hosts/n100-004/haproxy.cfg', /bind :6443\b/, 'bind 192.168.100.231:6443');
    expectFailure(files, 'api-endpoint', 'hosts/n100-004/haproxy.cfg', /binds 192\.168\.100\.231:6443/);
  });

  it('api-endpoint: HAProxy listening on another port', () => {
    const files = tamper(referenceFiles, 'hosts/n100-004/haproxy.cfg', /bind :6443\b/, 'bind :7443');
    expectFailure(files, 'api-endpoint', 'hosts/n100-004/haproxy.cfg', /no frontend or listen section binds the API port 6443/);
  });

  it('api-endpoint: kubeadm controlPlaneEndpoint and a join apiServerEndpoint', () => {
    expectFailure(
      tamper(referenceFiles, 'hosts/n100-001/kubeadm-init.yaml', 'controlPlaneEndpoint: 192.168.100.230:6443', 'controlPlaneEndpoint: 192.168.100.201:6443'),
      'api-endpoint',
      'hosts/n100-001/kubeadm-init.yaml',
      /controlPlaneEndpoint "192\.168\.100\.201:6443" is not the API VIP/,
    );
    expectFailure(
      tamper(referenceFiles, 'hosts/raspberry-004/kubeadm-join.yaml', /192\.168\.100\.230:6443/, '192.168.100.230:7443'),
      'api-endpoint',
      'hosts/raspberry-004/kubeadm-join.yaml',
      /apiServerEndpoint "192\.168\.100\.230:7443"/,
    );
  });

  it('haproxy-backends: a control plane missing or at the wrong port', () => {
    const dropped = tamper(referenceFiles, 'hosts/nas-001/haproxy.cfg', /\n\s*server n100-003 [^\n]*/, '');
    expectFailure(dropped, 'haproxy-backends', 'hosts/nas-001/haproxy.cfg', /\[192\.168\.100\.201:6443, 192\.168\.100\.202:6443\] are not the control planes/);
    const port = tamper(referenceFiles, 'hosts/nas-001/haproxy.cfg', '192.168.100.202:6443', '192.168.100.202:6444');
    expectFailure(port, 'haproxy-backends', 'hosts/nas-001/haproxy.cfg', /192\.168\.100\.202:6444/);
  });

  it('vrrp: priority, router id, a second MASTER, unicast peers', () => {
    expectFailure(
      tamper(referenceFiles, 'hosts/nas-002/keepalived.conf', /\n(\s+)priority 90\n/, '\n$1priority 95\n'),
      'vrrp',
      'hosts/nas-002/keepalived.conf',
      /priority 95 is not 90/,
    );
    expectFailure(
      tamper(referenceFiles, 'hosts/nas-002/keepalived.conf', 'virtual_router_id 51', 'virtual_router_id 52'),
      'vrrp',
      'hosts/nas-002/keepalived.conf',
      /virtual_router_id 52 is not 51/,
    );
    expectFailure(
      tamper(referenceFiles, 'hosts/nas-001/keepalived.conf', 'state BACKUP', 'state MASTER'),
      'vrrp',
      'hosts/nas-001/keepalived.conf',
      /starts as MASTER, but n100-004/,
    );
    expectFailure(
      tamper(referenceFiles, 'hosts/nas-001/keepalived.conf', /\n\s*192\.168\.100\.172\n/, '\n'),
      'vrrp',
      'hosts/nas-001/keepalived.conf',
      /unicast_peer \[192\.168\.100\.204\] is not the other balancers/,
    );
  });

  it('pod-network: kubeadm podSubnet and Flannel Network', () => {
    expectFailure(
      tamper(referenceFiles, 'hosts/n100-001/kubeadm-init.yaml', 'podSubnet: 10.244.0.0/16', 'podSubnet: 10.245.0.0/16'),
      'pod-network',
      'hosts/n100-001/kubeadm-init.yaml',
      /podSubnet "10\.245\.0\.0\/16"/,
    );
    const flannel = tamper(referenceFiles, /^\d\d-.*\.yaml$/, /"Network": ?"10\.244\.0\.0\/16"/, '"Network": "10.200.0.0/16"');
    const file = flannel.find((f, i) => f !== referenceFiles[i])!.path;
    expectFailure(flannel, 'pod-network', file, /net-conf\.json Network "10\.200\.0\.0\/16" is not the pod CIDR 10\.244\.0\.0\/16/);
  });

  it('ingress-address: the Service annotation and the pool', () => {
    const manifest = (files: RenderedFile[]) => files.find((f, i) => f !== referenceFiles[i])!.path;
    const annotation = tamper(
      referenceFiles,
      /^\d\d-.*\.yaml$/,
      /metallb\.io\/loadBalancerIPs: "?192\.168\.100\.240"?/,
      'metallb.io/loadBalancerIPs: 192.168.100.241',
    );
    expectFailure(annotation, 'ingress-address', manifest(annotation), /no LoadBalancer Service in ingress-nginx requests the ingress IP 192\.168\.100\.240/);
    const pool = tamper(referenceFiles, /^\d\d-.*\.yaml$/, '192.168.100.240/32', '192.168.100.239/32');
    expectFailure(pool, 'ingress-address', manifest(pool), /no IPAddressPool contains the ingress IP 192\.168\.100\.240/);
    const frpc = tamper(referenceFiles, /^\d\d-.*\.yaml$/, /localIP = "192\.168\.100\.240"/, 'localIP = "192.168.100.250"');
    expectFailure(frpc, 'tunnel-target', manifest(frpc), /localIP "192\.168\.100\.250" is not the tunnel target 192\.168\.100\.240/);
    expectFailure(frpc, 'tunnel-target', manifest(frpc), /dials 192\.168\.100\.250, which no rendered Service answers/);
  });

  it('tunnel-ports: frps bindPort, allowPorts, frpc serverPort and serverAddr', () => {
    expectFailure(
      tamper(referenceFiles, 'hosts/vps/frps.toml', 'bindPort = 7000', 'bindPort = 7001'),
      'tunnel-ports',
      'hosts/vps/frps.toml',
      /bindPort 7001 is not tunnel\.bindPort 7000/,
    );
    expectFailure(
      tamper(
        referenceFiles,
        'hosts/vps/frps.toml',
        /\[\[allowPorts\]\]\nsingle = 443\n/,
        '[[allowPorts]]\nsingle = 443\n\n[[allowPorts]]\nstart = 20\nend = 22\n',
      ),
      'tunnel-ports',
      'hosts/vps/frps.toml',
      /allowPorts \[20, 21, 22, 443, 80\] is not the set of frpc remotePorts \[443, 80\]/,
    );
    expectFailure(
      tamper(referenceFiles, 'hosts/vps/frps.toml', /\[\[allowPorts\]\]\nsingle = 80\n\n\[\[allowPorts\]\]\nsingle = 443\n/, ''),
      'tunnel-ports',
      'hosts/vps/frps.toml',
      /has no allowPorts/,
    );
    const manifest = (files: RenderedFile[]) => files.find((f, i) => f !== referenceFiles[i])!.path;
    const port = tamper(referenceFiles, /^\d\d-.*\.yaml$/, /serverPort = 7000/, 'serverPort = 7002');
    expectFailure(port, 'tunnel-ports', manifest(port), /serverPort 7002 is not the frps bindPort 7000/);
    const addr = tamper(referenceFiles, /^\d\d-.*\.yaml$/, /serverAddr = "161\.132\.4\.98"/, 'serverAddr = "161.132.4.99"');
    expectFailure(addr, 'tunnel-ports', manifest(addr), /serverAddr "161\.132\.4\.99" is not vps's IP 161\.132\.4\.98/);
  });

  it('reports a file that cannot be parsed, with the facts it blocked', () => {
    const files = tamper(referenceFiles, 'hosts/vps/frps.toml', 'bindPort = 7000', 'bindPort = = 7000');
    expect(problemsOf(files)).toEqual([
      { path: 'hosts/vps/frps.toml', message: expect.stringMatching(/^cannot be parsed \(.*\); not verified: tunnel-ports$/) },
    ]);
  });

  it('fails a render when wired as an output check', () => {
    // wired in, it passes a good render ...
    expect(renderCluster(reference, { checks: [consistencyCheck] }).checks).toEqual(['cross-artifact-consistency']);
    // ... and stops one whose files disagree (frps.toml tampered with between rendering and checking)
    const seesTampered = {
      ...consistencyCheck,
      run: (ctx: Parameters<typeof consistencyCheck.run>[0]) =>
        consistencyCheck.run({ ...ctx, files: tamper(ctx.files, 'hosts/vps/frps.toml', 'bindPort = 7000', 'bindPort = 7001') }),
    };
    let problems: string[] = [];
    try {
      renderCluster(reference, { checks: [seesTampered] });
    } catch (e) {
      if (!(e instanceof OutputCheckError)) throw e;
      problems = e.problems.map((p) => p.path);
    }
    expect(problems).toEqual(['hosts/vps/frps.toml']);
  });
});
