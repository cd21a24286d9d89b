#!/usr/bin/env bash
# Installs what the e2e GitOps phase runs (setup piece `gitops`), pinned by scripts/tools.env and
# the wrapper module scripts/build-argocd/go.mod (+ go.sum):
#   .tools/bin/argocd                 github.com/argoproj/argo-cd/v3 $E2E_ARGOCD_VERSION, its multi-call ./cmd
#   .tools/bin/argocd-repo-server, argocd-application-controller, argocd-applicationset-controller
#                                     symlinks to it: the binary runs the component its name names
#   .tools/bin/git-verify-wrapper.sh  from the module's hack/: the repo-server runs it from PATH for
#                                     every revision, and fails every manifest generation without it
#   .tools/bin/kustomize              sigs.k8s.io/kustomize/kustomize/v5 at the version Argo CD's images
#                                     ship: the repo-server runs `kustomize build` (PATH) for every
#                                     path that has a kustomization.yaml
#   redis-server                      Debian's package (apt-get install) when it is not on PATH
# Static (CGO_ENABLED=0), -trimpath, stripped, version stamped like Argo CD's Makefile does.
# Idempotent: the stamp .tools/bin/.argocd.version holds a hash of everything that affects the build;
# a second run only compares it. A cold build takes about 4 minutes on 2 idle cores (1.7 GB module
# cache, 2 GB linker RSS); the Go build cache makes a rebuild after a stamp change much faster.
#
# Environment:
#   FORCE=1   rebuild even if the stamp matches
#   QUIET=1   print nothing when everything is installed
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools.env
source "$ROOT/scripts/tools.env"
MOD="$ROOT/scripts/build-argocd"
BIN="$ROOT/.tools/bin"
STAMP="$BIN/.argocd.version"
FORCE="${FORCE:-0}"
COMPONENTS=(argocd-repo-server argocd-application-controller argocd-applicationset-controller)

# shellcheck source=apt-package.sh
source "$ROOT/scripts/apt-package.sh"
redis() {
  apt_package redis-server redis-server 'the e2e GitOps phase' argocd-install
}

mkdir -p "$BIN"
if command -v flock >/dev/null 2>&1; then
  exec 8>"$ROOT/.tools/.argocd-install.lock"
  flock 8
fi
redis

# shellcheck source=go-env.sh
source "$ROOT/scripts/go-env.sh"
export GOWORK=off
export GOFLAGS=-mod=readonly # go.sum is committed; the build never edits the wrapper module

# The wrapper module must pin what tools.env says (update-gomod.sh keeps them in step).
for pin in $'\t'"github.com/argoproj/argo-cd/v3 $E2E_ARGOCD_VERSION" \
  "replace github.com/argoproj/argo-cd/gitops-engine => github.com/argoproj/argo-cd/gitops-engine $E2E_ARGOCD_GITOPS_ENGINE"; do
  if ! grep -Fxq "$pin" "$MOD/go.mod"; then
    echo "argocd-install: $MOD/go.mod does not say '${pin#$'\t'}' (scripts/tools.env); run scripts/build-argocd/update-gomod.sh" >&2
    exit 1
  fi
done

kustomize="$(sed -n 's#^[[:space:]]*sigs\.k8s\.io/kustomize/kustomize/v5 \(v[0-9.]*\)$#\1#p' "$MOD/go.mod")"
[[ -n "$kustomize" ]] || { echo "argocd-install: $MOD/go.mod does not require sigs.k8s.io/kustomize/kustomize/v5; run scripts/build-argocd/update-gomod.sh" >&2; exit 1; }
pkg=github.com/argoproj/argo-cd/v3/common
ldflags="-s -w -X $pkg.version=${E2E_ARGOCD_VERSION#v} -X $pkg.gitTag=$E2E_ARGOCD_VERSION -X $pkg.gitTreeState=clean"
ldflags+=" -X sigs.k8s.io/kustomize/api/provenance.version=kustomize/$kustomize"
go_version="$("${GO:-false}" env GOVERSION 2>/dev/null || echo none)"
want="argocd=$E2E_ARGOCD_VERSION kustomize=$kustomize $(
  { cat "$MOD/go.mod" "$MOD/go.sum"; echo "$ldflags $go_version"; } | sha256 | cut -d' ' -f1
)"

have_all() {
  local c
  [[ -x "$BIN/argocd" && -x "$BIN/kustomize" && -x "$BIN/git-verify-wrapper.sh" ]] || return 1
  for c in "${COMPONENTS[@]}"; do [[ -L "$BIN/$c" ]] || return 1; done
}
if [[ "$FORCE" != 1 && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] && have_all; then
  [[ ${QUIET:-0} == 1 ]] || echo "argocd $E2E_ARGOCD_VERSION (repo-server, application-controller, applicationset-controller), kustomize $kustomize: cached"
  exit 0
fi
need_go argocd-install "building Argo CD $E2E_ARGOCD_VERSION for the e2e GitOps phase"

echo "argocd: building $E2E_ARGOCD_VERSION and kustomize $kustomize (a cold build takes about 4 minutes)..."
start=$SECONDS
rm -f "$STAMP"
out="$(mktemp -d "$ROOT/.tools/.argocd-build.XXXXXX")"
trap 'rm -rf "$out"' EXIT
(cd "$MOD" && "$GO" build -trimpath -ldflags "$ldflags" -o "$out/" \
  github.com/argoproj/argo-cd/v3/cmd sigs.k8s.io/kustomize/kustomize/v5 </dev/null)
mv "$out/cmd" "$out/argocd" # `go build -o DIR` names a main package after its folder
dir="$(cd "$MOD" && "$GO" list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v3)"
install -m 0755 "$dir/hack/git-verify-wrapper.sh" "$out/git-verify-wrapper.sh" # read-only in the module cache

# Smoke tests: the CLI and kustomize report the pinned versions, each component answers --help
# under its name (output captured first: grep -q closing a pipe early would fail under pipefail).
got="$("$out/argocd" version --client --short 2>&1)" || true
if [[ "$got" != *"argocd: $E2E_ARGOCD_VERSION"* ]]; then
  echo "argocd-install: 'argocd version --client --short' printed '$got', expected 'argocd: $E2E_ARGOCD_VERSION'" >&2
  exit 1
fi
got="$("$out/kustomize" version 2>&1)" || true
if [[ "$got" != *"$kustomize"* ]]; then
  echo "argocd-install: 'kustomize version' printed '$got', expected '$kustomize'" >&2
  exit 1
fi
for c in "${COMPONENTS[@]}"; do
  if ! ARGOCD_BINARY_NAME="$c" "$out/argocd" --help >/dev/null 2>&1; then
    echo "argocd-install: '$c --help' failed" >&2
    exit 1
  fi
done

mv -f "$out/argocd" "$out/kustomize" "$out/git-verify-wrapper.sh" "$BIN/"
for c in "${COMPONENTS[@]}"; do ln -sfn argocd "$BIN/$c"; done
printf '%s' "$want" >"$STAMP"
echo "argocd $E2E_ARGOCD_VERSION (repo-server, application-controller, applicationset-controller), kustomize $kustomize:" \
  "built in $((SECONDS - start))s, $(($(stat -c %s "$BIN/argocd") / 1048576)) MiB"
