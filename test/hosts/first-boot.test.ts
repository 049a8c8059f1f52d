/**
 * The first-boot script of the generated user-data, run: `sh -n` on every distinct script, then the node
 * script in a sandbox where every command that would change the machine is a stub that only logs its
 * arguments. A good key fingerprint runs every step in order; a bad one stops the script right after the
 * check: no apt list, no install, no hold, no enable.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHostFiles } from '../../lib/hosts';
import { skipWithout } from '../helpers/tools';
import { reference, variants, yamlDocs } from './fixtures';

/** The fingerprint the real pkgs.k8s.io Release.key has (../shared/notes/host-facts.md, "isv:kubernetes OBS Project"). */
const RELEASE_KEY_FINGERPRINT = 'DE15B14486CD377B9E876E1A234654DA9A296436';

const scriptOf = (content: string): string => {
  const runcmd = yamlDocs(content)[0].runcmd as string[];
  expect(runcmd).toHaveLength(1);
  return runcmd[0];
};

const work = mkdtempSync(join(tmpdir(), 'first-boot-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Commands that would change the host; each stub appends `name args` to $LOG. gpg prints $FPR as the key. */
const STUBBED = ['systemctl', 'sysctl', 'swapoff', 'sed', 'curl', 'install', 'apt-get', 'apt-mark', 'gpg'];

function sandbox(name: string, script: string, fingerprint: string) {
  const dir = join(work, name);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const cmd of STUBBED) {
    const extra =
      cmd === 'gpg'
        ? 'case "$*" in *--show-keys*) echo "fpr:::::::::$FPR:" ;; esac\n'
        : cmd === 'install'
          ? 'case "$*" in */dev/stdin*) cat >/dev/null ;; esac\n'
          : '';
    writeFileSync(join(bin, cmd), `#!/bin/sh\necho "${cmd} $*" >> "$LOG"\n${extra}`);
    chmodSync(join(bin, cmd), 0o755);
  }
  const file = join(dir, 'runcmd.sh');
  writeFileSync(file, script);
  const log = join(dir, 'log');
  const r = spawnSync('sh', [file], { env: { PATH: `${bin}:/usr/bin:/bin`, LOG: log, FPR: fingerprint }, encoding: 'utf8' });
  return { status: r.status, log: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [], stderr: r.stderr };
}

describe('first-boot script (cloud-init runcmd)', () => {
  const ref = reference();
  const userData = [...renderHostFiles(ref), ...renderHostFiles(variants.ipvs())].filter((f) => f.path.endsWith('/user-data'));

  it('is one set -eu script that sh -n accepts, for every user-data', (ctx) => {
    skipWithout(ctx, 'sh');
    for (const script of new Set(userData.map((f) => scriptOf(f.content)))) {
      expect(script.startsWith('set -eu\n')).toBe(true);
      const r = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' });
      expect(r.status, `${r.stderr}\n${script}`).toBe(0);
    }
  });

  const node = scriptOf(userData.find((f) => f.path === 'hosts/raspberry-001/user-data')!.content);

  it('runs key → fingerprint → apt list → update → install → hold → enable when the key checks out', (ctx) => {
    skipWithout(ctx, 'sh');
    const r = sandbox('good', node, RELEASE_KEY_FINGERPRINT);
    expect(r.status, r.stderr).toBe(0);
    const at = (prefix: string) => r.log.findIndex((l) => l.startsWith(prefix));
    const order = [
      at('curl '),
      at('gpg --show-keys'),
      at('gpg --dearmor'),
      at('install -m 0644 /dev/stdin /etc/apt/sources.list.d/kubernetes.list'),
      at('apt-get update'),
      at('apt-get install -y kubelet='),
      at('apt-mark hold'),
      at('systemctl enable kubelet.service'),
    ];
    expect(
      order.every((i) => i >= 0),
      r.log.join('\n'),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('stops everything after a failing fingerprint check', (ctx) => {
    skipWithout(ctx, 'sh');
    const r = sandbox('bad', node, '0000000000000000000000000000000000000000');
    expect(r.status).not.toBe(0);
    expect(r.log[r.log.length - 1]).toMatch(/^gpg --show-keys/);
    for (const after of ['gpg --dearmor', 'install -m 0644 /dev/stdin', 'apt-get', 'apt-mark', 'systemctl enable']) {
      expect(
        r.log.filter((l) => l.startsWith(after)),
        after,
      ).toEqual([]);
    }
  });

  it('stops when an earlier step fails too (the key download)', (ctx) => {
    skipWithout(ctx, 'sh');
    const failingCurl = node.replace(/^curl /m, 'false && curl ').replace(/^false && curl (.*)$/m, 'curl $1 && false');
    const r = sandbox('curl', failingCurl, RELEASE_KEY_FINGERPRINT);
    expect(r.status).not.toBe(0);
    expect(r.log.some((l) => l.startsWith('apt-get install'))).toBe(false);
  });
});
