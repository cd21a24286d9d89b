#!/usr/bin/env bash
# Synthesizes into a scratch directory and diffs it against dist/: what a `make synth` would change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
node_modules/.bin/tsx main.ts synth --quiet --out "$scratch/dist"
if diff -ru --exclude='*.tgz' dist "$scratch/dist"; then echo "dist/ is up to date"; fi
