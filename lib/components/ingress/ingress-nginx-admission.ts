/**
 * The ingress-nginx admission webhook (v1.15.1 facts): the webhook Service, the
 * ValidatingWebhookConfiguration, and the kube-webhook-certgen Jobs that create its certificate Secret
 * and patch the CA into the configuration, with their RBAC. Used by {@link IngressNginx}.
 */
import { k8s } from '../../k8s/api';
import { Construct } from 'constructs';
import { Endpoint, Flows, tcp } from '../../flows';
import { IMAGES, imageRef } from '../../versions';
import { containerSecurity, fieldEnv, intOrString, LINUX_NODE_SELECTOR, podSecurity, resources } from '../private/pod';
import { clusterRoleFor, roleFor, rule } from '../private/rbac';
import { checkDnsLabel, problem, throwIfProblems } from '../private/validation';

/** Object names, as upstream. */
export const INGRESS_NGINX_ADMISSION_NAMES = {
  serviceAccount: 'ingress-nginx-admission',
  role: 'ingress-nginx-admission',
  secret: 'ingress-nginx-admission',
  service: 'ingress-nginx-controller-admission',
  webhookConfiguration: 'ingress-nginx-admission',
  createJob: 'ingress-nginx-admission-create',
  patchJob: 'ingress-nginx-admission-patch',
} as const;

/** kube-webhook-certgen runs as this non-root user and group. */
const CERTGEN_UID = 65532;

export interface IngressNginxAdmissionProps {
  readonly namespace: string;
  /** Labels of the controller pods (the webhook Service selects them). */
  readonly controllerSelector: Readonly<Record<string, string>>;
  /** Container port name of the webhook on the controller. */
  readonly webhookPortName: string;
  readonly labels: Readonly<Record<string, string>>;
}

export class IngressNginxAdmission extends Construct {
  constructor(scope: Construct, id: string, props: IngressNginxAdmissionProps) {
    super(scope, id);
    throwIfProblems('IngressNginxAdmission', [
      checkDnsLabel('namespace', props.namespace),
      Object.keys(props.controllerSelector ?? {}).length
        ? undefined
        : problem('controllerSelector', props.controllerSelector, 'must hold the labels of the controller pods'),
      checkDnsLabel('webhookPortName', props.webhookPortName),
    ]);
    const names = INGRESS_NGINX_ADMISSION_NAMES;
    const { namespace } = props;
    const labels = { ...props.labels };
    const subject = { name: names.serviceAccount, namespace };
    Flows.of(this).require({
      id: 'ingress-nginx-admission-apiserver',
      from: Endpoint.pods({ name: 'admission certgen Jobs', namespace, podLabels: labels }),
      to: Endpoint.kubernetesApi(),
      ports: [tcp(443)],
      purpose: 'create the webhook certificate Secret, patch the CA into the webhook',
    });

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: names.serviceAccount, namespace, labels } });
    roleFor(this, 'Certgen', { name: names.role, labels, subject, rules: [rule([''], ['secrets'], ['get', 'create'])] });
    clusterRoleFor(this, 'Certgen', {
      name: names.role,
      labels,
      subject,
      rules: [rule(['admissionregistration.k8s.io'], ['validatingwebhookconfigurations'], ['get', 'update'])],
    });

    new k8s.KubeService(this, 'Service', {
      metadata: { name: names.service, namespace, labels: { ...props.controllerSelector } },
      spec: {
        type: 'ClusterIP',
        ports: [{ name: 'https-webhook', appProtocol: 'https', port: 443, targetPort: intOrString(props.webhookPortName) }],
        selector: { ...props.controllerSelector },
      },
    });

    new k8s.KubeValidatingWebhookConfiguration(this, 'Webhook', {
      metadata: { name: names.webhookConfiguration, labels },
      webhooks: [
        {
          name: 'validate.nginx.ingress.kubernetes.io',
          admissionReviewVersions: ['v1'],
          clientConfig: { service: { name: names.service, namespace, path: '/networking/v1/ingresses', port: 443 } },
          failurePolicy: 'Fail',
          matchPolicy: 'Equivalent',
          rules: [{ apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['ingresses'] }],
          sideEffects: 'None',
        },
      ],
    });

    const job = (jobId: string, name: string, args: readonly string[]) =>
      new k8s.KubeJob(this, jobId, {
        metadata: { name, namespace, labels },
        spec: {
          // Deleted once finished, so a later apply runs it again (both steps are idempotent).
          ttlSecondsAfterFinished: 0,
          template: {
            metadata: { name, labels },
            spec: {
              serviceAccountName: names.serviceAccount,
              // certgen reads and writes the Secret and the webhook configuration through the API.
              automountServiceAccountToken: true,
              restartPolicy: 'OnFailure',
              nodeSelector: { ...LINUX_NODE_SELECTOR },
              securityContext: podSecurity(CERTGEN_UID),
              containers: [
                {
                  name: jobId.toLowerCase(),
                  image: imageRef(IMAGES.kubeWebhookCertgen),
                  imagePullPolicy: 'IfNotPresent',
                  args: [...args],
                  env: [fieldEnv('POD_NAMESPACE', 'metadata.namespace')],
                  resources: resources('10m', '20Mi'),
                  securityContext: containerSecurity({ runAsUser: CERTGEN_UID, runAsGroup: CERTGEN_UID }),
                },
              ],
            },
          },
        },
      });

    job('Create', names.createJob, [
      'create',
      `--host=${names.service},${names.service}.$(POD_NAMESPACE).svc`,
      '--namespace=$(POD_NAMESPACE)',
      `--secret-name=${names.secret}`,
    ]);
    job('Patch', names.patchJob, [
      'patch',
      `--webhook-name=${names.webhookConfiguration}`,
      '--namespace=$(POD_NAMESPACE)',
      '--patch-mutating=false',
      `--secret-name=${names.secret}`,
      '--patch-failure-policy=Fail',
    ]);
  }
}
