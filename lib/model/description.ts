/**
 * The description as the user writes it (`hostconfig/cluster.yaml`), after JSON Schema validation has
 * filled the schema defaults. Semantic rules read this; `buildModel` turns it into the {@link ClusterModel}.
 * Field documentation lives in the schema and the README.
 */
import type {
  AccessRole,
  AcmeIssuerKind,
  EncryptionProvider,
  Arch,
  Hardware,
  HostOs,
  HostRole,
  IngressControllerKind,
  KubeProxyMode,
  NetworkPolicyEnforcer,
  PodSecurityLevel,
  ReclaimPolicy,
  SecretKeyRef,
} from './types';

export interface HostDescription {
  name: string;
  ip: string;
  arch?: Arch;
  hardware: Hardware;
  roles: HostRole[];
  external: boolean;
  interface?: string;
  provision?: boolean;
  os: HostOs;
  labels: Record<string, string>;
}

export interface Description {
  name: string;
  kubernetes: {
    version: string;
    podCidr: string;
    serviceCidr: string;
    dnsDomain: string;
    kubeProxyMode: KubeProxyMode;
    criSocket: string;
  };
  lan: { cidr: string; gateway: string; dnsServers?: string[]; searchDomains: string[] };
  hosts: HostDescription[];
  users: { name: string; sshAuthorizedKeys: string[]; sshImportIds: string[]; sudo: boolean }[];
  apiServer: {
    vip: string;
    port: number;
    bindPort: number;
    certSANs: string[];
    virtualRouterId: number;
    vrrpAuthFile: string;
    balancers: { host: string; priority: number }[];
    stats: { port: number; path: string; userEnv: string; passwordEnv: string; publicHost?: string };
  };
  cni: {
    plugin: 'flannel';
    backend: 'vxlan' | 'host-gw';
    networkPolicyEnforcer: NetworkPolicyEnforcer;
    nri: boolean;
    failOpen: boolean;
  };
  metallb: {
    namespace: string;
    pools: { name: string; addresses: string[]; autoAssign: boolean; avoidBuggyIPs: boolean }[];
  };
  ingress: {
    controller: IngressControllerKind;
    /** Absent: the controller's name. */
    namespace?: string;
    className: string;
    loadBalancerIP: string;
    replicas: number;
    defaultClass: boolean;
  };
  acme?: {
    email?: string;
    issuers: AcmeIssuerKind[];
    solver:
      | { type: 'http01' }
      | { type: 'dns01'; provider: 'cloudflare'; apiTokenSecretRef: SecretKeyRef; dnsZones: string[] };
  };
  tunnel?: {
    kind: 'frp';
    server: string;
    bindPort: number;
    sshPort: number;
    namespace: string;
    proxyProtocol: boolean;
    forwardedPorts: { name: string; remotePort: number; localPort?: number; protocol: 'tcp' }[];
    token: { secret: SecretKeyRef; serverFile: string };
    dashboard: { port: number; addr: string; userEnv: string; passwordEnv: string };
  };
  storage?: {
    server: string;
    snapshots: boolean;
    classes: {
      name: string;
      share: string;
      subDir?: string;
      mountOptions: string[];
      mountPermissions: string;
      reclaimPolicy: ReclaimPolicy;
      default: boolean;
      allowVolumeExpansion: boolean;
    }[];
  };
  security: {
    networkPolicies: boolean;
    podSecurity: {
      enforce: PodSecurityLevel;
      audit: PodSecurityLevel;
      warn: PodSecurityLevel;
      exemptNamespaces: string[];
    };
  };
  namespaces: { name: string; podSecurity: PodSecurityLevel; allowIngressController: boolean }[];
  access: { kind: 'User' | 'Group'; name: string; role: AccessRole; namespaces: string[] }[];
  operations: {
    etcdSnapshots: {
      enabled?: boolean;
      server?: string;
      share?: string;
      directory: string;
      schedule: string;
      keep: number;
      mountOptions: string[];
    };
    auditLog: { enabled: boolean; maxAge: number; maxBackup: number; maxSize: number };
    encryptionAtRest: { enabled: boolean; provider: EncryptionProvider };
    kubeletServingCertificates: { enabled: boolean };
    metricsServer: { enabled: boolean; replicas: number };
    logins: { validity: string };
    upgradeRunbook: { enabled: boolean };
  };
  output: { flux: boolean; partOf?: string };
}
