import { defineConfig } from 'vitest/config';

/**
 * Three projects (see the README, "Tests"):
 * - `unit`: in-process tests. One module registry per worker (`isolate: false`), so cdk8s, cdk8s-plus and the
 *   library are imported once per worker instead of once per file. Such a test must not leave global state
 *   behind (environment, working directory, umask, mocks): do that in a child process, in `tools`.
 * - `tools`: tests that start processes (the CLI, tsx, tsc, npm pack), real validators (haproxy, keepalived,
 *   cloud-init, systemd-analyze, shellcheck) or shell sandboxes. Each file in its own module registry.
 * - `lab`: the failover lab (real keepalived and HAProxy in network namespaces, as root). It measures failover
 *   timing, so it runs alone (`npm run test:lab`), never beside the other projects: `npm test` runs `unit`
 *   and `tools` only, and a bare `vitest run` starts the lab after both (groupOrder 1).
 */
const TOOLS = [
  'test/cli/cli.test.ts',
  'test/components/imports.test.ts',
  'test/docs/constructs-examples.test.ts',
  'test/hosts/day2-access.test.ts',
  'test/hosts/day2-apiserver.test.ts',
  'test/hosts/day2-etcd-snapshot.test.ts',
  'test/hosts/first-boot.test.ts',
  'test/hosts/native-validators.test.ts',
  'test/hosts/runbook-frp-token.test.ts',
  'test/output/apply-converges.test.ts',
  'test/pack/pack.test.ts',
  'test/safe-output/cli-guard.test.ts',
  'test/safe-output/locale.test.ts',
  'test/safe-output/writer.test.ts',
];
const LAB = ['test/lab/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2-core machines: two workers in all, shared by the projects that run together.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...TOOLS, ...LAB], isolate: false },
      },
      {
        extends: true,
        test: { name: 'tools', include: TOOLS },
      },
      {
        extends: true,
        test: { name: 'lab', include: LAB, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
