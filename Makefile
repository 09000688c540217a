# Tessera's entry points. `make test` and `make demo` each install what they need on a fresh machine.
# Every target runs on the project's Node.js (scripts/node/versions.env): the machine's own when it is
# new enough, otherwise one installed into the cache by scripts/node/ensure-node.sh.
NODE_BIN := $(shell scripts/node/ensure-node.sh)
ifeq ($(NODE_BIN),)
$(error could not install the project's Node.js: run scripts/node/ensure-node.sh to see why)
endif
export PATH := $(NODE_BIN):$(PATH)

.PHONY: packages flake-hunt bench-load bench-sdk bench-tus bench-direct bench-small-files bench-chunk-sizes bench-streamed-path test demo deploy-check stack-up stack-down stack-status install build lint typecheck unit integration generate contracts schemas bench-upload bench-download bench-tracing

test: ## Everything: contracts, lint, types, build, unit and integration tests against the real stack
	@scripts/test.sh

demo: ## Stack + the three services up, then their health
	@scripts/demo.sh

deploy-check: ## Offline checks of charts/, k8s/, the Dockerfiles and skaffold.yaml (helm lint, kustomize, kubeconform)
	scripts/deploy/install-tools.sh
	npx jest -c tests/deploy/jest.config.js

flake-hunt: ## The integration suite ROUNDS times (3) with both cores LOAD % (50) busy with stress-ng; lists every failure
	@scripts/ci/flake-hunt.sh $(or $(ROUNDS),3) $(or $(LOAD),50)

stack-up: ## Start the local stack of real servers (idempotent)
	@scripts/stack/stack.sh up

stack-down: ## Stop the stack (and services started by the demo)
	@scripts/stack/stack.sh down

stack-status:
	@scripts/stack/stack.sh status

install:
	scripts/ci/install-node-packages.sh
	scripts/stack/install.sh

build:
	NX_DAEMON=false npx nx run-many -t build

packages: ## npm tarballs of the SDK, the tessera CLI and the libs they use, in dist/packages (docs/packages.md)
	scripts/ci/pack-packages.sh dist/packages

lint:
	NX_DAEMON=false npx nx show projects >/dev/null && npx eslint . --max-warnings=0 && npx prettier --check .

typecheck:
	npx tsc -p tsconfig.json --noEmit

unit:
	npx jest

integration: ## Needs `make stack-up` and `make build` first
	npx jest -c jest.integration.config.js

generate: ## Regenerate libs/contracts/src/gen from proto/
	cd proto && npx buf generate

contracts:
	scripts/ci/check-contracts.sh

schemas: ## Register every contract in Apicurio Registry (TESSERA_SCHEMA_REGISTRY_URL, TESSERA_SCHEMA_GROUP)
	NX_DAEMON=false npx nx build lib-schema-registry --output-style=static >/dev/null
	node libs/schema-registry/dist/register-contracts.cli.js --proto-dir proto

bench-upload: ## 1 GiB through the upload API vs. straight to MinIO, with each service's peak RSS (docs/benchmarks.md)
	scripts/ci/install-node-packages.sh
	scripts/stack/install.sh
	scripts/stack/stack.sh up
	NX_DAEMON=false npx nx run-many -t build
	npx tsx bench/upload-1gib.ts $(BENCH_ARGS)

bench-download: ## 1 GiB through ReadFile and direct with the SDK vs. plain parallel ranged GETs of the same object (docs/benchmarks.md)
	scripts/ci/install-node-packages.sh
	scripts/stack/install.sh
	scripts/stack/stack.sh up
	NX_DAEMON=false npx nx run-many -t build
	npx tsx bench/download-1gib.ts $(BENCH_ARGS)

bench-tracing: ## The same uploads and downloads with tracing on and off, in one run (docs/benchmarks.md)
	scripts/ci/install-node-packages.sh
	scripts/stack/install.sh
	scripts/stack/stack.sh up
	NX_DAEMON=false npx nx run-many -t build
	npx tsx bench/tracing-overhead.ts $(BENCH_ARGS)

BENCH_SETUP = scripts/ci/install-node-packages.sh && scripts/stack/install.sh && scripts/stack/stack.sh up \
	&& NX_DAEMON=false npx nx run-many -t build

bench-sdk: ## 1 GiB up and down through the SDK and all services vs lib-storage / ranged GETs (docs/benchmarks.md)
	$(BENCH_SETUP)
	npx tsx bench/sdk-vs-direct.ts $(BENCH_ARGS)

bench-tus: ## 1 GiB upload: Tessera vs @tus/server + @tus/s3-store and tusd on the same MinIO
	$(BENCH_SETUP) && scripts/stack/install.sh tusd
	npx tsx bench/tus-peers.ts $(BENCH_ARGS)

bench-direct: ## 1 GiB direct upload (presigned parts) vs lib-storage, the tus peers and the streamed path; CPU-s/GiB per process
	$(BENCH_SETUP) && scripts/stack/install.sh tusd
	npx tsx bench/direct-transfers.ts $(BENCH_ARGS)

bench-load: ## 200 uploads at once, 4 KiB to 256 MiB: throughput, chunk ack latency, refusals, peak RSS
	$(BENCH_SETUP)
	npx tsx bench/load-200.ts $(BENCH_ARGS)

bench-small-files: ## 1,000 files of 4 KiB: p50/p95/p99 round trips, Tessera and MinIO
	$(BENCH_SETUP)
	npx tsx bench/small-files.ts $(BENCH_ARGS)

bench-streamed-path: ## The streamed path in one run: 1 GiB up/down, 64 KiB chunks, 1,000 small files vs lib-storage, ranged GETs, tus, PutObject; CPU-s/GiB per process
	$(BENCH_SETUP) && scripts/stack/install.sh tusd
	npx tsx bench/streamed-path.ts $(BENCH_ARGS)

bench-chunk-sizes: ## upload throughput for chunk sizes 64 KiB to 64 MiB
	$(BENCH_SETUP)
	npx tsx bench/chunk-sizes.ts $(BENCH_ARGS)
