/**
 * hostArtifacts keeps the render of a frozen model (the README asks for every host's files again) and hands
 * out copies; a model that is not frozen is rendered on every call.
 */
import { describe, expect, it } from 'vitest';
import { hostArtifacts } from '../../lib/hosts';
import { reference } from './fixtures';

describe('hostArtifacts', () => {
  const model = reference();

  it('returns the same files on every call, as new arrays and objects', () => {
    expect(Object.isFrozen(model)).toBe(true);
    for (const host of model.hosts) {
      const first = hostArtifacts(model, host);
      const second = hostArtifacts(model, host);
      expect(second).toEqual(first);
      expect(second).not.toBe(first);
      first.forEach((artifact, i) => expect(second[i]).not.toBe(artifact));
    }
  });

  it('a change to a returned copy does not reach later calls', () => {
    const host = model.hosts[0];
    const copy = hostArtifacts(model, host) as Array<{ content: string }>;
    const original = copy[0].content;
    copy[0].content = 'changed';
    copy.pop();
    expect(hostArtifacts(model, host)[0].content).toBe(original);
    expect(hostArtifacts(model, host).length).toBe(copy.length + 1);
  });

  it('gives a model that is not frozen the same files, rendered for it', () => {
    const thawed = { ...model };
    const host = model.hosts.find((h) => h.isNode)!;
    expect(hostArtifacts(thawed, host)).toEqual(hostArtifacts(model, host));
  });
});
