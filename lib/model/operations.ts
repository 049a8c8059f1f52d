/**
 * Semantic rules and defaults of `operations:` (day-2 operations). The etcd snapshot target is resolved in
 * one place, so the rule that rejects a bad target and the model builder that fills the defaults agree.
 */
import type { Description } from './description';
import { show, type Problem } from './problems';

export interface EtcdSnapshotTarget {
  /** Resolved server name, if any. */
  readonly server?: string;
  /** Resolved share, if any. */
  readonly share?: string;
}

/** The NFS server and share etcd snapshots go to: as written, else storage.server and its default class's share, else the only nfs-server host. */
export function etcdSnapshotTarget(d: Description): EtcdSnapshotTarget {
  const e = d.operations.etcdSnapshots;
  const nfsServers = d.hosts.filter((h) => h.roles.includes('nfs-server')).map((h) => h.name);
  const server = e.server ?? d.storage?.server ?? (nfsServers.length === 1 ? nfsServers[0] : undefined);
  const storageShare = d.storage && d.storage.server === server ? (d.storage.classes.find((c) => c.default) ?? d.storage.classes[0])?.share : undefined;
  return { server, share: e.share ?? storageShare };
}

/** `operations.*` rules: the snapshot target must be an NFS server host of the description, with a share. */
export function operationsProblems(d: Description): Problem[] {
  const e = d.operations.etcdSnapshots;
  const problems: Problem[] = [];
  if (d.operations.metricsServer.enabled && !d.operations.kubeletServingCertificates.enabled) {
    problems.push({
      path: 'operations.metricsServer.enabled',
      message:
        'metrics-server verifies kubelet serving certificates (no --kubelet-insecure-tls), so it needs operations.kubeletServingCertificates.enabled: true; or set operations.metricsServer.enabled: false',
    });
  }
  const target = etcdSnapshotTarget(d);
  const explicit = e.enabled === true || e.server !== undefined || e.share !== undefined;
  if (e.enabled === false) return [];
  if (e.server !== undefined) {
    const host = d.hosts.find((h) => h.name === e.server);
    const nfs = d.hosts.filter((h) => h.roles.includes('nfs-server')).map((h) => h.name);
    const hint = nfs.length ? `; hosts with role nfs-server: ${nfs.join(', ')}` : '; no host has role nfs-server';
    if (!host) problems.push({ path: 'operations.etcdSnapshots.server', message: `${show(e.server)} is not a host in hosts[]${hint}` });
    else if (!host.roles.includes('nfs-server')) {
      problems.push({
        path: 'operations.etcdSnapshots.server',
        message: `host ${show(e.server)} lacks role nfs-server: etcd snapshots go to an NFS share${hint}`,
      });
    }
  } else if (explicit && !target.server) {
    problems.push({
      path: 'operations.etcdSnapshots.server',
      message: 'no NFS server to write etcd snapshots to: name a host with role nfs-server, or set operations.etcdSnapshots.enabled: false',
    });
  }
  if (explicit && target.server && !target.share) {
    problems.push({
      path: 'operations.etcdSnapshots.share',
      message: `no share on ${show(target.server)} given: set the exported path (it is not storage.server, so no StorageClass share applies)`,
    });
  }
  return problems;
}
