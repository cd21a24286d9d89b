#!/usr/bin/env bash
# Upgrades one pinned dependency and shows what it changes; accepts nothing on its own.
#
#   scripts/upgrade.sh <npm-package>@<version>   an npm dependency of package.json, e.g. cdk8s@2.70.107
#   scripts/upgrade.sh <tool> <version>          a tool pinned in scripts/tools.env, e.g. helm v3.21.5
#   scripts/upgrade.sh --dry-run ...             print the steps, change nothing
#
# (make upgrade PKG=<npm-package>@<version> | make upgrade TOOL=<tool> VERSION=<version> [DRY_RUN=1])
#
# Steps:
#   1. pin the new version: `npm install --save-exact` (package.json + package-lock.json), or the
#      <TOOL>_VERSION line of scripts/tools.env (e2e pins also regenerate scripts/build-apiserver/go.mod,
#      e2e-argocd scripts/build-argocd/go.mod, netpol-analyzer scripts/build-netpolicy/go.mod)
#   2. scripts/install-tools.sh: rebuild what the pins changed, regenerate the kubeconform schemas
#   3. `make imports`: regenerate imports/ (typed CRD bindings, made by the cdk8s CLI) and
#      lib/render/l1-shapes.generated.ts (read from those bindings and cdk8s-plus's)
#   4. synthesize into .build/upgrade/dist and summarize `diff -ru dist .build/upgrade/dist`
#   5. `jest --ci` (snapshots are compared, never written): the failing tests and snapshot summary
# Then review .build/upgrade/, and either accept (`make update`, commit the pins,
# imports/, the L1 shapes, dist/ and snapshots) or roll back with the command printed at the end.
#
# Exit codes: 0 upgraded (differences are reported, they are not failures), 1 a step failed,
# 2 usage error (nothing was changed).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TSX=node_modules/.bin/tsx
WORK=.build/upgrade

usage() {
  cat >&2 <<'EOF'
usage: scripts/upgrade.sh [--dry-run] <npm-package>@<version>
       scripts/upgrade.sh [--dry-run] <tool> <version>
  (make upgrade PKG=<npm-package>@<version>  |  make upgrade TOOL=<tool> VERSION=<version>)
EOF
}
fail_usage() {
  echo "upgrade: $*" >&2
  usage
  exit 2
}

# Tools: every <NAME>_VERSION pin of scripts/tools.env, named in lowercase with dashes (helm, e2e-etcd).
tool_keys() { sed -n 's/^\([A-Z0-9_]*_VERSION\)=.*/\1/p' scripts/tools.env; }
tool_name() { local k="${1%_VERSION}"; k="${k//_/-}"; printf '%s' "${k,,}"; }
known_tools() { local k names=(); for k in $(tool_keys); do names+=("$(tool_name "$k")"); done; printf '%s' "${names[*]}"; }
# npm packages this project pins (dependencies and devDependencies of package.json).
pinned_packages() { node -e 'const p=require("./package.json"); for (const s of ["dependencies","devDependencies"]) for (const [n,v] of Object.entries(p[s]||{})) console.log(s, n, v)'; }

dry_run=0
args=()
for a in "$@"; do
  case "$a" in
    --dry-run | -n) dry_run=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) fail_usage "unknown option \"$a\"" ;;
    *) args+=("$a") ;;
  esac
done

kind="" name="" version="" key="" section="" current=""
case "${#args[@]}" in
  1)
    spec="${args[0]}"
    # A scoped package starts with "@": the version follows the last "@".
    if [[ "$spec" != ?*@* ]]; then
      if [[ " $(known_tools) " == *" $spec "* ]]; then fail_usage "missing version: scripts/upgrade.sh $spec <version> (make upgrade TOOL=$spec VERSION=<version>)"; fi
      fail_usage "missing version: give <npm-package>@<version>, e.g. cdk8s@2.70.107"
    fi
    kind=npm name="${spec%@*}" version="${spec##*@}"
    [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
      fail_usage "version \"$version\" of $name is not an exact version such as 1.2.3 (ranges are not pinned)"
    read -r section current < <(pinned_packages | awk -v n="$name" '$2 == n { print $1, $3 }')
    [[ -n "${section:-}" ]] ||
      fail_usage "\"$name\" is not a dependency of package.json; pinned packages: $(pinned_packages | awk '{ print $2 }' | paste -sd' ')"
    ;;
  2)
    kind=tool name="${args[0]}" version="${args[1]}"
    for k in $(tool_keys); do [[ "$(tool_name "$k")" == "$name" ]] && key="$k"; done
    [[ -n "$key" ]] || fail_usage "unknown tool \"$name\"; tools pinned in scripts/tools.env: $(known_tools)"
    [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail_usage "version \"$version\" of $name is not a release such as v1.2.3"
    current="$(sed -n "s/^$key=//p" scripts/tools.env)"
    ;;
  0) fail_usage "nothing to upgrade" ;;
  *) fail_usage "too many arguments: ${args[*]}" ;;
esac

if [[ "$current" == "$version" ]]; then
  echo "$name is already at $version: nothing to do"
  exit 0
fi

status=0
step() { printf '\n== %s\n' "$*"; }
# run <command...>: runs it (or prints it in a dry run); a failure marks the upgrade as failed.
run() {
  if [[ $dry_run == 1 ]]; then printf '  $ %s\n' "$*"; return 0; fi
  "$@" || { status=1; echo "upgrade: step failed: $*" >&2; return 1; }
}

echo "upgrade $name: $current -> $version$([[ $dry_run == 1 ]] && echo ' (dry run: nothing is changed)')"
run rm -rf "$WORK"
run mkdir -p "$WORK/backup"
run cp package.json package-lock.json scripts/tools.env lib/render/l1-shapes.generated.ts "$WORK/backup/"
[[ -d imports ]] && run cp -R imports "$WORK/backup/imports"

step "1. pin $name $version"
if [[ $kind == npm ]]; then
  save=--save-prod
  [[ "$section" == devDependencies ]] && save=--save-dev
  run npm install --save-exact "$save" --no-audit --no-fund --loglevel=error "$name@$version" </dev/null
  # node_modules now matches the new lockfile: tell scripts/setup.sh, so it does not reinstall.
  [[ $dry_run == 1 || $status != 0 ]] || sha256sum package-lock.json | cut -d' ' -f1 | tr -d '\n' >node_modules/.bulwark-lock.sha256
else
  run sed -i "s/^$key=.*/$key=$version/" scripts/tools.env
  if [[ "$key" == NETPOL_ANALYZER_VERSION ]]; then
    run scripts/build-netpolicy/update-gomod.sh
  elif [[ "$key" == E2E_ARGOCD_* ]]; then
    run scripts/build-argocd/update-gomod.sh
    echo "  Argo CD is rebuilt by scripts/argocd-install.sh (make e2e)"
  elif [[ "$key" == E2E_* && -x scripts/build-apiserver/update-gomod.sh ]]; then
    run scripts/build-apiserver/update-gomod.sh
    echo "  the e2e control plane is rebuilt by scripts/e2e-install.sh (make e2e)"
  fi
fi

if [[ $status == 0 ]]; then
  step "2. tools and schemas (scripts/install-tools.sh)"
  run bash scripts/install-tools.sh </dev/null

  step "3. imports/ (typed CRD bindings)"
  if ! make -n imports >/dev/null 2>&1; then
    echo "  no imports target yet: skipped"
  elif [[ $dry_run == 1 ]]; then
    run make imports
  elif make imports </dev/null >"$WORK/imports.log" 2>&1; then
    tail -n 1 "$WORK/imports.log" | sed 's/^/  /'
    if [[ -d "$WORK/backup/imports" ]]; then
      changed="$(diff -rq "$WORK/backup/imports" imports | wc -l)"
      echo "  imports/: $changed file(s) differ from before$([[ $changed != 0 ]] && echo " (diff -ru $WORK/backup/imports imports)")"
    fi
  else
    status=1
    tail -n 20 "$WORK/imports.log" >&2
    echo "upgrade: step failed: make imports (log: $WORK/imports.log)" >&2
  fi

  step "4. synthesis: what changes in dist/"
  if run "$TSX" main.ts synth --quiet --out "$WORK/dist"; then
    if [[ $dry_run == 1 ]]; then
      printf '  $ diff -ru dist %s/dist\n' "$WORK"
    else
      diff -ru --exclude='*.tgz' dist "$WORK/dist" >"$WORK/dist.diff"
      changes="$(diff -rq --exclude='*.tgz' dist "$WORK/dist")"
      if [[ -z "$changes" ]]; then
        echo "  dist/ is unchanged"
      else
        printf '%s\n' "$changes" | sed -e "s#^Files dist/\(.*\) and $WORK/dist/.* differ\$#  changed  \1#" \
          -e "s#^Only in $WORK/dist\(/*\)\(.*\): \(.*\)\$#  added    \2\1\3#" -e "s#^Only in dist\(/*\)\(.*\): \(.*\)\$#  removed  \2\1\3#" | head -n 60
        echo "  $(grep -c '^+[^+]' "$WORK/dist.diff") lines added, $(grep -c '^-[^-]' "$WORK/dist.diff") removed; full diff: $WORK/dist.diff"
      fi
    fi
  fi

  step "5. tests (jest --ci: snapshots are compared, not updated)"
  if [[ $dry_run == 1 ]]; then
    printf '  $ node_modules/.bin/jest --ci\n'
  elif node_modules/.bin/jest --ci >"$WORK/jest.log" 2>&1; then
    grep -E '^(Tests|Snapshots):' "$WORK/jest.log" | sed 's/^/  /'
  else
    # Each failing test and its diff (snapshot diffs included), once: jest repeats them all in a
    # final summary, which is cut off.
    sed '/^Summary of all failing tests/,$d' "$WORK/jest.log" | grep -E '^ *● .* › |^ +(@@ |[-+] )' | head -n 80
    grep -E '^(Tests|Snapshots):' "$WORK/jest.log"
    echo "  full output: $WORK/jest.log (review with: npx jest --ci <test file>)"
  fi
fi

echo
if [[ $dry_run == 1 ]]; then
  echo "dry run: nothing was changed"
  exit 0
fi
echo "accept: make update, review git diff, commit package.json, package-lock.json, scripts/tools.env, imports/, lib/render/l1-shapes.generated.ts, dist/ and snapshots"
restore_imports=""
[[ -d "$WORK/backup/imports" ]] && restore_imports=" && rm -rf imports && cp -R $WORK/backup/imports imports"
echo "roll back: cp $WORK/backup/package.json $WORK/backup/package-lock.json . && cp $WORK/backup/tools.env scripts/ && cp $WORK/backup/l1-shapes.generated.ts lib/render/$restore_imports && make setup"
[[ $status == 0 ]] || echo "upgrade of $name to $version: a step failed (see above)"
exit $status
