/**
 * The objects every ingress controller construct emits the same way: its IngressClass and its LoadBalancer
 * Service on the MetalLB address. Internal to the ingress folder (not exported from the library).
 */
import type { Construct } from 'constructs';
import { k8s } from '../../k8s/api';
import { intOrString } from '../private/pod';
import type { ExternalTrafficPolicy, IngressServicePort } from './ingress-controller';

type Labels = Readonly<Record<string, string>>;

/** A Service port forwarding `p` to the named container port `targetPort`. */
export function servicePort(p: IngressServicePort, targetPort: string): k8s.ServicePort {
  return { name: p.name, appProtocol: p.name, port: p.port, protocol: p.protocol, targetPort: intOrString(targetPort) };
}

/** IngressClass `name` for `controller`, marked as the cluster default when `defaultClass`. */
export function addIngressClass(scope: Construct, props: { name: string; controller: string; labels: Labels; defaultClass: boolean }): void {
  new k8s.KubeIngressClass(scope, 'IngressClass', {
    metadata: {
      name: props.name,
      labels: { ...props.labels },
      ...(props.defaultClass ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}),
    },
    spec: { controller: props.controller },
  });
}

/**
 * The controller's LoadBalancer Service: IPv4 only, the MetalLB address requested by annotation when given,
 * each port forwarded to the named container port `targetPorts[i]`.
 */
export function addLoadBalancerService(
  scope: Construct,
  props: {
    name: string;
    namespace: string;
    labels: Labels;
    loadBalancerIP?: string;
    externalTrafficPolicy: ExternalTrafficPolicy;
    ports: readonly { port: IngressServicePort; targetPort: string }[];
    selector: Labels;
  },
): void {
  new k8s.KubeService(scope, 'Service', {
    metadata: {
      name: props.name,
      namespace: props.namespace,
      labels: { ...props.labels },
      ...(props.loadBalancerIP ? { annotations: { 'metallb.io/loadBalancerIPs': props.loadBalancerIP } } : {}),
    },
    spec: {
      type: 'LoadBalancer',
      externalTrafficPolicy: props.externalTrafficPolicy,
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: props.ports.map(({ port, targetPort }) => servicePort(port, targetPort)),
      selector: { ...props.selector },
    },
  });
}
