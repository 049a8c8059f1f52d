/**
 * The host files are rendered once per render (planHosts) and that one plan feeds both the files written
 * under hosts/ and the README's per-host instructions, so the two cannot describe different files.
 */
import { describe, expect, it } from 'vitest';
import { hostArtifacts, planHosts, renderHostFiles } from '../../lib/hosts';
import { hostInstructions } from '../../lib/readme/hosts';
import { renderCluster } from '../../lib/render';
import { reference } from './fixtures';

describe('planHosts', () => {
  const model = reference();
  const plan = planHosts(model);

  it('holds every host of the model, in its order, with the files hostArtifacts renders for it', () => {
    expect([...plan.keys()].map((h) => h.name)).toEqual(model.hosts.map((h) => h.name));
    for (const host of model.hosts) expect(plan.get(host)).toEqual(hostArtifacts(model, host));
    expect(plan.get(model.hosts.find((h) => h.name === 'n100-001')!)!.map((a) => a.file)).toContain('kubeadm-init.yaml');
  });

  it('is what the render writes and what its README describes', () => {
    const rendered = renderCluster(model);
    const hostFiles = rendered.files.filter((f) => f.path.startsWith('hosts/'));
    expect(hostFiles).toEqual(renderHostFiles(model, plan));
    expect(rendered.files.find((f) => f.path === 'README.md')!.content).toContain(hostInstructions(model, plan));
  });

  it('the README lists the files the plan holds, not others: a file added to the plan shows in the instructions', () => {
    const tunnelServer = model.tunnel!.server;
    const extra = new Map(plan);
    extra.set(tunnelServer, [...plan.get(tunnelServer)!, { file: 'extra.conf', content: '', mode: 0o644, delivery: 'reference', purpose: 'an extra file' }]);
    expect(hostInstructions(model, plan)).not.toContain('extra.conf');
    expect(hostInstructions(model, extra)).toContain('extra.conf');
  });
});
