/**
 * The cdk8s L1 classes of the Kubernetes API (`k8s.KubeDeployment`, ...), the same `k8s` namespace that
 * `cdk8s-plus-30` exports, taken from the module of cdk8s-plus-30 that defines it. Importing the package
 * root would also load its L2 constructs, which nothing here uses (about 20 ms per process). A plain
 * `require` keeps the module object as it is (no copy of its 600-odd exports).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- import-equals on purpose, see above
export import k8s = require('cdk8s-plus-30/lib/imports/k8s');
