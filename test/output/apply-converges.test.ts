/**
 * Two statements of dist/README.md, tested as far as they can be offline:
 * 1. the wave sequence retries a server-side dry-run of the custom resources until the webhooks accept it,
 *    within a deadline (the README's own shell block, run with a stubbed kubectl);
 * 2. `kubectl apply -f dist` run twice converges (a simulated API server that refuses what kubectl would
 *    have refused: objects in a missing Namespace, of an unknown kind, or behind a webhook that is not ready).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCluster } from '../../lib/render';
import { skipWithout } from '../helpers/tools';
import { referenceModel } from './fixtures';

const render = renderCluster(referenceModel(), { checks: [] });
const readme = render.files.find((f) => f.path === 'README.md')!.content;
const applyBlock = /### With kubectl[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1];
const CR_FILE = '40-custom-resources.yaml';

const work = mkdtempSync(join(tmpdir(), 'apply-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the README's apply block with kubectl and sleep stubbed; dry-runs fail `failures` times. */
function runApply(name: string, failures: number) {
  const dir = join(work, name);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'kubectl'),
    `#!/bin/sh
echo "$*" >> "$LOG"
case "$*" in
  *--dry-run=server*)
    n=$(cat "$COUNT" 2>/dev/null || echo 0); n=$((n+1)); echo "$n" > "$COUNT"
    [ "$n" -gt "$FAILURES" ] || { echo 'Internal error occurred: failed calling webhook: connection refused' >&2; exit 1; } ;;
esac
exit 0
`,
  );
  writeFileSync(join(bin, 'sleep'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(bin, 'kubectl'), 0o755);
  chmodSync(join(bin, 'sleep'), 0o755);
  const log = join(dir, 'log');
  const r = spawnSync('sh', ['-e', '-c', applyBlock], {
    cwd: dir,
    env: { PATH: `${bin}:/usr/bin:/bin`, LOG: log, COUNT: join(dir, 'count'), FAILURES: String(failures) },
    encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr, calls: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [] };
}

describe('apply sequence waits for webhooks', () => {
  it('retries the server-side dry-run of the custom resources, then applies them', (ctx) => {
    skipWithout(ctx, 'sh');
    const r = runApply('late-webhooks', 3);
    expect(r.status, r.stderr).toBe(0);
    const dryRuns = r.calls.map((c, i) => [c, i] as const).filter(([c]) => c === `apply --dry-run=server -f dist/${CR_FILE}`);
    expect(dryRuns).toHaveLength(4);
    const apply = r.calls.indexOf(`apply -f dist/${CR_FILE}`);
    expect(apply).toBeGreaterThan(dryRuns[3][1]);
    // The controllers' rollouts come before the first dry-run.
    expect(r.calls.findIndex((c) => c.includes('rollout status deployment/cert-manager-webhook'))).toBeLessThan(dryRuns[0][1]);
  });

  it('gives up after the deadline and does not apply the custom resources', (ctx) => {
    skipWithout(ctx, 'sh');
    const r = runApply('dead-webhooks', 10_000);
    expect(r.status).not.toBe(0);
    // 60 tries 5 s apart: cert-manager's webhook gets five minutes to come up
    expect(r.stderr).toContain(`webhooks still refuse dist/${CR_FILE} after 5 min`);
    expect(r.calls.filter((c) => c.startsWith('apply --dry-run=server'))).toHaveLength(60);
    expect(r.calls).not.toContain(`apply -f dist/${CR_FILE}`);
  });
});

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; generateName?: string; namespace?: string };
  spec?: { names?: { kind?: string }; group?: string };
}

/** Kinds the API server knows without dist/: built-ins, and the CRDs of the upstream prerequisites. */
const BUILTIN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'policy',
  'rbac.authorization.k8s.io',
  'networking.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'scheduling.k8s.io',
  'apiextensions.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'apiregistration.k8s.io',
]);
const UPSTREAM_GROUPS = new Set(['metallb.io', 'cert-manager.io']);
const UPSTREAM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'metallb-system', 'cert-manager'];

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
const keyOf = (o: Obj) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * One `kubectl apply -f dist`: files in lexical order, objects in file order; an object fails when its
 * Namespace or kind is missing or its group's webhooks do not answer yet. Returns how many were created.
 */
function applyOnce(server: { objects: Map<string, string>; namespaces: Set<string>; webhooksReady: boolean }, objects: readonly Obj[]) {
  let created = 0;
  let failed = 0;
  for (const o of objects) {
    const group = groupOf(o.apiVersion);
    const crdKnown = [...server.objects.values()].some((v) => {
      const crd = JSON.parse(v) as Obj;
      return crd.kind === 'CustomResourceDefinition' && crd.spec?.group === group && crd.spec?.names?.kind === o.kind;
    });
    const kindKnown = BUILTIN_GROUPS.has(group) || UPSTREAM_GROUPS.has(group) || crdKnown;
    const nsOk = !o.metadata.namespace || server.namespaces.has(o.metadata.namespace);
    const webhookOk = !UPSTREAM_GROUPS.has(group) || server.webhooksReady;
    if (!kindKnown || !nsOk || !webhookOk) {
      failed++;
      continue;
    }
    const key = keyOf(o);
    if (!server.objects.has(key)) created++;
    server.objects.set(key, JSON.stringify(o));
    if (o.kind === 'Namespace') server.namespaces.add(o.metadata.name!);
  }
  return { created, failed };
}

describe('kubectl apply -f dist run twice converges', () => {
  const files = render.files.filter((f) => /^[^/]+\.(ya?ml|json)$/.test(f.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const objects = files.flatMap((f) => yaml.loadAll(f.content).filter(Boolean) as Obj[]);

  it('says so in the README', () => {
    expect(readme).toContain('`kubectl apply -f dist` run twice converges');
  });

  it('reads only the wave files, each object named (no generateName) and emitted once', () => {
    expect(files.map((f) => f.path)).toEqual(render.files.filter((f) => /^\d\d-.*\.yaml$/.test(f.path)).map((f) => f.path));
    expect(objects.every((o) => o.metadata.name && !o.metadata.generateName)).toBe(true);
    expect(new Set(objects.map(keyOf)).size).toBe(objects.length);
  });

  it('creates everything by the second run once the webhooks answer, and a third run changes nothing', () => {
    const server = { objects: new Map<string, string>(), namespaces: new Set(UPSTREAM_NAMESPACES), webhooksReady: false };
    const first = applyOnce(server, objects);
    expect(first.failed).toBeGreaterThan(0); // the custom resources: their webhooks are still starting
    server.webhooksReady = true;
    const second = applyOnce(server, objects);
    expect(second.failed).toBe(0);
    expect(server.objects.size).toBe(objects.length);
    expect(applyOnce(server, objects)).toEqual({ created: 0, failed: 0 });
  });
});
