/**
 * The validated, fully-defaulted cluster model.
 *
 * This is the one contract between the description loader and every later stage (constructs, host
 * renderers, docs). Everything here is deeply readonly; references between parts of the description
 * (balancer hosts, the NFS server, the tunnel server) are already resolved to {@link Host} objects, so no
 * later stage looks anything up by name or re-validates anything.
 *
 * The YAML description (`hostconfig/cluster.yaml`) has the same shape with optional fields; its one
 * definition (lib/model/description.ts) gives the {@link Description} type, the JSON Schema and the README's
 * field reference. The value sets below (architectures, roles, levels…) are taken from it, so a new value in
 * the schema reaches every `switch` over it.
 */
import type { Description, HostDescription } from './description';

type Acme = NonNullable<Description['acme']>;
type Tunnel = NonNullable<Description['tunnel']>;
type StorageClass = NonNullable<Description['storage']>['classes'][number];

/** CPU architecture, in Kubernetes (`kubernetes.io/arch`) spelling. */
export type Arch = NonNullable<HostDescription['arch']>;

/** Hardware kind of a host. It fixes the architecture for `raspberry-pi` (arm64) and `n100` (amd64). */
export type Hardware = HostDescription['hardware'];

/**
 * What a host does for the cluster: `control-plane` (kubeadm control-plane node: etcd, apiserver, scheduler,
 * controller-manager), `worker` (kubeadm worker node), `load-balancer` (keepalived + HAProxy in front of the
 * API servers), `nfs-server` (serves NFS shares for the StorageClasses), `tunnel-server` (runs frps, reachable
 * from the Internet).
 */
export type HostRole = HostDescription['roles'][number];

/** Operating system image a provisioned host is installed from; it selects the cloud-init flavour. */
export type HostOs = HostDescription['os'];

/** A machine of the description, resolved: its roles, architecture, OS and interface settled. */
export interface Host {
  readonly name: string;
  /** IPv4 address (on the LAN unless `external`). */
  readonly ip: string;
  readonly arch: Arch;
  readonly hardware: Hardware;
  /** Sorted, unique. */
  readonly roles: readonly HostRole[];
  /** True when the host is outside the LAN (the VPS). @default false */
  readonly external: boolean;
  /**
   * Network interface carrying `ip`. Required in the description for LAN hosts other than Raspberry Pis;
   * @default 'eth0' for Raspberry Pis (and unused for external hosts)
   */
  readonly interface: string;
  /** Whether we generate cloud-init for this host. @default true, except for `nas` and `vps` hardware */
  readonly provision: boolean;
  /** @default 'ubuntu-24.04' */
  readonly os: HostOs;
  /** Derived: the host is a Kubernetes node (control-plane or worker). */
  readonly isNode: boolean;
  /** Extra node labels (Kubernetes nodes only). @default {} */
  readonly labels: Readonly<Record<string, string>>;
}

/** A person who gets an account with SSH access on every provisioned host. */
export interface HostUser {
  readonly name: string;
  /** Public keys (never private ones). @default [] */
  readonly sshAuthorizedKeys: readonly string[];
  /** cloud-init `ssh_import_id` references such as `gh:octocat`. @default [] */
  readonly sshImportIds: readonly string[];
  /** Passwordless sudo. @default true */
  readonly sudo: boolean;
}

export interface LanModel {
  /** e.g. 192.168.100.0/24 */
  readonly cidr: string;
  /** Prefix length of `cidr`, derived. */
  readonly prefixLength: number;
  readonly gateway: string;
  /** @default [gateway] */
  readonly dnsServers: readonly string[];
  /** Search domains handed to hosts. @default [] */
  readonly searchDomains: readonly string[];
}

export type KubeProxyMode = Description['kubernetes']['kubeProxyMode'];

export interface KubernetesModel {
  /** Full version with leading v, e.g. v1.32.3. */
  readonly version: string;
  /** Derived `major.minor`, e.g. 1.32 (used for pkgs.k8s.io and PSA label versions). */
  readonly minor: string;
  /** @default 10.244.0.0/16 */
  readonly podCidr: string;
  /** @default 10.96.0.0/12 */
  readonly serviceCidr: string;
  /** @default cluster.local */
  readonly dnsDomain: string;
  /** @default iptables */
  readonly kubeProxyMode: KubeProxyMode;
  /** @default unix:///var/run/containerd/containerd.sock */
  readonly criSocket: string;
}

export interface BalancerMember {
  readonly host: Host;
  /** VRRP priority (1-254, distinct). The highest is MASTER. */
  readonly priority: number;
}

export interface ApiServerModel {
  /** Virtual IP held by keepalived; the kubeadm `controlPlaneEndpoint`. */
  readonly vip: string;
  /** Port HAProxy listens on at the VIP. @default 6443 */
  readonly port: number;
  /** Port kube-apiserver binds on each control plane. @default 6443 */
  readonly bindPort: number;
  /** Extra SANs for the API server certificate (the VIP is added by kubeadm itself). @default [] */
  readonly certSANs: readonly string[];
  /** Sorted by priority, highest first. */
  readonly balancers: readonly BalancerMember[];
  /** keepalived VRRP virtual_router_id (1-255). @default 51 */
  readonly virtualRouterId: number;
  /**
   * File on each balancer host holding the VRRP password (max 8 characters); keepalived includes it, so the
   * password never appears in generated files. @default /etc/keepalived/vrrp-auth.conf
   */
  readonly vrrpAuthFile: string;
  readonly stats: {
    /** @default 8404 */
    readonly port: number;
    /** @default /stats */
    readonly path: string;
    /** Environment variable with the stats user name. @default HAPROXY_STATS_USER */
    readonly userEnv: string;
    /** Environment variable with the stats password. @default HAPROXY_STATS_PASSWORD */
    readonly passwordEnv: string;
    /**
     * Public host name of the stats pages: an HTTPS-only Ingress with a cert-manager certificate in front of
     * the balancers' stats ports (HAProxy's basic auth stays). @default undefined (LAN only)
     */
    readonly publicHost?: string;
  };
  /** Derived: control-plane hosts in description order. The first one runs `kubeadm init`. */
  readonly controlPlanes: readonly Host[];
}

export interface MetalLbPool {
  /** Kubernetes object name of the IPAddressPool. */
  readonly name: string;
  /** CIDRs or `start-end` ranges, as written. */
  readonly addresses: readonly string[];
  /** @default true */
  readonly autoAssign: boolean;
  /** @default false */
  readonly avoidBuggyIPs: boolean;
}

export interface MetalLbModel {
  /** @default metallb-system */
  readonly namespace: string;
  readonly pools: readonly MetalLbPool[];
}

export type IngressControllerKind = Description['ingress']['controller'];

export interface IngressModel {
  /** @default ingress-nginx */
  readonly controller: IngressControllerKind;
  /** @default the controller's name: ingress-nginx or traefik */
  readonly namespace: string;
  /** IngressClass name. @default nginx */
  readonly className: string;
  /** LoadBalancer IP, inside a MetalLB pool. */
  readonly loadBalancerIP: string;
  /**
   * Derived: name of the pool holding `loadBalancerIP` alone (`autoAssign: false`), split off the described
   * pool that contains it, so no other LoadBalancer Service can take the ingress address.
   */
  readonly pool: string;
  /** Controller replicas. @default 2 */
  readonly replicas: number;
  /** Make this IngressClass the cluster default. @default true */
  readonly defaultClass: boolean;
}

export type AcmeIssuerKind = Acme['issuers'][number];

/** Reference to a key in an in-cluster Secret; the Secret itself is never generated. */
export type SecretKeyRef = Readonly<Tunnel['token']['secret']>;

export type AcmeSolver =
  | { readonly type: 'http01' }
  | {
      readonly type: 'dns01';
      readonly provider: Extract<Acme['solver'], { type: 'dns01' }>['provider'];
      /** Secret (in the cert-manager namespace) holding the API token. */
      readonly apiTokenSecretRef: SecretKeyRef;
      /** Limit this solver to these DNS zones. @default [] (all) */
      readonly dnsZones: readonly string[];
    };

export interface AcmeModel {
  /** ACME account email; optional (never an RFC 2606 example domain). */
  readonly email?: string;
  /** Issuers to create; ClusterIssuer names are `letsencrypt-<kind>`. @default [staging, production] */
  readonly issuers: readonly AcmeIssuerKind[];
  /** @default {type: http01} */
  readonly solver: AcmeSolver;
}

export interface ForwardedPort {
  /** Proxy name (frpc `[[proxies]].name`). */
  readonly name: string;
  /** Port opened on the tunnel server. */
  readonly remotePort: number;
  /** Port on the ingress IP. */
  readonly localPort: number;
  /** @default tcp */
  readonly protocol: Tunnel['forwardedPorts'][number]['protocol'];
}

export interface TunnelModel {
  /** @default frp */
  readonly kind: Tunnel['kind'];
  readonly server: Host;
  /** frps bindPort, the port frpc dials. @default 7000 */
  readonly bindPort: number;
  /** SSH port of the tunnel server itself: kept open in its firewall, never forwarded. @default 22 */
  readonly sshPort: number;
  /** Namespace of the frpc Deployment. @default frpc */
  readonly namespace: string;
  /** Sorted by remotePort. */
  readonly forwardedPorts: readonly ForwardedPort[];
  /**
   * Where frpc forwards the ports to. Derived: the ingress IP with ingress-nginx (the LAN listeners), the
   * DNS name of the controller's tunnel Service with traefik (entry points of their own, not on the LAN).
   */
  readonly targetAddress: string;
  /**
   * PROXY protocol v2 on forwarded ports; ingress-nginx then expects it on every connection, traefik honours it
   * on the tunnel entry points only. @default false
   */
  readonly proxyProtocol: boolean;
  readonly token: {
    /** In-cluster Secret read by frpc. @default {name: frp-token, key: token} */
    readonly secret: SecretKeyRef;
    /** File on the tunnel server read by frps (`auth.tokenSource`). @default /etc/frp/token */
    readonly serverFile: string;
  };
  readonly dashboard: {
    /** @default 7500 */
    readonly port: number;
    /** Address the dashboard binds on the tunnel server. @default 127.0.0.1 */
    readonly addr: string;
    /** @default FRPS_DASHBOARD_USER */
    readonly userEnv: string;
    /** @default FRPS_DASHBOARD_PASSWORD */
    readonly passwordEnv: string;
  };
}

export type ReclaimPolicy = StorageClass['reclaimPolicy'];

export interface StorageClassModel {
  /** StorageClass name. */
  readonly name: string;
  /** Exported path on the NFS server. */
  readonly share: string;
  /** Optional csi-driver-nfs `subDir` template. */
  readonly subDir?: string;
  /** @default [nfsvers=4.1] */
  readonly mountOptions: readonly string[];
  /** csi-driver-nfs `mountPermissions` of new volume directories. @default '0775' */
  readonly mountPermissions: string;
  /** @default Delete */
  readonly reclaimPolicy: ReclaimPolicy;
  /** @default false (exactly one class may be default) */
  readonly default: boolean;
  /** @default true */
  readonly allowVolumeExpansion: boolean;
}

export interface NfsModel {
  readonly server: Host;
  readonly classes: readonly StorageClassModel[];
  /** Deploy the snapshot sidecar (needs VolumeSnapshot CRDs). @default false */
  readonly snapshots: boolean;
}

export type CniPlugin = Description['cni']['plugin'];
export type NetworkPolicyEnforcer = Description['cni']['networkPolicyEnforcer'];

export interface CniModel {
  /** @default flannel */
  readonly plugin: CniPlugin;
  /** Flannel backend. @default vxlan */
  readonly backend: Description['cni']['backend'];
  /** Who enforces NetworkPolicy next to the CNI. @default kube-network-policies */
  readonly networkPolicyEnforcer: NetworkPolicyEnforcer;
  /** kube-network-policies uses containerd NRI (hosts enable it); false adds `--disable-nri`. @default true */
  readonly nri: boolean;
  /** kube-network-policies `--fail-open`. @default false (fail closed: a crashed agent drops, not allows) */
  readonly failOpen: boolean;
}

/** A Pod Security Standards level: privileged, baseline or restricted. */
export type PodSecurityLevel = Description['security']['podSecurity']['enforce'];

export interface PodSecurityDefaults {
  /** Cluster-wide defaults (AdmissionConfiguration on the API server). */
  readonly enforce: PodSecurityLevel; // @default baseline
  readonly audit: PodSecurityLevel; // @default restricted
  readonly warn: PodSecurityLevel; // @default restricted
  /** Namespaces exempt from the cluster-wide defaults. @default [kube-system] */
  readonly exemptNamespaces: readonly string[];
}

/** A namespace for the owner's own applications. */
export interface AppNamespace {
  readonly name: string;
  /** @default restricted */
  readonly podSecurity: PodSecurityLevel;
  /** Pods here receive traffic from the ingress controller. @default true */
  readonly allowIngressController: boolean;
}

/** What an `access` entry grants: admin (cluster-admin), viewer (read-only without Secrets) or operator (edit in its namespaces). */
export type AccessRole = Description['access'][number]['role'];

export interface AccessGrant {
  /** RBAC subject kind. */
  readonly kind: Description['access'][number]['kind'];
  readonly name: string;
  /** admin: cluster-admin; viewer: read-only cluster-wide without Secrets; operator: edit in `namespaces`. */
  readonly role: AccessRole;
  /** Only for `operator`. @default [] */
  readonly namespaces: readonly string[];
}

export interface SecurityModel {
  readonly podSecurity: PodSecurityDefaults;
  /** Emit default-deny and computed allow NetworkPolicies. @default true */
  readonly networkPolicies: boolean;
}

export interface OutputModel {
  /** Also emit Flux Kustomizations, one per wave. @default false */
  readonly flux: boolean;
  /** Label value that marks every object we emit (`app.kubernetes.io/part-of`). @default the cluster name */
  readonly partOf: string;
}

export type EncryptionProvider = Description['operations']['encryptionAtRest']['provider'];

/** Scheduled etcd snapshots: a systemd timer on every control plane writes to an NFS share. */
export interface EtcdSnapshotsModel {
  /** The NFS server receiving the snapshots (role nfs-server). @default storage.server */
  readonly server: Host;
  /** Exported path on the server. @default the default StorageClass's share */
  readonly share: string;
  /** Directory inside the share; each control plane writes to `<directory>/<host>/`. @default etcd-snapshots */
  readonly directory: string;
  /** systemd OnCalendar expression. @default '*-*-* 00/6:00:00' (every 6 hours) */
  readonly schedule: string;
  /** Snapshots kept per control plane. @default 28 (7 days at the default schedule) */
  readonly keep: number;
  /** @default [nfsvers=4.1, hard] */
  readonly mountOptions: readonly string[];
}

export interface AuditLogModel {
  /** `--audit-log-maxage` (days). @default 30 */
  readonly maxAge: number;
  /** `--audit-log-maxbackup` (files). @default 10 */
  readonly maxBackup: number;
  /** `--audit-log-maxsize` (MB). @default 100 */
  readonly maxSize: number;
}

/** Day-2 operations. An absent part is turned off. */
export interface OperationsModel {
  /** @default on when an NFS server is known */
  readonly etcdSnapshots?: EtcdSnapshotsModel;
  /** @default on */
  readonly auditLog?: AuditLogModel;
  /** Secrets encrypted in etcd; the key lives only on the control planes. @default {provider: secretbox} */
  readonly encryptionAtRest?: { readonly provider: EncryptionProvider };
  /** `serverTLSBootstrap: true` for kubelets, CSRs approved by the generated check script. @default true */
  readonly kubeletServingCertificates: boolean;
  /** metrics-server in kube-system. @default {replicas: 1} */
  readonly metricsServer?: { readonly replicas: number };
  /** Client certificates for people (`kubeadm kubeconfig user`). */
  readonly logins: {
    /** `--validity-period`. @default 720h */
    readonly validity: string;
  };
  /** Generate docs/upgrade.md. @default true */
  readonly upgradeRunbook: boolean;
}

/**
 * The validated cluster model `loadDescription` returns: the description with defaults filled, references
 * resolved to hosts, and every derived fact (control planes, balancers, ingress pool) settled once.
 */
export interface ClusterModel {
  readonly name: string;
  readonly kubernetes: KubernetesModel;
  readonly lan: LanModel;
  /** In description order. */
  readonly hosts: readonly Host[];
  readonly users: readonly HostUser[];
  readonly apiServer: ApiServerModel;
  readonly cni: CniModel;
  readonly metallb: MetalLbModel;
  readonly ingress: IngressModel;
  readonly acme?: AcmeModel;
  readonly tunnel?: TunnelModel;
  readonly storage?: NfsModel;
  readonly security: SecurityModel;
  readonly namespaces: readonly AppNamespace[];
  readonly access: readonly AccessGrant[];
  readonly operations: OperationsModel;
  readonly output: OutputModel;
}
