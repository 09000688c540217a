#!/usr/bin/env bash
# Shared settings of the local-stack scripts: cache paths, ports, logging and waiting helpers.
set -euo pipefail

STACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$STACK_DIR/../.." && pwd)"
# shellcheck source=versions.env
source "$STACK_DIR/versions.env"

CACHE_DIR="${TESSERA_CACHE_DIR:-$HOME/.cache/tessera}"
BIN_DIR="$CACHE_DIR/bin"
RUN_DIR="${TESSERA_STACK_DIR:-$CACHE_DIR/run}"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
DATA_DIR="$RUN_DIR/data"
mkdir -p "$BIN_DIR" "$LOG_DIR" "$PID_DIR" "$DATA_DIR"

# Ports, each overridable by the environment.
REDIS_PORT="${TESSERA_REDIS_PORT:-6379}"
TIDB_PORT="${TESSERA_TIDB_PORT:-4000}"
TIDB_STATUS_PORT="${TESSERA_TIDB_STATUS_PORT:-10080}"
MINIO_PORT="${TESSERA_MINIO_PORT:-9000}"
MINIO_CONSOLE_PORT="${TESSERA_MINIO_CONSOLE_PORT:-9001}"
KAFKA_PORT="${TESSERA_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${TESSERA_KAFKA_CONTROLLER_PORT:-9093}"
JAEGER_OTLP_GRPC_PORT="${TESSERA_JAEGER_OTLP_GRPC_PORT:-4317}"
JAEGER_OTLP_HTTP_PORT="${TESSERA_JAEGER_OTLP_HTTP_PORT:-4318}"
JAEGER_QUERY_PORT="${TESSERA_JAEGER_QUERY_PORT:-16686}"
APICURIO_PORT="${TESSERA_APICURIO_PORT:-8080}"
APICURIO_MANAGEMENT_PORT="${TESSERA_APICURIO_MANAGEMENT_PORT:-8091}"
TOXIPROXY_PORT="${TESSERA_TOXIPROXY_PORT:-8474}"

MINIO_ROOT_USER="${TESSERA_MINIO_USER:-tessera}"
MINIO_ROOT_PASSWORD="${TESSERA_MINIO_PASSWORD:-tessera-secret}"

log() { printf '[stack %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# wait_until <seconds> <description> <command...>: polls the command until it succeeds.
wait_until() {
  local timeout="$1" what="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.5
  done
}

http_ok() { curl -fsS --max-time 2 "$1" >/dev/null; }
tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A pid file holds "<pid> <executable>": after a reboot or a new session the pid may belong to
# another process, so a server counts as running only if that pid still runs that executable.
pid_of() { local f="$PID_DIR/$1.pid"; [[ -f "$f" ]] && cut -d' ' -f1 "$f"; }
is_running() {
  local f="$PID_DIR/$1.pid" pid executable
  [[ -f "$f" ]] || return 1
  read -r pid executable <"$f"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ -z "$executable" ]] || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$executable"
}

# Java for Kafka (17 is enough) and for Apicurio (needs 21+): the newest JDK installed.
find_java() {
  local min="$1" candidate version
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-*-jdk-amd64 /usr/lib/jvm/java-*-openjdk-amd64; do
    [[ -n "$candidate" && -x "$candidate/bin/java" ]] || continue
    version="$("$candidate/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
    if [[ -n "$version" && "$version" -ge "$min" ]]; then
      echo "$candidate/bin/java"
      return 0
    fi
  done
  return 1
}
