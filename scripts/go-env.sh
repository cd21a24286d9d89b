# Sourced by install-tools.sh and e2e-install.sh: the Go toolchain they build with.
#   GO          the go binary (PATH, else /usr/local/go/bin/go); empty when there is none
#   need_go     fails with one line naming the caller ($1) and what needs Go ($2) when there is none
#   sha256      sha256 of stdin (sha256sum, else shasum -a 256)
export GOTOOLCHAIN=local # never download another Go toolchain behind our back
export CGO_ENABLED=0     # like the upstream release binaries: static, no C toolchain needed

GO="$(command -v go || true)"
if [[ -z "$GO" && -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; fi

need_go() { # <caller> [what needs Go]
  if [[ -z "$GO" ]]; then
    echo "$1: ${2:-building the tools} needs Go >= 1.26, and 'go' is not on PATH (nor /usr/local/go/bin/go); install Go and run again" >&2
    exit 1
  fi
}

sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi; }
