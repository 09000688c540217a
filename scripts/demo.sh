#!/usr/bin/env bash
# `make demo`: brings up the stack and the three services, then shows their health.
# (The upload/download walk-through and the trace of the parallel read join as those features land.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/stack/common.sh
source scripts/stack/servers.sh
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

scripts/ci/install-node-packages.sh
scripts/stack/install.sh # every server and grpcurl, which the demo calls the services with
scripts/stack/stack.sh up
npx nx run-many -t build --output-style=static >/dev/null

GRPCURL="$BIN_DIR/grpcurl-$GRPCURL_VERSION"
declare -A GRPC_PORTS=([intake-gateway]=50051 [repository-service]=50052 [metadata-service]=50053)
declare -A HTTP_PORTS=([intake-gateway]=8081 [repository-service]=8082 [metadata-service]=8083)

for service in repository-service metadata-service intake-gateway; do
  if is_running "svc-$service"; then continue; fi
  GRPC_PORT="${GRPC_PORTS[$service]}" HTTP_PORT="${HTTP_PORTS[$service]}" \
    S3_ENDPOINT="http://127.0.0.1:$MINIO_PORT" S3_ACCESS_KEY_ID="$MINIO_ROOT_USER" S3_SECRET_ACCESS_KEY="$MINIO_ROOT_PASSWORD" \
    TIDB_PORT="$TIDB_PORT" REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
    OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$JAEGER_OTLP_GRPC_PORT" \
    launch "svc-$service" node "services/$service/dist/main.js"
done

echo
printf '%-20s %-17s %-8s %s\n' SERVICE GRPC HEALTH API
for service in intake-gateway repository-service metadata-service; do
  port="${GRPC_PORTS[$service]}"
  if ! wait_until 30 "$service" tcp_open "$port"; then
    tail -20 "$LOG_DIR/svc-$service.log" >&2
    die "$service did not start"
  fi
  health="$("$GRPCURL" -plaintext -d '{}' "127.0.0.1:$port" grpc.health.v1.Health/Check | tr -d ' \n')"
  api="$("$GRPCURL" -plaintext "127.0.0.1:$port" list | grep '^tessera\.' | tr '\n' ' ')"
  printf '%-20s %-17s %-8s %s\n' "$service" "127.0.0.1:$port" "$(sed -n 's/.*"status":"\([A-Z_]*\)".*/\1/p' <<<"$health")" "$api"
done
echo
echo "Service logs: $LOG_DIR/svc-*.log   Jaeger: http://127.0.0.1:$JAEGER_QUERY_PORT"
echo "Stop everything with: make stack-down"
