#!/usr/bin/env bash
# Prints the directory whose `node` and `npm` Tessera runs on: the machine's own when its major
# version is at least NODE_MIN_MAJOR, otherwise NODE_VERSION installed once into the cache from the
# npm registry (packages node-linux-<arch> and npm), each tarball checked by its integrity hash.
# Needs only curl, tar and openssl. Progress goes to stderr, so `$(scripts/node/ensure-node.sh)` is the
# directory alone.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
say() { printf '[node] %s\n' "$*" >&2; }

if [[ -z ${TESSERA_FORCE_CACHED_NODE:-} ]] && machine_node="$(command -v node)" &&
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" && ((major >= NODE_MIN_MAJOR)); then
  dirname "$machine_node"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 ;;
  Linux-aarch64) platform=linux-arm64 ;;
  *) say "no Node.js package pinned for $(uname -s)-$(uname -m): install Node.js ${NODE_MIN_MAJOR}+ yourself" && exit 1 ;;
esac
integrity_var="NODE_INTEGRITY_${platform//-/_}"
registry="${TESSERA_NPM_REGISTRY:-https://registry.npmjs.org}"
cache="${TESSERA_CACHE_DIR:-$HOME/.cache/tessera}"
target="$cache/node-v$NODE_VERSION-$platform-npm$NPM_VERSION"
if [[ -x $target/bin/node && -x $target/bin/npm ]]; then
  echo "$target/bin"
  exit 0
fi

# fetch_checked <package> <version> <integrity> <file>: downloads a registry tarball and checks it.
fetch_checked() {
  local package=$1 version=$2 integrity=$3 file=$4 actual
  curl -fsSL --retry 3 -o "$file" "$registry/$package/-/$package-$version.tgz"
  actual="sha512-$(openssl dgst -sha512 -binary "$file" | base64 -w0)"
  [[ $actual == "$integrity" ]] || { say "$package@$version: integrity $actual, expected $integrity" && return 1; }
}

mkdir -p "$cache"
exec 9>"$cache/.node-install.lock"
flock 9
[[ -x $target/bin/npm ]] && { echo "$target/bin"; exit 0; }
say "installing Node.js $NODE_VERSION and npm $NPM_VERSION into $target (the machine has $(node --version 2>/dev/null || echo none))"
work="$(mktemp -d "$cache/.node-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT
fetch_checked "node-$platform" "$NODE_VERSION" "${!integrity_var}" "$work/node.tgz"
fetch_checked npm "$NPM_VERSION" "$NPM_INTEGRITY" "$work/npm.tgz"
mkdir -p "$work/root/lib/node_modules/npm"
tar -xzf "$work/node.tgz" -C "$work/root" --strip-components=1
tar -xzf "$work/npm.tgz" -C "$work/root/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/root/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/root/bin/npx"
"$work/root/bin/node" --version >/dev/null
rm -rf "$target" && mv "$work/root" "$target"
echo "$target/bin"
