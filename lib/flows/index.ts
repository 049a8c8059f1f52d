/**
 * Flows: the traffic the cluster needs (and must never carry), declared by the components as typed data,
 * turned into NetworkPolicies, and proven against the dataplane's real addresses.
 *
 * Declaring flows in a component (a few lines in its constructor, from handles it already has):
 *
 * ```ts
 * import { Endpoint, Flows, tcp } from '../../flows';
 *
 * // The pods of this component, as a typed handle other constructs (and the app) can use.
 * this.pods = Endpoint.pods({ name: 'traefik', namespace, podLabels: this.podLabels, ports: [tcp(8000, 'web'), tcp(8443, 'websecure')] });
 * const flows = Flows.of(this);
 * flows.require({ id: 'traefik-apiserver', from: this.pods, to: Endpoint.kubernetesApi(), ports: [tcp(443)], purpose: 'watch Ingresses' });
 * flows.require({ id: 'traefik-dns', from: this.pods, to: Endpoint.clusterDns(), ports: DNS_PORTS, purpose: 'resolve', policyName: 'allow-dns' });
 * // An APIService or webhook: the API server calls the Service (checked after DNAT on its endpoints).
 * flows.require({ id: 'metrics-server-apiservice', from: Endpoint.apiServer(), to: this.service, ports: [tcp(443)], purpose: 'aggregated API v1beta1.metrics.k8s.io' });
 * // A must-deny flow: checked, never turned into an allow.
 * flows.forbid({ id: 'traefik-dashboard-from-lan', from: Endpoint.lan(), to: this.pods, ports: [tcp(8080)], purpose: 'dashboard stays private' });
 * ```
 *
 * The app composes across components with their handles (`frpc.forwardsTo(ingress.service)`), then
 * {@link FlowNetworkPolicies} emits the policies for the namespaces it isolates, and {@link checkFlows}
 * (run by synth as the `flows` output check) proves every required flow allowed and every forbidden flow
 * denied, naming the flow, the address the dataplane presents and the blocking policy.
 */
export * from './types';
export * from './catalogue';
export * from './addresses';
export * from './dataplane';
export * from './packets';
export * from './evaluate';
export * from './check';
export * from './generate';
