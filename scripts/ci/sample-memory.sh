#!/usr/bin/env bash
# Samples the stack's memory every 2 s and keeps, in the given file, the sample with the highest total.
set -uo pipefail
out="$1"; peak=0
while true; do
  sample="$("$(dirname "$0")/../stack/stack.sh" memory 2>/dev/null)"
  total="${sample##*total=}"
  if [[ -n "$total" && "$total" -gt "$peak" ]]; then
    peak="$total"; echo "$sample" >"$out"
  fi
  sleep 2
done
