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

# Each target installs what it needs and nothing more (scripts/setup.sh: stamped pieces, a few ms
# each once installed; -q: silent then). Only helm, kubeconform, gator, the schemas, imports and
# the e2e control plane need Go; synth, build, diff, typecheck and determinism need Node and npm.
SETUP := bash scripts/setup.sh -q

help: ## list the targets (what each installs first, if missing, in brackets)
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: ## [everything] npm deps (lockfile), pinned helm + kubeconform + gator + netpolicy + promtool + amtool, schemas, e2e control plane; idempotent
	@bash scripts/setup.sh all

synth: ## [npm] synthesize every overlay (ENV=<env>: that one only) into dist/<env>/<component>/ (compiled: bin/bulwark)
	@$(SETUP) npm
	@bin/bulwark synth $(if $(filter command line,$(origin ENV)),--env $(ENV))

.PHONY: update
update: ## [npm] after an intended overlay change: synth into dist/, then refresh the README sample and the per-environment snapshots (no other test's); prints what changed
	@$(SETUP) npm
	@bash scripts/update.sh

package: ## [npm, helm] build dist/$(ENV)/platform-$(VERSION).tgz, the umbrella chart of ENV (default prod)
	@$(SETUP) helm
	@$(TSX) main.ts package --env $(ENV)

package-all: ## [npm, helm] package every environment
	@$(SETUP) helm
	@for env in $(ENVS); do $(TSX) main.ts package --env $$env; done

.PHONY: install crds
install: ## [npm, helm; kubectl] package ENV, then install or upgrade it in the cluster of KUBECONFIG in one step, guards included (RELEASE, NAMESPACE, HELM=.tools/bin/helm4, HELM_ARGS='--set …')
	@$(SETUP) helm $(if $(findstring helm4,$(HELM)),helm4)
	@$(TSX) main.ts package --quiet --env $(ENV)
	@$(TSX) scripts/install.ts --env $(ENV) $(if $(RELEASE),--release $(RELEASE)) $(if $(NAMESPACE),--namespace $(NAMESPACE)) -- $(HELM_ARGS)

crds: ## [npm; needs Go: the CRDs come from its module cache] write the operator CRDs of crds/sources.json to OUT (default .build/crds/), for kubectl apply --server-side -f on a local cluster
	@$(SETUP) npm go
	@$(TSX) scripts/crds.ts $(if $(OUT),--out $(OUT))

test: ## [everything] all CI runs: typecheck, ESLint, jest, synth, dist up to date, determinism, helm lint, kubeconform, policy, alert rules, README flows, e2e
	@$(SETUP) all
	@bash scripts/test.sh

typecheck: ## [npm] strict TypeScript check of the whole tree
	@$(SETUP) npm
	@node_modules/.bin/tsc --noEmit -p tsconfig.json

unit: ## [npm, helm, kubeconform, gator, netpolicy, promtool, amtool, schemas, e2e control plane (its kubectl), chromium] jest only (focused tests and per-environment snapshots)
	@$(SETUP) tools e2e chromium
	@node_modules/.bin/jest

lint: ## [npm, helm, helm4] typecheck, ESLint (eslint.config.js), helm lint --strict (Helm 3 and 4) of every packaged environment
	@$(SETUP) helm helm4
	@bash scripts/test.sh typecheck lint

validate: ## [npm, helm, helm4, kubeconform, schemas] kubeconform (strict, offline) on dist/ and on helm template of every package; helm4 template renders the same documents
	@$(SETUP) helm helm4 kubeconform schemas
	@bash scripts/test.sh validate

determinism: ## [npm] synthesize twice in separate processes and compare bytes
	@$(SETUP) npm
	@bash scripts/test.sh determinism

.PHONY: connectivity
connectivity: ## [npm] who may reach whom in ENV (default prod), through which layers, and the flows it needs; JSON: .build/report/ENV/connectivity.json; exit 1 on a finding
	@$(SETUP) npm
	@bin/bulwark connectivity --env $(ENV) --report .build/report/$(ENV)/connectivity.json

.PHONY: report
report: ## [npm] the compliance report of every environment (ENV=<env>: that one): dist/<env>/report/compliance.{md,json,html}, the control matrix, RBAC matrix, network picture, policy inventory and waivers; exit 1 on an unwaived error
	@$(SETUP) npm
	@bin/bulwark report $(if $(ENV),--env $(ENV))

.PHONY: verify
verify: ## [npm; kubectl] compare the cluster of KUBECONFIG with dist/$(ENV) (default prod): missing, extra and drifted objects, Pod Security labels, RBAC, rollouts; dist/<env>/report/deployment.{md,json}; exit 1 when it differs
	@$(SETUP) npm
	@bin/bulwark verify --env $(ENV) $(if $(KUBECONFIG),--kubeconfig $(KUBECONFIG))

.PHONY: policy
policy: ## [npm, gator, kubeconform, schemas] gator verify of every rule, dist/ against its own policies, mutators, Falco rules, key material
	@$(SETUP) gator kubeconform schemas
	@bash scripts/test.sh policy

.PHONY: rules
rules: ## [npm, promtool, amtool] promtool check rules + test rules (every alert's unit tests) and amtool check-config + routes test, per dist/<env>
	@$(SETUP) promtool amtool
	@bash scripts/test.sh rules

.PHONY: build bench
build: ## [npm] compile to .build/ (incremental) and its startup snapshot .build/bulwark.blob: the fast path of bin/bulwark and make synth
	@$(SETUP) npm
	@node_modules/.bin/tsc -p tsconfig.build.json && touch .build/.stamp && $(TSX) scripts/build-snapshot.ts

bench: build ## [npm, helm, kube-score] Bulwark synth vs helm template vs a floor at 10, 100, 1000 services, and bulwark check vs kube-score; writes bench/results.md
	@$(SETUP) helm kube-score
	@$(TSX) bench/run.ts

diff: ## [npm] what a synth of the working tree changes against REF (default: the dist branch, else HEAD), object by object, then YAML diffs; FORMAT=markdown: a PR comment; ENV=<env>; exit 1 when anything differs
	@$(SETUP) npm
	@bin/bulwark diff $(if $(REF),--ref $(REF)) $(if $(FORMAT),--format $(FORMAT)) $(if $(filter command line,$(origin ENV)),--env $(ENV))

.PHONY: publish
publish: ## [npm] commit the output of HEAD (dist/, checked fresh) to the dist branch, a path per environment; REMOTE=<remote>: push, TO=<branch>: staging branch
	@$(SETUP) npm
	@bin/bulwark publish $(if $(REMOTE),--remote $(REMOTE)) $(if $(TO),--to $(TO))

.PHONY: docs
docs: ## [npm] regenerate the overlay reference of README.md and overlays/overlay.schema.json from lib/config/overlay-schema.ts, its list of needed flows from lib/connectivity/needed-flows.ts and its check table from lib/checks
	@$(SETUP) npm
	@$(TSX) scripts/gen-overlay-docs.ts
	@$(TSX) scripts/gen-flow-docs.ts
	@$(TSX) scripts/gen-check-docs.ts

.PHONY: imports
imports: ## [npm; needs Go: CRDs come from its module cache] regenerate imports/ (typed CRD bindings) from crds/sources.json, and the L1 shapes fast-json reads from them
	@$(SETUP) npm go
	@$(TSX) scripts/gen-imports.ts && $(TSX) scripts/gen-l1-shapes.ts

.PHONY: upgrade
upgrade: ## [what the pin needs] upgrade one pin and show the dist/ + snapshot diff: PKG=<npm-package>@<version> or TOOL=<tool> VERSION=<vX.Y.Z> [DRY_RUN=1]
	@bash scripts/upgrade.sh $(if $(DRY_RUN),--dry-run) $(PKG) $(TOOL) $(if $(filter command line,$(origin VERSION)),$(VERSION))

.PHONY: e2e
e2e: ## [npm, helm, helm4, e2e control plane, Argo CD + redis] every environment against a real etcd + kube-apiserver started (and stopped) for the run; dev also through a real Argo CD
	@$(SETUP) helm helm4 e2e gitops
	@bash scripts/e2e.sh

clean: ## [nothing] remove build outputs (keeps .tools/ and node_modules/)
	@rm -rf .build .cdk8s.out dist/*/platform-*.tgz
