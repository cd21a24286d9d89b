#!/usr/bin/env bash
# Fills the aescbc key into dist/<env>/control-plane/encryption-config.yaml for an API server:
# the committed file holds the placeholder ${BULWARK_AESCBC_KEY}, never a key.
#
#   scripts/render-encryption-config.sh <env> <output-file>
#
# The key is $BULWARK_AESCBC_KEY (32 random bytes, base64) when set, else a new one is generated
# and printed on stderr once: store it, the API server cannot read its Secrets without it.
# The output is written with mode 0600 and never inside dist/. A kms configuration needs no key
# and is copied as it is.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ $# != 2 ]]; then
  echo "usage: $0 <env> <output-file>" >&2
  exit 2
fi
env="$1" out="$2"
src="$ROOT/dist/$env/control-plane/encryption-config.yaml"
[[ -f "$src" ]] || { echo "render-encryption-config: $src does not exist (run make synth)" >&2; exit 1; }
out_dir="$(cd "$(dirname "$out")" && pwd)"
case "$out_dir/" in
  "$ROOT/dist/"*) echo "render-encryption-config: refusing to write a key below dist/ (it is committed)" >&2; exit 1 ;;
esac

key="${BULWARK_AESCBC_KEY:-}"
if grep -q '\${BULWARK_AESCBC_KEY}' "$src" && [[ -z "$key" ]]; then
  key="$(head -c 32 /dev/urandom | base64)"
  echo "render-encryption-config: generated a new aescbc key for $env; store it safely: $key" >&2
fi
if [[ -n "$key" && "$(printf '%s' "$key" | base64 -d 2>/dev/null | wc -c)" != 32 ]]; then
  echo "render-encryption-config: BULWARK_AESCBC_KEY must be 32 bytes, base64-encoded" >&2
  exit 1
fi
umask 077
sed "s|\${BULWARK_AESCBC_KEY}|$key|" "$src" >"$out"
chmod 600 "$out"
