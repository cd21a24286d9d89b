# shellcheck shell=bash
# apt_package <command> <package> <what needs it> <prefix>: makes <command> available on PATH,
# installing Debian's <package> with apt-get when it is missing (root, or passwordless sudo);
# fails with the reason and what to do when it cannot. Sourced by scripts/setup.sh and
# scripts/argocd-install.sh.
apt_package() {
  local command="$1" package="$2" need="$3" prefix="$4"
  if command -v "$command" >/dev/null 2>&1; then
    [[ ${QUIET:-0} == 1 ]] || echo "$command: $(command -v "$command")"
    return
  fi
  local sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo -n)
  if ! command -v apt-get >/dev/null 2>&1 || { [[ ${#sudo[@]} -gt 0 ]] && ! sudo -n true 2>/dev/null; }; then
    echo "$prefix: $need needs $command on PATH, and it cannot be installed here" \
      "(apt-get $(command -v apt-get >/dev/null 2>&1 && echo 'needs root or passwordless sudo' || echo 'is not available'));" \
      "install $package (e.g. 'apt-get install $package') and run again" >&2
    exit 1
  fi
  echo "$command: installing Debian's package (apt-get install $package)..."
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends)
  # The package lists may be missing (fresh image) or stale: update once and retry.
  "${apt[@]}" install "$package" </dev/null >/dev/null 2>&1 ||
    { "${sudo[@]}" apt-get -q update </dev/null >/dev/null && "${apt[@]}" install "$package" </dev/null >/dev/null; } || {
    echo "$prefix: apt-get install $package failed; install $package and run again" >&2
    exit 1
  }
  echo "$command: installed $(command -v "$command")"
}
