/**
 * Pod Security Admission defaults for kube-apiserver (`AdmissionConfiguration`). Every control plane runs an
 * API server that reads this file (ClusterConfiguration passes `--admission-control-config-file`), so it is
 * placed on all of them before `kubeadm init`/`join`.
 */
import type { ClusterModel } from '../model/types';
import { HOST_PATHS } from './paths';
import { comment, generatedBy } from './text';
import { yamlFile, type YamlFile } from './yaml';

/**
 * `psa-admission.yaml`: the Pod Security Admission defaults kube-apiserver reads on every control plane.
 */
export function renderPodSecurityAdmission(model: ClusterModel): string {
  return podSecurityAdmissionFile(model).content;
}

/** {@link renderPodSecurityAdmission} with its documents. */
export function podSecurityAdmissionFile(model: ClusterModel): YamlFile {
  const psa = model.security.podSecurity;
  const version = `v${model.kubernetes.minor}`;
  return yamlFile(comment('#', generatedBy(model.name), `Cluster-wide Pod Security defaults; goes to ${HOST_PATHS.psaFile} on every control plane.`), [
    {
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AdmissionConfiguration',
      plugins: [
        {
          name: 'PodSecurity',
          configuration: {
            apiVersion: 'pod-security.admission.config.k8s.io/v1',
            kind: 'PodSecurityConfiguration',
            defaults: {
              enforce: psa.enforce,
              'enforce-version': version,
              audit: psa.audit,
              'audit-version': version,
              warn: psa.warn,
              'warn-version': version,
            },
            exemptions: { usernames: [], runtimeClasses: [], namespaces: [...psa.exemptNamespaces] },
          },
        },
      ],
    },
  ]);
}
