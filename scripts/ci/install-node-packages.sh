#!/usr/bin/env bash
# Installs the workspace's npm packages at the versions in package-lock.json.
# Not `npm ci`: the registry this project builds against serves only this platform's (linux-x64)
# optional binaries (@swc/core, @bufbuild/buf, nx, ...), so the lock made here cannot list the
# other platforms' ones, and `npm ci` rejects such a lock as out of sync. `npm install` with the
# lock present installs the locked versions.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/node/use-node.sh
# Up to date when npm's record of node_modules is newer than the lock and every workspace manifest.
installed=node_modules/.package-lock.json
if [[ -f $installed ]] &&
  [[ -z $(find package.json package-lock.json libs/*/package.json services/*/package.json tools/*/package.json -newer "$installed") ]]; then
  exit 0
fi
npm install --no-audit --no-fund
