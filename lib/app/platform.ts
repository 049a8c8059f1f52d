/**
 * In-cluster platform components (CNI, MetalLB pools, ingress controller, cert-manager issuers, frpc,
 * NFS CSI), composed from the model: one Chart per component. This is the only place that maps the
 * model to component props; the constructs in lib/components/ never see the model.
 */
import { Chart, type ApiObject, type App } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AcmeEnvironment,
  AcmeSolver,
  Flannel,
  FlannelBackend,
  Frpc,
  IngressNginx,
  KubeNetworkPolicies,
  LetsEncryptIssuers,
  MetalLbL2Pools,
  MetricsServer,
  NfsCsiDriver,
  NfsStorageClass,
  ReclaimPolicy,
  Traefik,
  type ICniProvider,
  type IIngressController,
  type INetworkPolicyEnforcer,
  ExternalHttpsBackend,
} from '../components';
import type { ClusterModel } from '../model/types';
import { objectKey, type DeclaredAgents } from '../output/waves';
import { ModelProblems } from './model-problems';

/** Chart ids, stable: they are part of the synthesized file names and object paths. */
export const PLATFORM_CHARTS = {
  cni: 'cni',
  metallb: 'metallb',
  ingress: 'ingress',
  certManager: 'cert-manager',
  frpc: 'frpc',
  balancerStats: 'balancer-stats',
  nfsCsi: 'nfs-csi',
  metricsServer: 'metrics-server',
} as const;

/** Name of the Service, EndpointSlice and Ingress that publish the HAProxy stats pages over TLS. */
const BALANCER_STATS_NAME = 'haproxy-stats';

/** What the platform built, for later layers (security) that need namespaces, labels and ports. */
export interface Platform {
  readonly cni: ICniProvider;
  readonly networkPolicyEnforcer?: INetworkPolicyEnforcer;
  readonly metallb: MetalLbL2Pools;
  readonly ingress: IIngressController;
  readonly issuers?: LetsEncryptIssuers;
  readonly frpc?: Frpc;
  readonly nfsCsi?: NfsCsiDriver;
  /** The balancers' HAProxy stats behind an HTTPS Ingress (apiServer.stats.publicHost). */
  readonly balancerStats?: ExternalHttpsBackend;
  /** Its `flows` list what the flow catalogue must allow. */
  readonly metricsServer?: MetricsServer;
}

/** Builds the platform; construct prop errors are reported against description paths, all at once. */
export function addPlatform(app: App, model: ClusterModel): Platform {
  const problems = new ModelProblems();
  const cniChart = new Chart(app, PLATFORM_CHARTS.cni);
  const cni = problems.build('cni', () => addCni(cniChart, model), { podCidr: 'kubernetes.podCidr' });
  const networkPolicyEnforcer =
    model.cni.networkPolicyEnforcer === 'kube-network-policies'
      ? problems.build('cni', () => new KubeNetworkPolicies(cniChart, 'KubeNetworkPolicies', { nri: model.cni.nri, failOpen: model.cni.failOpen }))
      : undefined;

  const metallb = problems.build(
    'metallb',
    () =>
      new MetalLbL2Pools(new Chart(app, PLATFORM_CHARTS.metallb), 'Pools', {
        namespace: model.metallb.namespace,
        pools: model.metallb.pools.map((p) => ({ name: p.name, addresses: p.addresses, autoAssign: p.autoAssign, avoidBuggyIPs: p.avoidBuggyIPs })),
      }),
  );

  const ingress = problems.build('ingress', () => addIngress(new Chart(app, PLATFORM_CHARTS.ingress), model), { proxyProtocol: 'tunnel.proxyProtocol' });

  const acme = model.acme;
  const issuers =
    acme &&
    ingress &&
    problems.build(
      'acme',
      () =>
        new LetsEncryptIssuers(new Chart(app, PLATFORM_CHARTS.certManager), 'LetsEncrypt', {
          email: acme.email,
          environments: acme.issuers.map((kind) => (kind === 'staging' ? AcmeEnvironment.STAGING : AcmeEnvironment.PRODUCTION)),
          solvers: [
            acme.solver.type === 'dns01'
              ? AcmeSolver.dns01Cloudflare({ apiTokenSecretRef: acme.solver.apiTokenSecretRef, dnsZones: acme.solver.dnsZones })
              : AcmeSolver.http01Ingress({ ingressClassName: ingress.className }),
          ],
        }),
      { environments: 'acme.issuers', solvers: 'acme.solver' },
    );

  const tunnel = model.tunnel;
  const target = ingress?.tunnelTarget;
  if (ingress && tunnel && !target) throw new Error(`internal: ${ingress.controllerName} offers no tunnel target`);
  const frpc =
    tunnel &&
    target &&
    problems.build(
      'tunnel',
      () =>
        new Frpc(new Chart(app, PLATFORM_CHARTS.frpc), 'Frpc', {
          namespace: tunnel.namespace,
          serverAddr: tunnel.server.ip,
          serverPort: tunnel.bindPort,
          // The controller says where tunnel traffic goes (model.tunnel.targetAddress says the same; a consistency fact proves it).
          localIP: target.address,
          proxies: tunnel.forwardedPorts.map((p) => ({ name: p.name, localPort: p.localPort, remotePort: p.remotePort })),
          proxyProtocol: tunnel.proxyProtocol,
          tokenSecretRef: tunnel.token.secret,
        }),
      {
        serverAddr: 'tunnel.server',
        serverPort: 'tunnel.bindPort',
        localIP: 'ingress.loadBalancerIP',
        proxies: 'tunnel.forwardedPorts',
        tokenSecretRef: 'tunnel.token.secret',
      },
    );

  const stats = model.apiServer.stats;
  let balancerStats: ExternalHttpsBackend | undefined;
  if (stats.publicHost && issuers) {
    balancerStats = new ExternalHttpsBackend(new Chart(app, PLATFORM_CHARTS.balancerStats), 'BalancerStats', {
      name: BALANCER_STATS_NAME,
      namespace: model.ingress.namespace,
      host: stats.publicHost,
      path: stats.path,
      ingressClassName: ingress.className,
      clusterIssuer: issuers.issuerNames[issuers.issuerNames.length - 1],
      addresses: model.apiServer.balancers.map((b) => b.host.ip),
      port: stats.port,
    });
  }

  const storage = model.storage;
  let nfsCsi: NfsCsiDriver | undefined;
  if (storage) {
    const chart = new Chart(app, PLATFORM_CHARTS.nfsCsi);
    nfsCsi = problems.build('storage', () => new NfsCsiDriver(chart, 'Driver', { snapshots: storage.snapshots }));
    const classes = new Construct(chart, 'StorageClasses');
    storage.classes.forEach((c, i) =>
      problems.build(
        `storage.classes[${i}]`,
        () =>
          new NfsStorageClass(classes, c.name, {
            name: c.name,
            server: storage.server.ip,
            share: c.share,
            subDir: c.subDir,
            mountOptions: c.mountOptions,
            mountPermissions: c.mountPermissions,
            reclaimPolicy: c.reclaimPolicy === 'Retain' ? ReclaimPolicy.RETAIN : ReclaimPolicy.DELETE,
            allowVolumeExpansion: c.allowVolumeExpansion,
            defaultClass: c.default,
          }),
        { server: 'storage.server', defaultClass: `storage.classes[${i}].default` },
      ),
    );
  }

  const metricsServer =
    model.operations.metricsServer &&
    problems.build(
      'operations.metricsServer',
      () => new MetricsServer(new Chart(app, PLATFORM_CHARTS.metricsServer), 'MetricsServer', { replicas: model.operations.metricsServer!.replicas }),
    );

  problems.throwIfAny();
  return {
    cni: cni!,
    networkPolicyEnforcer,
    metallb: metallb!,
    ingress: ingress!,
    issuers: issuers || undefined,
    frpc: frpc || undefined,
    nfsCsi,
    balancerStats,
    metricsServer: metricsServer || undefined,
  };
}

function addCni(chart: Chart, model: ClusterModel): ICniProvider {
  switch (model.cni.plugin) {
    case 'flannel':
      return new Flannel(chart, 'Flannel', {
        podCidr: model.kubernetes.podCidr,
        backend: model.cni.backend === 'host-gw' ? FlannelBackend.HOST_GW : FlannelBackend.VXLAN,
        // Masquerade with the same netfilter flavour as kube-proxy.
        enableNFTables: model.kubernetes.kubeProxyMode === 'nftables',
      });
    default:
      return unsupported('cni.plugin', model.cni.plugin);
  }
}

function addIngress(chart: Chart, model: ClusterModel): IIngressController {
  switch (model.ingress.controller) {
    case 'ingress-nginx':
      return new IngressNginx(chart, 'IngressNginx', {
        namespace: model.ingress.namespace,
        className: model.ingress.className,
        defaultClass: model.ingress.defaultClass,
        replicas: model.ingress.replicas,
        loadBalancerIP: model.ingress.loadBalancerIP,
        proxyProtocol: model.tunnel?.proxyProtocol ?? false,
      });
    case 'traefik':
      return new Traefik(chart, 'Traefik', {
        namespace: model.ingress.namespace,
        className: model.ingress.className,
        defaultClass: model.ingress.defaultClass,
        replicas: model.ingress.replicas,
        loadBalancerIP: model.ingress.loadBalancerIP,
        // PROXY protocol only on the tunnel entry points, trusted from the pod network (frpc's pods); the
        // NetworkPolicies admit only frpc to those ports.
        tunnel: model.tunnel && { proxyProtocolTrustedIPs: model.tunnel.proxyProtocol ? [model.kubernetes.podCidr] : [] },
      });
    default:
      return unsupported('ingress.controller', model.ingress.controller);
  }
}

function unsupported(field: string, value: never): never {
  throw new Error(`${field}: ${JSON.stringify(value)} has no component`);
}

/** The network agents the platform's components declare through their handles, for the apply-wave planner. */
export function declaredAgents(platform: Platform): DeclaredAgents {
  const ref = (o: ApiObject) => objectKey(o.kind, o.metadata.namespace, o.name);
  return { cni: platform.cni.agents.map(ref), policy: (platform.networkPolicyEnforcer?.agents ?? []).map(ref) };
}
