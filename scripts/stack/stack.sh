#!/usr/bin/env bash
# The local stack of real servers, on 127.0.0.1 only.
#   stack.sh up [server...]     install (cached) and start, wait until each really answers
#   stack.sh down               stop every server and its child processes
#   stack.sh status             what runs and where
#   stack.sh memory             resident memory (MiB) of each server and in total
# Servers: redis tidb minio kafka jaeger apicurio toxiproxy. Ports: TESSERA_<SERVER>_PORT (common.sh).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$STACK_DIR/servers.sh"

ALL_SERVERS=(redis tidb minio kafka jaeger apicurio toxiproxy)
READY_TIMEOUT="${TESSERA_STACK_READY_TIMEOUT:-180}"

stop_server() {
  local name="$1" pid
  pid="$(pid_of "$name")" || return 0
  if is_running "$name"; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    log "stopped $name"
  fi
  rm -f "$PID_DIR/$name.pid"
}

up() {
  local servers=("$@") started=() name port
  ((${#servers[@]})) || servers=("${ALL_SERVERS[@]}")
  "$STACK_DIR/install.sh" "${servers[@]}"
  for name in "${servers[@]}"; do
    if is_running "$name"; then
      continue
    fi
    port="$(first_port "$name")"
    if tcp_open "$port"; then
      die "$name: port $port on 127.0.0.1 is taken by another process; stop it or set TESSERA_${name^^}_PORT"
    fi
    log "starting $name"
    "start_$name"
    started+=("$name")
  done
  for name in "${servers[@]}"; do
    if ! wait_until "$READY_TIMEOUT" "$name" "ready_$name"; then
      log "$name did not become ready within ${READY_TIMEOUT}s; last lines of $LOG_DIR/$name.log:"
      tail -25 "$LOG_DIR/$name.log" >&2 || true
      exit 1
    fi
  done
  ((${#started[@]})) && log "started: ${started[*]}" || log "already running: nothing to do"
  status
}

down() {
  local file name
  # Services started by the demo first (they hold connections to the servers), then the servers.
  for file in "$PID_DIR"/svc-*.pid; do
    [[ -e $file ]] && stop_server "$(basename "$file" .pid)"
  done
  for name in "${ALL_SERVERS[@]}"; do stop_server "$name" & done
  wait
}

status() {
  local name state
  printf '%-10s %-8s %s\n' SERVER STATE ADDRESS
  for name in "${ALL_SERVERS[@]}"; do
    if is_running "$name" && "ready_$name" 2>/dev/null; then state=ready
    elif is_running "$name"; then state=starting
    else state=stopped; fi
    printf '%-10s %-8s %s\n' "$name" "$state" "$("where_$name")"
  done
  echo "logs: $LOG_DIR"
}

# Resident memory of each running server (its whole process group), in MiB, and the total.
memory() {
  local name pid kib total=0
  for name in "${ALL_SERVERS[@]}"; do
    is_running "$name" || continue
    pid="$(pid_of "$name")"
    kib="$(ps -o rss= -g "$pid" 2>/dev/null | awk '{s+=$1} END {print s+0}')"
    total=$((total + kib))
    printf '%s=%d ' "$name" "$((kib / 1024))"
  done
  printf 'total=%d\n' "$((total / 1024))"
}

command="${1:-status}"; shift || true
case "$command" in
  up) up "$@" ;;
  down) down ;;
  status) status ;;
  memory) memory ;;
  *) die "usage: stack.sh up [server...] | down | status | memory" ;;
esac
