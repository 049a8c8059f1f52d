#!/bin/sh
# Generated from the cluster description (cluster homelab); do not edit, change the description and render again.
# keepalived health check: succeeds only when the local HAProxy answers and forwards /readyz to a
# kube-apiserver that reports healthy (-k: the API server certificate does not name 127.0.0.1).
if ! curl --silent --fail --insecure --max-time 2 --output /dev/null 'https://127.0.0.1:6443/readyz'; then
    echo '*** check_apiserver: GET https://127.0.0.1:6443/readyz failed' >&2
    exit 1
fi
