#!/usr/bin/env bash
# `make test`: everything, from a fresh clone. Installs what is missing (npm packages, Debian
# packages, the stack's servers, the deploy check tools), checks contracts, format, lint and types, builds, runs the unit
# tests, starts the real stack, runs the integration tests, stops the stack (also on failure) and
# ends with one line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node/use-node.sh
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false FORCE_COLOR=0
REPORTS=reports
rm -rf "$REPORTS" && mkdir -p "$REPORTS"

step_started=$SECONDS
step() {
  printf '\n==> %s (previous step took %ss)\n' "$*" "$((SECONDS - step_started))"
  step_started=$SECONDS
}

step "node packages"
echo "Node.js $(node --version) from $(command -v node)"
scripts/ci/install-node-packages.sh

step "stack servers (built once into ${TESSERA_CACHE_DIR:-~/.cache/tessera})"
scripts/stack/install.sh

step "deploy check tools: helm, kustomize, kubeconform, Kubernetes schemas (cached too)"
scripts/deploy/install-tools.sh

step "contracts: buf lint, buf breaking against main, generated code up to date"
scripts/ci/check-contracts.sh

step "format (prettier)"
npx prettier --check . --log-level warn

step "lint (eslint with Nx module boundaries)"
npx nx show projects >/dev/null
npx eslint . --max-warnings=0

step "typecheck"
npx tsc -p tsconfig.json --noEmit

step "build"
npx nx run-many -t build --output-style=static

step "unit tests"
unit_status=0
npx jest --json --outputFile="$REPORTS/unit.json" || unit_status=$?

step "stack up"
trap 'scripts/stack/stack.sh down' EXIT
scripts/stack/stack.sh up
# A second up must change nothing.
second_up="$(scripts/stack/stack.sh up 2>&1)"
grep -q 'already running: nothing to do' <<<"$second_up" \
  || { echo "a second 'stack.sh up' was not a no-op:" >&2; echo "$second_up" >&2; exit 1; }

step "integration tests against the real stack"
integration_status=0
scripts/ci/sample-memory.sh "$REPORTS/stack-memory.txt" &
sampler=$!
npx jest -c jest.integration.config.js --json --outputFile="$REPORTS/integration.json" || integration_status=$?
kill "$sampler" 2>/dev/null || true
echo "peak stack memory during the integration tests (MiB): $(cat "$REPORTS/stack-memory.txt" 2>/dev/null)"

step "stack down"
trap - EXIT
stack_pids="$(cat "${TESSERA_STACK_DIR:-${TESSERA_CACHE_DIR:-$HOME/.cache/tessera}/run}"/pids/*.pid 2>/dev/null | cut -d' ' -f1)"
scripts/stack/stack.sh down
for pid in $stack_pids; do
  if [[ -n "$(ps -o pid= -g "$pid" 2>/dev/null)" ]]; then
    echo "process group $pid still has processes after stack down" >&2
    ps -o pid=,args= -g "$pid" >&2
    exit 1
  fi
done
echo "stack down: no server process left"

echo
echo "unit exit ${unit_status}, integration exit ${integration_status}; reports in $REPORTS/"
node scripts/ci/jest-summary.js "$REPORTS/unit.json" "$REPORTS/integration.json"
