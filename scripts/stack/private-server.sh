#!/usr/bin/env bash
# A MinIO or TiDB server of its own, in the foreground, for tests that stop and restart it without
# touching the shared stack's:  private-server.sh minio <dir> <port>
#                               private-server.sh tidb <dir> <port> <status-port>
# The server keeps its data in <dir>: run it again with the same <dir> to restart it with its data.
# Needs the stack's binaries (install.sh minio tidb).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

(($# >= 3)) || die "usage: private-server.sh minio|tidb <dir> <port> [status-port]"
server="$1" dir="$2" port="$3"
mkdir -p "$dir"
case "$server" in
  minio)
    export MINIO_ROOT_USER MINIO_ROOT_PASSWORD MINIO_UPDATE=off
    exec "$BIN_DIR/minio-$MINIO_VERSION" server "$dir/data" --quiet --address "127.0.0.1:$port" \
      --console-address "127.0.0.1:0"
    ;;
  tidb)
    (($# == 4)) || die "tidb needs a status port"
    exec "$BIN_DIR/tidb-server-$TIDB_VERSION" -store unistore -path "$dir/data" -lease 0s \
      -host 127.0.0.1 -P "$port" -status-host 127.0.0.1 -status "$4" -socket "$dir/tidb.sock" \
      -log-file "$dir/tidb-server.log"
    ;;
  *) die "unknown server $server (minio or tidb)" ;;
esac
