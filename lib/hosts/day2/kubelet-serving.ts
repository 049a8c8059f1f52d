/**
 * Kubelet serving certificates: `serverTLSBootstrap: true` makes each kubelet request its serving certificate
 * from the cluster CA (signer `kubernetes.io/kubelet-serving`), so metrics-server and `kubectl logs/exec`
 * verify kubelets instead of skipping TLS verification. kube-controller-manager does not approve these CSRs.
 *
 * Choice: no in-cluster approver (one more privileged controller to run and to trust). The generated
 * `approve-kubelet-serving-csrs` script approves a pending kubelet-serving CSR only when it comes from
 * `system:node:<name>` of a node in the description, with subject `O=system:nodes, CN=system:node:<name>`, and
 * every DNS name and IP it asks for is that node's name or IP. Anything else is reported and left pending.
 */
import type { ClusterModel } from '../../model/types';
import { HOST_PATHS } from '../paths';
import { comment, fileOf, generatedBy, shQuote } from '../text';

const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';

export function renderKubeletCsrApprover(model: ClusterModel): string {
  const nodes = model.hosts.filter((h) => h.isNode);
  return fileOf([
    '#!/bin/sh',
    ...comment(
      '#',
      generatedBy(model.name),
      `Approves pending ${KUBELET_SERVING_SIGNER} CSRs of the nodes in the description, and nothing else:`,
      'the requester is system:node:<name>, the subject is O=system:nodes, CN=system:node:<name>, and every DNS name',
      "and IP address requested is that node's name or IP. Others are reported and left pending (exit status 1).",
      'Usage (with an admin kubeconfig): approve-kubelet-serving-csrs [--dry-run]',
    ),
    'set -eu',
    '',
    '# allowed_names NODE: the names and addresses NODE may have in its serving certificate.',
    'allowed_names() {',
    '  case "$1" in',
    ...nodes.map((h) => `    ${shQuote(h.name)}) echo ${shQuote(`${h.name} ${h.ip}`)} ;;`),
    '    *) return 1 ;;',
    '  esac',
    '}',
    '',
    'dry_run=no',
    'if [ "${1:-}" = --dry-run ]; then dry_run=yes; fi',
    'status=0',
    '',
    `pending=$(kubectl get csr -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.spec.signerName}{" "}{.spec.username}{" "}{.status.conditions[*].type}{"\\n"}{end}')`,
    'while read -r csr signer user conditions; do',
    `  [ "$signer" = ${shQuote(KUBELET_SERVING_SIGNER)} ] || continue`,
    '  [ -z "$conditions" ] || continue # already approved or denied',
    '  node=${user#system:node:}',
    '  if [ "$node" = "$user" ] || ! allowed=$(allowed_names "$node"); then',
    '    echo "left pending: $csr from $user, not a node of the description" >&2',
    '    status=1',
    '    continue',
    '  fi',
    '  text=$(kubectl get csr "$csr" -o jsonpath=\'{.spec.request}\' | base64 -d | openssl req -noout -subject -text -nameopt sep_multiline,lname)',
    '  ok=yes',
    '  printf \'%s\\n\' "$text" | grep -Eq "^ *commonName *= *system:node:$node\\$" || ok=no',
    "  printf '%s\\n' \"$text\" | grep -Eq '^ *organizationName *= *system:nodes$' || ok=no",
    "  sans=$(printf '%s\\n' \"$text\" | sed -n '/Subject Alternative Name/{n;p;}' | tr ',' '\\n' | sed 's/^ *//')",
    '  [ -n "$sans" ] || ok=no',
    '  while IFS= read -r san; do',
    '    [ -n "$san" ] || continue',
    '    value=${san#*:}',
    '    found=no',
    '    for a in $allowed; do',
    '      if [ "$value" = "$a" ]; then found=yes; fi',
    '    done',
    '    if [ "$found" = no ]; then',
    '      echo "left pending: $csr from $node asks for $san" >&2',
    '      ok=no',
    '    fi',
    '  done <<EOF',
    '$sans',
    'EOF',
    '  if [ "$ok" = no ]; then',
    '    echo "left pending: $csr does not match node $node ($allowed)" >&2',
    '    status=1',
    '  elif [ "$dry_run" = yes ]; then',
    '    echo "would approve $csr for $node"',
    '  else',
    '    kubectl certificate approve "$csr"',
    '  fi',
    'done <<EOF',
    '$pending',
    'EOF',
    'exit "$status"',
  ]);
}

export function kubeletServingSection(model: ClusterModel): string[] {
  if (!model.operations.kubeletServingCertificates) {
    return [
      '### Kubelet serving certificates',
      '',
      'Off (`operations.kubeletServingCertificates`): kubelets serve a self-signed certificate, which clients cannot verify.',
      '',
    ];
  }
  return [
    '### Kubelet serving certificates',
    '',
    '`serverTLSBootstrap: true` (KubeletConfiguration in `kubeadm-init.yaml`, shared with every node that joins) makes each kubelet ask the cluster CA for its serving certificate, so metrics-server and the API server verify kubelets instead of skipping TLS checks.',
    'Kubernetes does not approve these requests by itself, and until one is approved `kubectl logs`/`exec` and metrics for that node fail.',
    `They are approved by hand with a check, not by an in-cluster approver (one privileged controller less): after each join, run on the first control plane ${'`'}${HOST_PATHS.kubeletCsrScript}${'`'}.`,
    "It approves a pending `kubernetes.io/kubelet-serving` request only when it comes from `system:node:<name>` of a node in the description and asks for exactly that node's name and IP; anything else stays pending and is reported. Kubelets renew before expiry with a new request: run it again then (or from a daily timer of your own).",
    '',
    '```sh',
    `${HOST_PATHS.kubeletCsrScript} --dry-run   # what would be approved`,
    HOST_PATHS.kubeletCsrScript,
    'kubectl get csr --field-selector spec.signerName=kubernetes.io/kubelet-serving',
    '```',
    '',
  ];
}
