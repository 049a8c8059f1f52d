/**
 * The generated host files through their real tools: `haproxy -c -dW`, `keepalived -t -e`,
 * `cloud-init schema`, `cloud-init devel net-convert`, `systemd-analyze verify`, `sh -n`, `envsubst` and
 * `curl` against a local HTTPS server. A missing tool makes its test SKIPPED with the install command.
 * Each validator also gets a broken input once, to prove it is really checking.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { CLOUD_CONFIG_TOP_LEVEL_KEYS, HOST_PATHS, renderCheckApiserver, renderHostFiles } from '../../lib/hosts';
import type { ClusterModel } from '../../lib/model/types';
import type { RenderedFile } from '../../lib/output/files';
import { cloudInitBatch } from '../helpers/cloud-init';
import { interpreterOf, run, runAsync, skipUnlessRoot, skipWithout } from '../helpers/tools';
import { docOfKind, reference, variant, variants, yamlDocs } from './fixtures';
import { KUBEADM_SHAPES, unknownKeys } from './formats';

const ref = reference();
const workdir = mkdtempSync(join(tmpdir(), 'host-validators-'));
chmodSync(workdir, 0o755); // keepalived script security: no part of the path writable by others
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

let counter = 0;
/** Writes `content` to a fresh file in the work dir and returns its path. */
function materialize(name: string, content: string, mode = 0o644): string {
  const dir = join(workdir, String(++counter));
  mkdirSync(dir, { mode: 0o755 });
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  return path;
}

const filesNamed = (m: ClusterModel, suffix: string): RenderedFile[] => renderHostFiles(m).filter((f) => f.path.endsWith(suffix));

/** The reference plus variants that change what these files contain. */
const MODELS: Record<string, ClusterModel> = {
  reference: ref,
  ipvs: variants.ipvs(),
  singleControlPlane: variants.singleControlPlane(),
  singleBalancer: variants.singleBalancer(),
  keysOnly: variant(
    (d) => (d.users = [{ name: 'ops', sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@laptop'] }]),
  ),
};

describe('haproxy -c -dW (zero warnings)', () => {
  function check(content: string) {
    const r = run('haproxy', ['-c', '-dW', '-f', materialize('haproxy.cfg', content)]);
    return { ...r, output: r.stdout + r.stderr };
  }

  it('accepts every generated haproxy.cfg without a warning', (ctx) => {
    skipWithout(ctx, 'haproxy');
    let checked = 0;
    for (const [label, m] of Object.entries(MODELS)) {
      for (const f of filesNamed(m, '/haproxy.cfg')) {
        const r = check(f.content);
        expect(r.status, `${label} ${f.path}:\n${r.output}`).toBe(0);
        expect(r.output, `${label} ${f.path}`).not.toMatch(/WARNING|ALERT/);
        checked++;
      }
    }
    expect(checked).toBe(3 + 3 + 3 + 1 + 3);
  });

  it('rejects a broken copy (the check is real)', (ctx) => {
    skipWithout(ctx, 'haproxy');
    const broken = filesNamed(ref, '/haproxy.cfg')[0].content.replace('http-check expect status 200', 'http-check expect stat 200');
    expect(check(broken).status).not.toBe(0);
  });
});

describe('keepalived -t -e (as root, in a private network namespace)', () => {
  /**
   * Runs keepalived's config test on a copy whose script and auth-include paths point into the work dir
   * (everything else byte for byte), inside `unshare --net` where the host's interface is created.
   */
  function check(m: ClusterModel, f: RenderedFile, auth: string | undefined, createInterface = true) {
    const host = m.hosts.find((h) => h.name === f.path.split('/')[1])!;
    const dir = dirname(materialize('placeholder', ''));
    const script = join(dir, 'check_apiserver.sh');
    writeFileSync(script, renderCheckApiserver(m), { mode: 0o755 });
    chmodSync(script, 0o755);
    const authFile = join(dir, 'vrrp-auth.conf');
    if (auth !== undefined) writeFileSync(authFile, auth, { mode: 0o600 });
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, f.content.replaceAll(HOST_PATHS.checkApiserverScript, script).replaceAll(m.apiServer.vrrpAuthFile, authFile));
    expect(readFileSync(conf, 'utf8')).toContain(`include ${authFile}\n`);
    const iface = host.interface;
    const setup = createInterface ? `ip link add "$1" type dummy 2>/dev/null || ip link add "$1" type bridge || exit 90; ` : '';
    return run('unshare', ['--net', 'sh', '-c', `${setup}exec keepalived -t -e -f "$2"`, 'sh', iface, conf]);
  }
  const AUTH = 'authentication {\n    auth_type PASS\n    auth_pass t3st0nly\n}\n';
  const guard = (ctx: Parameters<typeof skipWithout>[0]) => {
    skipWithout(ctx, 'keepalived', 'unshare', 'ip');
    skipUnlessRoot(ctx, 'keepalived -t reports script security and interface problems correctly only as root, and unshare --net needs root');
  };

  it('accepts every generated keepalived.conf with the auth include in place', (ctx) => {
    guard(ctx);
    let checked = 0;
    for (const [label, m] of Object.entries(MODELS)) {
      for (const f of filesNamed(m, '/keepalived.conf')) {
        const r = check(m, f, AUTH);
        expect(r.status, `${label} ${f.path}:\n${r.stderr}${r.stdout}`).toBe(0);
        checked++;
      }
    }
    expect(checked).toBe(3 + 3 + 3 + 1 + 3);
  });

  it('fails without the auth include file, with a password keepalived would truncate, or without the interface', (ctx) => {
    guard(ctx);
    const f = filesNamed(ref, '/keepalived.conf')[0];
    expect(check(ref, f, undefined).status).not.toBe(0);
    expect(check(ref, f, AUTH.replace('t3st0nly', 'longer-than-eight')).status).not.toBe(0);
    expect(check(ref, f, AUTH, false).status).not.toBe(0);
  });
});

/** One host per kind (hardware, roles, runs kubeadm init): variants change shape, not per-host details. */
function representatives(m: ClusterModel): Set<string> {
  const seen = new Map<string, string>();
  for (const h of m.hosts) {
    const kind = `${h.hardware}/${h.roles.join('+')}/${h === m.apiServer.controlPlanes[0]}`;
    if (!seen.has(kind)) seen.set(kind, h.name);
  }
  return new Set(seen.values());
}

describe('cloud-init', () => {
  /** Every user-data of the reference and one per kind of host of each variant. */
  const userData = Object.entries(MODELS).flatMap(([label, m]) => {
    const picked = label === 'reference' ? undefined : representatives(m);
    return filesNamed(m, '/user-data')
      .filter((f) => !picked || picked.has(f.path.split('/')[1]))
      .map((f) => ({ label, f, path: materialize('user-data', f.content) }));
  });
  const broken = materialize('user-data', filesNamed(ref, '/user-data')[0].content.replace('permissions:', 'permission:'));
  const picked = representatives(ref);
  const networkConfigs = filesNamed(ref, '/network-config')
    .filter((f) => picked.has(f.path.split('/')[1]))
    .map((f) => ({ f, input: materialize('network-config', f.content), out: join(dirname(materialize('placeholder', '')), 'netplan') }));
  /** All of the above in one python process (see ../helpers/cloud-init.ts), started by the first test that needs it. */
  let batch: ReturnType<typeof cloudInitBatch> | undefined;
  const results = () =>
    (batch ??= cloudInitBatch([
      ...userData.map(({ path }) => ({ schema: path })),
      { schema: broken },
      ...networkConfigs.map(({ input, out }) => ({ netConvert: ['-p', input, '-k', 'yaml', '-d', out, '-D', 'ubuntu', '-O', 'netplan'] })),
    ]));

  it('cloud-init schema accepts every user-data of the reference and one per kind of host of each variant', async (ctx) => {
    skipWithout(ctx, 'cloud-init');
    const all = await results();
    userData.forEach(({ label, f, path }, i) => {
      expect(all[i].ok, `${label} ${f.path}:\n${all[i].stdout}${all[i].stderr}`).toBe(true);
      expect(all[i].stdout, `${label} ${f.path}`).toBe(`Valid cloud-config: ${path}\n`);
    });
    expect(userData.filter((x) => x.label === 'reference')).toHaveLength(14);
    expect(userData.length).toBeGreaterThan(20);
  });

  it('cloud-init schema rejects a broken copy (the check is real), and the batch agrees with the command line', async (ctx) => {
    skipWithout(ctx, 'cloud-init');
    const verdict = (await results())[userData.length];
    expect(verdict.ok).toBe(false);
    expect(verdict.stderr).toMatch(/Cloud config schema errors: .*permission/);
    // the real command line, once on the broken copy and once on a valid file: the same verdicts
    const cliBroken = await runAsync('cloud-init', ['schema', '--config-file', broken]);
    expect(cliBroken.status).not.toBe(0);
    expect(cliBroken.stderr).toContain(verdict.stderr.trim().split('\n').pop()!);
    const cliValid = await runAsync('cloud-init', ['schema', '--config-file', userData[0].path]);
    expect(cliValid.status, cliValid.stderr).toBe(0);
    expect(cliValid.stdout).toBe(`Valid cloud-config: ${userData[0].path}\n`);
  });

  it('our top-level key allow-list names only keys of the installed cloud-init schema', (ctx) => {
    skipWithout(ctx, 'cloud-init');
    const python = interpreterOf('cloud-init');
    ctx.skip(!python, 'cannot tell which python runs cloud-init');
    const located = run(python!, [
      '-c',
      'import cloudinit, os; print(os.path.join(os.path.dirname(cloudinit.__file__), "config", "schemas", "schema-cloud-config-v1.json"))',
    ]);
    expect(located.status, located.stderr).toBe(0);
    const schema = JSON.parse(readFileSync(located.stdout.trim(), 'utf8')) as { $defs: Record<string, { properties?: Record<string, unknown> }> };
    const known = new Set(Object.values(schema.$defs).flatMap((d) => Object.keys(d.properties ?? {})));
    expect(known.size).toBeGreaterThan(50);
    expect(CLOUD_CONFIG_TOP_LEVEL_KEYS.filter((k) => !known.has(k))).toEqual([]);
    expect(known.has('write_file')).toBe(false);
  });

  it('cloud-init reads the network-config of each kind of host into the netplan we expect', async (ctx) => {
    skipWithout(ctx, 'cloud-init');
    expect(networkConfigs.map(({ f }) => f.path.split('/')[1])).toEqual(['5825u-001', 'n100-001', 'n100-002', 'n100-004', 'raspberry-001']);
    const converted = (await results()).slice(userData.length + 1);
    networkConfigs.forEach(({ f, out }, i) => {
      expect(converted[i].ok, `${f.path}: ${converted[i].stderr}`).toBe(true);
      const host = ref.hosts.find((h) => h.name === f.path.split('/')[1])!;
      const written = readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      expect(written).toHaveLength(1);
      const netplan = yaml.load(readFileSync(join(written[0].parentPath, written[0].name), 'utf8')) as {
        network: { ethernets: Record<string, { addresses: string[]; routes: { to: string; via: string }[] }> };
      };
      const eth = netplan.network.ethernets[host.interface];
      expect(eth.addresses).toEqual([`${host.ip}/24`]);
      expect(eth.routes).toEqual([{ to: 'default', via: '192.168.100.1' }]);
    });
  });
});

describe('systemd-analyze verify', () => {
  function verify(unitName: string, unit: string, dropIns: Record<string, string> = {}) {
    const dir = dirname(materialize('placeholder', ''));
    writeFileSync(join(dir, unitName), unit);
    for (const [name, content] of Object.entries(dropIns)) {
      mkdirSync(join(dir, `${unitName}.d`), { recursive: true });
      writeFileSync(join(dir, `${unitName}.d`, name), content);
    }
    return run('systemd-analyze', ['verify', '--man=no', join(dir, unitName)]);
  }
  const STUB = '[Unit]\nDescription=stub for drop-in checks\n\n[Service]\nExecStart=/bin/true\n';

  it('accepts frps.service (frps binary swapped for /bin/true, which exists here)', (ctx) => {
    skipWithout(ctx, 'systemd-analyze');
    const unit = filesNamed(ref, '/frps.service')[0].content;
    expect(unit).toContain(`ExecStart=${HOST_PATHS.frpsBinary} `);
    const r = verify('frps.service', unit.replace(HOST_PATHS.frpsBinary, '/bin/true'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('accepts the haproxy and keepalived drop-ins of every balancer', (ctx) => {
    skipWithout(ctx, 'systemd-analyze');
    let checked = 0;
    for (const f of filesNamed(ref, '.conf').filter((x) => x.path.includes('.service.d/'))) {
      const unitName = f.path.split('/')[2].replace(/\.d$/, '');
      const r = verify(unitName, STUB, { [f.path.split('/')[3]]: f.content });
      expect(r.status, `${f.path}: ${r.stderr}`).toBe(0);
      expect(r.stderr, f.path).toBe('');
      checked++;
    }
    expect(checked).toBe(6);
  });

  it('reports an unknown key (the check is real)', (ctx) => {
    skipWithout(ctx, 'systemd-analyze');
    expect(verify('x.service', STUB, { '10-bad.conf': '[Service]\nEnviromentFile=/etc/x\n' }).stderr).toMatch(/Unknown key/);
  });
});

describe('check_apiserver.sh', () => {
  it('is valid POSIX sh on every balancer', (ctx) => {
    skipWithout(ctx, 'sh');
    const scripts = filesNamed(ref, '/check_apiserver.sh');
    expect(scripts).toHaveLength(3);
    for (const f of scripts) expect(run('sh', ['-n', materialize('check.sh', f.content, 0o755)]).status, f.path).toBe(0);
  });

  it('passes only while the local frontend answers /readyz with 200', async (ctx) => {
    skipWithout(ctx, 'curl', 'openssl', 'sh');
    const dir = dirname(materialize('placeholder', ''));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const gen = run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=kube-apiserver']);
    expect(gen.status, gen.stderr).toBe(0);
    let status = 200;
    const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      // /healthz stays 200, like an API server draining at shutdown: only /readyz tells.
      res.statusCode = req.url === '/readyz' ? status : req.url === '/healthz' ? 200 : 404;
      res.end(status === 200 ? 'ok' : 'unhealthy');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const script = materialize('check.sh', renderCheckApiserver(variant((d) => (d.apiServer.port = port))), 0o755);
    const outcome = async () => (await runAsync('sh', [script], { timeoutMs: 10_000 })).status;
    try {
      expect(await outcome()).toBe(0);
      status = 500;
      expect(await outcome()).not.toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(await outcome()).not.toBe(0); // nothing listening
  });
});

describe('envsubst fills the kubeadm join templates', () => {
  const values = {
    KUBEADM_TOKEN: 'abcdef.0123456789abcdef',
    KUBEADM_CA_CERT_HASH: `sha256:${'0123456789abcdef'.repeat(4)}`,
    // All digits: unquoted YAML would turn this into a number.
    KUBEADM_CERTIFICATE_KEY: '1234567890'.repeat(6) + '1234',
  };

  it('into valid JoinConfigurations whose secrets are strings', (ctx) => {
    skipWithout(ctx, 'envsubst');
    let checked = 0;
    for (const f of filesNamed(ref, '/kubeadm-join.yaml')) {
      const r = run('envsubst', ['$KUBEADM_TOKEN $KUBEADM_CA_CERT_HASH $KUBEADM_CERTIFICATE_KEY'], { input: f.content, env: { ...process.env, ...values } });
      expect(r.status).toBe(0);
      expect(r.stdout).not.toContain('${KUBEADM_');
      const join = docOfKind(r.stdout, 'JoinConfiguration');
      expect(join.discovery.bootstrapToken.token).toBe(values.KUBEADM_TOKEN);
      expect(join.discovery.bootstrapToken.caCertHashes).toEqual([values.KUBEADM_CA_CERT_HASH]);
      if (join.controlPlane) expect(join.controlPlane.certificateKey).toBe(values.KUBEADM_CERTIFICATE_KEY);
      expect(unknownKeys(join, KUBEADM_SHAPES.JoinConfiguration)).toEqual([]);
      expect(yamlDocs(r.stdout)).toHaveLength(1);
      checked++;
    }
    expect(checked).toBe(12);
  });
});
