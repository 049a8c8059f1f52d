import { describe, expect, it } from 'vitest';
import { apiServerBackends, renderHaproxyCfg } from '../../lib/hosts';
import { execLine, hap, renderHaproxy, renderUnit } from '../../lib/hosts/text';
import { fileOf, reference, variant, variants } from './fixtures';

const ref = reference();

/** Sections of a haproxy.cfg: header line → its indented lines (words). */
function parseCfg(content: string): Map<string, string[][]> {
  const sections = new Map<string, string[][]>();
  let current: string[][] | undefined;
  for (const line of content.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    if (/^\S/.test(line)) sections.set(line.trim(), (current = []));
    else current!.push(line.trim().split(/\s+/));
  }
  return sections;
}

const lines = (cfg: Map<string, string[][]>, section: string, keyword: string) =>
  (cfg.get(section) ?? []).filter((w) => w[0] === keyword).map((w) => w.slice(1).join(' '));

describe('haproxy.cfg', () => {
  const cfg = parseCfg(fileOf(ref, 'hosts/n100-004/haproxy.cfg').content);

  it('is the same on every balancer apart from the header comment and its own stats address', () => {
    const body = (h: string) =>
      fileOf(ref, `hosts/${h}/haproxy.cfg`)
        .content.replace(/^#.*\n/gm, '')
        .replace(`bind ${ref.hosts.find((x) => x.name === h)?.ip}:8404`, 'bind OWN:8404');
    expect(body('nas-001')).toBe(body('n100-004'));
    expect(body('nas-002')).toBe(body('n100-004'));
  });

  it('passes TCP from apiServer.port to the apiserver backend', () => {
    expect(lines(cfg, 'defaults', 'mode')).toEqual(['tcp']);
    expect(lines(cfg, 'frontend apiserver', 'bind')).toEqual([':6443']);
    expect(lines(cfg, 'frontend apiserver', 'default_backend')).toEqual(['apiserver']);
    const m = variant((d) => (d.apiServer.port = 8443));
    expect(lines(parseCfg(renderHaproxyCfg(m, m.hosts[3])), 'frontend apiserver', 'bind')).toEqual([':8443']);
  });

  it('balances over exactly the control planes on apiServer.bindPort, TLS-checked', () => {
    expect(lines(cfg, 'backend apiserver', 'server')).toEqual([
      'n100-001 192.168.100.201:6443 check verify none',
      'n100-002 192.168.100.202:6443 check verify none',
      'n100-003 192.168.100.203:6443 check verify none',
    ]);
    expect(lines(cfg, 'backend apiserver', 'option')).toEqual(['httpchk']);
    expect(lines(cfg, 'backend apiserver', 'http-check')).toEqual(['connect ssl', 'send meth GET uri /readyz', 'expect status 200']);
  });

  it('follows the control-plane list and bindPort', () => {
    const single = variants.singleControlPlane();
    expect(apiServerBackends(single)).toEqual([{ name: 'n100-001', address: '192.168.100.201:6443' }]);
    const moved = variant((d) => {
      d.apiServer.bindPort = 6444;
      d.apiServer.port = 6443;
    });
    expect(lines(parseCfg(fileOf(moved, 'hosts/nas-001/haproxy.cfg').content), 'backend apiserver', 'server')[0]).toBe(
      'n100-001 192.168.100.201:6444 check verify none',
    );
  });

  it('serves stats on the model port and path, with credentials only from quoted environment variables', () => {
    // The balancer's own LAN address, never every address (the VIP included): the stats page is not part of the API endpoint.
    expect(lines(cfg, 'listen stats', 'bind')).toEqual(['192.168.100.204:8404']);
    expect(lines(cfg, 'listen stats', 'stats')).toEqual([
      'enable',
      'uri /stats',
      'refresh 10s',
      'hide-version',
      'auth "${HAPROXY_STATS_USER}:${HAPROXY_STATS_PASSWORD}"',
    ]);
    const m = variant((d) => (d.apiServer.stats = { port: 9000, path: '/haproxy', userEnv: 'LB_USER', passwordEnv: 'LB_PASS' }));
    const c = parseCfg(fileOf(m, 'hosts/nas-002/haproxy.cfg').content);
    expect(lines(c, 'listen stats', 'bind')).toEqual(['192.168.100.172:9000']);
    expect(lines(c, 'listen stats', 'stats')).toContain('uri /haproxy');
    expect(lines(c, 'listen stats', 'stats')).toContain('auth "${LB_USER}:${LB_PASS}"');
  });
});

describe('HAProxy credentials plumbing', () => {
  it('the env example lists the variable names with empty values', () => {
    const example = fileOf(ref, 'hosts/nas-001/haproxy.env.example').content;
    expect(example.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(['HAPROXY_STATS_USER=', 'HAPROXY_STATS_PASSWORD=']);
  });

  it('the systemd drop-in loads the env file and refuses empty credentials', () => {
    const dropIn = fileOf(ref, 'hosts/nas-001/haproxy.service.d/10-env.conf').content;
    expect(dropIn).toContain('\n[Service]\nEnvironmentFile=/etc/haproxy/stats.env\n');
    expect(dropIn).toContain('ExecStartPre=/usr/bin/test -n "${HAPROXY_STATS_USER}"\n');
    expect(dropIn).toContain('ExecStartPre=/usr/bin/test -n "${HAPROXY_STATS_PASSWORD}"\n');
  });
});

describe('haproxy and systemd line builders', () => {
  it('only emit environment references inside double quotes, from valid names', () => {
    expect(hap.envJoin(':', 'A', 'B_2')).toEqual({ quoted: '${A}:${B_2}' });
    expect(() => hap.envJoin(':', 'lower')).toThrow(/variable name/);
    expect(() => hap.envJoin(':', 'A"B')).toThrow(/variable name/);
  });

  it('reject bare words that would split or comment a line', () => {
    expect(() => renderHaproxy([{ header: ['listen', 'stats'], lines: [['stats', 'auth', 'admin:secret pass']] }])).toThrow(/haproxy: word/);
    expect(() => renderHaproxy([{ header: ['x'], lines: [['bind', ':80#']] }])).toThrow(/haproxy: word/);
  });

  it('systemd values cannot start a new key or use specifiers', () => {
    expect(() => renderUnit([['Service', [['Environment', 'A=1\nExecStart=/bin/sh']]]])).toThrow(/systemd: value/);
    expect(() => renderUnit([['Service', [['Description', '100%']]]])).toThrow(/systemd: value/);
    expect(() => execLine('/bin/echo', 'two words')).toThrow(/command argument/);
    expect(execLine('/usr/bin/test', '-n', { env: 'X_Y' })).toBe('/usr/bin/test -n "${X_Y}"');
  });
});
