#!/usr/bin/env bash
# Installs everything Bulwark needs, idempotently: npm packages from the lockfile (only when the
# lockfile changed since the last install), then the pinned Go-built tools and generated schemas.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

stamp=node_modules/.bulwark-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "npm packages: cached"
else
  start=$SECONDS
  npm ci --no-audit --no-fund --loglevel=error </dev/null
  printf '%s' "$want" >"$stamp"
  echo "npm packages: installed in $((SECONDS - start))s"
fi
bash scripts/install-tools.sh
