import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RenderedFile } from '../../lib/output/files';

/** A render of 12 files in 3 directories, every file tagged with `tag`. */
export function killLoopRender(tag: string): RenderedFile[] {
  return Array.from({ length: 12 }, (_, i) => ({
    path: `d${i % 3}/f${i}.yaml`,
    content: `tag: ${tag}\nfile: ${i}\npad: ${'x'.repeat(4000)}\n`,
    mode: i % 5 ? 0o644 : 0o755,
  }));
}

/** A render of `count` files in 3 directories, every file tagged with `tag`. Self-contained: tests embed its source in child processes. */
export function manyFileRender(tag: string, count: number): RenderedFile[] {
  return Array.from({ length: count }, (_, i) => ({ path: `d${i % 3}/f${i}.yaml`, content: `tag: ${tag}\nfile: ${i}\n`, mode: i % 5 ? 0o644 : 0o755 }));
}

/** Every file below `dir` → content and mode. */
export function tree(dir: string): Map<string, { content: string; mode: number }> {
  const out = new Map<string, { content: string; mode: number }>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(relative(dir, full), { content: readFileSync(full, 'utf8'), mode: statSync(full).mode & 0o777 });
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** 'A' or 'B' when `dir` holds exactly that complete render (plus the marker), else a description of what is wrong. */
export function whichRender(dir: string): string {
  const files = tree(dir);
  if (!files.has('.homelab-cluster-render')) return `no marker in ${dir}`;
  files.delete('.homelab-cluster-render');
  for (const tag of ['A', 'B']) {
    const want = killLoopRender(tag);
    if (files.size === want.length && want.every((f) => files.get(f.path)?.content === f.content && files.get(f.path)?.mode === f.mode)) return tag;
  }
  const tags = new Set([...files.values()].map((f) => f.content.split('\n')[0]));
  return `mixed or partial: ${files.size} files, ${[...tags].join(', ')}`;
}
