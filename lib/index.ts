/**
 * homelab-cluster: one typed description of a self-hosted kubeadm cluster, synthesized into in-cluster YAML,
 * host artifacts and docs.
 *
 * Use the whole pipeline (`loadDescription` → `renderCluster` → write the files), or pick single pieces:
 * the cdk8s constructs (each takes its own typed props, not the cluster model), the pure host renderers,
 * the Pod Security evaluator, the docs renderer.
 *
 * This file only re-exports. Where two layers use the same name:
 * - for the same idea with identical types (a Pod Security level, a Secret key reference, an access role),
 *   the model's definition is exported;
 * - where the component offers a value (the `ReclaimPolicy` enum, the `AcmeSolver` class), the component's
 *   is exported; the model's plain types stay reachable as `StorageClassModel['reclaimPolicy']` and
 *   `AcmeModel['solver']`.
 */

// The model: types, loader, problems.
export type * from './model/types';
export type { AccessRole, PodSecurityLevel, SecretKeyRef } from './model/types';
export { loadDescription, parseDescription } from './model/load';
export { DescriptionError, formatProblem, type Problem } from './model/problems';

// cdk8s constructs for the components we deploy, with their pinned images and versions.
export * from './components';
export { AcmeSolver, ReclaimPolicy } from './components';

// Security: Pod Security evaluator and namespace construct, NetworkPolicy building blocks, RBAC for people.
export * from './security/pod-security';
export { PodSecurityNamespace, POD_SECURITY_REASON_ANNOTATION, type PodSecurityNamespaceProps } from './security/pod-security-namespace';
export * from './security/network-policy';
export * from './security/rbac';

// Flows: the catalogue components declare (`Flows.of(this)`), the dataplane-aware checker (`checkFlows`),
// the NetworkPolicies generated from it, and the output check synth runs.
export * from './flows';
export { flowsCheck, flowProblems } from './checks/flows';
export { dataplaneOf } from './app/flows';

// Host renderers: kubeadm, keepalived, HAProxy, frps, cloud-init.
export * from './hosts';

// The whole render, its output checks and the writer.
export { buildClusterApp } from './app/cluster-app';
export { renderCluster, type RenderOptions, type RenderResult } from './render';
export { OUTPUT_CHECKS } from './checks';
export { OutputCheckError, type CheckContext, type OutputCheck } from './checks/types';
export { objectRef, type K8sObject } from './k8s/object';
export type { RenderedFile } from './output/files';
export { checkOutputDir, MARKER_FILE, OutputError, OutputRefusedError, writeOutput, type RenderSource, type WriteOptions } from './output/writer';
export { compareCodePoints } from './compare';

// Generated docs and the cross-artifact consistency check.
export * from './docs';
