import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDescription } from '../../lib/model/load';
import { MARKER_FILE, markerContent } from '../../lib/output/writer';
import { renderCluster } from '../../lib/render';

function tree(dir: string): Map<string, { content: string; mode: number }> {
  const out = new Map<string, { content: string; mode: number }>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(relative(dir, full), { content: readFileSync(full, 'utf8'), mode: statSync(full).mode & 0o777 });
    }
  };
  walk(dir);
  return out;
}

describe('committed dist/', () => {
  it('matches a fresh render of hostconfig/cluster.yaml (run npm run synth and commit when this fails)', () => {
    expect(existsSync('dist'), 'dist/ is missing: run npm run synth').toBe(true);
    const fresh = renderCluster(loadDescription('hostconfig/cluster.yaml')).files;
    const committed = tree('dist');
    // the writer's marker, recording the description and its hash (validate --dir re-renders from it)
    const marker = markerContent('dist', { file: 'hostconfig/cluster.yaml', content: readFileSync('hostconfig/cluster.yaml') });
    expect(committed.get(MARKER_FILE)?.content, `dist/${MARKER_FILE} is stale`).toBe(marker);
    expect(marker).toMatch(/^homelab-cluster render\ndescription: \.\.\/hostconfig\/cluster\.yaml\nsha256: [0-9a-f]{64}\n$/);
    committed.delete(MARKER_FILE);
    expect([...committed.keys()].sort()).toEqual(fresh.map((f) => f.path).sort());
    for (const file of fresh) {
      const got = committed.get(file.path)!;
      expect(got.content, `dist/${file.path} is stale`).toBe(file.content);
      // git records only the executable bit, so that is what a committed dist/ can carry
      expect(Boolean(got.mode & 0o111), `dist/${file.path} executable bit`).toBe(Boolean((file.mode ?? 0o644) & 0o111));
    }
  });
});

describe('valid fixtures', () => {
  const fixtures = readdirSync('test/fixtures/valid')
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  it.each(fixtures)('%s synthesizes with every output check holding', (file) => {
    const result = renderCluster(loadDescription(join('test/fixtures/valid', file)));
    expect(result.objects.length).toBeGreaterThan(0);
    expect(result.files.some((f) => f.path === 'README.md')).toBe(true);
    expect(result.files.filter((f) => !f.path.includes('/')).every((f) => f.path === 'README.md' || /^\d\d-[a-z0-9-]+\.yaml$/.test(f.path))).toBe(true);
  });
});
