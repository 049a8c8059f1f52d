/**
 * The frp token runbook, run: the shell blocks of dist/README.md that touch the token file are executed in
 * a temporary directory with `kubectl` and `scp` stubbed (they record what they would send), in the README's
 * order and in the reverse order. Both ends (the Secret frpc reads, the file frps reads) must get the same
 * bytes, and no step may generate a second token.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseToml } from 'smol-toml';
import { renderCluster } from '../../lib/render';
import { referenceModel } from '../output/fixtures';
import { skipWithout } from '../helpers/tools';

const model = referenceModel();
const rendered = renderCluster(model, { checks: [] });
const readme = rendered.files.find((f) => f.path === 'README.md')!.content;
/** The admin machine's copy of the token, which both ends are filled from. */
const FRP_TOKEN_FILE = 'frp-token';

/** Where the two ends read the token, from what they are given (the frpc Deployment, frps.toml), not from the model. */
const frpc = rendered.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'frpc') as any;
const tokenVolume = frpc.spec.template.spec.volumes.find((v: any) => v.name === 'token').secret;
const frpcReads = { namespace: frpc.metadata.namespace as string, name: tokenVolume.secretName as string, key: tokenVolume.items[0].key as string };
const frpsReads = (parseToml(rendered.files.find((f) => f.path === 'hosts/vps/frps.toml')!.content) as any).auth.tokenSource.file.path as string;

/** Every ```sh block of the README, with the two-space list indentation removed. */
function shellBlocks(text: string): string[] {
  const blocks: string[] = [];
  const re = /^( *)```sh\n([\s\S]*?)^\1```$/gm;
  for (let m = re.exec(text); m; m = re.exec(text))
    blocks.push(
      m[2]
        .split('\n')
        .map((l) => l.slice(m![1].length))
        .join('\n'),
    );
  return blocks;
}

const tokenBlocks = shellBlocks(readme).filter((b) => b.split('\n').some((l) => new RegExp(`(^|[ =])${FRP_TOKEN_FILE}( |$)`).test(l)));

const work = mkdtempSync(join(tmpdir(), 'frp-runbook-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Stubs: kubectl records `create secret generic NAME --from-file=KEY=FILE`; scp copies to <remote>/<path>. */
function stubs(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'kubectl'),
    `#!/bin/sh
set -eu
ns=; name=
while [ $# -gt 0 ]; do
  case "$1" in
    -n) ns=$2; shift 2 ;;
    generic) name=$2; shift 2 ;;
    --from-file=*) kv=\${1#--from-file=}; mkdir -p "$SECRETS/$ns/$name"; cp "\${kv#*=}" "$SECRETS/$ns/$name/\${kv%%=*}"; shift ;;
    *) shift ;;
  esac
done
`,
  );
  writeFileSync(
    join(bin, 'scp'),
    `#!/bin/sh
set -eu
keep=
while [ $# -gt 2 ]; do case "$1" in -p) keep=1; shift ;; -P) shift 2 ;; *) shift ;; esac; done
src=$1; dest="$REMOTE/\${2#*:}"
mkdir -p "$(dirname "$dest")"
if [ -n "$keep" ]; then cp -p "$src" "$dest"; else cp "$src" "$dest"; fi
`,
  );
  chmodSync(join(bin, 'kubectl'), 0o755);
  chmodSync(join(bin, 'scp'), 0o755);
  return bin;
}

function runBlocks(name: string, blocks: readonly string[]) {
  const dir = join(work, name);
  const secrets = join(dir, 'secrets');
  const remote = join(dir, 'vps');
  const admin = join(dir, 'admin');
  mkdirSync(admin, { recursive: true });
  const bin = stubs(dir);
  for (const block of blocks) {
    const r = spawnSync('sh', ['-eu', '-c', block], {
      cwd: admin,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SECRETS: secrets, REMOTE: remote },
      encoding: 'utf8',
    });
    expect(r.status, `${block}\n${r.stderr}`).toBe(0);
  }
  return { secrets, remote };
}

describe('frp token runbook (dist/README.md)', () => {
  it('has a block that creates the Secret and one that copies the same file to the tunnel server', () => {
    expect([frpcReads, frpsReads]).toEqual([{ namespace: 'frpc', name: 'frp-token', key: 'token' }, '/etc/frp/token']);
    expect(tokenBlocks.some((b) => b.includes('kubectl -n frpc create secret generic frp-token --from-file=token=frp-token'))).toBe(true);
    expect(tokenBlocks.some((b) => /^scp /m.test(b) && b.includes('/etc/frp/token'))).toBe(true);
  });

  it('generates the token at most once: every generating line is the same guarded command on the admin file', () => {
    const generating = readme.split('\n').filter((l) => /openssl rand/.test(l) && !/frpc-admin-password/.test(l));
    expect(generating.length).toBeGreaterThan(0);
    for (const line of generating) expect(line.trim()).toMatch(new RegExp(`^\\[ -s ${FRP_TOKEN_FILE} \\] \\|\\|`));
    expect(readme).not.toMatch(/openssl rand[^\n]*> *\/etc\/frp\/token/);
  });

  it.for([
    ['in README order', false],
    ['in reverse order', true],
  ] as const)('both ends read identical bytes when run %s', ([name, reverse], ctx) => {
    skipWithout(ctx, 'sh', 'openssl');
    const { secrets, remote } = runBlocks(name.replace(/ /g, '-'), reverse ? [...tokenBlocks].reverse() : tokenBlocks);
    const secretFile = join(secrets, frpcReads.namespace, frpcReads.name, frpcReads.key);
    const serverFile = join(remote, frpsReads);
    expect(existsSync(secretFile), 'the Secret frpc mounts was created').toBe(true);
    expect(existsSync(serverFile), `${frpsReads}, which frps reads, was copied to the tunnel server`).toBe(true);
    const [a, b] = [readFileSync(secretFile), readFileSync(serverFile)];
    expect(a.toString()).toMatch(/^[0-9a-f]{64}$/);
    expect(b.equals(a)).toBe(true);
    expect(statSync(serverFile).mode & 0o777).toBe(0o600);
  });

  it('gives the frpc admin API its own Secret, not the tunnel token', () => {
    const admin = readme.match(/create secret generic (\S+) --from-file=(\S+)=frpc-admin-password/);
    expect(admin).not.toBeNull();
    expect(admin![1]).toBe('frpc-admin');
    expect(admin![1]).not.toBe(frpcReads.name);
  });
});
