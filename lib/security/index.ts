/**
 * The security layer as a library: the Pod Security Standards evaluator and namespace construct,
 * NetworkPolicy building blocks and the computed cluster policies, RBAC for people, and the helpers they
 * share for reading synthesized objects (pod templates, Services, scheduling).
 */
export * from './pod-security';
export * from './pod-security-namespace';
export * from './network-policy';
export * from './rbac';
export * from './namespaces';
export * from './pod-template';
export * from './services';
export * from './scheduling';
