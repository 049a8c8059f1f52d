/**
 * Traefik v3.7 static configuration (`traefik.yml`), rendered with a YAML serializer from typed input. Pure.
 *
 * Entry points (upstream `entrypoints.md`):
 * - `web`, `websecure`: the plain listeners behind the LAN LoadBalancer. No PROXY protocol: LAN clients and
 *   pods connect to them directly.
 * - `tunnel-web`, `tunnel-websecure` (only with a tunnel): what frpc forwards public traffic to. With PROXY
 *   protocol they take the client address from the header, but only from `proxyProtocol.trustedIPs`.
 *   Traefik matches that list against the connection's source address, so the narrowest list that holds frpc is
 *   the pod CIDR; a NetworkPolicy that lets only the frpc pods reach these ports is what narrows it to frpc.
 * - `traefik`: the internal entry point serving `/ping` for the kubelet probes.
 *
 * The kubernetesIngressNGINX provider attaches plain routers to every entry point without `http.tls` and TLS
 * routers to the default entry points (upstream `pkg/config/static`), so every Ingress is served on the LAN
 * and the tunnel entry points alike.
 */
import { dumpYaml } from '../../output/yaml';

export interface TraefikEntryPoint {
  readonly name: string;
  /** Container port it listens on (unprivileged, ≥ 1024). */
  readonly port: number;
  /** Sources whose PROXY protocol header is honoured; undefined: PROXY protocol off. */
  readonly proxyProtocolTrustedIPs?: readonly string[];
}

export interface TraefikConfigInput {
  readonly entryPoints: readonly TraefikEntryPoint[];
  /** Entry point serving `/ping`. */
  readonly pingEntryPoint: string;
  /** kubernetesIngressNGINX `ingressClass`. */
  readonly ingressClass: string;
  /** kubernetesIngressNGINX `controllerClass` (IngressClass `spec.controller`). */
  readonly controllerClass: string;
  /** `namespace/name` of the Service whose address goes into Ingress status. */
  readonly publishService: string;
  /** Namespace to watch; undefined: all namespaces. */
  readonly watchNamespace?: string;
}

export function renderTraefikConfig(input: TraefikConfigInput): string {
  const config = {
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    log: { level: 'INFO' },
    entryPoints: Object.fromEntries(
      input.entryPoints.map((e) => [
        e.name,
        {
          address: `:${e.port}/tcp`,
          ...(e.proxyProtocolTrustedIPs ? { proxyProtocol: { trustedIPs: [...e.proxyProtocolTrustedIPs] } } : {}),
        },
      ]),
    ),
    ping: { entryPoint: input.pingEntryPoint },
    providers: {
      kubernetesIngressNGINX: {
        ingressClass: input.ingressClass,
        controllerClass: input.controllerClass,
        ...(input.watchNamespace ? { watchNamespace: input.watchNamespace } : {}),
        publishService: input.publishService,
        // Ingress objects without a class stay unserved, as with ingress-nginx's default.
        watchIngressWithoutClass: false,
        // The same hardening as the ingress-nginx ConfigMap: no snippets, no cross-namespace references.
        allowSnippetAnnotations: false,
        allowCrossNamespaceResources: false,
        strictValidatePathType: true,
      },
    },
  };
  return dumpYaml(config);
}
