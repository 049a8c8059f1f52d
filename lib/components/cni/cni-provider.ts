/**
 * The boundary every CNI construct implements, so the platform (and the security layer) can treat
 * Flannel, and later Calico or Cilium, alike.
 */
import type { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';

/** A CNI construct, as the platform and the security layer see it (Flannel today). */
export interface ICniProvider extends IConstruct {
  /** Short plugin name, e.g. `flannel`. */
  readonly pluginName: string;
  /** Namespace the CNI agents run in (needs Pod Security `privileged`). */
  readonly namespace: string;
  /** Pod network; equals kubeadm `networking.podSubnet`. */
  readonly podCidr: string;
  /** True when the CNI itself enforces NetworkPolicy (Flannel does not). */
  readonly enforcesNetworkPolicy: boolean;
  /** The node agents that set up the pod network: every pod on it is applied after they run (apply waves). */
  readonly agents: readonly ApiObject[];
}

/** A NetworkPolicy enforcer that runs next to a CNI that does not enforce policies itself. */
export interface INetworkPolicyEnforcer extends IConstruct {
  readonly enforcerName: string;
  /** Namespace the agents run in (needs Pod Security `privileged`). */
  readonly namespace: string;
  /** Whether traffic is allowed when the agent is down. */
  readonly failOpen: boolean;
  /** The agents that enforce the policies: NetworkPolicies are applied after they run (apply waves). */
  readonly agents: readonly ApiObject[];
}
