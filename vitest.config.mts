import { defineConfig } from 'vitest/config';

/**
 * Three projects (see the README, "Tests"):
 * - `unit`: in-process tests (`npx vitest run --project unit` is the quick loop while editing).
 * - `tools`: tests that start processes (the command line, tsx, npm pack, cdk8s-cli), run real validators
 *   (haproxy, keepalived, cloud-init, systemd-analyze, shellcheck) or shell scripts in sandboxes.
 * - `lab`: the failover lab (real keepalived and HAProxy in network namespaces, as root). It measures failover
 *   timing, so it runs alone (`npm run test:lab`), never beside the other projects: `npm test` runs `unit`
 *   and `tools` only, and a bare `vitest run` starts the lab after both (groupOrder 1).
 *
 * `unit` and `tools` share one module registry per worker (`isolate: false`): cdk8s, cdk8s-plus and the library
 * are imported once per worker instead of once per file (about 0.5 s each). So no test may leave global state
 * behind (environment, working directory, umask, mocks, patched modules; test/helpers/global-state.ts fails a
 * file that changes the first three); a test that needs such a change makes it in a child process.
 */
const TOOLS = [
  'test/cli/cli.test.ts',
  'test/cli/launcher.test.ts',
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
/** Fails a file of `unit` or `tools` that leaves environment, working directory or umask changed. */
const GUARD = './test/helpers/global-state.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2-core machines: two workers in all, shared by the projects that run together.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...TOOLS, ...LAB], isolate: false, setupFiles: [GUARD] },
      },
      {
        extends: true,
        test: { name: 'tools', include: TOOLS, isolate: false, setupFiles: [GUARD] },
      },
      {
        extends: true,
        test: { name: 'lab', include: LAB, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
