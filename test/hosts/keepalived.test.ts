import { describe, expect, it } from 'vitest';
import { renderCheckApiserver, renderHostFiles, renderKeepalivedConf, vrrpPlan } from '../../lib/hosts';
import { ka, renderKeepalived } from '../../lib/hosts/text';
import type { ClusterModel } from '../../lib/model/types';
import { fileOf, reference, variant, variants, withoutHosts } from './fixtures';

const ref = reference();

/** The values keepalived reads from a rendered keepalived.conf (one vrrp_instance). */
function parseConf(content: string) {
  const one = (re: RegExp) => {
    const m = content.match(re);
    if (!m) throw new Error(`no match for ${re}`);
    return m[1];
  };
  const block = (name: string) =>
    one(new RegExp(`\\n\\s*${name} \\{\\n([^}]*)\\n\\s*\\}`))
      .trim()
      .split('\n')
      .map((l) => l.trim());
  return {
    state: one(/\n\s*state (\S+)/),
    priority: Number(one(/\n\s*priority (\d+)/)),
    weight: Number(one(/\n\s*weight (-?\d+)/)),
    interface: one(/\n\s*interface (\S+)/),
    vrid: Number(one(/\n\s*virtual_router_id (\d+)/)),
    include: one(/\n\s*include (\S+)/),
    script: one(/\n\s*script "([^"]+)"/),
    scriptUser: one(/\n\s*script_user (\S+)/),
    unicastSrc: content.match(/\n\s*unicast_src_ip (\S+)/)?.[1],
    peers: content.includes('unicast_peer') ? block('unicast_peer') : [],
    vips: block('virtual_ipaddress'),
    tracked: block('track_script'),
  };
}

const confOf = (m: ClusterModel, host: string) => parseConf(fileOf(m, `hosts/${host}/keepalived.conf`).content);

describe('keepalived.conf per balancer', () => {
  it('exists exactly on the balancer hosts', () => {
    const holders = renderHostFiles(ref)
      .filter((f) => f.path.endsWith('/keepalived.conf'))
      .map((f) => f.path.split('/')[1]);
    expect(holders.sort()).toEqual(['n100-004', 'nas-001', 'nas-002']);
  });

  it('makes the highest priority MASTER and the others BACKUP, with the model priorities', () => {
    expect(confOf(ref, 'n100-004')).toMatchObject({ state: 'MASTER', priority: 150 });
    expect(confOf(ref, 'nas-001')).toMatchObject({ state: 'BACKUP', priority: 100 });
    expect(confOf(ref, 'nas-002')).toMatchObject({ state: 'BACKUP', priority: 90 });
  });

  it('a failed check on the MASTER really moves the VIP: MASTER priority + weight < lowest BACKUP priority', () => {
    const confs = ['n100-004', 'nas-001', 'nas-002'].map((h) => confOf(ref, h));
    const master = confs.find((c) => c.state === 'MASTER')!;
    const lowestBackup = Math.min(...confs.filter((c) => c.state === 'BACKUP').map((c) => c.priority));
    expect(new Set(confs.map((c) => c.weight)).size).toBe(1);
    expect(master.weight).toBe(-61);
    expect(master.priority + master.weight).toBeLessThan(lowestBackup);
  });

  it('for any priorities: every failed balancer ends below every healthy one', () => {
    const sets = [
      [150, 100, 90],
      [101, 100, 99],
      [254, 2],
      [200, 199],
      [254, 128, 3],
      [10, 9, 8, 7, 6],
    ];
    for (const priorities of sets) {
      const m = variant((d) => {
        const names = priorities.map((_, i) => `lb-${i}`);
        d.hosts.push(...names.map((name, i) => ({ name, ip: `192.168.100.${100 + i}`, hardware: 'nas', roles: ['load-balancer'], interface: 'bond0' })));
        d.apiServer.balancers = names.map((host, i) => ({ host, priority: priorities[i] }));
        withoutHosts(d, 'n100-004', 'nas-002');
        d.hosts.find((h: { name: string }) => h.name === 'nas-001').roles = ['nfs-server'];
      });
      // what keepalived reads on each balancer, not the plan the renderer computed
      const confs = priorities.map((_, i) => confOf(m, `lb-${i}`));
      expect(confs.map((c) => c.priority)).toEqual(priorities);
      for (const failed of confs) {
        expect(failed.weight).toBeGreaterThanOrEqual(-253); // keepalived's lower bound for a track_script weight
        const failedPriority = Math.max(1, failed.priority + failed.weight); // keepalived clamps at 1
        for (const healthy of confs.filter((x) => x !== failed)) {
          expect(failedPriority, `${priorities}: ${failed.priority} failed vs ${healthy.priority}`).toBeLessThan(healthy.priority);
        }
      }
    }
  });

  it('refuses priorities no keepalived weight can separate (the model rejects them at load)', () => {
    const unseparable = (d: any) => {
      d.apiServer.balancers = [
        { host: 'n100-004', priority: 254 },
        { host: 'nas-001', priority: 1 },
        { host: 'nas-002', priority: 90 },
      ];
    };
    expect(() => variant(unseparable)).toThrow(/apiServer\.balancers: priorities 254\.\.1 cannot be separated/);
    // the renderer keeps its own guard for models built without the loader
    const m = variant(() => undefined);
    const bad = {
      ...m,
      apiServer: {
        ...m.apiServer,
        balancers: [
          { ...m.apiServer.balancers[0], priority: 254 },
          { ...m.apiServer.balancers[1], priority: 1 },
        ],
      },
    };
    expect(() => vrrpPlan(bad)).toThrow(/apiServer\.balancers: priorities 254 and 1/);
  });

  it('talks unicast from its own address to exactly the other balancers', () => {
    expect(confOf(ref, 'n100-004')).toMatchObject({ unicastSrc: '192.168.100.204', peers: ['192.168.100.171', '192.168.100.172'] });
    expect(confOf(ref, 'nas-001')).toMatchObject({ unicastSrc: '192.168.100.171', peers: ['192.168.100.204', '192.168.100.172'] });
    expect(confOf(ref, 'nas-002')).toMatchObject({ unicastSrc: '192.168.100.172', peers: ['192.168.100.204', '192.168.100.171'] });
  });

  it('puts the VIP with the LAN prefix on the host interface, with the model router id', () => {
    expect(confOf(ref, 'n100-004')).toMatchObject({ interface: 'enp1s0', vrid: 51, vips: ['192.168.100.230/24 dev enp1s0'] });
    expect(confOf(ref, 'nas-001')).toMatchObject({ interface: 'eth0', vrid: 51, vips: ['192.168.100.230/24 dev eth0'] });
    const m = variant((d) => (d.apiServer.virtualRouterId = 77));
    expect(confOf(m, 'nas-002').vrid).toBe(77);
  });

  it('includes the VRRP auth file instead of carrying a password', () => {
    for (const h of ['n100-004', 'nas-001', 'nas-002']) {
      const content = fileOf(ref, `hosts/${h}/keepalived.conf`).content;
      expect(parseConf(content).include).toBe('/etc/keepalived/vrrp-auth.conf');
      expect(content).not.toMatch(/auth_pass|auth_type|authentication\s*\{/);
    }
    const m = variant((d) => (d.apiServer.vrrpAuthFile = '/etc/keepalived/secret/vrrp.conf'));
    expect(confOf(m, 'nas-001').include).toBe('/etc/keepalived/secret/vrrp.conf');
  });

  it('tracks the health-check script with script security on', () => {
    const c = confOf(ref, 'n100-004');
    expect(c.script).toBe('/etc/keepalived/check_apiserver.sh');
    expect(c.scriptUser).toBe('root');
    expect(c.tracked).toEqual(['check_apiserver']);
    expect(fileOf(ref, 'hosts/n100-004/keepalived.conf').content).toMatch(/\n\s*enable_script_security\n/);
  });

  it('notices a dead API path within a few seconds: two failed checks 2 s apart, curl (2 s) giving up before keepalived kills it (3 s)', () => {
    const conf = fileOf(ref, 'hosts/n100-004/keepalived.conf').content;
    const word = (name: string) => Number(conf.match(new RegExp(`\\n\\s*${name} (\\d+)`))![1]);
    expect([word('interval'), word('fall'), word('rise'), word('timeout')]).toEqual([2, 2, 2, 3]);
    // Seconds from the first failed check until the priority drops: at most 5, as the issue asks ("a few seconds").
    expect(word('interval') * word('fall')).toBeLessThanOrEqual(5);
    const maxTime = Number(fileOf(ref, 'hosts/n100-004/check_apiserver.sh').content.match(/--max-time (\d+)/)![1]);
    expect(maxTime).toBeLessThan(word('timeout'));
  });

  it('a single balancer keeps the VIP without unicast peers', () => {
    const m = variants.singleBalancer();
    const c = confOf(m, 'n100-004');
    expect(c.state).toBe('MASTER');
    expect(c.unicastSrc).toBeUndefined();
    expect(c.peers).toEqual([]);
    expect(renderHostFiles(m).some((f) => f.path === 'hosts/nas-001/keepalived.conf')).toBe(false);
  });

  it('refuses to render for a host that is not a balancer', () => {
    expect(() => renderKeepalivedConf(ref, ref.hosts[0])).toThrow(/not in apiServer\.balancers/);
  });
});

describe('check_apiserver.sh', () => {
  it('asks the local HAProxy frontend for /readyz (not the deprecated /healthz), ignoring the certificate name', () => {
    const script = fileOf(ref, 'hosts/nas-001/check_apiserver.sh');
    expect(script.mode).toBe(0o755);
    expect(script.content.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script.content).toContain("curl --silent --fail --insecure --max-time 2 --output /dev/null 'https://127.0.0.1:6443/readyz'");
    expect(script.content).not.toContain('/healthz');
    const m = variant((d) => (d.apiServer.port = 8443));
    expect(renderCheckApiserver(m)).toContain("'https://127.0.0.1:8443/readyz'");
  });
});

describe('keepalived line builder', () => {
  it('nests blocks and quotes strings', () => {
    expect(renderKeepalived([ka.block(['a'], [ka.line('b', 1), ka.line('c', ka.quoted('/x y'))])])).toEqual(['a {', '    b 1', '    c "/x y"', '}']);
  });

  it('rejects words that could change the structure', () => {
    expect(() => renderKeepalived([ka.line('include', '/etc/x }')])).toThrow(/keepalived: word/);
    expect(() => renderKeepalived([ka.line('x\nauth_pass y')])).toThrow(/keepalived: word/);
    expect(() => renderKeepalived([ka.line('script', ka.quoted('a" b'))])).toThrow(/quoted string/);
  });
});
