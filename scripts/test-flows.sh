#!/usr/bin/env bash
# The README flows, followed in a copy of the working tree (scripts/test.sh flows, part of
# `make test`): "How to add a component" and "How to add an environment" with the README's own
# examples and the commands its steps name (scripts/readme-flows.ts reads them: make update,
# make package ENV=<env>), then what `make test` checks that such a change can break, on the copy:
# scripts/test.sh typecheck unit synth determinism lint validate policy (not imports, which an
# overlay cannot change, nor e2e, minutes of its own). The copy is a git repository whose every
# change is committed before the checks, so that "dist/ matches the committed dist/" means
# something there.
#
#   scripts/test-flows.sh            prints each step; exit 1 when one fails
#   FLOWS_GROUPS="unit synth" …      other groups of scripts/test.sh in the copy
#   BULWARK_FLOWS_KEEP=1 …           keep the copy (its path is printed) to look into a failure
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
read -ra GROUPS_IN_COPY <<<"${FLOWS_GROUPS:-typecheck unit synth determinism lint validate policy}"

# The copy runs scripts/test.sh, which must not come back here.
if [[ -n ${BULWARK_FLOWS_COPY:-} ]]; then
  echo "flows: already running in a flows copy ($BULWARK_FLOWS_COPY), not again" >&2
  exit 1
fi
# The copy shares node_modules: it must be the installed lockfile, or make would run npm ci into it.
if [[ "$(cat node_modules/.bulwark-lock.sha256 2>/dev/null)" != "$(sha256sum package-lock.json | cut -d' ' -f1)" ]]; then
  echo "flows: node_modules does not match package-lock.json; run make setup first" >&2
  exit 1
fi

COPY="$(mktemp -d "${TMPDIR:-/tmp}/bulwark-flows-XXXXXX")"
if [[ -n ${BULWARK_FLOWS_KEEP:-} ]]; then echo "flows: copy kept in $COPY"; else trap 'rm -rf "$COPY"' EXIT; fi
started=$SECONDS
step() { printf '\n== %s (at %ss)\n' "$*" "$((SECONDS - started))"; }

step "copy of the working tree: $COPY"
# Tracked and untracked files as they are now (what make test tests), not the ignored ones.
git ls-files -z --cached --others --exclude-standard | tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$COPY"
ln -s "$ROOT/node_modules" "$COPY/node_modules"
[[ -d .tools ]] && ln -s "$ROOT/.tools" "$COPY/.tools"
cd "$COPY"
export BULWARK_FLOWS_COPY="$COPY" GIT_PAGER=cat
git() { command git -c user.name=bulwark-flows -c user.email=flows@bulwark.invalid -c commit.gpgsign=false "$@"; }
git init -q
printf '/node_modules\n/.tools\n' >>.git/info/exclude
git add -A && git commit -q -m "the working tree"

step "the README's examples (scripts/readme-flows.ts)"
commands="$(node_modules/.bin/tsx scripts/readme-flows.ts apply . 2>&1 >"$COPY/.git/flow-commands")" || { echo "$commands"; exit 1; }
echo "$commands"
while read -r command; do
  step "$command"
  bash -c "$command"
done <"$COPY/.git/flow-commands"
node_modules/.bin/tsx scripts/readme-flows.ts verify .
git add -A && git commit -q -m "the README flows"
echo "committed in the copy:$(git diff --shortstat HEAD~1 HEAD)"

step "scripts/test.sh ${GROUPS_IN_COPY[*]} (in the copy)"
if ! bash scripts/test.sh "${GROUPS_IN_COPY[@]}" | tee .git/test.log; then
  # Repeated last, where a caller that shows only the end of the log sees it.
  echo "flows: failed in the copy after the README's steps:"
  grep -E '^FAIL|^      \| ✕' .git/test.log | head -n 40
  exit 1
fi
echo "flows: passed in $((SECONDS - started))s"
