/**
 * The publishing fields package.json must carry (pack.test.ts checks the installed package against them).
 * `assemblePackage` is the older way of making a tarball from build/; `npm pack` now does it directly
 * (its `prepack` script builds), which is what pack.test.ts runs on a fresh clone.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fields package.json needs so `npm pack` ships the compiled library and Node/TypeScript find it. */
export const PACKAGE_FIELDS = {
  main: 'build/lib/index.js',
  types: 'build/lib/index.d.ts',
  exports: {
    '.': { types: './build/lib/index.d.ts', default: './build/lib/index.js' },
    './package.json': './package.json',
  },
  files: ['build/lib', 'build/imports', 'hostconfig/cluster.schema.json'],
} as const;

/** Directories of build/ that go into the package. */
const BUILD_DIRS = ['lib', 'imports'];
/** The published JSON Schema of the description format (generated from lib/model/description.ts). */
const SCHEMA = 'hostconfig/cluster.schema.json';

export function assemblePackage(repo: string, staging: string): void {
  for (const dir of BUILD_DIRS) {
    const from = join(repo, 'build', dir);
    if (!existsSync(from)) throw new Error(`${from} is missing; run npm run build first`);
    cpSync(from, join(staging, 'build', dir), { recursive: true });
  }
  mkdirSync(join(staging, 'hostconfig'), { recursive: true });
  cpSync(join(repo, SCHEMA), join(staging, SCHEMA));
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Record<string, unknown>;
  // Consumers install dependencies only; scripts (build, test) and devDependencies belong to this repository.
  delete manifest.scripts;
  delete manifest.devDependencies;
  writeFileSync(join(staging, 'package.json'), `${JSON.stringify({ ...manifest, ...PACKAGE_FIELDS }, null, 2)}\n`);
  if (existsSync(join(repo, 'README.md'))) cpSync(join(repo, 'README.md'), join(staging, 'README.md'));
}
