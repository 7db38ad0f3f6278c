#!/usr/bin/env bash
# The long property-test run of tests/hostile_input.rs: CASES inputs per target (default 10^6),
# one target after another, printing each target's wall time. Not part of CI (hours on a busy
# 2-core machine); run it after changing a parser. Usage: scripts/fuzz-long.sh [CASES] [FILTER...]
# The test binary is built once, then run directly (cargo's build lock stays free meanwhile).
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-1000000}
shift || true
bin=$(cargo test --test hostile_input --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*hostile_input[^"]*\)".*/\1/p' | tail -1)
[[ -x "$bin" ]] || { echo "could not build the hostile_input test binary" >&2; exit 1; }
for t in $("$bin" --list 2>/dev/null | sed -n 's/: test$//p'); do
  if [[ $# -gt 0 ]]; then
    keep=no
    for f in "$@"; do [[ "$t" == *"$f"* ]] && keep=yes; done
    [[ $keep == yes ]] || continue
  fi
  log=target/fuzz-long-$t.log
  start=$(date +%s.%N)
  CHARTDESK_FUZZ_CASES=$cases "$bin" --exact "$t" >"$log" 2>&1 && status=ok || status="FAILED (see $log)"
  printf '%-50s %10s cases %8.1f s  %s\n' "$t" "$cases" "$(echo "$(date +%s.%N) - $start" | bc)" "$status"
done
