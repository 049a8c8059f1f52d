/**
 * Mermaid diagrams of the three paths that matter: the API (HA through keepalived/HAProxy), the Internet
 * (VPS → frps → frpc → ingress), and storage (StorageClasses → NFS shares).
 */
import { NFS_CSI_DRIVER_NAME } from '../components/nfs-csi/nfs-storage-class';
import { INGRESS_PORTS } from '../model/semantic';
import type { ClusterModel } from '../model/types';
import { Flowchart } from './mermaid';
import { tunnelHasOwnListeners, WELL_KNOWN_PORTS } from './ports';

/** kubectl → VIP → HAProxy on each balancer (MASTER/BACKUP by priority) → kube-apiserver on each control plane. */
export function apiDiagram(model: ClusterModel): string {
  const api = model.apiServer;
  const chart = new Flowchart('LR');
  const client = chart.node('Client', 'kubectl', 'kubectl, kubelets', 'stadium');
  const vip = chart.node('Vip', 'api', `VIP ${api.vip}:${api.port}\nkeepalived VRRP id ${api.virtualRouterId}`, 'circle');
  const balancers = api.balancers.map((b, i) => ({ b, master: i === 0 }));
  chart.subgraph('balancers', 'Balancers: keepalived + HAProxy', () => {
    for (const { b, master } of balancers) {
      chart.node('Balancer', b.host.name, `${b.host.name} ${b.host.ip}\n${master ? 'MASTER' : 'BACKUP'}, priority ${b.priority}\nHAProxy :${api.port}`);
    }
  });
  chart.subgraph('controlplanes', 'Control planes', () => {
    for (const cp of api.controlPlanes) chart.node('ControlPlane', cp.name, `${cp.name} ${cp.ip}\nkube-apiserver :${api.bindPort}`);
  });
  chart.edge(client, vip, `TCP ${api.port}`);
  for (const { b, master } of balancers) {
    chart.edge(vip, chart.id('Balancer', b.host.name), master ? 'holds the VIP' : 'takes over on failure', master ? 'solid' : 'dotted');
  }
  for (const { b } of balancers) {
    for (const cp of api.controlPlanes) chart.edge(chart.id('Balancer', b.host.name), chart.id('ControlPlane', cp.name));
  }
  return chart.render();
}

/** Internet → frps on the VPS ← frpc (dials out) → ingress LoadBalancer IP → controller Service; LAN clients in parallel. */
export function internetDiagram(model: ClusterModel): string {
  const chart = new Flowchart('LR');
  const ing = model.ingress;
  const ports = INGRESS_PORTS.join(', ');
  const lan = chart.node('Client', 'lan', 'LAN clients', 'stadium');
  const lb = chart.node('Ingress', 'ip', `ingress IP ${ing.loadBalancerIP}\nMetalLB L2, pool ${ing.pool}\nTCP ${ports}`, 'circle');
  const svc = chart.node('Service', 'ingress', `Service type LoadBalancer\nnamespace ${ing.namespace}`);
  const controller = chart.node('Controller', 'ingress', `${ing.controller} x${ing.replicas}\nIngressClass ${ing.className}`);
  const apps = chart.node(
    'Apps',
    'services',
    `Ingress rules → Services${model.namespaces.length ? `\nnamespaces ${model.namespaces.map((n) => n.name).join(', ')}` : ''}`,
  );
  const t = model.tunnel;
  if (t) {
    const internet = chart.node('Client', 'internet', 'Internet', 'stadium');
    const vps = chart.node(
      'Vps',
      t.server.name,
      `${t.server.name} ${t.server.ip}\nfrps bindPort ${t.bindPort}\npublic ${t.forwardedPorts.map((p) => p.remotePort).join(', ')}`,
    );
    const frpc = chart.node('Frpc', t.namespace, `frpc Deployment\nnamespace ${t.namespace}`);
    chart.edge(internet, vps, `TCP ${t.forwardedPorts.map((p) => p.remotePort).join(', ')}`);
    chart.edge(frpc, vps, `dials ${t.server.ip}:${t.bindPort}`);
    chart.edge(vps, frpc, 'forwarded connections', 'dotted');
    const label = t.forwardedPorts.map((p) => `${p.remotePort} → ${p.localPort}`).join(', ') + (t.proxyProtocol ? ' (PROXY v2)' : '');
    if (tunnelHasOwnListeners(model)) {
      const tunnelSvc = chart.node('Service', 'tunnel', `Service ${t.targetAddress}\ntype ClusterIP, tunnel entry points\nonly frpc admitted`);
      chart.edge(frpc, tunnelSvc, label);
      chart.edge(tunnelSvc, controller, t.proxyProtocol ? `PROXY trusted from ${model.kubernetes.podCidr}` : undefined);
    } else {
      chart.edge(frpc, lb, label);
    }
  }
  chart.edge(lan, lb, `TCP ${ports}`);
  chart.edge(lb, svc);
  chart.edge(svc, controller, tunnelHasOwnListeners(model) ? 'plain entry points' : undefined);
  chart.edge(controller, apps);
  return chart.render();
}

/** StorageClasses → csi-driver-nfs → shares on the NFS server. Undefined when the model has no storage. */
export function storageDiagram(model: ClusterModel): string | undefined {
  const s = model.storage;
  if (!s) return undefined;
  const chart = new Flowchart('LR');
  for (const c of s.classes) {
    chart.node('StorageClass', c.name, `StorageClass ${c.name}${c.default ? ' (default)' : ''}\nreclaimPolicy ${c.reclaimPolicy}`);
  }
  const driver = chart.node('Driver', 'nfs', `CSI driver ${NFS_CSI_DRIVER_NAME}`, 'stadium');
  const shares = [...new Set(s.classes.map((c) => c.share))];
  chart.subgraph('nfs', `NFS server ${s.server.name} ${s.server.ip}:${WELL_KNOWN_PORTS.nfs}`, () => {
    for (const share of shares) chart.node('Share', share, share, 'database');
  });
  for (const c of s.classes) {
    chart.edge(chart.id('StorageClass', c.name), driver);
  }
  for (const c of s.classes) {
    chart.edge(driver, chart.id('Share', c.share), `${c.name}${c.subDir ? `, subDir ${c.subDir}` : ''}`);
  }
  return chart.render();
}
