/**
 * frpc (frp v0.70.x) inside the cluster: dials frps on the tunnel server and forwards public ports to the
 * ingress LoadBalancer IP. The token Secret is referenced, never emitted; the user creates it.
 */
import { k8s } from '../../k8s/api';
import { Construct } from 'constructs';
import { Endpoint, Flows, tcp, type PodsEndpoint, type ServiceEndpoint } from '../../flows';
import { IMAGES, imageRef } from '../../versions';
import { contentHash } from '../private/hash';
import { containerSecurity, intOrString, LINUX_NODE_SELECTOR, podSecurity, resources } from '../private/pod';
import { checkDnsLabel, checkDnsSubdomain, checkPort, checkUnique, isIpv4, problem, throwIfProblems } from '../private/validation';

const isDnsName = (value: string) =>
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/.test(value) && !/^[0-9.]+$/.test(value);
import type { SecretKeyRef } from '../secret-ref';
import { type FrpcTcpProxy, renderFrpcToml } from './frpc-config';

/** Props of {@link Frpc}. */
export interface FrpcProps {
  /** frps address (IP or DNS name) frpc dials. */
  readonly serverAddr: string;
  /**
   * frps `bindPort`.
   * @default FRPC_DEFAULT_SERVER_PORT (7000)
   */
  readonly serverPort?: number;
  /**
   * Address every proxy forwards to (frp `localIP`, an IPv4 address or a DNS name frpc resolves): the ingress
   * LoadBalancer IP, or the controller's tunnel Service (`traefik-tunnel.traefik.svc`).
   */
  readonly localIP: string;
  /** One TCP proxy per forwarded port. */
  readonly proxies: readonly FrpcTcpProxy[];
  /**
   * Send a PROXY protocol v2 header on every forwarded connection (`transport.proxyProtocolVersion`), so
   * the ingress sees client IPs. The ingress must then honour it (ingress-nginx `use-proxy-protocol`, Traefik
   * `proxyProtocol.trustedIPs` on its tunnel entry points).
   * @default FRPC_DEFAULT_PROXY_PROTOCOL (false)
   */
  readonly proxyProtocol?: boolean;
  /**
   * Secret (in `namespace`) and key holding the frp token; mounted as a file (`auth.tokenSource`).
   * @default FRPC_DEFAULT_TOKEN_SECRET ({ name: 'frp-token', key: 'token' })
   */
  readonly tokenSecretRef?: SecretKeyRef;
  /**
   * Namespace of the Deployment. Not created here; Pod Security `restricted` admits the pod.
   * @default FRPC_DEFAULT_NAMESPACE ('frpc')
   */
  readonly namespace?: string;
  /**
   * Port of the frpc admin web server (0.0.0.0, for the kubelet probes on `/healthz`).
   * @default FRPC_DEFAULT_WEB_SERVER_PORT (7400)
   */
  readonly webServerPort?: number;
  /**
   * Protect the admin API (listening on the pod IP) with basic auth: empty user, the password from
   * `webServerPasswordSecretRef`, injected through frp's `{{ .Envs.X }}` templating. The password must be
   * a single line without `"` or `\`. `/healthz` needs no auth, so the probes keep working.
   * @default FRPC_DEFAULT_WEB_SERVER_AUTH (true)
   */
  readonly webServerAuth?: boolean;
  /**
   * Secret (in `namespace`) and key holding the admin API password: its own secret, never the tunnel
   * token (whoever reaches the admin API must not learn the frps login).
   * @default FRPC_DEFAULT_ADMIN_SECRET ({ name: 'frpc-admin', key: 'password' })
   */
  readonly webServerPasswordSecretRef?: SecretKeyRef;
}

export const FRPC_DEFAULT_SERVER_PORT = 7000;
export const FRPC_DEFAULT_PROXY_PROTOCOL = false;
export const FRPC_DEFAULT_TOKEN_SECRET: SecretKeyRef = { name: 'frp-token', key: 'token' };
export const FRPC_DEFAULT_NAMESPACE = 'frpc';
export const FRPC_DEFAULT_WEB_SERVER_PORT = 7400;
export const FRPC_DEFAULT_WEB_SERVER_AUTH = true;
export const FRPC_DEFAULT_ADMIN_SECRET: SecretKeyRef = { name: 'frpc-admin', key: 'password' };

/** frpc runs as this non-root user and group (the image has no USER). */
const FRPC_UID = 65532;
const FRPC_NAMES = { deployment: 'frpc', serviceAccount: 'frpc', configMap: 'frpc-config' } as const;
const FRPC_CONFIG_PATH = '/etc/frp/frpc.toml';
const FRPC_TOKEN_PATH = '/etc/frp-secret/token';
/** Environment variable carrying the admin API password. */
const FRPC_WEB_PASSWORD_ENV = 'FRPC_WEB_PASSWORD';

/**
 * frpc, the cluster end of the frp tunnel: a one-replica Deployment that dials frps and forwards each proxy
 * to `localIP`, its ConfigMap (`frpc.toml`) and ServiceAccount. The token and admin password Secrets are
 * referenced, never emitted.
 */
export class Frpc extends Construct {
  readonly namespace: string;
  /** The rendered frpc.toml. */
  readonly config: string;
  readonly podLabels: Readonly<Record<string, string>> = { 'app.kubernetes.io/name': 'frpc' };
  readonly serverAddr: string;
  readonly serverPort: number;
  /** Flow handle of the frpc pod. */
  readonly pods: PodsEndpoint;
  private readonly proxies: readonly FrpcTcpProxy[];

  constructor(scope: Construct, id: string, props: FrpcProps) {
    super(scope, id);
    this.namespace = props.namespace ?? FRPC_DEFAULT_NAMESPACE;
    this.serverAddr = props.serverAddr;
    this.serverPort = props.serverPort ?? FRPC_DEFAULT_SERVER_PORT;
    const token = props.tokenSecretRef ?? FRPC_DEFAULT_TOKEN_SECRET;
    const webServerPort = props.webServerPort ?? FRPC_DEFAULT_WEB_SERVER_PORT;
    const webServerAuth = props.webServerAuth ?? FRPC_DEFAULT_WEB_SERVER_AUTH;
    const adminSecret = props.webServerPasswordSecretRef ?? FRPC_DEFAULT_ADMIN_SECRET;
    throwIfProblems('Frpc', [
      checkDnsLabel('namespace', this.namespace),
      /^[A-Za-z0-9.-]+$/.test(this.serverAddr) ? undefined : problem('serverAddr', this.serverAddr, 'must be an IPv4 address or a DNS name'),
      checkPort('serverPort', this.serverPort),
      isIpv4(props.localIP) || isDnsName(props.localIP)
        ? undefined
        : problem('localIP', props.localIP, 'must be an IPv4 address or a DNS name such as "traefik-tunnel.traefik.svc"'),
      checkPort('webServerPort', webServerPort),
      checkDnsSubdomain('tokenSecretRef.name', token.name),
      /^[-._a-zA-Z0-9]+$/.test(token.key) ? undefined : problem('tokenSecretRef.key', token.key, 'must be a Secret key (letters, digits, "-", "_", ".")'),
      checkDnsSubdomain('webServerPasswordSecretRef.name', adminSecret.name),
      /^[-._a-zA-Z0-9]+$/.test(adminSecret.key)
        ? undefined
        : problem('webServerPasswordSecretRef.key', adminSecret.key, 'must be a Secret key (letters, digits, "-", "_", ".")'),
      webServerAuth && adminSecret.name === token.name && adminSecret.key === token.key
        ? problem('webServerPasswordSecretRef', adminSecret, 'must not be the tunnel token: the admin API gets its own secret')
        : undefined,
      props.proxies.length ? undefined : problem('proxies', [], 'must list at least one forwarded port'),
      ...props.proxies.flatMap((p, i) => [
        /^[A-Za-z0-9_.-]+$/.test(p.name) ? undefined : problem(`proxies[${i}].name`, p.name, 'must use letters, digits, "-", "_", "."'),
        checkPort(`proxies[${i}].localPort`, p.localPort),
        checkPort(`proxies[${i}].remotePort`, p.remotePort),
      ]),
      ...checkUnique(
        'proxies[].name',
        props.proxies.map((p) => p.name),
      ),
      ...checkUnique(
        'proxies[].remotePort',
        props.proxies.map((p) => String(p.remotePort)),
      ),
    ]);

    this.config = renderFrpcToml({
      serverAddr: this.serverAddr,
      serverPort: this.serverPort,
      localIP: props.localIP,
      proxies: props.proxies,
      proxyProtocol: props.proxyProtocol ?? FRPC_DEFAULT_PROXY_PROTOCOL,
      tokenFile: FRPC_TOKEN_PATH,
      webServerPort,
      webServerPasswordEnv: webServerAuth ? FRPC_WEB_PASSWORD_ENV : undefined,
    });

    const namespace = this.namespace;
    const labels = { ...this.podLabels };
    this.proxies = props.proxies;
    this.pods = Endpoint.pods({ name: 'frpc', namespace, podLabels: this.podLabels, ports: [tcp(webServerPort, 'admin')] });
    const flows = Flows.of(this);
    flows.require({
      id: 'frpc-tunnel',
      from: this.pods,
      to: /^\d+\.\d+\.\d+\.\d+$/.test(this.serverAddr) ? Endpoint.external('frps', this.serverAddr) : Endpoint.internet(),
      ports: [tcp(this.serverPort)],
      purpose: 'control connection to frps on the tunnel server',
    });
    flows.forbid({
      id: 'frpc-admin-from-lan',
      from: Endpoint.lan(),
      to: this.pods,
      ports: [tcp(webServerPort)],
      purpose: 'the admin API is for the kubelet probes only',
    });
    flows.forbid({
      id: 'frpc-admin-from-internet',
      from: Endpoint.internet(),
      to: this.pods,
      ports: [tcp(webServerPort)],
      purpose: 'the admin API is for the kubelet probes only',
    });
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: FRPC_NAMES.serviceAccount, namespace, labels },
      automountServiceAccountToken: false,
    });
    new k8s.KubeConfigMap(this, 'Config', { metadata: { name: FRPC_NAMES.configMap, namespace, labels }, data: { 'frpc.toml': this.config } });

    const probe = (periodSeconds: number): k8s.Probe => ({
      httpGet: { path: '/healthz', port: intOrString('admin') },
      periodSeconds,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: FRPC_NAMES.deployment, namespace, labels },
      spec: {
        // One client: a second one would register the same proxy names at frps.
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { ...this.podLabels } },
        template: {
          metadata: {
            labels: { ...this.podLabels },
            // A changed frpc.toml rolls the pod.
            annotations: { 'checksum/config': contentHash(this.config) },
          },
          spec: {
            serviceAccountName: FRPC_NAMES.serviceAccount,
            automountServiceAccountToken: false,
            nodeSelector: { ...LINUX_NODE_SELECTOR },
            securityContext: podSecurity(FRPC_UID),
            containers: [
              {
                name: 'frpc',
                image: imageRef(IMAGES.frpc),
                args: ['-c', FRPC_CONFIG_PATH],
                ...(webServerAuth
                  ? { env: [{ name: FRPC_WEB_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: adminSecret.name, key: adminSecret.key } } }] }
                  : {}),
                ports: [{ name: 'admin', containerPort: webServerPort, protocol: 'TCP' }],
                livenessProbe: probe(20),
                readinessProbe: probe(10),
                resources: resources('10m', '32Mi', '128Mi'),
                securityContext: containerSecurity({ runAsUser: FRPC_UID, runAsGroup: FRPC_UID }),
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/frp', readOnly: true },
                  { name: 'token', mountPath: '/etc/frp-secret', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: FRPC_NAMES.configMap } },
              { name: 'token', secret: { secretName: token.name, items: [{ key: token.key, path: 'token' }], defaultMode: 0o440 } },
            ],
          },
        },
      },
    });
  }

  /**
   * Declares the forwarded traffic: Internet clients, through this tunnel, reach `service` (the ingress
   * LoadBalancer Service at `localIP`) on every proxy's local port. In-cluster traffic to the LoadBalancer
   * IP is DNATed to the Service's pods, so that is what the flow is checked (and allowed) against.
   */
  forwardsTo(service: ServiceEndpoint): void {
    Flows.of(this).require({
      id: 'frpc-forward',
      from: Endpoint.internet(this.pods),
      to: service,
      ports: [...new Set(this.proxies.map((p) => p.localPort))].sort((a, b) => a - b).map((p) => tcp(p)),
      purpose: 'Internet clients through the tunnel to the ingress',
    });
  }
}
