import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDescription } from '../../lib/model/load';
import { DescriptionError } from '../../lib/model/problems';

const INVALID = 'test/fixtures/invalid';
const VALID = 'test/fixtures/valid';

function problemsOf(file: string): DescriptionError['problems'] {
  try {
    loadDescription(file);
  } catch (error) {
    if (error instanceof DescriptionError) return error.problems;
    throw error;
  }
  throw new Error(`${file} was accepted`);
}

describe('invalid descriptions', () => {
  const files = readdirSync(INVALID)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('has at least 25 fixtures, each declaring the field it breaks', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
    for (const file of files) expect(readFileSync(join(INVALID, file), 'utf8')).toMatch(/^# expect: \S+ :: .+/);
  });

  it.each(files)('%s is rejected naming the field', (file) => {
    const [, path, fragment] = /^# expect: (\S+) :: (.+)$/m.exec(readFileSync(join(INVALID, file), 'utf8'))!;
    const problems = problemsOf(join(INVALID, file));
    expect(problems).toContainEqual(expect.objectContaining({ path, message: expect.stringContaining(fragment) }));
  });
});

describe('valid descriptions', () => {
  const files = readdirSync(VALID)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('include the reference cluster and the required variants', () => {
    expect(files).toEqual(
      expect.arrayContaining(['reference.yaml', 'single-control-plane-no-tunnel.yaml', 'five-control-planes-other-subnet.yaml', 'all-arm64.yaml']),
    );
  });

  it.each(files)('%s loads', (file) => {
    const model = loadDescription(join(VALID, file));
    expect(model.apiServer.controlPlanes.length % 2).toBe(1);
  });

  it('single control plane fixture has no tunnel and uses ipvs', () => {
    const model = loadDescription(join(VALID, 'single-control-plane-no-tunnel.yaml'));
    expect(model.tunnel).toBeUndefined();
    expect(model.apiServer.controlPlanes.map((h) => h.name)).toEqual(['cp']);
    expect(model.kubernetes.kubeProxyMode).toBe('ipvs');
  });

  it('all-arm64 fixture has only arm64 hosts', () => {
    const model = loadDescription(join(VALID, 'all-arm64.yaml'));
    expect(new Set(model.hosts.map((h) => h.arch))).toEqual(new Set(['arm64']));
  });

  it('five control planes fixture lives on 10.20.0.0/22', () => {
    const model = loadDescription(join(VALID, 'five-control-planes-other-subnet.yaml'));
    expect(model.apiServer.controlPlanes).toHaveLength(5);
    expect(model.lan.cidr).toBe('10.20.0.0/22');
  });
});
