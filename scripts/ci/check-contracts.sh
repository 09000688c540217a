#!/usr/bin/env bash
# Contract checks: buf lint, buf breaking against main, and generated TypeScript matching proto/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/node/use-node.sh

(cd proto && npx buf lint)

if git rev-parse --verify --quiet main >/dev/null && git cat-file -e main:proto/buf.yaml 2>/dev/null; then
  (cd proto && npx buf breaking --against '../.git#branch=main,subdir=proto')
else
  echo "buf breaking: main has no proto/ yet, nothing to compare against"
fi

(cd proto && npx buf generate)
if [[ -n "$(git status --porcelain -- libs/contracts/src/gen)" ]]; then
  git status --porcelain -- libs/contracts/src/gen
  echo "Generated contracts differ from proto/: run 'make generate' and commit libs/contracts/src/gen." >&2
  exit 1
fi
