#!/usr/bin/env bash
# Helpers to build Go binaries from their modules into the cache (sourced after common.sh).

SRC_DIR="$CACHE_DIR/src"
mkdir -p "$SRC_DIR"
export GOFLAGS="-buildvcs=false -trimpath"

# module_dir <module@version>: downloads a module and prints its (read-only) directory.
module_dir() {
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

# writable_copy <module@version> <dest>: a writable copy of a module's source, to build in place.
writable_copy() {
  local dir; dir="$(module_dir "$1")"
  [[ -n "$dir" ]] || die "could not download Go module $1"
  rm -rf "$2"; cp -r "$dir" "$2"; chmod -R u+w "$2"
}

timed_build() {
  local name="$1"; shift
  local start=$SECONDS
  log "building $name (this takes minutes on 2 cores; log: $LOG_DIR/build-$name.log)"
  if ! "$@" >"$LOG_DIR/build-$name.log" 2>&1; then
    tail -30 "$LOG_DIR/build-$name.log" >&2
    die "building $name failed"
  fi
  log "built $name in $((SECONDS - start)) s"
}

# build_go_binary <name> <module> <version> <package> <out> [toolchain]; GO_LDFLAGS, when set, is
# passed to go build (e.g. to stamp a version).
build_go_binary() {
  local name="$1" module="$2" version="$3" pkg="$4" out="$5" toolchain="${6:-local}"
  local src="$SRC_DIR/$name-$version"
  writable_copy "$module@$version" "$src"
  (cd "$src" && GOTOOLCHAIN="$toolchain" go build ${GO_LDFLAGS:+-ldflags "$GO_LDFLAGS"} -o "$out.tmp" "$pkg") \
    && mv "$out.tmp" "$out"
}

