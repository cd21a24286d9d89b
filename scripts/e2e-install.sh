#!/usr/bin/env bash
# Builds the e2e control plane into $ROOT/.tools/bin (gitignored), pinned by scripts/tools.env and the
# wrapper module scripts/build-apiserver/go.mod (+ go.sum):
#   kube-apiserver, kubectl   k8s.io/kubernetes      $E2E_KUBERNETES_VERSION
#   etcd                      go.etcd.io/etcd/server/v3 $E2E_ETCD_VERSION
# Static (CGO_ENABLED=0), -trimpath, version stamped like the upstream release binaries.
# Idempotent: the stamp .tools/bin/.e2e-control-plane.version holds a hash of everything that affects
# the build; a second run only compares it (~instant). The cold build takes long (tens of minutes on
# 2 cores); the Go build cache makes a rebuild after a stamp change much faster.
#
# Environment:
#   FORCE=1   rebuild even if the stamp matches
#   QUIET=1   print nothing when the stamp matches
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools.env
source "$ROOT/scripts/tools.env"
MOD="$ROOT/scripts/build-apiserver"
BIN="$ROOT/.tools/bin"
STAMP="$BIN/.e2e-control-plane.version"
FORCE="${FORCE:-0}"
BINARIES=(kube-apiserver kubectl etcd)

mkdir -p "$BIN"
if command -v flock >/dev/null 2>&1; then
  exec 8>"$ROOT/.tools/.e2e-install.lock"
  flock 8
fi

# shellcheck source=go-env.sh
source "$ROOT/scripts/go-env.sh"
export GOWORK=off
export GOFLAGS=-mod=readonly # go.sum is committed; the build never edits the wrapper module

# The wrapper module must pin what tools.env says (update-gomod.sh keeps them in step).
for pin in "k8s.io/kubernetes $E2E_KUBERNETES_VERSION" "go.etcd.io/etcd/server/v3 $E2E_ETCD_VERSION"; do
  if ! grep -Eq "^[[:space:]]+${pin//./\\.}\$" "$MOD/go.mod"; then
    echo "e2e-install: $MOD/go.mod does not require '$pin' (scripts/tools.env);" \
      "run scripts/build-apiserver/update-gomod.sh" >&2
    exit 1
  fi
done

k8s="$E2E_KUBERNETES_VERSION"
minor="${k8s#v1.}"
minor="${minor%%.*}"
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=$k8s -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
done

go_version="$("${GO:-false}" env GOVERSION 2>/dev/null || echo none)"
want="kubernetes=$k8s etcd=$E2E_ETCD_VERSION $(
  { cat "$MOD/go.mod" "$MOD/go.sum"; echo "$ldflags $go_version"; } | sha256 | cut -d' ' -f1
)"

have_all() { local b; for b in "${BINARIES[@]}"; do [[ -x "$BIN/$b" ]] || return 1; done; }
if [[ "$FORCE" != 1 && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] && have_all; then
  [[ ${QUIET:-0} == 1 ]] || echo "e2e control plane (kube-apiserver, kubectl $k8s; etcd $E2E_ETCD_VERSION): cached"
  exit 0
fi
need_go e2e-install "building the e2e control plane (kube-apiserver, kubectl $k8s; etcd $E2E_ETCD_VERSION)"

echo "e2e control plane: building kube-apiserver, kubectl $k8s and etcd $E2E_ETCD_VERSION (a cold build takes a while)..."
start=$SECONDS
rm -f "$STAMP"
out="$(mktemp -d "$ROOT/.tools/.e2e-build.XXXXXX")"
trap 'rm -rf "$out"' EXIT
(cd "$MOD" && "$GO" build -trimpath -ldflags "$ldflags" -o "$out/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl go.etcd.io/etcd/server/v3 </dev/null)
# `go build -o DIR` names a major-version module's main package after the element before /vN.
mv "$out/server" "$out/etcd"

# Smoke tests: each binary runs and reports the pinned version (output captured first: grep -q
# closing the pipe early would fail the pipeline under pipefail).
smoke() { # <binary> <expected substring> <args...>
  local bin="$1" want="$2" got; shift 2
  got="$("$out/$bin" "$@" 2>&1)" || true
  if [[ "$got" != *"$want"* ]]; then
    echo "e2e-install: '$bin $*' printed '$got', expected it to contain '$want'" >&2
    exit 1
  fi
}
smoke kube-apiserver "Kubernetes $k8s" --version
smoke kubectl "Client Version: $k8s" version --client
smoke etcd "etcd Version: ${E2E_ETCD_VERSION#v}" --version

for b in "${BINARIES[@]}"; do mv -f "$out/$b" "$BIN/$b"; done
printf '%s' "$want" >"$STAMP"
echo "e2e control plane (kube-apiserver, kubectl $k8s; etcd $E2E_ETCD_VERSION): built in $((SECONDS - start))s"
