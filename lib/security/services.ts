/**
 * Follows Services to the pods and container ports behind them, on synthesized objects. NetworkPolicy sees
 * traffic after Service translation, so rules name the pods' labels and container ports, not the Service.
 */
import type { K8sObject } from '../k8s/object';
import { containersOf, labelsMatch, podTemplates, type PodTemplate } from './pod-template';

export interface ServicePortJson {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly protocol?: string;
}

export interface ServiceJson extends K8sObject {
  readonly spec?: {
    readonly type?: string;
    readonly selector?: Readonly<Record<string, string>>;
    readonly ports?: readonly ServicePortJson[];
    readonly loadBalancerIP?: string;
  };
}

/** A container port behind a Service port. `port` is a number when the pods agree on it, else the port name. */
export interface BackendPort {
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number | string;
}

export interface ServiceBackend {
  readonly service: ServiceJson;
  readonly namespace: string;
  /** The Service's selector: the labels of the backend pods. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Pod templates we emit that the selector matches. */
  readonly pods: readonly PodTemplate[];
  /** Container ports for the Service ports asked for. */
  readonly ports: readonly BackendPort[];
}

export function isService(object: K8sObject): object is ServiceJson {
  return object.kind === 'Service' && object.apiVersion === 'v1';
}

export function findService(objects: readonly K8sObject[], namespace: string, name: string): ServiceJson | undefined {
  return objects.find((o): o is ServiceJson => isService(o) && (o.metadata.namespace ?? 'default') === namespace && o.metadata.name === name);
}

/** Resolves a Service's ports (all, or those whose `port` is in `servicePorts`) to the pods and container ports behind them. */
export function serviceBackend(service: ServiceJson, objects: readonly K8sObject[], servicePorts?: readonly number[]): ServiceBackend {
  const namespace = service.metadata.namespace ?? 'default';
  const podLabels = service.spec?.selector ?? {};
  const pods = Object.keys(podLabels).length
    ? podTemplates(objects).filter((t) => t.namespace === namespace && labelsMatch(podLabels, t.metadata.labels))
    : [];
  const ports = (service.spec?.ports ?? [])
    .filter((p) => !servicePorts || servicePorts.includes(p.port))
    .map((p): BackendPort => ({ protocol: p.protocol === 'UDP' ? 'UDP' : 'TCP', port: resolveTargetPort(p.targetPort ?? p.port, pods) }));
  return { service, namespace, podLabels, pods, ports };
}

/** A named targetPort becomes the container port number when every backend pod that names it agrees. */
function resolveTargetPort(target: number | string, pods: readonly PodTemplate[]): number | string {
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const numbers = new Set(
    pods.flatMap((t) => containersOf(t.spec).flatMap((c) => (c.container.ports ?? []).filter((p) => p.name === target).map((p) => p.containerPort))),
  );
  return numbers.size === 1 ? [...numbers][0]! : target;
}

/** Services reachable from outside the cluster (LoadBalancer and NodePort). */
export function isExposedService(service: ServiceJson): boolean {
  return service.spec?.type === 'LoadBalancer' || service.spec?.type === 'NodePort';
}

/** The LoadBalancer IPs a Service asks for (MetalLB annotation or the deprecated spec field). */
export function requestedLoadBalancerIPs(service: ServiceJson): string[] {
  const annotations = (service.metadata.annotations ?? {}) as Record<string, string>;
  const fromAnnotation = annotations['metallb.io/loadBalancerIPs']?.split(',').map((s) => s.trim()) ?? [];
  return [...fromAnnotation, ...(service.spec?.loadBalancerIP ? [service.spec.loadBalancerIP] : [])];
}

/** Webhook Services (namespace, name, port) named by emitted Validating/MutatingWebhookConfigurations, de-duplicated. */
export function webhookServices(objects: readonly K8sObject[]): { namespace: string; name: string; port: number; configuration: string }[] {
  const seen = new Map<string, { namespace: string; name: string; port: number; configuration: string }>();
  for (const o of objects) {
    if (o.kind !== 'ValidatingWebhookConfiguration' && o.kind !== 'MutatingWebhookConfiguration') continue;
    const webhooks = ((o as { webhooks?: { clientConfig?: { service?: { namespace: string; name: string; port?: number } } }[] }).webhooks ?? []);
    for (const w of webhooks) {
      const s = w.clientConfig?.service;
      if (!s) continue;
      const entry = { namespace: s.namespace, name: s.name, port: s.port ?? 443, configuration: `${o.kind} ${o.metadata.name}` };
      seen.set(`${entry.namespace}/${entry.name}:${entry.port}`, seen.get(`${entry.namespace}/${entry.name}:${entry.port}`) ?? entry);
    }
  }
  return [...seen.values()];
}
