#!/usr/bin/env bash
# How each server of the local stack is started and how we know it really answers.
# Sourced by stack.sh; every start_* runs the server in its own process group, in the foreground
# of that group, so stack.sh can record its pid and stop the whole group.

launch() { # <name> <command...>: starts a server in a new session, records its pid
  local name="$1"; shift
  setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo "$! $1" >"$PID_DIR/$name.pid"
}

start_redis() {
  launch redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --protected-mode yes --daemonize no
}
ready_redis() { [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }
where_redis() { echo "redis://127.0.0.1:$REDIS_PORT"; }

# Fair locking off: with it, a prewrite whose pessimistic lock was resolved meanwhile (its TTL passed
# while the machine was starved of CPU) crashes unistore, the in-memory store the local TiDB runs
# on, with a nil pointer (unistore/tikv/mvcc.go prewritePessimistic reads the missing lock's
# ForUpdateTS). Without it the prewrite fails cleanly ("pessimistic lock not found"), as TiKV's does.
start_tidb() {
  rm -rf "$DATA_DIR/tidb"
  echo 'SET GLOBAL tidb_pessimistic_txn_fair_locking = OFF;' >"$RUN_DIR/tidb-init.sql"
  launch tidb "$BIN_DIR/tidb-server-$TIDB_VERSION" -store unistore -path "$DATA_DIR/tidb" -lease 0s \
    -initialize-sql-file "$RUN_DIR/tidb-init.sql" \
    -host 127.0.0.1 -P "$TIDB_PORT" -status-host 127.0.0.1 -status "$TIDB_STATUS_PORT" \
    -socket "$RUN_DIR/tidb.sock" -log-file "$LOG_DIR/tidb-server.log" -log-slow-query "$LOG_DIR/tidb-slow.log"
}
ready_tidb() { http_ok "http://127.0.0.1:$TIDB_STATUS_PORT/status" && tcp_open "$TIDB_PORT"; }
where_tidb() { echo "mysql://root@127.0.0.1:$TIDB_PORT (status http://127.0.0.1:$TIDB_STATUS_PORT)"; }

start_minio() {
  rm -rf "$DATA_DIR/minio"; mkdir -p "$DATA_DIR/minio"
  MINIO_ROOT_USER="$MINIO_ROOT_USER" MINIO_ROOT_PASSWORD="$MINIO_ROOT_PASSWORD" MINIO_UPDATE=off \
    launch minio "$BIN_DIR/minio-$MINIO_VERSION" server "$DATA_DIR/minio" --quiet \
    --address "127.0.0.1:$MINIO_PORT" --console-address "127.0.0.1:$MINIO_CONSOLE_PORT"
}
ready_minio() { http_ok "http://127.0.0.1:$MINIO_PORT/minio/health/ready"; }
where_minio() { echo "http://127.0.0.1:$MINIO_PORT (user $MINIO_ROOT_USER)"; }

# write_kafka_config <conf-dir> <data-dir> <port> <controller-port>: server.properties and log4j
# settings of a single-node KRaft broker.
write_kafka_config() {
  local conf="$1" data="$2" port="$3" controller_port="$4"
  mkdir -p "$conf"
  sed -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" \
      -e "s#@LOG_DIR@#$data#g" "$STACK_DIR/kafka.properties.in" >"$conf/server.properties"
  printf 'log4j.rootLogger=INFO, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%%d] %%p %%m (%%c)%%n\n' >"$conf/log4j.properties"
}

# kafka_java <conf-dir>: sets KAFKA_JAVA to the java command line (without main class) of a broker.
kafka_java() {
  local java
  java="$(find_java 17)" || die "Kafka needs Java 17+"
  KAFKA_JAVA=("$java" -Xms256m -Xmx512m "-Dlog4j.configuration=file:$1/log4j.properties"
    -cp "$CACHE_DIR/kafka-$KAFKA_VERSION/lib/*")
}

# format_kafka_storage <conf-dir> <data-dir>: formats the broker's log dir unless it already is (a
# second format with a new cluster id would be refused).
format_kafka_storage() {
  kafka_java "$1"
  [[ -f "$2/meta.properties" ]] && return 0
  local cluster_id
  # random-uuid also logs through log4j to stdout: the id is the last line.
  cluster_id="$("${KAFKA_JAVA[@]}" kafka.tools.StorageTool random-uuid | tail -n1)"
  "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$1/server.properties"
}

start_kafka() {
  local conf="$RUN_DIR/kafka"
  rm -rf "$DATA_DIR/kafka" "$conf"
  write_kafka_config "$conf" "$DATA_DIR/kafka" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"
  format_kafka_storage "$conf" "$DATA_DIR/kafka" >>"$LOG_DIR/kafka.log" 2>&1
  launch kafka "${KAFKA_JAVA[@]}" kafka.Kafka "$conf/server.properties"
}
ready_kafka() { tcp_open "$KAFKA_PORT" && grep -q 'Kafka Server started' "$LOG_DIR/kafka.log"; }
where_kafka() { echo "127.0.0.1:$KAFKA_PORT (KRaft controller 127.0.0.1:$KAFKA_CONTROLLER_PORT)"; }

JAEGER_HEALTH_PORT="${TESSERA_JAEGER_HEALTH_PORT:-13133}"
JAEGER_QUERY_GRPC_PORT="${TESSERA_JAEGER_QUERY_GRPC_PORT:-16685}"
start_jaeger() {
  sed -e "s#@QUERY_PORT@#$JAEGER_QUERY_PORT#" -e "s#@QUERY_GRPC_PORT@#$JAEGER_QUERY_GRPC_PORT#" \
      -e "s#@HEALTH_PORT@#$JAEGER_HEALTH_PORT#" -e "s#@OTLP_GRPC_PORT@#$JAEGER_OTLP_GRPC_PORT#" \
      -e "s#@OTLP_HTTP_PORT@#$JAEGER_OTLP_HTTP_PORT#" "$STACK_DIR/jaeger.yaml.in" >"$RUN_DIR/jaeger.yaml"
  launch jaeger "$BIN_DIR/jaeger-$JAEGER_VERSION" --config "file:$RUN_DIR/jaeger.yaml"
}
ready_jaeger() { http_ok "http://127.0.0.1:$JAEGER_QUERY_PORT/api/services" && tcp_open "$JAEGER_OTLP_GRPC_PORT"; }
where_jaeger() { echo "OTLP grpc 127.0.0.1:$JAEGER_OTLP_GRPC_PORT, http 127.0.0.1:$JAEGER_OTLP_HTTP_PORT; query http://127.0.0.1:$JAEGER_QUERY_PORT"; }

start_apicurio() {
  local home="$CACHE_DIR/apicurio-$APICURIO_VERSION" java
  java="$(find_java 21)" || die "Apicurio Registry $APICURIO_VERSION needs Java 21+"
  launch apicurio "$java" -Xms128m -Xmx512m \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$APICURIO_PORT" -Dquarkus.log.level=WARN \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$APICURIO_MANAGEMENT_PORT" \
    -Dapicurio.rest.deletion.artifact.enabled=true -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -Dapicurio.rest.deletion.group.enabled=true -jar "$home/quarkus-run.jar"
}
# Health lives on the Quarkus management interface (it would bind *:9000 if left alone).
ready_apicurio() {
  http_ok "http://127.0.0.1:$APICURIO_MANAGEMENT_PORT/health/ready" &&
    http_ok "http://127.0.0.1:$APICURIO_PORT/apis/registry/v3/system/info"
}
where_apicurio() { echo "http://127.0.0.1:$APICURIO_PORT/apis/registry/v3 (health :$APICURIO_MANAGEMENT_PORT)"; }

start_toxiproxy() {
  launch toxiproxy "$BIN_DIR/toxiproxy-$TOXIPROXY_VERSION" -host 127.0.0.1 -port "$TOXIPROXY_PORT"
}
ready_toxiproxy() { http_ok "http://127.0.0.1:$TOXIPROXY_PORT/version"; }
where_toxiproxy() { echo "http://127.0.0.1:$TOXIPROXY_PORT"; }

# The port each server must find free before it starts (the first one it binds).
first_port() {
  case "$1" in
    redis) echo "$REDIS_PORT" ;; tidb) echo "$TIDB_PORT" ;; minio) echo "$MINIO_PORT" ;;
    kafka) echo "$KAFKA_PORT" ;; jaeger) echo "$JAEGER_OTLP_GRPC_PORT" ;;
    apicurio) echo "$APICURIO_PORT" ;; toxiproxy) echo "$TOXIPROXY_PORT" ;;
  esac
}
