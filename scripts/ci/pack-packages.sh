#!/usr/bin/env bash
# npm tarballs of the packages a user installs: every libs/* and tools/* package without
# "private": true (the SDK, the tessera CLI and the libs they use; docs/packages.md).
#
#   scripts/ci/pack-packages.sh [out-dir]     (default dist/packages, git-ignored)
#
# Each package is compiled afresh into a staging copy (no source maps or build info, nothing stale
# from an earlier build), given the repository's LICENSE, and packed there with `npm pack`, so the
# working tree's dist/ directories, which running services and tests load, are never removed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=$(realpath -m "${1:-dist/packages}")

mapfile -t packages < <(node -e '
  const { readdirSync, readFileSync, existsSync } = require("node:fs");
  for (const parent of ["libs", "tools"])
    for (const name of readdirSync(parent)) {
      const manifest = `${parent}/${name}/package.json`;
      if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).private !== true)
        console.log(`${parent}/${name}`);
    }')

# Their references (the libs each one imports) must be built for the staging compiles to read
# their declarations; this is the same incremental build as `make build`.
npx tsc -b "${packages[@]/%//tsconfig.build.json}"

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir -p "$out"
for dir in "${packages[@]}"; do
  stage="$staging/$dir"
  mkdir -p "$stage"
  cp "$dir/package.json" "$dir/README.md" LICENSE "$stage/"
  if [[ -d $dir/bin ]]; then cp -r "$dir/bin" "$stage/bin"; fi
  npx tsc -p "$dir/tsconfig.build.json" --outDir "$stage/dist" \
    --tsBuildInfoFile "$stage/build.tsbuildinfo" --sourceMap false
  tarball=$(cd "$stage" && npm pack --pack-destination "$out" --silent)
  echo "$out/$tarball"
done
