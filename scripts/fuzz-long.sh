#!/usr/bin/env bash
# The long property-test run of tests/hostile_input.rs: CASES inputs per target (default 10^6),
# one target after another, printing each target's wall time. Not part of CI (takes hours on a
# busy 2-core machine); run it after changing a parser. Usage: scripts/fuzz-long.sh [CASES] [FILTER]
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-1000000}
filter=${2:-}
cargo test --test hostile_input --no-run
for t in $(cargo test --test hostile_input -- --list 2>/dev/null | sed -n 's/: test$//p'); do
  [[ -n "$filter" && "$t" != *"$filter"* ]] && continue
  start=$(date +%s.%N)
  log=target/fuzz-long-$t.log
  CHARTDESK_FUZZ_CASES=$cases cargo test -q --test hostile_input -- --exact "$t" >"$log" 2>&1 \
    && status=ok || status="FAILED (see $log)"
  printf '%-50s %10s cases %8.1f s  %s\n' "$t" "$cases" "$(echo "$(date +%s.%N) - $start" | bc)" "$status"
done
