#!/usr/bin/env bash
# Bulwark e2e (`make e2e`; `scripts/test.sh e2e` runs it too): for every environment, real etcd +
# kube-apiserver processes on 127.0.0.1 (pinned binaries in .tools/bin, built by `make setup`),
# started and torn down by e2e/run.ts. See e2e/run.ts for what is proven.
#
#   scripts/e2e.sh [--env <name>]... [--verbose]
#
# This wrapper is the safety net around the TypeScript driver: everything the run creates lives in
# one temp dir (TMPDIR), every etcd/kube-apiserver it starts leaves a pid file there, and on exit
# (success, failure, Ctrl-C) whatever is still running from that dir is killed and the dir removed.
# The last line is "N passed, N failed", with one extra assertion: no control-plane process is
# left behind.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/bulwark-e2e-run.XXXXXX")"
export E2E_PID_DIR="$RUN_DIR/pids"
mkdir -p "$E2E_PID_DIR"

# Processes started by this run: their command line names a dir under $RUN_DIR.
leftovers() { pgrep -f -- "$RUN_DIR/" || true; }
kill_leftovers() {
  local pid f
  for f in "$E2E_PID_DIR"/*.pid; do
    [[ -e "$f" ]] || continue
    pid="$(head -n1 "$f")"
    # only if that pid still belongs to this run (never a recycled pid of someone else)
    if [[ -n "$pid" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$RUN_DIR/"; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for pid in $(leftovers); do kill -KILL "$pid" 2>/dev/null || true; done
}
cleanup() {
  kill_leftovers
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
trap 'echo "e2e: interrupted"; echo "0 passed, 1 failed"; exit 130' INT TERM HUP

log="$RUN_DIR/run.log"
TMPDIR="$RUN_DIR" node_modules/.bin/tsx e2e/run.ts "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

read -r passed failed < <(sed -n 's/^\(e2e driver: \)\{0,1\}\([0-9]\{1,\}\) passed, \([0-9]\{1,\}\) failed$/\2 \3/p' "$log" | tail -n1)
passed="${passed:-0}"
failed="${failed:-1}"
[[ $status != 0 && $failed == 0 ]] && failed=1 # the driver failed without saying so

# Teardown assertion: the driver stopped every process it started (their command lines name the run's dir).
sleep 0.2
left="$(leftovers)"
if [[ -z "$left" ]]; then
  passed=$((passed + 1))
  echo "ok    teardown: no process of this run (etcd, kube-apiserver, Argo CD, redis) left running"
else
  failed=$((failed + 1))
  echo "FAIL  teardown: processes of this run still running (killed now):"
  ps -o pid,args -p "$(echo $left | tr ' ' ',')" | sed 's/^/      | /'
fi
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
