/**
 * csi-driver-nfs v4.13.x: the CSIDriver, the controller Deployment (provisioner, resizer, optional
 * snapshotter), the node DaemonSet on every Linux node, and their RBAC, as upstream
 * `deploy/v4.13.4/{rbac-csi-nfs,csi-nfs-driverinfo,csi-nfs-controller,csi-nfs-node}.yaml`.
 *
 * The `nfs` plugin containers mount NFS shares for the kubelet, so they are privileged (SYS_ADMIN,
 * Bidirectional mount propagation, host network): their namespace must allow Pod Security
 * `privileged`. Upstream uses kube-system, which kubeadm clusters leave unlabelled and which the
 * cluster's PSA configuration exempts; we keep it by default.
 */
import { k8s } from '../../k8s/api';
import { Construct } from 'constructs';
import { IMAGES, imageRef } from '../../versions';
import { containerSecurity, fieldEnv, LINUX_NODE_SELECTOR, podSecurity, resources } from '../private/pod';
import { clusterRoleFor } from '../private/rbac';
import { checkDnsLabel, checkInteger, throwIfProblems } from '../private/validation';
import { NFS_CSI_RBAC_NAMES, provisionerRules, resizerRules } from './nfs-csi-rbac';
import { NFS_CSI_DRIVER_NAME } from './nfs-storage-class';

/** Props of {@link NfsCsiDriver}. */
export interface NfsCsiDriverProps {
  /**
   * Namespace of the controller and node plugin. Not created here; it must allow Pod Security `privileged`.
   * @default NFS_CSI_DEFAULT_NAMESPACE ('kube-system', as upstream)
   */
  readonly namespace?: string;
  /**
   * Run the csi-snapshotter sidecar. It needs the VolumeSnapshot CRDs and snapshot controller, which
   * this construct does not install.
   * @default NFS_CSI_DEFAULT_SNAPSHOTS (false)
   */
  readonly snapshots?: boolean;
  /** Controller replicas (leader-elected). @default NFS_CSI_DEFAULT_CONTROLLER_REPLICAS (1) */
  readonly controllerReplicas?: number;
}

export const NFS_CSI_DEFAULT_NAMESPACE = 'kube-system';
export const NFS_CSI_DEFAULT_SNAPSHOTS = false;
export const NFS_CSI_DEFAULT_CONTROLLER_REPLICAS = 1;

const NFS_CSI_NAMES = { ...NFS_CSI_RBAC_NAMES, controller: 'csi-nfs-controller', node: 'csi-nfs-node' } as const;

const CONTROLLER_HEALTH_PORT = 29652;
const NODE_HEALTH_PORT = 29653;
const KUBELET_PODS = '/var/lib/kubelet/pods';

/**
 * csi-driver-nfs: the CSIDriver, the controller Deployment, the node DaemonSet (privileged: it mounts NFS
 * shares for the kubelet) and their RBAC.
 */
export class NfsCsiDriver extends Construct {
  readonly namespace: string;
  readonly driverName = NFS_CSI_DRIVER_NAME;
  readonly controllerPodLabels: Readonly<Record<string, string>> = { app: NFS_CSI_NAMES.controller };
  readonly nodePodLabels: Readonly<Record<string, string>> = { app: NFS_CSI_NAMES.node };

  constructor(scope: Construct, id: string, props: NfsCsiDriverProps = {}) {
    super(scope, id);
    this.namespace = props.namespace ?? NFS_CSI_DEFAULT_NAMESPACE;
    const snapshots = props.snapshots ?? NFS_CSI_DEFAULT_SNAPSHOTS;
    const replicas = props.controllerReplicas ?? NFS_CSI_DEFAULT_CONTROLLER_REPLICAS;
    throwIfProblems('NfsCsiDriver', [checkDnsLabel('namespace', this.namespace), checkInteger('controllerReplicas', replicas, 1)]);

    const namespace = this.namespace;
    const controllerSa = { name: NFS_CSI_NAMES.controllerServiceAccount, namespace };
    new k8s.KubeServiceAccount(this, 'ControllerServiceAccount', { metadata: controllerSa });
    new k8s.KubeServiceAccount(this, 'NodeServiceAccount', {
      metadata: { name: NFS_CSI_NAMES.nodeServiceAccount, namespace },
      automountServiceAccountToken: false,
    });
    clusterRoleFor(this, 'Provisioner', {
      name: NFS_CSI_NAMES.provisionerRole,
      bindingName: NFS_CSI_NAMES.provisionerBinding,
      subject: controllerSa,
      rules: provisionerRules(),
    });
    clusterRoleFor(this, 'Resizer', {
      name: NFS_CSI_NAMES.resizerRole,
      bindingName: NFS_CSI_NAMES.resizerBinding,
      subject: controllerSa,
      rules: resizerRules(),
    });

    new k8s.KubeCsiDriver(this, 'CsiDriver', {
      metadata: { name: NFS_CSI_DRIVER_NAME },
      spec: { attachRequired: false, volumeLifecycleModes: ['Persistent'], fsGroupPolicy: 'File' },
    });

    this.addController(replicas, snapshots);
    this.addNodePlugin();
  }

  private addController(replicas: number, snapshots: boolean): void {
    const socketEnv = [{ name: 'ADDRESS', value: '/csi/csi.sock' }, fieldEnv('POD_NAMESPACE', 'metadata.namespace')];
    const socketMount = [{ name: 'socket-dir', mountPath: '/csi' }];
    const sidecar = (name: string, image: string, args: string[], memoryLimit: string): k8s.Container => ({
      name,
      image,
      args,
      env: socketEnv,
      volumeMounts: socketMount,
      resources: resources('10m', '20Mi', memoryLimit),
      securityContext: containerSecurity(),
    });
    const containers: k8s.Container[] = [
      sidecar(
        'csi-provisioner',
        imageRef(IMAGES.csiProvisioner),
        [
          '-v=2',
          '--csi-address=$(ADDRESS)',
          '--leader-election',
          '--leader-election-namespace=$(POD_NAMESPACE)',
          '--extra-create-metadata=true',
          '--feature-gates=VolumeAttributesClass=false',
          '--timeout=1200s',
          '--retry-interval-max=30m',
        ],
        '400Mi',
      ),
      sidecar(
        'csi-resizer',
        imageRef(IMAGES.csiResizer),
        [
          '-csi-address=$(ADDRESS)',
          '-v=2',
          '-leader-election',
          '--leader-election-namespace=$(POD_NAMESPACE)',
          '-handle-volume-inuse-error=false',
          '-feature-gates=VolumeAttributesClass=false',
        ],
        '400Mi',
      ),
      ...(snapshots
        ? [
            sidecar(
              'csi-snapshotter',
              imageRef(IMAGES.csiSnapshotter),
              [
                '--v=2',
                '--csi-address=$(ADDRESS)',
                '--leader-election-namespace=$(POD_NAMESPACE)',
                '--leader-election',
                '--timeout=1200s',
                '--retry-interval-max=30m',
              ],
              '200Mi',
            ),
          ]
        : []),
      livenessProbeSidecar(CONTROLLER_HEALTH_PORT),
      nfsPlugin(
        CONTROLLER_HEALTH_PORT,
        [
          { name: 'pods-mount-dir', mountPath: KUBELET_PODS, mountPropagation: 'Bidirectional' },
          { name: 'socket-dir', mountPath: '/csi' },
        ],
        '200Mi',
      ),
    ];

    new k8s.KubeDeployment(this, 'Controller', {
      metadata: { name: NFS_CSI_NAMES.controller, namespace: this.namespace },
      spec: {
        replicas,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(0), maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        selector: { matchLabels: { ...this.controllerPodLabels } },
        template: {
          metadata: { labels: { ...this.controllerPodLabels } },
          spec: {
            // The controller mounts the share to create and delete volume directories.
            hostNetwork: true,
            dnsPolicy: 'ClusterFirstWithHostNet',
            serviceAccountName: NFS_CSI_NAMES.controllerServiceAccount,
            // csi-provisioner and csi-resizer watch PVCs and PVs and hold Leases.
            automountServiceAccountToken: true,
            nodeSelector: { ...LINUX_NODE_SELECTOR },
            priorityClassName: 'system-cluster-critical',
            securityContext: podSecurity(),
            tolerations: [
              'node-role.kubernetes.io/master',
              'node-role.kubernetes.io/controlplane',
              'node-role.kubernetes.io/control-plane',
              'CriticalAddonsOnly',
            ].map((key) => ({ key, operator: 'Exists', effect: 'NoSchedule' })),
            containers,
            volumes: [
              { name: 'pods-mount-dir', hostPath: { path: KUBELET_PODS, type: 'Directory' } },
              { name: 'socket-dir', emptyDir: {} },
            ],
          },
        },
      },
    });
  }

  private addNodePlugin(): void {
    new k8s.KubeDaemonSet(this, 'Node', {
      metadata: { name: NFS_CSI_NAMES.node, namespace: this.namespace },
      spec: {
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        selector: { matchLabels: { ...this.nodePodLabels } },
        template: {
          metadata: { labels: { ...this.nodePodLabels } },
          spec: {
            // Mounts made by the plugin must live in the host network namespace to survive plugin restarts.
            hostNetwork: true,
            dnsPolicy: 'ClusterFirstWithHostNet',
            serviceAccountName: NFS_CSI_NAMES.nodeServiceAccount,
            // Nothing here calls the API: the registrar talks to the kubelet over its plugin socket.
            automountServiceAccountToken: false,
            priorityClassName: 'system-node-critical',
            securityContext: podSecurity(),
            nodeSelector: { ...LINUX_NODE_SELECTOR },
            // Every Linux node, whatever its taints (control planes, arm64 workers), can mount NFS volumes.
            tolerations: [{ operator: 'Exists' }],
            containers: [
              livenessProbeSidecar(NODE_HEALTH_PORT),
              {
                name: 'node-driver-registrar',
                image: imageRef(IMAGES.csiNodeDriverRegistrar),
                args: ['--v=2', '--csi-address=/csi/csi.sock', '--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)'],
                env: [{ name: 'DRIVER_REG_SOCK_PATH', value: '/var/lib/kubelet/plugins/csi-nfsplugin/csi.sock' }, fieldEnv('KUBE_NODE_NAME', 'spec.nodeName')],
                volumeMounts: [
                  { name: 'socket-dir', mountPath: '/csi' },
                  { name: 'registration-dir', mountPath: '/registration' },
                ],
                resources: resources('10m', '20Mi', '100Mi'),
                securityContext: containerSecurity(),
              },
              nfsPlugin(
                NODE_HEALTH_PORT,
                [
                  { name: 'socket-dir', mountPath: '/csi' },
                  { name: 'pods-mount-dir', mountPath: KUBELET_PODS, mountPropagation: 'Bidirectional' },
                ],
                '300Mi',
              ),
            ],
            volumes: [
              { name: 'socket-dir', hostPath: { path: '/var/lib/kubelet/plugins/csi-nfsplugin', type: 'DirectoryOrCreate' } },
              { name: 'pods-mount-dir', hostPath: { path: KUBELET_PODS, type: 'Directory' } },
              { name: 'registration-dir', hostPath: { path: '/var/lib/kubelet/plugins_registry', type: 'Directory' } },
            ],
          },
        },
      },
    });
  }
}

function livenessProbeSidecar(port: number): k8s.Container {
  return {
    name: 'liveness-probe',
    image: imageRef(IMAGES.csiLivenessProbe),
    args: ['--csi-address=/csi/csi.sock', '--probe-timeout=3s', `--http-endpoint=localhost:${port}`, '--v=2'],
    volumeMounts: [{ name: 'socket-dir', mountPath: '/csi' }],
    resources: resources('10m', '20Mi', '100Mi'),
    securityContext: containerSecurity(),
  };
}

function nfsPlugin(healthPort: number, volumeMounts: k8s.VolumeMount[], memoryLimit: string): k8s.Container {
  return {
    name: 'nfs',
    image: imageRef(IMAGES.nfsPlugin),
    imagePullPolicy: 'IfNotPresent',
    args: ['-v=5', '--nodeid=$(NODE_ID)', '--endpoint=$(CSI_ENDPOINT)'],
    env: [fieldEnv('NODE_ID', 'spec.nodeName'), { name: 'CSI_ENDPOINT', value: 'unix:///csi/csi.sock' }],
    livenessProbe: {
      httpGet: { host: 'localhost', path: '/healthz', port: k8s.IntOrString.fromNumber(healthPort) },
      failureThreshold: 5,
      initialDelaySeconds: 30,
      timeoutSeconds: 10,
      periodSeconds: 30,
    },
    // Privileged as upstream: mount(2) of NFS shares and Bidirectional propagation back to the kubelet.
    // The root filesystem stays writable: the controller mounts shares under /tmp to manage directories.
    securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'], drop: ['ALL'] }, allowPrivilegeEscalation: true },
    volumeMounts,
    resources: resources('10m', '20Mi', memoryLimit),
  };
}
