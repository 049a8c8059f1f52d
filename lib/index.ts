/**
 * homelab-cluster: one typed description of a self-hosted kubeadm cluster, synthesized into in-cluster YAML,
 * host artifacts and docs.
 *
 * Use the whole pipeline (`loadDescription` → `renderCluster` → `writeOutput`), or pick single pieces: the
 * cdk8s constructs (each takes its own typed props, not the cluster model), the flow catalogue and checker,
 * the Pod Security evaluator, the pure host renderers, the docs renderer.
 *
 * This is the public API, and only what is listed here: every name is exported on purpose, grouped by what
 * a user does with it. README.md ("Public API") lists the same names, and a test keeps the two equal.
 * Where two layers have the same idea with identical types (a Pod Security level, a Secret key reference,
 * an access role), the model's definition is the one exported.
 */

/**
 * The description: read and validate a cluster description into the one immutable, fully-defaulted model;
 * every problem of an invalid description comes back at once as a `Problem` (`path: message`).
 */
export { loadDescription, parseDescription } from './model/load';
export { DescriptionError, formatProblem, type Problem } from './model/problems';
export type { AccessRole, ClusterModel, Host, PodSecurityLevel, SecretKeyRef } from './model/types';

/**
 * The whole render: the model composed into a cdk8s App, synthesized, checked and laid out as files; then
 * written into an output directory atomically, replacing only a previous render.
 */
export { buildClusterApp } from './app/cluster-app';
export { renderCluster, type RenderOptions, type RenderResult } from './render';
export type { RenderedFile } from './output/files';
export {
  checkOutputDir,
  MARKER_FILE,
  OutputError,
  OutputRefusedError,
  writeOutput,
  type RenderSource,
  type WriteOptions,
  type WriteResult,
} from './output/writer';

/**
 * Output checks: what synth runs on every render before the output is replaced (schemas, Pod Security, the
 * flow check, RBAC, the secret scan, ...), and the shape of a check to add your own.
 */
export { OUTPUT_CHECKS } from './checks';
export { OutputCheckError, type CheckContext, type OutputCheck } from './checks/types';
export { objectRef, type K8sObject } from './k8s/object';

/**
 * cdk8s constructs for the components we deploy, each with its props type and the types its props use.
 * Images and versions are pinned in one place (`VERSIONS`, `IMAGES`); `PREREQUISITE_MANIFESTS` are the
 * upstream manifests (MetalLB, cert-manager) the constructs' custom resources need.
 */
export { Flannel, FlannelBackend, type FlannelProps } from './components/cni/flannel';
export { KubeNetworkPolicies, type KubeNetworkPoliciesProps } from './components/cni/kube-network-policies';
export type { ICniProvider, INetworkPolicyEnforcer } from './components/cni/cni-provider';
export { MetalLbL2Pools, type MetalLbAddressPool, type MetalLbL2PoolsProps } from './components/metallb/metallb-pools';
export { IngressNginx, type IngressNginxProps } from './components/ingress/ingress-nginx';
export { Traefik, type TraefikProps, type TraefikTunnelProps } from './components/ingress/traefik';
export type {
  ExternalTrafficPolicy,
  IIngressController,
  IngressControllerBaseProps,
  IngressServicePort,
  IngressTunnelTarget,
} from './components/ingress/ingress-controller';
export { ExternalHttpsBackend, type ExternalHttpsBackendProps } from './components/ingress/external-https-backend';
export {
  AcmeEnvironment,
  AcmeSolver,
  LetsEncryptIssuers,
  type Dns01CloudflareSolverOptions,
  type Http01IngressSolverOptions,
  type LetsEncryptIssuersProps,
} from './components/cert-manager/letsencrypt-issuers';
export { Frpc, type FrpcProps } from './components/frp/frpc';
export type { FrpcTcpProxy } from './components/frp/frpc-config';
export { NfsCsiDriver, type NfsCsiDriverProps } from './components/nfs-csi/nfs-csi-driver';
export { NfsStorageClass, ReclaimPolicy, type NfsStorageClassProps } from './components/nfs-csi/nfs-storage-class';
export { MetricsServer, type MetricsServerProps } from './components/metrics-server/metrics-server';
export { ComponentPropsError } from './components/private/validation';
export { IMAGES, imageRef, PREREQUISITE_MANIFESTS, VERSIONS, type ImageName, type ImagePlatform, type ImageSpec } from './versions';

/**
 * Security: the Pod Security Standards evaluator (what a level admits, the strictest level that admits a
 * set of objects) and the namespace construct that enforces a level; NetworkPolicy building blocks; RBAC
 * for people.
 */
export {
  admittingLevel,
  evaluatePodSecurity,
  podSecurityViolations,
  strictestAdmittingLevel,
  type PodSecurityOptions,
  type PodSecurityViolation,
} from './security/pod-security/evaluate';
export { isPodSecurityLevel, POD_SECURITY_LEVELS, podSecurityLabels, type PodSecurityLabelOptions } from './security/pod-security/levels';
export { PodSecurityNamespace, POD_SECURITY_REASON_ANNOTATION, type PodSecurityNamespaceProps } from './security/pod-security-namespace';
export {
  AllowEgress,
  AllowIngress,
  AllowTraffic,
  DefaultDeny,
  type AllowEgressProps,
  type AllowIngressProps,
  type AllowTrafficProps,
  type DefaultDenyProps,
  type PodGroup,
} from './security/network-policy/policies';
export { Peer, Port } from './security/network-policy/peers';
export { AccessRbac, type AccessRbacProps, type AccessSubject } from './security/rbac/access';

/**
 * Flows: the catalogue components declare their traffic in (`Flows.of(this)`), the endpoints and ports of a
 * flow, the dataplane-aware checker (`checkFlows`), the NetworkPolicies generated from a catalogue, and the
 * output check synth runs.
 */
export { FlowCatalogue, Flows, ScopedFlows } from './flows/catalogue';
export {
  Endpoint,
  tcp,
  udp,
  type ApiServerEndpoint,
  type ExternalEndpoint,
  type Flow,
  type FlowDeclaration,
  type FlowPort,
  type InternetEndpoint,
  type LanEndpoint,
  type NodesEndpoint,
  type PodsEndpoint,
  type ServiceEndpoint,
} from './flows/types';
export { FlowDeclarationError } from './flows/packets';
export { checkFlows, type FlowCheckInput, type FlowResult } from './flows/check';
export type { Dataplane, DataplaneNode } from './flows/dataplane';
export { dataplaneOf } from './app/flows';
export { FlowNetworkPolicies, generateNetworkPolicies, type GeneratePoliciesInput } from './flows/generate';
export { flowProblems, flowsCheck } from './checks/flows';

/**
 * Host renderers: pure functions from the model to the text of one host file (kubeadm, keepalived, HAProxy,
 * frps, containerd, Pod Security admission, cloud-init), and the plan of which host gets which file where.
 */
export { hostArtifacts, planHosts, type HostArtifact, type HostPlan } from './hosts/plan';
export { HOST_PATHS, renderHostFiles } from './hosts';
export { hostInstructions } from './readme/hosts';
export { controlPlaneEndpoint, renderKubeadmInit, renderKubeadmJoin } from './hosts/kubeadm';
export { renderCheckApiserver, renderKeepalivedConf, renderKeepalivedDropIn } from './hosts/keepalived';
export { renderHaproxyCfg, renderHaproxyDropIn, renderHaproxyEnvExample } from './hosts/haproxy';
export { renderFirewallPorts, renderFrpsEnvExample, renderFrpsService, renderFrpsToml, tunnelServerPorts, type TunnelPort } from './components/frp/frps';
export { renderContainerdConfig } from './hosts/node-prep';
export { renderPodSecurityAdmission } from './hosts/psa-admission';
export { renderMetaData, renderNetworkConfig, renderUserData } from './hosts/cloud-init';

/** Generated docs (`docs/*.md` of a render). */
export { renderDocs, type DocsContext } from './docs';
export type { DocumentedCheck } from './docs/checks';
