#!/usr/bin/env bash
# The flake hunt (docs/development.md): runs the whole integration suite ROUNDS times with both cores
# loaded by a CPU hog (stress-ng, LOAD percent of each core), then lists every test that failed in
# any round and how often. Usage: scripts/ci/flake-hunt.sh [ROUNDS=3] [LOAD=50] [jest args...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/node/use-node.sh
rounds="${1:-3}"; load="${2:-50}"; shift $(( $# < 2 ? $# : 2 ))
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false FORCE_COLOR=0
out=reports/flake-hunt; rm -rf "$out"; mkdir -p "$out"

scripts/ci/install-node-packages.sh
scripts/stack/install.sh
npx nx run-many -t build --output-style=static
trap 'kill "$hog" 2>/dev/null || true; scripts/stack/stack.sh down' EXIT
scripts/stack/stack.sh up

for round in $(seq 1 "$rounds"); do
  stress-ng --cpu 2 --cpu-load "$load" --timeout 2h --quiet & hog=$!
  started=$SECONDS
  npx jest -c jest.integration.config.js --json --outputFile="$out/round-$round.json" "$@" \
    >"$out/round-$round.log" 2>&1 || true
  kill "$hog"; wait "$hog" 2>/dev/null || true
  echo "round $round: $(node scripts/ci/jest-summary.js "$out/round-$round.json" || true) in $((SECONDS - started)) s"
done

node -e '
  const { readFileSync, existsSync } = require("node:fs");
  const failures = new Map();
  for (const file of process.argv.slice(1)) {
    if (!existsSync(file)) continue;
    for (const suite of JSON.parse(readFileSync(file, "utf8")).testResults) {
      if (suite.status === "failed" && suite.assertionResults.length === 0)
        failures.set(suite.name, (failures.get(suite.name) ?? 0) + 1);
      for (const test of suite.assertionResults)
        if (test.status === "failed") failures.set(test.fullName, (failures.get(test.fullName) ?? 0) + 1);
    }
  }
  if (failures.size === 0) console.log("no test failed in any round");
  for (const [name, count] of failures) console.log(`${count}x ${name}`);
' "$out"/round-*.json
