/**
 * The boundary between the platform and whichever ingress controller serves the cluster's Ingress
 * objects. ingress-nginx implements it today; a maintained controller (for example Traefik with its
 * ingress-nginx provider, which keeps the same Ingress objects working) can replace it behind the same
 * interface, and cert-manager issuers, frpc and the security layer keep working.
 */
import type { IConstruct } from 'constructs';
import type { PodsEndpoint, ServiceEndpoint } from '../../flows/types';

export interface IngressServicePort {
  /** Port name on the Service (`http`, `https`). */
  readonly name: string;
  /** Port the Service (and the LoadBalancer IP) listens on. */
  readonly port: number;
  /** Container port the traffic reaches on the controller pods. */
  readonly targetPort: number;
  readonly protocol: 'TCP';
}

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
  /** Whether the listeners expect a PROXY protocol header on every connection. */
  readonly proxyProtocol: boolean;
  /** Flow handle of the controller pods. @default - derived from `namespace`, `podLabels`, `servicePorts` */
  readonly pods?: PodsEndpoint;
  /** Flow handle of the LoadBalancer Service. @default - derived from the fields above (externalTrafficPolicy Local) */
  readonly service?: ServiceEndpoint;
}
