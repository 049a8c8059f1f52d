/**
 * Logins for the people in `access:`: client certificates issued with `kubeadm kubeconfig user`, short-lived
 * because a client certificate cannot be revoked; and what each role may do, as commands. The operator tasks
 * carry the permissions they need, so a test proves the operator role grants them.
 */
import type { AccessGrant, ClusterModel } from '../../model/types';
import { firstControlPlane } from '../control-plane';
import { HOST_PATHS } from '../paths';

/** A permission a command needs: verb on `resource` in API group `group` ('' = core). */
export interface Permission {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
}

export interface OperatorTask {
  readonly what: string;
  /** `<ns>` stands for one of the operator's namespaces. */
  readonly command: string;
  readonly needs: readonly Permission[];
}

const p = (verb: string, group: string, resource: string): Permission => ({ verb, group, resource });

/** What the README tells operators to do in their namespaces. */
export const OPERATOR_TASKS: readonly OperatorTask[] = [
  {
    what: 'see what runs',
    command: 'kubectl -n <ns> get pods,deployments,services,ingresses,pvc',
    needs: [
      p('list', '', 'pods'),
      p('list', 'apps', 'deployments'),
      p('list', '', 'services'),
      p('list', 'networking.k8s.io', 'ingresses'),
      p('list', '', 'persistentvolumeclaims'),
    ],
  },
  {
    what: 'read logs',
    command: 'kubectl -n <ns> logs deployment/<name>',
    needs: [p('get', 'apps', 'deployments'), p('list', '', 'pods'), p('get', '', 'pods/log')],
  },
  {
    what: 'deploy or update an app',
    command: 'kubectl -n <ns> apply -f app.yaml   # Deployments, Services, Ingresses, ConfigMaps, PVCs',
    needs: [
      p('get', 'apps', 'deployments'),
      p('create', 'apps', 'deployments'),
      p('patch', 'apps', 'deployments'),
      p('create', '', 'services'),
      p('patch', '', 'services'),
      p('create', 'networking.k8s.io', 'ingresses'),
      p('patch', 'networking.k8s.io', 'ingresses'),
      p('create', '', 'configmaps'),
      p('patch', '', 'configmaps'),
      p('create', '', 'persistentvolumeclaims'),
    ],
  },
  {
    what: 'restart an app',
    command: 'kubectl -n <ns> rollout restart deployment/<name>',
    needs: [p('get', 'apps', 'deployments'), p('patch', 'apps', 'deployments')],
  },
  {
    what: 'scale an app',
    command: 'kubectl -n <ns> scale deployment/<name> --replicas=2',
    needs: [p('get', 'apps', 'deployments/scale'), p('patch', 'apps', 'deployments/scale')],
  },
  { what: 'store a credential', command: 'kubectl -n <ns> create secret generic <name> --from-file=<file>', needs: [p('create', '', 'secrets')] },
  { what: 'open a shell in a pod', command: 'kubectl -n <ns> exec -it <pod> -- sh', needs: [p('get', '', 'pods'), p('create', '', 'pods/exec')] },
  {
    what: 'reach a pod from your machine',
    command: 'kubectl -n <ns> port-forward <pod> 8080:80',
    needs: [p('get', '', 'pods'), p('create', '', 'pods/portforward')],
  },
  { what: 'see CPU and memory use (metrics-server)', command: 'kubectl -n <ns> top pods', needs: [p('list', 'metrics.k8s.io', 'pods')] },
  { what: 'run a one-off job', command: 'kubectl -n <ns> create job <name> --image=<image>', needs: [p('create', 'batch', 'jobs')] },
];

/** The `kubeadm kubeconfig user` command for one access entry. */
export function loginCommand(model: ClusterModel, grant: AccessGrant): string {
  const client = grant.kind === 'User' ? grant.name : '<person>';
  const org = grant.kind === 'Group' ? ` --org ${grant.name}` : '';
  return `kubeadm kubeconfig user --config ${HOST_PATHS.kubeadmInit} --client-name ${client}${org} --validity-period ${model.operations.logins.validity}`;
}

function roleText(grant: AccessGrant): string {
  if (grant.role === 'admin') return 'cluster-admin';
  if (grant.role === 'viewer') return 'read-only, cluster-wide, no Secrets';
  return `edit in ${grant.namespaces.map((n) => `\`${n}\``).join(', ')}`;
}

export function loginsSection(model: ClusterModel): string[] {
  const first = firstControlPlane(model);
  const validity = model.operations.logins.validity;
  const operators = model.access.filter((a) => a.role === 'operator');
  return [
    '### Logins',
    '',
    `Each person gets a kubeconfig with a client certificate signed by the cluster CA, valid for ${validity} (\`operations.logins.validity\`). Issue it on ${first.name} (it reads the cluster CA key) and send it straight to the person's machine, so it is never stored on the host:`,
    '',
    ...(model.access.length
      ? [
          '| Subject | Role | Issue with (on the first control plane, as root) |',
          '|---|---|---|',
          ...model.access.map((a) => `| ${a.kind} \`${a.name}\` | ${a.role} (${roleText(a)}) | \`${loginCommand(model, a)}\` |`),
          '',
          "For a group, `<person>` is the person's own name (it appears in the audit log); `--org` puts them in the group the RBAC binding names. Never use `--org system:masters`: that group bypasses RBAC and cannot be taken away.",
          '',
          '```sh',
          `# from the person's machine: a new file, mode 0600 (umask), never into git; set -C refuses to overwrite an existing one`,
          `(umask 077 && mkdir -p ~/.kube && set -C && ssh ${first.name} sudo ${loginCommand(model, model.access[0]).replace(/<person>/, '"$USER"')} > ~/.kube/${model.name}.conf)`,
          `export KUBECONFIG=~/.kube/${model.name}.conf`,
          'kubectl auth whoami',
          '```',
          '',
        ]
      : ['No `access` entries: only the kubeadm admin kubeconfig (`/etc/kubernetes/admin.conf` on the control planes) exists.', '']),
    'Revoking: a client certificate cannot be revoked. Remove the person\'s `access` entry (for a User entry its binding goes away; a Group certificate keeps its group, so remove or rename the group\'s binding) and re-apply, let the certificate expire (hence the short validity), or, when a certificate must stop working at once, rotate the cluster CA (kubeadm docs, "Manual rotation of CA certificates"), which invalidates every kubeconfig.',
    "Renew before expiry by issuing a new one the same way; `kubectl config view --raw -o jsonpath='{.users[0].user.client-certificate-data}' | base64 -d | openssl x509 -noout -enddate` shows when it ends.",
    '',
    ...(operators.length
      ? [
          'What operators can do in their namespaces (`<ns>`), and nothing outside them; they can read but not change NetworkPolicies, and cannot touch RBAC:',
          '',
          '| To | Run |',
          '|---|---|',
          ...OPERATOR_TASKS.map((t) => `| ${t.what} | \`${t.command}\` |`),
          '',
        ]
      : []),
  ];
}
