/**
 * Generated documentation for a cluster: architecture (diagrams, failure domains), inventory and IP plan,
 * network (port matrix, tunnel, VPS firewall) and the checks that held. Pure: Markdown files under `docs/`
 * in the output directory, which `kubectl apply -f dist` ignores (it reads only top-level YAML).
 */
import { tunnelServerPorts } from '../components/frp/frps';
import { INGRESS_PORTS } from '../model/semantic';
import type { ClusterModel } from '../model/types';
import type { RenderedFile } from '../output/files';
import { checksSection, type DocumentedCheck } from './checks';
import { apiDiagram, internetDiagram, storageDiagram } from './diagrams';
import { failureDomains } from './failure-domains';
import { flowMatrixSection, type FlowMatrixInput } from './flow-matrix';
import { inventorySection, ipPlanSection } from './inventory';
import { code, list, table } from './markdown';
import { listeners, tunnelHasOwnListeners } from './ports';

export { failureDomains } from './failure-domains';
export { listeners } from './ports';

/** Directory of the generated docs inside the output directory. */
const DOCS_DIR = 'docs';

/** What the docs need besides the model. */
export interface DocsContext {
  /** The output checks that run on this render (all of them hold when the files are written). */
  readonly checks: readonly DocumentedCheck[];
  /** Warnings to repeat at the top of the architecture page. @default [] */
  readonly warnings?: readonly string[];
  /** The checked flows, for the flow matrix of the network page. @default - no matrix */
  readonly flows?: FlowMatrixInput;
}

const generated = (model: ClusterModel) => `Generated from the cluster description of \`${model.name}\`; do not edit. Change the description and re-render.`;

const nav = '[Architecture](architecture.md) · [Inventory and IP plan](inventory.md) · [Network and ports](network.md) · [Checks](checks.md)';

function architecturePage(model: ClusterModel, context: DocsContext): string {
  const api = model.apiServer;
  const [master, ...backups] = api.balancers;
  const t = model.tunnel;
  const storage = storageDiagram(model);
  const lines = [
    `# ${model.name}: architecture`,
    '',
    generated(model),
    '',
    nav,
    '',
    `Kubernetes ${model.kubernetes.version} (kubeadm), ${api.controlPlanes.length} control plane(s) behind the VIP ${api.vip}:${api.port}, ` +
      `${model.hosts.filter((h) => h.roles.includes('worker')).length} worker(s), ingress on ${model.ingress.loadBalancerIP}` +
      `${t ? `, published to the Internet through ${t.server.name} ${t.server.ip}` : ''}.`,
  ];
  if (context.warnings?.length) lines.push('', '## Warnings', '', ...context.warnings.map((w) => `- ${w}`));
  lines.push(
    '',
    '## API: high availability',
    '',
    `keepalived holds the VIP ${api.vip} on ${master.host.name} (MASTER, priority ${master.priority})` +
      `${backups.length ? `; ${list(backups.map((b) => `${b.host.name} (${b.priority})`))} take over in priority order` : ''}. ` +
      // keepalived preempts by default and the renderer never writes nopreempt: the lab checks this sentence.
      `${backups.length ? `When ${master.host.name} is healthy again (its check passes, or its keepalived is back), it takes the VIP back (keepalived preempts), which resets open API connections once more. ` : ''}` +
      `HAProxy on each balancer forwards TCP ${api.port} to kube-apiserver on ${list(api.controlPlanes.map((h) => `${h.name} ${h.ip}:${api.bindPort}`))}. ` +
      `kubeadm's \`controlPlaneEndpoint\` is ${api.vip}:${api.port}.`,
    '',
    apiDiagram(model),
    '',
    '## Internet and LAN access',
    '',
    t
      ? `frpc runs in namespace ${t.namespace}, dials frps on ${t.server.name} (${t.server.ip}:${t.bindPort}) and forwards public ports ` +
          `${list(t.forwardedPorts.map((p) => `${p.remotePort} → ${t.targetAddress}:${p.localPort}`))}. LAN clients use ${model.ingress.loadBalancerIP} directly.` +
          (tunnelHasOwnListeners(model)
            ? ` ${t.targetAddress} is a ClusterIP Service in front of ${model.ingress.controller}'s tunnel entry points, so tunnel traffic never shares the LAN listeners and the tunnel ports are not on the LoadBalancer.` +
              (t.proxyProtocol
                ? ` Forwarded connections carry PROXY protocol v2; only the tunnel entry points honour it, from the pod CIDR ${model.kubernetes.podCidr} (the narrowest range that holds frpc's pods), and a NetworkPolicy admits only frpc's pods to those ports: together they restrict trusted PROXY headers to frpc. LAN clients and pods keep plain listeners on ${model.ingress.loadBalancerIP}.`
                : '')
            : `${t.proxyProtocol ? ' Forwarded connections carry PROXY protocol v2, and the ingress expects it on every connection: LAN clients must send it too.' : ''}`)
      : `No tunnel: the apps are reachable on the LAN only, at ${model.ingress.loadBalancerIP} (TCP ${INGRESS_PORTS.join(', ')}).`,
    '',
    internetDiagram(model),
  );
  if (storage && model.storage) {
    lines.push(
      '',
      '## Storage',
      '',
      `csi-driver-nfs provisions a directory per volume on ${model.storage.server.name} (${model.storage.server.ip}).`,
      '',
      storage,
    );
  }
  lines.push(
    '',
    '## Failure domains',
    '',
    table(
      ['When this fails', 'Hosts and addresses', 'What breaks', 'What keeps working'],
      failureDomains(model).map((d) => [d.failure, d.hosts.join('<br>'), d.breaks, d.keepsWorking]),
    ),
  );
  return lines.join('\n');
}

function inventoryPage(model: ClusterModel): string {
  return [`# ${model.name}: inventory and IP plan`, '', generated(model), '', nav, '', inventorySection(model), '', ipPlanSection(model)].join('\n');
}

function networkPage(model: ClusterModel, context: DocsContext): string {
  const lines = [
    `# ${model.name}: network and ports`,
    '',
    generated(model),
    '',
    nav,
    '',
    '## Port matrix',
    '',
    table(
      ['Where', 'Address', 'Port', 'Protocol', 'What listens', 'Who connects', 'Reachable from'],
      listeners(model).map((l) => [l.where, l.address, l.port, l.protocol, l.service, l.clients, l.reach]),
    ),
  ];
  if (context.flows) lines.push('', flowMatrixSection(context.flows));
  const t = model.tunnel;
  lines.push('', '## What the tunnel exposes', '');
  if (!t) lines.push('Nothing: there is no tunnel server, so no port of this cluster is reachable from the Internet.');
  else {
    lines.push(
      table(
        ['Public address', 'Proxy', 'Forwarded to', 'PROXY protocol'],
        t.forwardedPorts.map((p) => [
          `${t.server.ip}:${p.remotePort}/${p.protocol}`,
          code(p.name),
          `${t.targetAddress}:${p.localPort}`,
          t.proxyProtocol ? 'v2' : 'no',
        ]),
      ),
      '',
      'Nothing else inside the LAN is reachable through the tunnel: frps only accepts these remote ports (`allowPorts`).',
      '',
      `### Firewall on ${t.server.name} (${t.server.ip})`,
      '',
      'Open exactly these inbound ports (plus your SSH port):',
      '',
      table(
        ['Port', 'Protocol', 'Why'],
        tunnelServerPorts(t).map((p) => [String(p.port), p.protocol.toUpperCase(), p.purpose]),
      ),
    );
  }
  return lines.join('\n');
}

/** Renders the docs pages for a model. Deterministic: same model and context, same bytes. */
export function renderDocs(model: ClusterModel, context: DocsContext): RenderedFile[] {
  const page = (name: string, content: string): RenderedFile => ({ path: `${DOCS_DIR}/${name}`, content: `${content.trimEnd()}\n` });
  return [
    page('architecture.md', architecturePage(model, context)),
    page('checks.md', [`# ${model.name}: checks that held`, '', generated(model), '', nav, '', checksSection(model, context.checks)].join('\n')),
    page('inventory.md', inventoryPage(model)),
    page('network.md', networkPage(model, context)),
  ];
}
