/**
 * An HTTPS-only Ingress in front of an HTTP endpoint outside the cluster (for example the HAProxy stats pages
 * on the balancer hosts): a selector-less Service, an EndpointSlice naming the outside addresses, and an
 * Ingress with TLS from a cert-manager ClusterIssuer (ingress-shim annotation). The backend keeps its own
 * authentication; the Internet only ever sees it over TLS (plain HTTP redirects to HTTPS).
 */
import { k8s } from '../../k8s/api';
import { Construct } from 'constructs';
import { Endpoint, tcp, type ExternalEndpoint, type FlowPort } from '../../flows';
import { checkDnsLabel, checkDnsSubdomain, checkIpv4, checkPort, problem, throwIfProblems } from '../private/validation';

/** Props of {@link ExternalHttpsBackend}. */
export interface ExternalHttpsBackendProps {
  /** Name of the Service, EndpointSlice and Ingress (the TLS Secret is `<name>-tls`). */
  readonly name: string;
  /** Namespace of the three objects. */
  readonly namespace: string;
  /** Public host name the certificate is issued for. */
  readonly host: string;
  /** Path prefix routed to the backend. @default '/' */
  readonly path?: string;
  /** IngressClass that serves the Ingress. */
  readonly ingressClassName: string;
  /** cert-manager ClusterIssuer that issues the certificate. */
  readonly clusterIssuer: string;
  /** IPv4 addresses of the backend (outside the cluster). */
  readonly addresses: readonly string[];
  /** HTTP port of the backend on each address. */
  readonly port: number;
}

/** Value of `endpointslice.kubernetes.io/managed-by` on the EndpointSlice (not the EndpointSlice controller). */
const EXTERNAL_BACKEND_MANAGED_BY = 'homelab-cluster';

/**
 * An HTTPS-only Ingress in front of an HTTP endpoint outside the cluster: a selector-less Service, an
 * EndpointSlice naming the outside addresses, and an Ingress with a cert-manager certificate.
 */
export class ExternalHttpsBackend extends Construct {
  readonly serviceName: string;
  /** The outside addresses the ingress controller connects to (it proxies to the EndpointSlice directly). */
  readonly backends: readonly ExternalEndpoint[];
  /** The backend port on each address. */
  readonly backendPort: FlowPort;

  constructor(scope: Construct, id: string, props: ExternalHttpsBackendProps) {
    super(scope, id);
    const path = props.path ?? '/';
    throwIfProblems('ExternalHttpsBackend', [
      checkDnsLabel('name', props.name),
      checkDnsLabel('namespace', props.namespace),
      checkDnsSubdomain('host', props.host),
      checkDnsSubdomain('ingressClassName', props.ingressClassName),
      checkDnsSubdomain('clusterIssuer', props.clusterIssuer),
      /^\/[A-Za-z0-9/_.-]*$/.test(path) ? undefined : problem('path', path, 'must be an absolute URL path such as "/stats"'),
      props.addresses.length ? undefined : problem('addresses', [], 'must list at least one backend address'),
      ...props.addresses.map((a, i) => checkIpv4(`addresses[${i}]`, a)),
      checkPort('port', props.port),
    ]);
    this.serviceName = props.name;
    this.backends = props.addresses.map((address) => Endpoint.external(`${props.name} backend`, address));
    this.backendPort = tcp(props.port);
    const labels = { 'app.kubernetes.io/name': props.name };
    const metadata = { name: props.name, namespace: props.namespace, labels };
    new k8s.KubeService(this, 'Service', {
      metadata,
      // No selector: the endpoints are the EndpointSlice below.
      spec: { type: 'ClusterIP', ports: [{ name: 'http', port: props.port, targetPort: k8s.IntOrString.fromNumber(props.port), protocol: 'TCP' }] },
    });
    new k8s.KubeEndpointSlice(this, 'Endpoints', {
      metadata: {
        ...metadata,
        labels: { ...labels, 'kubernetes.io/service-name': props.name, 'endpointslice.kubernetes.io/managed-by': EXTERNAL_BACKEND_MANAGED_BY },
      },
      addressType: 'IPv4',
      endpoints: [...props.addresses].map((address) => ({ addresses: [address], conditions: { ready: true } })),
      ports: [{ name: 'http', port: props.port, protocol: 'TCP' }],
    });
    new k8s.KubeIngress(this, 'Ingress', {
      metadata: {
        ...metadata,
        annotations: {
          'cert-manager.io/cluster-issuer': props.clusterIssuer,
          'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
        },
      },
      spec: {
        ingressClassName: props.ingressClassName,
        tls: [{ hosts: [props.host], secretName: `${props.name}-tls` }],
        rules: [
          {
            host: props.host,
            http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: props.name, port: { name: 'http' } } } }] },
          },
        ],
      },
    });
  }
}
