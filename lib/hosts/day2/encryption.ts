/**
 * Secret encryption at rest: kube-apiserver reads an EncryptionConfiguration (secretbox or aescbc, identity
 * as the fallback that still reads data written before encryption was on).
 *
 * The key never exists in the description or in dist/. dist/ carries only a script,
 * `kube-encryption-config`, installed on every control plane:
 * - `init` (first control plane, BEFORE `kubeadm init`): creates a random 32-byte key
 *   (`head -c 32 /dev/urandom | base64`) in a root-only key file and renders the config from it. It never
 *   replaces an existing key.
 * - `export` / `import`: copies the key file to the other control planes over SSH, BEFORE their
 *   `kubeadm join` (the API server static pod kubeadm writes there needs the file):
 *   `ssh <first> sudo kube-encryption-config export | ssh <other> sudo kube-encryption-config import`.
 * - `add-key`, `promote <name>`, `drop <name>`: the documented rotation; `check` and `list` show the state.
 * kube-apiserver reads the config at start; after every change, restart it on each control plane.
 */
import type { ClusterModel, EncryptionProvider } from '../../model/types';
import { HOST_PATHS } from '../paths';
import { comment, fileOf, generatedBy, shQuote } from '../text';

export function encryptionApiServerArgs(): { name: string; value: string }[] {
  return [{ name: 'encryption-provider-config', value: HOST_PATHS.encryptionConfig }];
}

/** The key directory, read-only; `Directory` (not OrCreate): a missing directory stops the pod visibly. */
export function encryptionApiServerVolumes() {
  return [{ name: 'encryption', hostPath: HOST_PATHS.encryptionDir, mountPath: HOST_PATHS.encryptionDir, readOnly: true, pathType: 'Directory' }];
}

/** Restarts kube-apiserver on this control plane (the kubelet starts a new container from the static pod). */
export const RESTART_APISERVER = "crictl stop $(crictl ps -q --name '^kube-apiserver$')";

/** The host-side script; the only place a key is ever created. */
export function renderEncryptionScript(model: ClusterModel, provider: EncryptionProvider): string {
  const P = HOST_PATHS;
  return fileOf([
    '#!/bin/sh',
    ...comment(
      '#',
      generatedBy(model.name),
      `Secret encryption at rest (${provider}): keeps the keys in ${P.encryptionKeys} (root, 0600) and renders`,
      `${P.encryptionConfig} from them for kube-apiserver. No key is in this file or anywhere in dist/.`,
      'Usage: kube-encryption-config init | check | list | export | import | add-key | promote NAME | drop NAME',
      'After any change: copy the keys to every control plane (export | import), then restart kube-apiserver on each.',
    ),
    'set -eu',
    'umask 077',
    '',
    `DIR=${shQuote(P.encryptionDir)}`,
    `PROVIDER=${shQuote(provider)}`,
    'KEYS="$DIR/keys"',
    'CONFIG="$DIR/config.yaml"',
    '',
    'die() {',
    '  echo "kube-encryption-config: $*" >&2',
    '  exit 1',
    '}',
    '',
    '# 32 random bytes, base64: the key length secretbox and aescbc (AES-256) take.',
    "new_key() { head -c 32 /dev/urandom | base64 | tr -d '\\n'; }",
    'key_name() { echo "key-$(date -u +%Y%m%dT%H%M%SZ)"; }',
    '',
    '# check_keys FILE: every line is "NAME BASE64", 32 bytes, names unique.',
    'check_keys() {',
    '  [ -s "$1" ] || die "$1 is missing or empty (run init on the first control plane, import on the others)"',
    '  n=0',
    '  while read -r name key extra; do',
    '    n=$((n + 1))',
    '    [ -z "$extra" ] || die "$1 line $n: expected NAME KEY"',
    '    echo "$name" | grep -Eq \'^key-[A-Za-z0-9-]+$\' || die "$1 line $n: bad key name"',
    '    len=$(printf \'%s\' "$key" | base64 -d 2>/dev/null | wc -c)',
    '    [ "$len" -eq 32 ] || die "$1 line $n ($name): the key is not 32 bytes of base64"',
    '  done < "$1"',
    '  if cut -d \' \' -f 1 "$1" | sort | uniq -d | grep -q .; then die "$1: duplicate key names"; fi',
    '}',
    '',
    'render() {',
    '  {',
    '    echo "# Rendered by kube-encryption-config from $KEYS; holds keys: never copy it off this host."',
    "    echo 'apiVersion: apiserver.config.k8s.io/v1'",
    "    echo 'kind: EncryptionConfiguration'",
    "    echo 'resources:'",
    "    echo '  - resources:'",
    "    echo '      - secrets'",
    "    echo '    providers:'",
    '    echo "      - $PROVIDER:"',
    "    echo '          keys:'",
    '    while read -r name key; do',
    '      echo "            - name: $name"',
    '      echo "              secret: $key"',
    '    done < "$KEYS"',
    "    echo '      - identity: {}'",
    '  } > "$CONFIG.tmp"',
    '  chmod 0600 "$CONFIG.tmp"',
    '  mv -f "$CONFIG.tmp" "$CONFIG"',
    '}',
    '',
    '# write_keys: the key lines on stdin become the key file (checked first), then the config.',
    'write_keys() {',
    '  mkdir -p "$DIR"',
    '  chmod 0700 "$DIR"',
    '  cat > "$KEYS.tmp"',
    '  (check_keys "$KEYS.tmp") || { rm -f "$KEYS.tmp"; exit 1; }',
    '  chmod 0600 "$KEYS.tmp"',
    '  mv -f "$KEYS.tmp" "$KEYS"',
    '  render',
    '}',
    '',
    'name_arg() {',
    '  [ -n "${1:-}" ] || die "name a key (kube-encryption-config list)"',
    '  echo "$1" | grep -Eq \'^key-[A-Za-z0-9-]+$\' || die "bad key name $1"',
    '  grep -q "^$1 " "$KEYS" || die "no key $1 in $KEYS"',
    '}',
    '',
    'write_key() { head -n 1 "$KEYS" | cut -d \' \' -f 1; }',
    '',
    'case "${1:-}" in',
    '  init)',
    '    if [ -e "$KEYS" ]; then',
    '      check_keys "$KEYS"',
    '      render',
    '      echo "kube-encryption-config: kept the existing keys in $KEYS"',
    '      exit 0',
    '    fi',
    '    printf \'%s %s\\n\' "$(key_name)" "$(new_key)" | write_keys',
    '    echo "kube-encryption-config: created $KEYS and $CONFIG"',
    '    ;;',
    '  check)',
    '    check_keys "$KEYS"',
    '    [ -s "$CONFIG" ] || die "$CONFIG is missing; run: kube-encryption-config import (or init on the first control plane)"',
    '    [ "$(stat -c %a "$KEYS")" = 600 ] || die "$KEYS must have mode 0600"',
    '    echo "kube-encryption-config: $(wc -l < "$KEYS") key(s), writing with $(write_key)"',
    '    ;;',
    '  list) cut -d \' \' -f 1 "$KEYS" ;;',
    '  export)',
    '    [ ! -t 1 ] || die "refusing to print keys on a terminal; pipe them into import on another control plane"',
    '    check_keys "$KEYS"',
    '    cat "$KEYS"',
    '    ;;',
    '  import)',
    '    write_keys',
    '    echo "kube-encryption-config: imported $(wc -l < "$KEYS") key(s), writing with $(write_key)"',
    '    ;;',
    '  add-key)',
    '    check_keys "$KEYS"',
    '    # The new key goes second: every API server can read with it before any writes with it.',
    '    { head -n 1 "$KEYS"; printf \'%s %s\\n\' "$(key_name)" "$(new_key)"; tail -n +2 "$KEYS"; } | write_keys',
    '    echo "kube-encryption-config: added $(sed -n 2p "$KEYS" | cut -d \' \' -f 1) (read-only until promoted)"',
    '    ;;',
    '  promote)',
    '    name_arg "${2:-}"',
    '    { grep "^$2 " "$KEYS"; grep -v "^$2 " "$KEYS"; } | write_keys',
    '    echo "kube-encryption-config: $2 now encrypts new writes"',
    '    ;;',
    '  drop)',
    '    name_arg "${2:-}"',
    '    [ "$(write_key)" != "$2" ] || die "$2 encrypts new writes; promote another key first"',
    '    grep -v "^$2 " "$KEYS" | write_keys',
    '    echo "kube-encryption-config: dropped $2"',
    '    ;;',
    '  *) die "usage: kube-encryption-config init | check | list | export | import | add-key | promote NAME | drop NAME" ;;',
    'esac',
  ]);
}
