/**
 * The output checks run by every synth, in order. A failing check stops the synth before dist/ is touched.
 * They protect the user (schemas, Pod Security, flows, secrets, RBAC, image platforms). Proofs that our
 * renderers agree with each other (test/proofs/) run in the tests over every fixture
 * (test/output/render-proofs.test.ts), not in synth.
 */
import { flowsCheck } from './flows';
import { imagePlatformsCheck } from './image-platforms';
import { k8sSchemaCheck } from './k8s-schema';
import { networkPolicyCheck } from './network-policy';
import { podSecurityCheck } from './pod-security';
import { rbacCheck } from './rbac';
import { secretScanCheck } from './secret-scan';
import type { OutputCheck } from './types';

/**
 * Every check synth runs on a complete render before the output is replaced, in order (the secret scan before
 * any file reaches the disk, see lib/synth.ts). Pass your own list as
 * `renderCluster(model, { checks })` to add checks (or run fewer).
 */
export const OUTPUT_CHECKS: readonly OutputCheck[] = [
  podSecurityCheck,
  networkPolicyCheck,
  flowsCheck,
  rbacCheck,
  imagePlatformsCheck,
  secretScanCheck,
  k8sSchemaCheck,
];
