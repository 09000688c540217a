#!/usr/bin/env bash
# A Kafka broker of its own, in the foreground, for tests that stop and restart Kafka without
# touching the shared stack's:  kafka-broker.sh <dir> <port> <controller-port>
# The broker keeps its data in <dir>/data: run it again with the same <dir> to restart it with
# every topic and offset it had. Needs `install.sh kafka` (the stack's Kafka jars).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$STACK_DIR/servers.sh"

(($# == 3)) || die "usage: kafka-broker.sh <dir> <port> <controller-port>"
dir="$1" port="$2" controller_port="$3"
write_kafka_config "$dir/conf" "$dir/data" "$port" "$controller_port"
format_kafka_storage "$dir/conf" "$dir/data" >/dev/null
exec "${KAFKA_JAVA[@]}" kafka.Kafka "$dir/conf/server.properties"
