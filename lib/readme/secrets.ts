/**
 * dist/README.md "Secrets to create": the Secrets the manifests reference and never contain (the frp token,
 * the frpc admin password, the DNS-01 API token), with the commands that create them.
 */
import { CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE, FRPC_DEFAULT_ADMIN_SECRET } from '../components';
import { FRP_TOKEN_FILE, frpTokenGenerateCommands } from '../components/frp/token';
import type { ClusterModel } from '../model/types';
import type { ReadmeSection } from './section';

/**
 * dist/README.md sections for the platform: the Secrets the user creates (we only reference them).
 * Installing the upstream prerequisites (MetalLB, cert-manager) is part of the wave-by-wave apply sequence
 * (lib/output/manifests.ts), because their pods need the CNI from our networking wave first.
 */
export function secretsReadmeSections(model: ClusterModel): ReadmeSection[] {
  const secrets: string[] = [];
  if (model.tunnel) {
    const t = model.tunnel;
    const { secret, serverFile } = t.token;
    const admin = FRPC_DEFAULT_ADMIN_SECRET;
    secrets.push(
      `- **frp token** (frpc in namespace \`${t.namespace}\`; the same bytes in \`${serverFile}\` on \`${t.server.name}\` for frps). It is generated once, on your admin machine, into the file \`${FRP_TOKEN_FILE}\` (one line, no trailing newline); the Secret is created from that file and the same file is copied to the tunnel server (see "Tunnel server" under Hosts). Keep the file out of git; delete it once both ends have it.`,
      '',
      '  ```sh',
      ...frpTokenGenerateCommands().map((l) => `  ${l}`),
      `  kubectl -n ${t.namespace} create secret generic ${secret.name} --from-file=${secret.key}=${FRP_TOKEN_FILE}`,
      '  ```',
      '',
      `- **frpc admin API password** (namespace \`${t.namespace}\`): its own random value, not the tunnel token.`,
      '',
      '  ```sh',
      `  (umask 077 && openssl rand -hex 24 | tr -d "\\n" > frpc-admin-password)`,
      `  kubectl -n ${t.namespace} create secret generic ${admin.name} --from-file=${admin.key}=frpc-admin-password && rm -f frpc-admin-password`,
      '  ```',
    );
  }
  if (model.acme?.solver.type === 'dns01') {
    const ref = model.acme.solver.apiTokenSecretRef;
    secrets.push(
      ...(secrets.length ? [''] : []),
      `- **Cloudflare API token** for DNS-01 (permission Zone:DNS:Edit), in cert-manager's namespace \`${CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE}\`:`,
      '',
      '  ```sh',
      `  kubectl -n ${CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE} create secret generic ${ref.name} --from-file=${ref.key}=cloudflare-api-token`,
      '  ```',
    );
  }

  const sections: ReadmeSection[] = [];
  if (secrets.length) {
    sections.push({
      title: 'Secrets to create',
      body: [
        'The manifests reference these Secrets and never contain them. Create them once the namespaces exist (`kubectl apply -f dist/00-namespaces.yaml`); the pods that need them wait until then.',
        '',
        ...secrets,
      ].join('\n'),
    });
  }
  return sections;
}
