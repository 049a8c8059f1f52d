/**
 * The description format, defined once: the shape of `hostconfig/cluster.yaml`, its defaults and the
 * documentation of every field. From this one definition come
 * - {@link Description}, the TypeScript type of a description once validated and defaulted (semantic rules and
 *   `buildModel` read it);
 * - the validator (lib/model/validator.ts compiles {@link DESCRIPTION_SCHEMA} with ajv, which also fills the
 *   defaults);
 * - the published JSON Schema `hostconfig/cluster.schema.json` (`npm run generate`);
 * - the README's field reference (`npm run docs:fields`, lib/model/schema-docs.ts).
 *
 * The model the rest of the library reads is `ClusterModel` (lib/model/types.ts), which `buildModel` makes from it.
 */
import { T, type Static } from './schema-builder';

/** The patterns whose meaning lib/model/schema.ts puts in words when a value does not match. */
export const PATTERNS = {
  cidr: '^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$',
  dnsLabel: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
  envName: '^[A-Z_][A-Z0-9_]*$',
  absPath: '^/[^\\s]*$',
  kubernetesVersion: '^v\\d+\\.\\d+\\.\\d+$',
  sshPublicKey: '^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh.com) [A-Za-z0-9+/=]+( .*)?$',
  sshImportId: '^(gh|lp):[A-Za-z0-9_.-]+$',
} as const;

// Definitions, published under `definitions` and referenced with `$ref`.
const Ipv4 = T.def('ipv4', T.string({ format: 'ipv4' }));
const Cidr = T.def('cidr', T.string({ pattern: PATTERNS.cidr }));
const Port = T.def('port', T.integer({ minimum: 1, maximum: 65535 }));
const DnsLabel = T.def('dnsLabel', T.string({ pattern: PATTERNS.dnsLabel }));
const EnvName = T.def('envName', T.string({ pattern: PATTERNS.envName }));
const AbsPath = T.def('absPath', T.string({ pattern: PATTERNS.absPath }));
const PsaLevel = T.def('psaLevel', T.enum(['privileged', 'baseline', 'restricted']));
const SecretKeyRef = T.def(
  'secretKeyRef',
  T.object({
    properties: {
      name: T.string({ pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', description: 'Secret name.' }),
      key: T.string({ pattern: '^[-._a-zA-Z0-9]+$', description: 'Key inside the Secret.' }),
    },
  }),
);

// The description.
const description = T.object({
  properties: {
    $schema: T.optional(T.string({ description: 'Ignored; lets editors find this schema.' })),
    name: T.ref(DnsLabel, { description: 'Cluster name (kubeadm clusterName, label app.kubernetes.io/part-of).' }),
    kubernetes: T.object({
      properties: {
        version: T.string({
          pattern: PATTERNS.kubernetesVersion,
          description: 'Kubernetes version on every node, e.g. v1.32.3. Supported minors: 1.31, 1.32, 1.33.',
        }),
        podCidr: T.ref(Cidr, { default: '10.244.0.0/16', description: 'Pod network (kubeadm podSubnet = Flannel Network).' }),
        serviceCidr: T.ref(Cidr, { default: '10.96.0.0/12', description: 'Service network (kubeadm serviceSubnet).' }),
        dnsDomain: T.string({
          pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$',
          default: 'cluster.local',
          description: 'Cluster DNS domain.',
        }),
        kubeProxyMode: T.enum(['iptables', 'ipvs', 'nftables'], { default: 'iptables', description: 'kube-proxy mode; ipvs turns on strictARP for MetalLB.' }),
        criSocket: T.string({
          pattern: '^unix:///',
          default: 'unix:///var/run/containerd/containerd.sock',
          description: 'Container runtime socket for kubeadm nodeRegistration.',
        }),
      },
      description: 'Kubernetes version and cluster networks.',
    }),
    lan: T.object({
      properties: {
        cidr: T.ref(Cidr, { description: 'The LAN every non-external host sits on.' }),
        gateway: T.ref(Ipv4, { description: 'Default gateway of the LAN.' }),
        dnsServers: T.optional(T.array({ items: T.ref(Ipv4), minItems: 1, description: 'Default: [gateway].' })),
        searchDomains: T.array({ items: T.string({ minLength: 1 }), default: [], description: 'DNS search domains for hosts.' }),
      },
      description: 'The local network all non-external hosts share.',
    }),
    hosts: T.array({
      minItems: 1,
      items: T.object({
        properties: {
          name: T.ref(DnsLabel, { description: 'Host name (also the Kubernetes node name).' }),
          ip: T.ref(Ipv4, { description: 'IPv4 address; inside lan.cidr unless external.' }),
          arch: T.optional(T.enum(['amd64', 'arm64'], { description: 'Default: arm64 for raspberry-pi, amd64 otherwise.' })),
          hardware: T.enum(['raspberry-pi', 'n100', 'mini-pc', 'nas', 'vps'], {
            description: 'Hardware kind; raspberry-pi implies arm64, n100 implies amd64.',
          }),
          roles: T.array({
            uniqueItems: true,
            items: T.enum(['control-plane', 'worker', 'load-balancer', 'nfs-server', 'tunnel-server']),
            minItems: 1,
            description: 'What the host does. A host is control-plane or worker, not both.',
          }),
          external: T.boolean({ default: false, description: 'Host is outside the LAN (the VPS).' }),
          interface: T.optional(
            T.string({
              pattern: '^[a-zA-Z0-9_.:-]{1,15}$',
              description:
                'Network interface carrying ip. Required on every LAN host except Raspberry Pis (which default to eth0): N100/mini-PC names under Ubuntu 24.04 (enp1s0, ...) and NAS names (bond0, ovs_eth0, br0) cannot be guessed.',
            }),
          ),
          provision: T.optional(T.boolean({ description: 'Generate cloud-init for this host. Default: true except for nas and vps hardware.' })),
          os: T.enum(['ubuntu-24.04'], { default: 'ubuntu-24.04', description: 'OS image for cloud-init.' }),
          labels: T.record(T.string(), { default: {}, description: 'Extra Kubernetes node labels.' }),
        },
      }),
      description: 'Every machine: Kubernetes nodes, balancers, NAS, VPS.',
    }),
    users: T.array({
      default: [],
      description: 'Accounts created on every provisioned host.',
      items: T.object({
        properties: {
          name: T.string({ pattern: '^[a-z_][a-z0-9_-]{0,31}$', description: 'Login name.' }),
          sshAuthorizedKeys: T.array({
            items: T.string({ pattern: PATTERNS.sshPublicKey }),
            default: [],
            description: 'Public SSH keys.',
          }),
          sshImportIds: T.array({
            items: T.string({ pattern: PATTERNS.sshImportId }),
            default: [],
            description: 'cloud-init ssh_import_id entries, e.g. gh:octocat.',
          }),
          sudo: T.boolean({ default: true, description: 'Passwordless sudo.' }),
        },
      }),
    }),
    apiServer: T.object({
      properties: {
        vip: T.ref(Ipv4, { description: 'keepalived virtual IP; kubeadm controlPlaneEndpoint.' }),
        port: T.ref(Port, { default: 6443, description: 'Port HAProxy listens on.' }),
        bindPort: T.ref(Port, { default: 6443, description: 'Port kube-apiserver binds on control planes.' }),
        certSANs: T.array({ items: T.string({ minLength: 1 }), default: [], description: 'Extra API server certificate SANs (the VIP is added by kubeadm).' }),
        virtualRouterId: T.integer({
          minimum: 1,
          maximum: 255,
          default: 51,
          description: 'keepalived virtual_router_id, the same on all balancers, unique on the LAN.',
        }),
        vrrpAuthFile: T.ref(AbsPath, {
          default: '/etc/keepalived/vrrp-auth.conf',
          description: 'File on each balancer host with the VRRP authentication block; never generated.',
        }),
        balancers: T.array({
          minItems: 1,
          items: T.object({
            properties: {
              host: T.string({ description: 'Name of a host with role load-balancer.' }),
              priority: T.integer({ minimum: 1, maximum: 254, description: 'VRRP priority (1-254), distinct per host.' }),
            },
          }),
          description: 'Balancer hosts and VRRP priorities; the highest priority is MASTER.',
        }),
        stats: T.object({
          default: {},
          properties: {
            port: T.ref(Port, { default: 8404, description: 'Stats port.' }),
            path: T.string({ pattern: '^/[A-Za-z0-9/_.-]*$', default: '/stats', description: 'Stats URI.' }),
            userEnv: T.ref(EnvName, { default: 'HAPROXY_STATS_USER', description: 'Environment variable holding the stats user.' }),
            passwordEnv: T.ref(EnvName, { default: 'HAPROXY_STATS_PASSWORD', description: 'Environment variable holding the stats password.' }),
            publicHost: T.optional(
              T.string({
                pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$',
                description:
                  "Public host name for the stats pages: an HTTPS-only Ingress (certificate from acme) in front of every balancer's stats port. Never plain HTTP across the Internet. Needs acme.",
              }),
            ),
          },
          description: 'HAProxy stats listener (credentials from the environment).',
        }),
      },
      description: 'The highly available API endpoint: keepalived VIP and HAProxy on the balancer hosts.',
    }),
    cni: T.object({
      default: {},
      properties: {
        plugin: T.enum(['flannel'], { default: 'flannel', description: 'CNI plugin.' }),
        backend: T.enum(['vxlan', 'host-gw'], { default: 'vxlan', description: 'Flannel backend.' }),
        networkPolicyEnforcer: T.enum(['kube-network-policies', 'none'], {
          default: 'kube-network-policies',
          description: 'What enforces NetworkPolicy next to the CNI; none is refused while security.networkPolicies is true.',
        }),
        nri: T.boolean({
          default: true,
          description: 'kube-network-policies hooks containerd NRI (cloud-init enables it); false runs the agent with --disable-nri.',
        }),
        failOpen: T.boolean({ default: false, description: 'kube-network-policies --fail-open.' }),
      },
      description: 'Pod network and NetworkPolicy enforcement.',
    }),
    metallb: T.object({
      properties: {
        namespace: T.ref(DnsLabel, { default: 'metallb-system', description: 'Namespace of the MetalLB install (pools live there).' }),
        pools: T.array({
          minItems: 1,
          items: T.object({
            properties: {
              name: T.ref(DnsLabel, { description: 'IPAddressPool name.' }),
              addresses: T.array({ minItems: 1, items: T.string({ minLength: 1 }), description: 'CIDRs or start-end ranges.' }),
              autoAssign: T.boolean({ default: true, description: 'Let MetalLB hand out addresses from this pool automatically.' }),
              avoidBuggyIPs: T.boolean({ default: false, description: 'Skip .0 and .255 addresses.' }),
            },
          }),
          description: 'IPAddressPools; all are announced by one L2Advertisement.',
        }),
      },
      description: 'MetalLB Layer 2 address pools.',
    }),
    ingress: T.object({
      properties: {
        controller: T.enum(['ingress-nginx', 'traefik'], {
          default: 'ingress-nginx',
          description:
            'Controller implementation: ingress-nginx (retired upstream; synth warns) or traefik (v3.7, serves the same Ingress objects and nginx annotations; the tunnel gets its own entry points).',
        }),
        namespace: T.optional(T.ref(DnsLabel, { description: "Controller namespace. Default: the controller's name (ingress-nginx or traefik)." })),
        className: T.ref(DnsLabel, { default: 'nginx', description: 'IngressClass name.' }),
        loadBalancerIP: T.ref(Ipv4, { description: 'LoadBalancer IP; must lie in a MetalLB pool; frpc forwards to it.' }),
        replicas: T.integer({ minimum: 1, maximum: 10, default: 2, description: 'Controller replicas.' }),
        defaultClass: T.boolean({ default: true, description: 'Mark the IngressClass as the cluster default.' }),
      },
      description: 'The ingress controller.',
    }),
    acme: T.optional(
      T.object({
        properties: {
          email: T.optional(
            T.string({ format: 'email', description: "ACME account email (optional; Let's Encrypt refuses RFC 2606 example domains such as example.com)." }),
          ),
          issuers: T.array({
            minItems: 1,
            uniqueItems: true,
            items: T.enum(['staging', 'production']),
            default: ['staging', 'production'],
            description: 'Issuers to create: letsencrypt-staging, letsencrypt-production.',
          }),
          solver: T.conditional({
            default: { type: 'http01' },
            properties: {
              type: T.enum(['http01', 'dns01']),
            },
            if: { properties: { type: { const: 'dns01' } } },
            then: T.closed({
              properties: {
                type: T.literal('dns01'),
                provider: T.enum(['cloudflare']),
                apiTokenSecretRef: T.ref(SecretKeyRef),
                dnsZones: T.array({ items: T.string({ minLength: 1 }), default: [] }),
              },
            }),
            else: T.closed({
              properties: {
                type: T.optional(T.literal('http01')),
              },
            }),
            description:
              'Challenge solver: {type: http01} through the ingress class, or {type: dns01, provider: cloudflare, apiTokenSecretRef: {name, key}, dnsZones}.',
          }),
        },
        description: "Let's Encrypt ClusterIssuers (omit for none).",
      }),
    ),
    tunnel: T.optional(
      T.object({
        properties: {
          kind: T.enum(['frp'], { default: 'frp', description: 'Tunnel implementation.' }),
          server: T.string({ description: 'Name of a host with role tunnel-server.' }),
          bindPort: T.ref(Port, { default: 7000, description: 'frps bindPort, dialled by frpc.' }),
          sshPort: T.ref(Port, { default: 22, description: 'SSH port of the tunnel server; opened in its firewall list and never forwarded.' }),
          namespace: T.ref(DnsLabel, { default: 'frpc', description: 'Namespace of the frpc Deployment.' }),
          proxyProtocol: T.boolean({
            default: false,
            description:
              'Send PROXY protocol v2 to the ingress (and enable it there) to keep client IPs. ingress-nginx then expects it on every connection (LAN clients break); traefik honours it only on the tunnel entry points, from the pod CIDR.',
          }),
          forwardedPorts: T.array({
            minItems: 1,
            items: T.object({
              properties: {
                name: T.ref(DnsLabel, { description: 'Proxy name.' }),
                remotePort: T.ref(Port, { description: 'Port opened on the tunnel server.' }),
                localPort: T.optional(T.ref(Port, { description: 'Default: remotePort.' })),
                protocol: T.enum(['tcp'], { default: 'tcp', description: 'Transport protocol.' }),
              },
            }),
            description: 'Public ports on the tunnel server forwarded to the ingress IP.',
          }),
          token: T.object({
            default: {},
            properties: {
              secret: T.ref(SecretKeyRef, {
                default: { name: 'frp-token', key: 'token' },
                description: 'In-cluster Secret (namespace tunnel.namespace) read by frpc.',
              }),
              serverFile: T.ref(AbsPath, { default: '/etc/frp/token', description: 'File on the tunnel server read by frps.' }),
            },
            description: 'Where the shared frp token lives (never in the description).',
          }),
          dashboard: T.object({
            default: {},
            properties: {
              port: T.ref(Port, { default: 7500, description: 'Dashboard port.' }),
              addr: T.ref(Ipv4, { default: '127.0.0.1', description: 'Dashboard bind address (loopback: reach it over SSH).' }),
              userEnv: T.ref(EnvName, { default: 'FRPS_DASHBOARD_USER', description: 'Environment variable holding the dashboard user.' }),
              passwordEnv: T.ref(EnvName, { default: 'FRPS_DASHBOARD_PASSWORD', description: 'Environment variable holding the dashboard password.' }),
            },
            description: 'frps dashboard (credentials from the environment).',
          }),
        },
        description: 'FRP tunnel from the Internet (omit for a LAN-only cluster).',
      }),
    ),
    storage: T.optional(
      T.object({
        properties: {
          server: T.string({ description: 'Name of a host with role nfs-server.' }),
          snapshots: T.boolean({ default: false, description: 'Deploy the snapshot sidecar (needs the VolumeSnapshot CRDs).' }),
          classes: T.array({
            minItems: 1,
            items: T.object({
              properties: {
                name: T.ref(DnsLabel, { description: 'StorageClass name.' }),
                share: T.ref(AbsPath, { description: 'Exported path on the NFS server.' }),
                subDir: T.optional(T.string({ minLength: 1, description: 'csi-driver-nfs subDir template.' })),
                mountOptions: T.array({ items: T.string({ minLength: 1 }), default: ['nfsvers=4.1'], description: 'NFS mount options.' }),
                mountPermissions: T.string({
                  pattern: '^0?[0-7]{3}$',
                  default: '0775',
                  description:
                    'csi-driver-nfs mountPermissions: mode of each new volume directory (chmod after mount). With fsGroup (fsGroupPolicy File) and the generated exports (no_root_squash for the node addresses) non-root pods can write.',
                }),
                reclaimPolicy: T.enum(['Delete', 'Retain'], {
                  default: 'Retain',
                  description:
                    "What happens to a volume's files on the NAS when its claim is deleted: Retain (default) keeps the PersistentVolume and the files; Delete erases them with the claim, so choose it explicitly and only for data you can lose. Immutable on a live StorageClass.",
                }),
                default: T.boolean({ default: false, description: 'Default StorageClass (at most one).' }),
                allowVolumeExpansion: T.boolean({ default: true, description: 'Allow resizing claims.' }),
              },
            }),
            description: 'One StorageClass per share.',
          }),
        },
        description: 'NFS StorageClasses through csi-driver-nfs (omit for none).',
      }),
    ),
    security: T.object({
      default: {},
      properties: {
        networkPolicies: T.boolean({ default: true, description: 'Emit default-deny and computed allow NetworkPolicies.' }),
        podSecurity: T.object({
          default: {},
          properties: {
            enforce: T.ref(PsaLevel, { default: 'baseline', description: 'Default enforce level.' }),
            audit: T.ref(PsaLevel, { default: 'restricted', description: 'Default audit level.' }),
            warn: T.ref(PsaLevel, { default: 'restricted', description: 'Default warn level.' }),
            exemptNamespaces: T.array({
              uniqueItems: true,
              items: T.ref(DnsLabel),
              default: ['kube-system'],
              description: 'Namespaces exempt from the defaults.',
            }),
          },
          description: 'Cluster-wide Pod Security Admission defaults (AdmissionConfiguration on the API servers).',
        }),
      },
      description: 'Cluster security settings.',
    }),
    namespaces: T.array({
      default: [],
      description: 'Namespaces for your own applications.',
      items: T.object({
        properties: {
          name: T.ref(DnsLabel, { description: 'Namespace name.' }),
          podSecurity: T.ref(PsaLevel, { default: 'restricted', description: 'Pod Security level enforced in the namespace.' }),
          allowIngressController: T.boolean({ default: true, description: 'Allow traffic from the ingress controller into the namespace.' }),
        },
      }),
    }),
    access: T.array({
      default: [],
      description: 'People and groups and what they may do (RBAC).',
      items: T.object({
        properties: {
          kind: T.enum(['User', 'Group'], { description: 'RBAC subject kind.' }),
          name: T.string({ minLength: 1, description: 'User or group name as your authenticator reports it.' }),
          role: T.enum(['admin', 'viewer', 'operator'], {
            description: 'admin: cluster-admin; viewer: read-only without Secrets; operator: edit in namespaces.',
          }),
          namespaces: T.array({ uniqueItems: true, items: T.ref(DnsLabel), default: [], description: 'Namespaces for role operator.' }),
        },
      }),
    }),
    operations: T.object({
      default: {},
      description:
        'Day-2 operations: etcd snapshots, API audit log, Secret encryption at rest, kubelet serving certificates, metrics-server, logins and the upgrade runbook. Everything is on by default; set enabled: false to turn a part off.',
      properties: {
        etcdSnapshots: T.object({
          default: {},
          description: 'Scheduled etcd snapshots from every control plane (systemd timer on the host) to an NFS share.',
          properties: {
            enabled: T.optional(
              T.boolean({ description: 'Default: true when an NFS server is known (storage.server or the only host with role nfs-server).' }),
            ),
            server: T.optional(
              T.string({ description: 'Host with role nfs-server that receives the snapshots. Default: storage.server, else the only nfs-server host.' }),
            ),
            share: T.optional(
              T.ref(AbsPath, { description: "Exported path on that server. Default: the default StorageClass's share when server is storage.server." }),
            ),
            directory: T.string({
              pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
              default: 'etcd-snapshots',
              description: 'Directory inside the share; each control plane writes to <directory>/<host>/.',
            }),
            schedule: T.string({
              pattern: '^[A-Za-z0-9*:/,.~ -]+$',
              default: '*-*-* 00/6:00:00',
              description: 'systemd OnCalendar expression (check it with systemd-analyze calendar).',
            }),
            keep: T.integer({
              minimum: 1,
              maximum: 10000,
              default: 28,
              description: 'Snapshots kept per control plane; older ones are deleted after a successful snapshot.',
            }),
            mountOptions: T.array({
              items: T.string({ pattern: '^[A-Za-z0-9_.=:-]+$' }),
              default: ['nfsvers=4.1', 'hard'],
              description: 'NFS mount options of the snapshot share.',
            }),
          },
        }),
        auditLog: T.object({
          default: {},
          description: 'kube-apiserver audit log (audit.k8s.io/v1 Policy) on every control plane.',
          properties: {
            enabled: T.boolean({ default: true, description: 'Write the audit log.' }),
            maxAge: T.integer({ minimum: 1, default: 30, description: 'audit-log-maxage: days to keep rotated files.' }),
            maxBackup: T.integer({ minimum: 1, default: 10, description: 'audit-log-maxbackup: rotated files to keep.' }),
            maxSize: T.integer({ minimum: 1, default: 100, description: 'audit-log-maxsize: megabytes before rotation.' }),
          },
        }),
        encryptionAtRest: T.object({
          default: {},
          description: 'Encrypt Secrets in etcd (EncryptionConfiguration). The key is generated on the first control plane, never in the description or dist/.',
          properties: {
            enabled: T.boolean({ default: true, description: 'Encrypt Secrets at rest.' }),
            provider: T.enum(['secretbox', 'aescbc'], {
              default: 'secretbox',
              description: 'Encryption provider; identity stays as the fallback for reading unencrypted data.',
            }),
          },
        }),
        kubeletServingCertificates: T.object({
          default: {},
          description: 'Kubelet serving certificates signed by the cluster CA (serverTLSBootstrap), approved with the generated check script.',
          properties: {
            enabled: T.boolean({ default: true, description: 'serverTLSBootstrap: true in the KubeletConfiguration.' }),
          },
        }),
        metricsServer: T.object({
          default: {},
          description:
            'metrics-server (kubectl top, HorizontalPodAutoscaler) in kube-system; it verifies kubelet certificates, so it needs kubeletServingCertificates.',
          properties: {
            enabled: T.boolean({ default: true, description: 'Deploy metrics-server.' }),
            replicas: T.integer({ minimum: 1, maximum: 5, default: 1, description: 'Replicas; 2 or more adds a PodDisruptionBudget.' }),
          },
        }),
        logins: T.object({
          default: {},
          description: 'Client certificates for the people in access[].',
          properties: {
            validity: T.string({
              pattern: '^[1-9][0-9]*h$',
              default: '720h',
              description: 'kubeadm kubeconfig user --validity-period (client certificates cannot be revoked: keep it short).',
            }),
          },
        }),
        upgradeRunbook: T.object({
          default: {},
          description: 'Generated per-host upgrade runbook to the next Kubernetes minor.',
          properties: {
            enabled: T.boolean({ default: true, description: 'Generate docs/upgrade.md.' }),
          },
        }),
      },
    }),
    output: T.object({
      default: {},
      properties: {
        flux: T.boolean({ default: false, description: 'Also emit Flux Kustomizations, one per wave, under dist/flux/.' }),
        partOf: T.optional(T.ref(DnsLabel, { description: 'Default: the cluster name.' })),
      },
      description: 'Output options.',
    }),
  },
});

/** The JSON Schema of the description format, as published in `hostconfig/cluster.schema.json`. */
export const DESCRIPTION_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://homelab-cluster.invalid/cluster.schema.json',
  title: 'Self-hosted kubeadm cluster description',
  description:
    "One description of a hybrid self-hosted kubeadm cluster. Every generated artifact (in-cluster YAML and host files) is derived from it. See README.md, 'Description format'.",
  ...description,
  definitions: T.definitions([Ipv4, Cidr, Port, DnsLabel, EnvName, AbsPath, PsaLevel, SecretKeyRef]),
};

/**
 * A description (`hostconfig/cluster.yaml`) after validation, with every schema default filled in. Semantic
 * rules read this; `buildModel` turns it into the `ClusterModel`.
 */
export type Description = Static<typeof description>;

/** One entry of `hosts`. */
export type HostDescription = Description['hosts'][number];
