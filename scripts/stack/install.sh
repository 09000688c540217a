#!/usr/bin/env bash
# Obtains every server of the local stack into the cache, building Go servers from their modules
# and fetching jars from Maven Central. Idempotent: what is already cached is not built again.
# Usage: install.sh [redis|stress_ng|tidb|minio|jaeger|toxiproxy|kafka|apicurio|grpcurl|tusd ...]
# (default: all but tusd, a benchmark peer)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# shellcheck source=go-build.sh
source "$STACK_DIR/go-build.sh"

install_redis() {
  command -v redis-server >/dev/null && return 0
  log "installing redis-server from Debian"
  # Keep the package's init script from starting a system-wide Redis on 6379.
  local policy=/usr/sbin/policy-rc.d created=0
  if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created=1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  local rc=$?
  ((created)) && rm -f "$policy"
  return $rc
}

# stress-ng: not a server; the tests load the CPU with it to prove the health gates (docs/reliability.md).
install_stress_ng() {
  command -v stress-ng >/dev/null && return 0
  log "installing stress-ng from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng >/dev/null
}

install_tidb() {
  local out="$BIN_DIR/tidb-server-$TIDB_VERSION"
  [[ -x $out ]] && return 0
  timed_build tidb build_tidb "$out"
}
build_tidb() {
  local src="$SRC_DIR/tidb-$TIDB_VERSION"
  writable_copy "$TIDB_MODULE@$TIDB_VERSION" "$src"
  # The module zip omits the nested parser module that go.mod replaces with ./pkg/parser.
  writable_copy "$TIDB_MODULE/pkg/parser@$TIDB_PARSER_VERSION" "$src/pkg/parser.tmp"
  rm -rf "$src/pkg/parser" && mv "$src/pkg/parser.tmp" "$src/pkg/parser"
  (cd "$src" && GOTOOLCHAIN="$GO_TOOLCHAIN_TIDB" go build -o "$1.tmp" ./cmd/tidb-server) && mv "$1.tmp" "$1"
}

install_minio() {
  local out="$BIN_DIR/minio-$MINIO_VERSION"
  [[ -x $out ]] && return 0
  timed_build minio build_go_binary minio "$MINIO_MODULE" "$MINIO_VERSION" . "$out"
}

install_jaeger() {
  local out="$BIN_DIR/jaeger-$JAEGER_VERSION"
  [[ -x $out ]] && return 0
  timed_build jaeger build_go_binary jaeger "$JAEGER_MODULE" "$JAEGER_VERSION" ./cmd/jaeger "$out"
}

install_toxiproxy() {
  local out="$BIN_DIR/toxiproxy-$TOXIPROXY_VERSION"
  [[ -x $out ]] && return 0
  timed_build toxiproxy build_go_binary toxiproxy "$TOXIPROXY_MODULE" "$TOXIPROXY_VERSION" ./cmd/server "$out"
}

# grpcurl: not a server, but how the tests and developers call the services through reflection.
install_grpcurl() {
  local out="$BIN_DIR/grpcurl-$GRPCURL_VERSION"
  [[ -x $out ]] && return 0
  timed_build grpcurl build_go_binary grpcurl "$GRPCURL_MODULE" "$GRPCURL_VERSION" ./cmd/grpcurl "$out"
}

# tusd: not a server of the stack, a benchmark peer (bench/tus-peers.ts); installed on request.
install_tusd() {
  local out="$BIN_DIR/tusd-$TUSD_VERSION"
  [[ -x $out ]] && return 0
  timed_build tusd build_go_binary tusd "$TUSD_MODULE" "$TUSD_VERSION" ./cmd/tusd "$out"
}

install_kafka() {
  local home="$CACHE_DIR/kafka-$KAFKA_VERSION"
  [[ -f $home/.complete ]] && return 0
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central"
  local pom_dir; pom_dir="$(mktemp -d)"
  sed -e "s/@SCALA@/$KAFKA_SCALA/" -e "s/@VERSION@/$KAFKA_VERSION/" \
      -e "s/@SLF4J_G@/${KAFKA_SLF4J_BINDING%%:*}/" \
      -e "s/@SLF4J_A@/$(cut -d: -f2 <<<"$KAFKA_SLF4J_BINDING")/" \
      -e "s/@SLF4J_V@/${KAFKA_SLF4J_BINDING##*:}/" \
      "$STACK_DIR/kafka-pom.xml.in" >"$pom_dir/pom.xml"
  rm -rf "$home"; mkdir -p "$home/lib"
  mvn -q -B -f "$pom_dir/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$home/lib" >"$LOG_DIR/build-kafka.log" 2>&1 \
    || { tail -30 "$LOG_DIR/build-kafka.log" >&2; die "fetching Kafka failed"; }
  rm -rf "$pom_dir"
  touch "$home/.complete"
}

install_apicurio() {
  local home="$CACHE_DIR/apicurio-$APICURIO_VERSION"
  [[ -f $home/.complete ]] && return 0
  find_java 21 >/dev/null || die "Apicurio Registry $APICURIO_VERSION needs Java 21+; none found under /usr/lib/jvm"
  log "fetching Apicurio Registry $APICURIO_VERSION from Maven Central"
  rm -rf "$home"; mkdir -p "$home"
  mvn -q -B dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
      -DoutputDirectory="$home" >"$LOG_DIR/build-apicurio.log" 2>&1 \
    || { tail -30 "$LOG_DIR/build-apicurio.log" >&2; die "fetching Apicurio failed"; }
  tar -xzf "$home"/*.tar.gz -C "$home" && rm -f "$home"/*.tar.gz
  touch "$home/.complete"
}

components=("$@")
((${#components[@]})) || components=(redis stress_ng kafka apicurio toxiproxy grpcurl minio jaeger tidb)
for component in "${components[@]}"; do
  "install_$component"
done
log "installed: ${components[*]}"
