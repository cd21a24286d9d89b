# Bulwark: `make help` lists every target. All tools are pinned and installed into .tools/.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ENV ?= prod
ENVS := $(patsubst overlays/%.yaml,%,$(wildcard overlays/*.yaml))
VERSION := $(shell node -p "require('./package.json').version")
TSX := node_modules/.bin/tsx

.PHONY: help setup synth package package-all test typecheck unit lint validate determinism diff clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: ## install npm deps (from the lockfile), pinned helm + kubeconform + gator, generated schemas, e2e control plane; idempotent
	@bash scripts/setup.sh
	@bash scripts/e2e-install.sh

synth: setup ## synthesize every overlay into dist/<env>/<component>/ (compiled: bin/bulwark)
	@bin/bulwark synth

package: setup ## build dist/$(ENV)/platform-$(VERSION).tgz, the umbrella chart of ENV (default prod)
	@$(TSX) main.ts package --env $(ENV)

package-all: setup ## package every environment
	@for env in $(ENVS); do $(TSX) main.ts package --env $$env; done

test: setup ## everything CI runs: typecheck, jest, synth, dist up to date, determinism, helm lint, kubeconform, e2e
	@bash scripts/test.sh

typecheck: setup ## strict TypeScript check of the whole tree
	@node_modules/.bin/tsc --noEmit -p tsconfig.json

unit: setup ## jest only (focused tests and per-environment snapshots)
	@node_modules/.bin/jest

lint: setup ## typecheck + helm lint --strict of every packaged environment
	@bash scripts/test.sh typecheck lint

validate: setup ## kubeconform (strict, offline) on dist/ and on helm template of every package
	@bash scripts/test.sh validate

determinism: setup ## synthesize twice in separate processes and compare bytes
	@bash scripts/test.sh determinism

.PHONY: policy
policy: setup ## gator verify of every rule, dist/ against its own policies, mutators, Falco rules, key material
	@bash scripts/test.sh policy

.PHONY: build bench
build: setup ## compile to .build/ (incremental) and its startup snapshot .build/bulwark.blob: the fast path of bin/bulwark and make synth
	@node_modules/.bin/tsc -p tsconfig.build.json && touch .build/.stamp && $(TSX) scripts/build-snapshot.ts

bench: build ## Bulwark synth vs helm template vs a floor at 10, 100, 1000 services; writes bench/results.md
	@$(TSX) bench/run.ts

diff: setup ## show what a synth would change in dist/ (without touching it)
	@bash scripts/diff-dist.sh

.PHONY: imports
imports: setup ## regenerate imports/ (typed CRD bindings) from crds/sources.json, and the L1 shapes fast-json reads from them
	@$(TSX) scripts/gen-imports.ts && $(TSX) scripts/gen-l1-shapes.ts

.PHONY: upgrade
upgrade: ## upgrade one pin and show the dist/ + snapshot diff: PKG=<npm-package>@<version> or TOOL=<tool> VERSION=<vX.Y.Z> [DRY_RUN=1]
	@bash scripts/upgrade.sh $(if $(DRY_RUN),--dry-run) $(PKG) $(TOOL) $(if $(filter command line,$(origin VERSION)),$(VERSION))

.PHONY: e2e
e2e: setup ## every environment against a real etcd + kube-apiserver started (and stopped) for the run
	@bash scripts/e2e.sh

clean: ## remove build outputs (keeps .tools/ and node_modules/)
	@rm -rf .build .cdk8s.out dist/*/platform-*.tgz
