/**
 * The boundary between the platform and whichever ingress controller serves the cluster's Ingress
 * objects. ingress-nginx implements it today; a maintained controller (for example Traefik with its
 * ingress-nginx provider, which keeps the same Ingress objects working) can replace it behind the same
 * interface, and cert-manager issuers, frpc and the security layer keep working.
 */
import type { IConstruct } from 'constructs';
import type { PodsEndpoint, ServiceEndpoint } from '../../flows/types';

/** Service `externalTrafficPolicy`. */
export enum ExternalTrafficPolicy {
  /** Keep the client source IP; MetalLB announces from a node running a controller pod. */
  LOCAL = 'Local',
  /** Any node forwards (source IP is SNATed to a node IP). */
  CLUSTER = 'Cluster',
}

/** Defaults every ingress controller construct shares. */
export const INGRESS_DEFAULT_CLASS_NAME = 'nginx';
export const INGRESS_DEFAULT_DEFAULT_CLASS = false;
export const INGRESS_DEFAULT_REPLICAS = 2;
export const INGRESS_DEFAULT_EXTERNAL_TRAFFIC_POLICY = ExternalTrafficPolicy.LOCAL;

/** Props every ingress controller construct takes: its IngressClass and its LoadBalancer Service. */
export interface IngressControllerBaseProps {
  /**
   * Namespace of the controller. Not created here; Pod Security `restricted` admits every pod.
   * @default - the controller's own name (`ingress-nginx`, `traefik`)
   */
  readonly namespace?: string;
  /**
   * IngressClass name. Keep `nginx` so Ingresses written for ingress-nginx stay served after a switch.
   * @default INGRESS_DEFAULT_CLASS_NAME ('nginx')
   */
  readonly className?: string;
  /**
   * Mark the IngressClass as the cluster default (`ingressclass.kubernetes.io/is-default-class`).
   * @default INGRESS_DEFAULT_DEFAULT_CLASS (false)
   */
  readonly defaultClass?: boolean;
  /** @default INGRESS_DEFAULT_REPLICAS (2) */
  readonly replicas?: number;
  /**
   * Address requested from MetalLB (annotation `metallb.io/loadBalancerIPs`).
   * @default - none: MetalLB assigns one from an auto-assign pool
   */
  readonly loadBalancerIP?: string;
  /** @default INGRESS_DEFAULT_EXTERNAL_TRAFFIC_POLICY (ExternalTrafficPolicy.LOCAL) */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
}

/** A port of the ingress controller's Service. */
export interface IngressServicePort {
  /** Port name on the Service (`http`, `https`). */
  readonly name: string;
  /** Port the Service (and the LoadBalancer IP) listens on. */
  readonly port: number;
  /** Container port the traffic reaches on the controller pods. */
  readonly targetPort: number;
  readonly protocol: 'TCP';
}

/** Where a tunnel client (frpc) sends the connections it forwards from the Internet. */
export interface IngressTunnelTarget {
  /** Address the tunnel client dials: the LoadBalancer IP, or the DNS name of a ClusterIP Service. */
  readonly address: string;
  /** Name of the Service behind `address`, in the controller's namespace. */
  readonly serviceName: string;
  /** Its ports (`port` is what the tunnel client dials, `targetPort` the controller's container port). */
  readonly ports: readonly IngressServicePort[];
  /** Whether these listeners take the client address from a PROXY protocol header. */
  readonly proxyProtocol: boolean;
}

/**
 * An ingress controller, as the issuers, the tunnel client and the security layer see it: ingress-nginx and
 * Traefik are interchangeable behind it.
 */
export interface IIngressController extends IConstruct {
  /** Implementation name, e.g. `ingress-nginx`. */
  readonly controllerName: string;
  /** IngressClass `spec.controller`, e.g. `k8s.io/ingress-nginx`. */
  readonly controllerClass: string;
  /** IngressClass name Ingress objects (and ACME HTTP-01 solvers) use. */
  readonly className: string;
  readonly namespace: string;
  /** Name of the LoadBalancer Service in `namespace`. */
  readonly serviceName: string;
  /** Address requested from MetalLB; undefined when MetalLB picks one. */
  readonly loadBalancerIP: string | undefined;
  readonly servicePorts: readonly IngressServicePort[];
  /** Labels that select the controller pods. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Container port of the admission webhook the API server calls; undefined without a webhook. */
  readonly webhookPort: number | undefined;
  /**
   * Whether the listeners on the LoadBalancer IP expect a PROXY protocol header on every connection (so LAN
   * clients that connect directly without one fail).
   */
  readonly proxyProtocol: boolean;
  /** Where the tunnel client should forward to; undefined when the controller has no fixed address. */
  readonly tunnelTarget: IngressTunnelTarget | undefined;
  /** Flow handle of the controller pods. @default - derived from `namespace`, `podLabels`, `servicePorts` */
  readonly pods?: PodsEndpoint;
  /** Flow handle of the LoadBalancer Service. @default - derived from the fields above (externalTrafficPolicy Local) */
  readonly service?: ServiceEndpoint;
  /**
   * Flow handle of the Service the tunnel client forwards to, when it is not `service` (Traefik's ClusterIP
   * Service of tunnel entry points). @default - `service`
   */
  readonly tunnelService?: ServiceEndpoint;
}
