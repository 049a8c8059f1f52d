/**
 * Services on synthesized objects: what is a Service, which LoadBalancer IPs it asks for, and which Services
 * the API server calls as webhooks.
 */
import type { K8sObject } from '../k8s/object';

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
    const webhooks = (o as { webhooks?: { clientConfig?: { service?: { namespace: string; name: string; port?: number } } }[] }).webhooks ?? [];
    for (const w of webhooks) {
      const s = w.clientConfig?.service;
      if (!s) continue;
      const entry = { namespace: s.namespace, name: s.name, port: s.port ?? 443, configuration: `${o.kind} ${o.metadata.name}` };
      seen.set(`${entry.namespace}/${entry.name}:${entry.port}`, seen.get(`${entry.namespace}/${entry.name}:${entry.port}`) ?? entry);
    }
  }
  return [...seen.values()];
}
