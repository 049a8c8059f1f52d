/**
 * The permissions behind the access roles of the description, as explicit lists: no wildcard anywhere, no
 * Secrets for viewers, no RBAC objects, impersonation or token creation for operators (so neither role can
 * grant itself more).
 */
import type { k8s } from '../../k8s/api';

const READ_VERBS: readonly string[] = ['get', 'list', 'watch'];
const WRITE_VERBS: readonly string[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

type Rule = k8s.PolicyRule;

const rule = (apiGroup: string, resources: readonly string[], verbs: readonly string[]): Rule => ({
  apiGroups: [apiGroup],
  resources: [...resources],
  verbs: [...verbs],
});

/** Read-only, cluster-wide, everything an owner looks at except Secrets (and RBAC, which says who can read them). */
export const VIEWER_RULES: readonly Rule[] = [
  rule(
    '',
    [
      'configmaps',
      'endpoints',
      'events',
      'limitranges',
      'namespaces',
      'nodes',
      'persistentvolumeclaims',
      'persistentvolumes',
      'pods',
      'pods/log',
      'replicationcontrollers',
      'resourcequotas',
      'serviceaccounts',
      'services',
    ],
    READ_VERBS,
  ),
  rule('apps', ['controllerrevisions', 'daemonsets', 'deployments', 'replicasets', 'statefulsets'], READ_VERBS),
  rule('batch', ['cronjobs', 'jobs'], READ_VERBS),
  rule('autoscaling', ['horizontalpodautoscalers'], READ_VERBS),
  rule('policy', ['poddisruptionbudgets'], READ_VERBS),
  rule('networking.k8s.io', ['ingressclasses', 'ingresses', 'networkpolicies'], READ_VERBS),
  rule('discovery.k8s.io', ['endpointslices'], READ_VERBS),
  rule('storage.k8s.io', ['csidrivers', 'csinodes', 'storageclasses', 'volumeattachments'], READ_VERBS),
  rule('apiextensions.k8s.io', ['customresourcedefinitions'], READ_VERBS),
  rule('metallb.io', ['ipaddresspools', 'l2advertisements'], READ_VERBS),
  rule('cert-manager.io', ['certificaterequests', 'certificates', 'clusterissuers', 'issuers'], READ_VERBS),
  rule('acme.cert-manager.io', ['challenges', 'orders'], READ_VERBS),
  // `kubectl top nodes|pods`, served by metrics-server's aggregated API.
  rule('metrics.k8s.io', ['nodes', 'pods'], READ_VERBS),
];

/**
 * Edit access to the workloads of a namespace (bound per namespace). Operators manage their apps, their
 * Secrets, their Ingresses and certificates; they can read but not change NetworkPolicies (the isolation is
 * computed) and cannot touch RBAC or ServiceAccount tokens.
 */
export const OPERATOR_RULES: readonly Rule[] = [
  rule('', ['configmaps', 'persistentvolumeclaims', 'pods', 'secrets', 'services'], [...WRITE_VERBS]),
  rule('', ['endpoints', 'events', 'limitranges', 'pods/log', 'resourcequotas', 'serviceaccounts'], READ_VERBS),
  rule('', ['pods/exec', 'pods/portforward'], ['create', 'get']),
  rule('apps', ['daemonsets', 'deployments', 'replicasets', 'statefulsets'], WRITE_VERBS),
  rule('apps', ['deployments/scale', 'statefulsets/scale'], ['get', 'patch', 'update']),
  rule('batch', ['cronjobs', 'jobs'], WRITE_VERBS),
  rule('autoscaling', ['horizontalpodautoscalers'], WRITE_VERBS),
  rule('policy', ['poddisruptionbudgets'], WRITE_VERBS),
  rule('networking.k8s.io', ['ingresses'], WRITE_VERBS),
  rule('networking.k8s.io', ['networkpolicies'], READ_VERBS),
  rule('discovery.k8s.io', ['endpointslices'], READ_VERBS),
  rule('cert-manager.io', ['certificates', 'issuers'], WRITE_VERBS),
  rule('cert-manager.io', ['certificaterequests'], READ_VERBS),
  rule('acme.cert-manager.io', ['challenges', 'orders'], READ_VERBS),
  // `kubectl top pods` in their namespaces.
  rule('metrics.k8s.io', ['pods'], READ_VERBS),
];

/** The built-in role admins are bound to: the one place a wildcard is allowed. */
export const ADMIN_CLUSTER_ROLE = 'cluster-admin';
