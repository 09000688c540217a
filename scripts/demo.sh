#!/usr/bin/env bash
# `make demo`: brings up the stack and the three services, uploads a sample file with the CLI,
# downloads it, checks the bytes, prints the download's trace (its parallel S3 reads) as a waterfall,
# writes both traces' waterfalls to files, and ends with what to open or run next. The services keep
# running for the README's quickstart; `make stack-down` stops them and the stack.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node/use-node.sh
source scripts/stack/common.sh
source scripts/stack/servers.sh
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

scripts/ci/install-node-packages.sh
scripts/stack/install.sh # every server and grpcurl, which the demo calls the services with
scripts/stack/stack.sh up
npx nx run-many -t build --output-style=static >/dev/null

# The outbox relay looks up the lifecycle event schemas in Apicurio Registry (`make schemas`).
TESSERA_SCHEMA_REGISTRY_URL="http://127.0.0.1:$APICURIO_PORT/apis/registry/v3" \
  node libs/schema-registry/dist/register-contracts.cli.js --proto-dir proto >"$LOG_DIR/demo-schemas.log" 2>&1 ||
  { cat "$LOG_DIR/demo-schemas.log" >&2; die "registering the contracts in Apicurio failed"; }

GRPCURL="$BIN_DIR/grpcurl-$GRPCURL_VERSION"
declare -A GRPC_PORTS=([intake-gateway]=50051 [repository-service]=50052 [metadata-service]=50053)
declare -A HTTP_PORTS=([intake-gateway]=8081 [repository-service]=8082 [metadata-service]=8083)

for service in repository-service metadata-service intake-gateway; do
  if is_running "svc-$service"; then continue; fi
  GRPC_PORT="${GRPC_PORTS[$service]}" HTTP_PORT="${HTTP_PORTS[$service]}" \
    S3_ENDPOINT="http://127.0.0.1:$MINIO_PORT" S3_ACCESS_KEY_ID="$MINIO_ROOT_USER" S3_SECRET_ACCESS_KEY="$MINIO_ROOT_PASSWORD" \
    TIDB_PORT="$TIDB_PORT" REDIS_URL="redis://127.0.0.1:$REDIS_PORT" KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" \
    SCHEMA_REGISTRY_URL="http://127.0.0.1:$APICURIO_PORT/apis/registry/v3" \
    OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$JAEGER_OTLP_GRPC_PORT" \
    launch "svc-$service" node --single-threaded-gc "services/$service/dist/main.js" # SERVICE_NODE_FLAGS
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

# The walk-through: a 64 MiB sample in 8 MiB chunks, so the download reads 8 S3 parts in parallel.
tessera() { node tools/cli/bin/tessera.js "$@"; }
json_field() { node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(0, "utf8"))[process.argv[1]]))' "$1"; }
demo_dir="$RUN_DIR/demo"
mkdir -p "$demo_dir"
head -c $((64 * 1024 * 1024)) /dev/urandom >"$demo_dir/sample.bin"
echo
echo "\$ tessera upload $demo_dir/sample.bin --chunk-mib 8"
tessera upload "$demo_dir/sample.bin" --chunk-mib 8 --name "demo-$(date +%s).bin" --json | tee "$demo_dir/upload.json"
node_id="$(json_field nodeId <"$demo_dir/upload.json")"
echo "\$ tessera download $node_id -o $demo_dir/sample.out"
tessera download "$node_id" -o "$demo_dir/sample.out" --json | tee "$demo_dir/download.json"
cmp "$demo_dir/sample.bin" "$demo_dir/sample.out" || die "the downloaded bytes differ from the uploaded ones"
echo "verified: the download is byte-identical (sha256 $(json_field sha256 <"$demo_dir/download.json"))"

upload_trace="$(json_field traceId <"$demo_dir/upload.json")"
download_trace="$(json_field traceId <"$demo_dir/download.json")"
jaeger_api="http://127.0.0.1:$JAEGER_QUERY_PORT/api/traces"

# Each service exports its spans in batches, seconds apart, so a trace can stop growing for a while
# before the last service's batch is in: first wait until every service the request crossed shows.
trace_has_services() { # <trace-id> <service...>
  curl -fsS --max-time 2 "$jaeger_api/$1" | node -e '
    const trace = JSON.parse(require("fs").readFileSync(0, "utf8")).data?.[0];
    const services = new Set(Object.values(trace?.processes ?? {}).map((p) => p.serviceName));
    process.exit(process.argv.slice(1).every((s) => services.has(s)) ? 0 : 1);' "${@:2}"
}
# The CLI ends a waterfall with the trace's address in the Jaeger UI, which this locally built Jaeger
# does not have (no UI assets), so the file ends with the trace's query API address instead.
write_waterfall() { # <trace-id> <file> <service...>
  wait_until 30 "trace $1" trace_has_services "$1" "${@:3}" || true
  tessera trace "$1" --wait 30 --width 120 | sed "\$s|^.*/trace/|$jaeger_api/|" >"$2"
}
write_waterfall "$upload_trace" "$demo_dir/upload-trace.txt" intake-gateway repository-service metadata-service
write_waterfall "$download_trace" "$demo_dir/download-trace.txt" intake-gateway metadata-service

echo
echo "The download's trace: the metadata lookup, then the parallel S3 reads ($demo_dir/download-trace.txt)"
cat "$demo_dir/download-trace.txt"

gateway_http="http://127.0.0.1:${HTTP_PORTS[intake-gateway]}"
cat <<NEXT

Open or run next:
  less -S $demo_dir/upload-trace.txt   # the upload's trace: every span, all three services
  curl -s $jaeger_api/$upload_trace | head -c 300   # the same trace as JSON from Jaeger's query API (this Jaeger has no web UI)
  npx tessera trace <trace-id>   # any trace as a waterfall; every tessera command prints its trace id
  npx tessera ls                 # the stored files; README.md's quickstart uploads one of yours
  curl -s $gateway_http/metrics | grep '^tessera_' | head   # the gateway's Prometheus metrics
  ls $LOG_DIR/svc-*.log   # each service's JSON log

The services keep running (gRPC 50051-50053, HTTP 8081-8083); make stack-down stops them and the stack.
NEXT
