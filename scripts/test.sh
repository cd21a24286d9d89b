#!/usr/bin/env bash
# The test suite CI runs (`make test`). Every check runs even when an earlier one fails, and the
# last line counts them: jest contributes one per test case, every other step one per check.
#
#   scripts/test.sh                 all groups
#   scripts/test.sh lint validate   only those groups (typecheck imports unit synth determinism lint validate policy rules flows)
#   scripts/test.sh flows           the README's "add a component" and "add an environment" in a copy of
#                                   the working tree, then the groups above but imports on the copy
#                                   (scripts/test-flows.sh): one count
#   scripts/test.sh e2e             end-to-end against a real etcd + kube-apiserver (scripts/e2e.sh),
#                                   which adds one count per assertion it makes
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=tools.env
source scripts/tools.env
KUBE_VERSION="${KUBERNETES_VERSION#v}"
HELM=.tools/bin/helm
HELM4=.tools/bin/helm4
# helm lints and renders the chart for the oldest Kubernetes the chart declares (its kubeVersion)
CHART_KUBE_VERSION="$(sed -n 's/^kubeVersion: ">=\([0-9][0-9.]*\)-0"$/\1/p' charts/platform/Chart.yaml)"
GATOR=.tools/bin/gator
PROMTOOL=.tools/bin/promtool
AMTOOL=.tools/bin/amtool
RULES_BUILD=.build/rules
POLICY_BUILD=.build/policy
TSX=node_modules/.bin/tsx
ENVS=()
for f in overlays/*.yaml; do ENVS+=("$(basename "$f" .yaml)"); done
VERSION="$(node -p "require('./package.json').version")"

passed=0
failed=0
failures=()
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# check <name> <command...>: runs one check, output shown only when it fails.
check() {
  local name="$1"; shift
  local log="$WORK/log" start=$SECONDS
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    printf 'ok    %-52s %3ss\n' "$name" "$((SECONDS - start))"
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf 'FAIL  %-52s %3ss\n' "$name" "$((SECONDS - start))"
    sed 's/^/      | /' "$log" | tail -n 60
  fi
}

run_jest() {
  local report="$WORK/jest.json" start=$SECONDS
  node_modules/.bin/jest --ci --json --outputFile="$report" >"$WORK/jest.log" 2>&1
  local status=$?
  if [[ ! -s "$report" ]]; then
    failed=$((failed + 1)); failures+=("jest (did not run)")
    tail -n 60 "$WORK/jest.log"
    return
  fi
  local p f
  read -r p f < <(node -e 'const r=require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites)' "$report")
  passed=$((passed + p)); failed=$((failed + f))
  printf '%-5s %-52s %3ss\n' "$([[ $status == 0 ]] && echo ok || echo FAIL)" "jest: $p passed, $f failed" "$((SECONDS - start))"
  if [[ $status != 0 ]]; then
    failures+=("jest")
    # Each failed test with its assertion (not just its name), from the JSON report.
    local why
    why="$("$TSX" scripts/jest-failures.ts "$report" 2>&1)" || why=""
    if [[ -z "$why" ]]; then why="$(tail -n 40 "$WORK/jest.log")"; fi
    sed 's/^/      | /' <<<"$why" | head -n 400
  fi
}

dist_committed() {
  git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "not a git checkout: nothing to compare"; return 0; }
  local changes
  changes="$(git status --porcelain -- dist | grep -v '\.tgz$' || true)"
  if [[ -n "$changes" ]]; then
    echo "dist/ differs from what is committed; run make synth and commit dist/:"
    echo "$changes"
    git --no-pager diff --stat -- dist
    return 1
  fi
}

determinism() {
  "$TSX" main.ts synth --quiet --out "$WORK/run1/dist" && "$TSX" main.ts synth --quiet --out "$WORK/run2/dist" &&
    diff -r "$WORK/run1/dist" "$WORK/run2/dist" && diff -r --exclude='*.tgz' --exclude=report "$WORK/run1/dist" dist
}

package_env() { "$TSX" main.ts package --quiet --env "$1" --out dist; }
helm_lint() { "$1" lint --strict --kube-version "$CHART_KUBE_VERSION" "dist/$2/platform-$VERSION.tgz"; }
helm_template() { "$1" template platform "dist/$2/platform-$VERSION.tgz" --kube-version "$CHART_KUBE_VERSION"; }
helm_template_valid() {
  helm_template "$HELM" "$1" >"$WORK/$1.rendered.yaml" && "$TSX" scripts/validate.ts --kube-version "$KUBE_VERSION" "$WORK/$1.rendered.yaml"
}
# Helm 4 renders the same documents as Helm 3 (it adds blank lines between them: compared parsed).
helm4_template_same() {
  helm_template "$HELM" "$1" >"$WORK/$1.helm3.yaml" && helm_template "$HELM4" "$1" >"$WORK/$1.helm4.yaml" &&
    "$TSX" scripts/same-documents.ts "$WORK/$1.helm3.yaml" "$WORK/$1.helm4.yaml"
}
dist_valid() { "$TSX" scripts/validate.ts --kube-version "$KUBE_VERSION" "dist/$1"; }

# policy: every rule's gator suite (its Rego template, and its admission twin's CEL), then per
# environment dist/ against its own policies, the mutators, the Falco rules and the control-plane
# files against their schemas, and no key material anywhere in dist/. Suites go to .build/policy.
run_policy() {
  local list="$WORK/policy-suites" dir engine cases invalid
  if ! "$TSX" scripts/policy-test.ts suites --out "$POLICY_BUILD" >"$list" 2>"$WORK/log"; then
    failed=$((failed + 1)); failures+=("policy suites (not generated)")
    sed 's/^/      | /' "$WORK/log"
    return
  fi
  while read -r dir engine cases invalid; do
    check "gator verify $dir ($cases cases$([[ $invalid != 0 ]] && echo ", $invalid invalid"))" "$GATOR" verify "$POLICY_BUILD/$dir"
  done <"$list"
  for env in "${ENVS[@]}"; do
    check "gator test dist/$env against its own policies" "$TSX" scripts/policy-test.ts dist "$env"
    check "gator test $env: admitted pods (with the injected containers) against its own policies" "$TSX" scripts/policy-test.ts admitted "$env"
    check "gator expand $env: mutators" "$TSX" scripts/policy-test.ts mutation "$env"
    check "falco rules $env: structure and references" "$TSX" scripts/policy-test.ts falco "$env"
    check "control-plane $env: audit policy, encryption config" "$TSX" scripts/validate.ts --kube-version "$KUBE_VERSION" "dist/$env/control-plane"
  done
  check "no key material in dist/" "$TSX" scripts/policy-test.ts keys
}

# rules: per environment, promtool checks (and lints) every PrometheusRule of dist/<env> and runs the unit tests
# of every alert (input series, expected alerts); amtool checks the Alertmanager configuration the
# operator generates from its AlertmanagerConfig and where each severity and team is routed.
# scripts/alert-rules.ts writes what they read to .build/rules/<env>/.
run_rules() {
  local list="$WORK/rules" env files alerts tests routes
  if ! "$TSX" scripts/alert-rules.ts --out "$RULES_BUILD" >"$list" 2>"$WORK/log"; then
    failed=$((failed + 1)); failures+=("rules (not prepared)")
    sed 's/^/      | /' "$WORK/log"
    return
  fi
  while read -r env files alerts tests routes; do
    [[ $files == 0 ]] || check "promtool check rules --lint-fatal dist/$env ($files PrometheusRules, $alerts alerts)" "$PROMTOOL" check rules --lint-fatal "$RULES_BUILD/$env"/*.rules.yaml
    [[ $tests == 0 ]] || check "promtool test rules $env ($tests test groups)" "$PROMTOOL" test rules "$RULES_BUILD/$env/alerts.test.yaml"
    if [[ $routes != 0 ]]; then
      check "amtool check-config $env: the AlertmanagerConfig's configuration" "$AMTOOL" check-config "$RULES_BUILD/$env/alertmanager.yaml"
      check "amtool config routes test $env ($routes label sets)" amtool_routes "$env"
    fi
  done <"$list"
}
amtool_routes() {
  local receiver labels
  while IFS=$'\t' read -r receiver labels; do
    # shellcheck disable=SC2086 # one argument per label
    "$AMTOOL" config routes test --config.file "$RULES_BUILD/$1/alertmanager.yaml" --verify.receivers "$receiver" ${labels//$'\t'/ } || return 1
  done <"$RULES_BUILD/$1/routes.tsv"
}

# e2e: scripts/e2e.sh against real etcd + kube-apiserver processes; every assertion it makes counts
# (its own last line is "N passed, N failed"), plus a typecheck of e2e/ (its own tsconfig).
run_e2e() {
  check "typecheck e2e/ (tsc --noEmit, strict)" node_modules/.bin/tsc --noEmit -p e2e/tsconfig.json
  local log="$WORK/e2e.log" start=$SECONDS
  bash scripts/e2e.sh >"$log" 2>&1
  local status=$? p f
  read -r p f < <(sed -n 's/^\([0-9]\{1,\}\) passed, \([0-9]\{1,\}\) failed$/\1 \2/p' "$log" | tail -n1)
  if [[ -z "${p:-}" ]]; then
    failed=$((failed + 1)); failures+=("e2e (did not run)")
    tail -n 60 "$log" | sed 's/^/      | /'
    return
  fi
  [[ $status != 0 && $f == 0 ]] && f=1
  passed=$((passed + p)); failed=$((failed + f))
  printf '%-5s %-52s %3ss\n' "$([[ $status == 0 ]] && echo ok || echo FAIL)" "e2e: $p passed, $f failed" "$((SECONDS - start))"
  grep -E '^[|+]' "$log" | sed 's/^/      /' # the table of every environment
  if [[ $status != 0 ]]; then
    failures+=("e2e")
    grep -E '^ *FAIL|^        \|' "$log" | head -n 80 | sed 's/^/      /'
  fi
}

groups=("$@")
[[ ${#groups[@]} == 0 ]] && groups=(typecheck imports unit synth determinism lint validate policy rules flows e2e)
want() { local g; for g in "${groups[@]}"; do [[ "$g" == "$1" ]] && return 0; done; return 1; }

want typecheck && check "typecheck (tsc --noEmit, strict)" node_modules/.bin/tsc --noEmit -p tsconfig.json
want lint && check "eslint: typescript-eslint, import order, lines <= 150" node_modules/.bin/eslint --max-warnings 0 .
want imports && check "imports/ matches cdk8s import of crds/sources.json" "$TSX" scripts/gen-imports.ts --check --quiet
want unit && run_jest
if want synth; then
  check "synth: every overlay into dist/" "$TSX" main.ts synth --quiet
  check "synth: dist/ matches the committed dist/" dist_committed
fi
want determinism && check "determinism: two processes, byte-identical dist/" determinism
# make synth runs the compiled JavaScript (bin/bulwark, built into .build/ when stale): same bytes.
compiled_synth() { bin/bulwark synth --quiet --out "$WORK/compiled/dist" && diff -r --exclude='*.tgz' --exclude=report "$WORK/compiled/dist" dist; }
want determinism && check "compiled synth (bin/bulwark): byte-identical dist/" compiled_synth
if want lint || want validate; then
  for env in "${ENVS[@]}"; do
    check "package $env: platform-$VERSION.tgz" package_env "$env"
    want lint && check "helm lint --strict $env" helm_lint "$HELM" "$env"
    want lint && check "helm4 lint --strict $env" helm_lint "$HELM4" "$env"
    if want validate; then
      check "kubeconform -strict dist/$env" dist_valid "$env"
      check "helm template $env | kubeconform -strict" helm_template_valid "$env"
      check "helm4 template $env: helm template's documents" helm4_template_same "$env"
    fi
  done
fi
want policy && run_policy
want rules && run_rules
want flows && check "README flows: component + environment, in a copy" bash scripts/test-flows.sh

want e2e && run_e2e

echo
if [[ $failed -gt 0 ]]; then
  echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
