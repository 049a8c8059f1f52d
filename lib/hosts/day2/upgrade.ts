/**
 * The upgrade runbook (docs/upgrade.md) to the next Kubernetes minor, per host, from the description:
 * the first control plane runs `kubeadm upgrade apply`, the other control planes `kubeadm upgrade node` one at a
 * time (etcd keeps its quorum, HAProxy's /readyz check takes a restarting API server out of the VIP's
 * backends), then the workers one at a time with drain/uncordon. The load balancers are not touched, so the
 * VIP stays where it is. Package pins move to the next minor's pkgs.k8s.io repository.
 */
import { SUPPORTED_KUBERNETES_MINORS } from '../../model/semantic';
import type { ClusterModel, Host } from '../../model/types';
import { firstControlPlane } from '../control-plane';
import { K8S_PACKAGE_REVISION } from '../node-prep';
import { HOST_PATHS } from '../paths';

const fence = (lines: readonly string[]) => ['```sh', ...lines, '```'];

function nextMinor(minor: string): string {
  const [major, m] = minor.split('.').map(Number);
  return `${major}.${m + 1}`;
}

function repoSwitch(from: string, to: string): string[] {
  return [`sed -i 's#/core:/stable:/v${from}/deb/#/core:/stable:/v${to}/deb/#' ${HOST_PATHS.kubernetesAptList}`, 'apt-get update'];
}

const pin = (to: string) => `${to}.<patch>-${K8S_PACKAGE_REVISION}`;

function installKubeadm(to: string): string[] {
  return [`apt-mark unhold kubeadm && apt-get install -y kubeadm=${pin(to)} && apt-mark hold kubeadm`, 'kubeadm version -o short'];
}

function kubeletStep(host: Host, to: string, drainFrom: string): string[] {
  return [
    `kubectl drain ${host.name} --ignore-daemonsets --delete-emptydir-data   # ${drainFrom}`,
    `apt-mark unhold kubelet kubectl && apt-get install -y kubelet=${pin(to)} kubectl=${pin(to)} && apt-mark hold kubelet kubectl`,
    'systemctl daemon-reload && systemctl restart kubelet',
    `kubectl uncordon ${host.name}`,
    `kubectl wait --for=condition=Ready node/${host.name} --timeout=5m`,
  ];
}

export function renderUpgradeRunbook(model: ClusterModel): string {
  const from = model.kubernetes.minor;
  const to = nextMinor(from);
  const first = firstControlPlane(model);
  const cps = model.apiServer.controlPlanes;
  const others = cps.filter((h) => h !== first);
  const workers = model.hosts.filter((h) => h.roles.includes('worker'));
  const supported = SUPPORTED_KUBERNETES_MINORS.includes(to);
  const quorum = Math.floor(cps.length / 2) + 1;
  const snapshots = model.operations.etcdSnapshots;
  const lines = [
    `# ${model.name}: upgrading Kubernetes ${model.kubernetes.version} to ${to}`,
    '',
    `Generated from the cluster description of \`${model.name}\`; do not edit. Change the description and re-render.`,
    '',
    `One minor at a time: ${from} → ${to}. \`<patch>\` is the newest ${to} patch release (\`apt-cache madison kubeadm\` after switching the repository); use the same on every host.`,
    ...(supported
      ? []
      : [
          '',
          `**This generator supports Kubernetes ${SUPPORTED_KUBERNETES_MINORS.join(', ')}.** Upgrade the generator (kubeadm API, pinned images, package versions) before the cluster, or the re-rendered files will not match ${to}.`,
        ]),
    '',
    '## Order, and why it keeps the cluster up',
    '',
    `1. ${first.name}: \`kubeadm upgrade apply\` (upgrades the control-plane static pods, etcd, CoreDNS and kube-proxy).`,
    ...(others.length ? [`2. ${others.map((h) => h.name).join(', then ')}: \`kubeadm upgrade node\`, one at a time.`] : []),
    `${others.length ? 3 : 2}. The workers one at a time: drain, \`kubeadm upgrade node\`, kubelet, uncordon.`,
    '',
    `- The VIP ${model.apiServer.vip} stays up: the load balancers (${model.apiServer.balancers.map((b) => b.host.name).join(', ')}) are not touched, and HAProxy's \`/readyz\` check takes the API server being upgraded out of the backends while the others answer.`,
    cps.length > 1
      ? `- etcd keeps its quorum: only one of the ${cps.length} members restarts at a time (${quorum} must be up). Wait for each control plane to be Ready before the next.`
      : '- With a single control plane the API is unavailable while its static pods restart (a few minutes); running workloads keep serving.',
    '- Workers one at a time, drained first, so PodDisruptionBudgets and replicas keep apps available.',
    '- The audit policy, encryption config and Pod Security defaults stay: their flags and mounts are in the ClusterConfiguration kubeadm stores in the cluster.',
    '',
    '## 0. Before you start',
    '',
    ...fence([
      'kubectl get nodes   # all Ready, all on ' + model.kubernetes.version,
      ...(snapshots
        ? [
            '# on every control plane: one fresh etcd snapshot, and check it landed',
            'systemctl start etcd-snapshot.service && journalctl -u etcd-snapshot -n 3',
          ]
        : ['# take an etcd snapshot first (etcd snapshots are off in this description)']),
    ]),
    '',
    `Read the ${to} release notes (deprecated APIs, kubeadm changes) and check that the pinned components support ${to}.`,
    '',
    `## 1. ${first.name} (${first.ip}): kubeadm upgrade apply`,
    '',
    ...fence([
      ...repoSwitch(from, to),
      `apt-cache madison kubeadm | head -n 3   # pick <patch>`,
      ...installKubeadm(to),
      'kubeadm upgrade plan',
      `kubeadm upgrade apply v${to}.<patch>`,
      ...kubeletStep(first, to, 'as root on this host, with /etc/kubernetes/admin.conf'),
    ]),
    '',
  ];
  others.forEach((h, i) => {
    lines.push(
      `## ${2 + i}. ${h.name} (${h.ip}): kubeadm upgrade node`,
      '',
      ...fence([...repoSwitch(from, to), ...installKubeadm(to), 'kubeadm upgrade node', ...kubeletStep(h, to, 'from a machine with an admin kubeconfig')]),
      '',
    );
  });
  const n = 2 + others.length;
  lines.push(`## ${n}. Workers, one at a time`, '');
  if (!workers.length) lines.push('None.', '');
  for (const w of workers) {
    lines.push(
      `### ${w.name} (${w.ip})`,
      '',
      ...fence([
        `kubectl drain ${w.name} --ignore-daemonsets --delete-emptydir-data   # from a machine with an admin kubeconfig`,
        `# on ${w.name}, as root:`,
        ...repoSwitch(from, to),
        ...installKubeadm(to),
        'kubeadm upgrade node',
        `apt-mark unhold kubelet kubectl && apt-get install -y kubelet=${pin(to)} kubectl=${pin(to)} && apt-mark hold kubelet kubectl`,
        'systemctl daemon-reload && systemctl restart kubelet',
        '# back on the admin machine:',
        `kubectl uncordon ${w.name}`,
        `kubectl wait --for=condition=Ready node/${w.name} --timeout=5m`,
      ]),
      '',
    );
  }
  lines.push(
    `## ${n + 1}. Afterwards`,
    '',
    `Set \`kubernetes.version\` to \`v${to}.<patch>\` in the description and render again, so new hosts install ${to} from cloud-init and the host scripts use the etcd image of ${to}; install the changed host files (\`git diff dist/hosts\`) on the hosts.`,
    '',
  );
  return lines.join('\n');
}
