#!/usr/bin/env bash
# `make update`: after an intended change of what overlays/ synthesize (a component, an
# environment, a new rule, an upgrade), refresh everything committed that restates that output:
# dist/ (a synth, as `make synth`), the README's samples of it (scripts/readme-samples.ts: what
# `make synth` and `make diff` print) and the per-environment snapshots (jest -u on the tests of
# the committed overlays only, so that no other test's snapshot or failure is accepted along the
# way). Prints what changed in each; exits 1 when the synth fails or a test it ran fails for any
# other reason than an outdated snapshot.
# Then: review `git diff`, run `make test`, commit.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The tests of what overlays/ synthesize: the only ones that read overlays/ (every other test
# builds its own inputs from __tests__/fixtures/).
COMMITTED_TESTS=(__tests__/synth/committed-overlays.test.ts __tests__/scripts/readme-samples.test.ts)
TSX=node_modules/.bin/tsx
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "dist/:"
bin/bulwark synth || { echo "make update: synth failed, nothing updated" >&2; exit 1; }
sample="$("$TSX" scripts/readme-samples.ts)" || { echo "make update: the README samples failed" >&2; exit 1; }
echo "${sample:-README.md: sample outputs of make synth and make diff up to date}"

# Every snapshot of those tests, as one JSON object "<snapshot file>: <name>" -> text.
snapshots() {
  node -e '
    const fs = require("fs"), path = require("path");
    const out = {};
    for (const test of process.argv.slice(1)) {
      const snap = path.join(path.dirname(test), "__snapshots__", `${path.basename(test)}.snap`);
      if (!fs.existsSync(snap)) continue;
      for (const [name, text] of Object.entries(require(path.resolve(snap)))) out[`${snap}: ${name}`] = text;
    }
    console.log(JSON.stringify(out));' "${COMMITTED_TESTS[@]}"
}

snapshots >"$WORK/before.json"
echo "snapshots:"
node_modules/.bin/jest --ci=false --updateSnapshot --runTestsByPath "${COMMITTED_TESTS[@]}" >"$WORK/jest.log" 2>&1
status=$?
snapshots >"$WORK/after.json"
node -e '
  const [before, after] = process.argv.slice(1).map((f) => require(f));
  const lines = [];
  for (const k of Object.keys(after)) if (!(k in before)) lines.push(`  written  ${k}`); else if (before[k] !== after[k]) lines.push(`  updated  ${k}`);
  for (const k of Object.keys(before)) if (!(k in after)) lines.push(`  removed  ${k}`);
  console.log(lines.length > 0 ? lines.join("\n") : `  up to date: ${Object.keys(after).length} snapshots`);' "$WORK/before.json" "$WORK/after.json"
if [[ $status != 0 ]]; then
  echo "make update: a test failed for another reason than an outdated snapshot (nothing accepts that failure):" >&2
  sed '/^Summary of all failing tests/,$d' "$WORK/jest.log" | tail -n 60 >&2
  exit 1
fi
echo "review with git diff, then make test; commit the overlays, dist/, README.md and the snapshots"
