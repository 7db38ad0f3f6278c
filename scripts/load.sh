#!/usr/bin/env bash
# Load: W writer processes and R reader processes run chartdesk commands against one data
# directory for S seconds; every command's exit status and wall time is logged, then failures and
# p50/p99/max latency are printed per kind of command.
#
#   scripts/load.sh [--writers 10] [--readers 5] [--seconds 300] [--notes 200] [--bin PATH] [--dir DIR]
#
# Writers alternate a note import (a JSON lines file of --notes new notes, with new patients and
# encounters) with `user add` (a small write transaction). Readers alternate `code I10` and
# `search notes ... --count`. The data directory is made fresh (demo data) unless --dir names one
# this script made before. Needs python3 for the statistics.
set -euo pipefail
writers=10 readers=5 seconds=300 notes=200 bin=target/release/chartdesk dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --writers) writers=$2; shift 2 ;;
    --readers) readers=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --notes) notes=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "no chartdesk binary at $bin (cargo build --release, or --bin PATH)" >&2; exit 2; }
if [ -z "$dir" ]; then
  dir=$(mktemp -d /tmp/chartdesk-load.XXXXXX)
  touch "$dir/.chartdesk-load"
elif [ -e "$dir" ] && [ ! -e "$dir/.chartdesk-load" ]; then
  echo "$dir exists and was not made by this script; name a new directory" >&2; exit 2
fi
rm -rf "$dir/logs" || { echo "cannot clear $dir/logs: is another run still going?" >&2; exit 1; }
mkdir -p "$dir/files" "$dir/logs"
touch "$dir/.chartdesk-load"
export CHARTDESK_DATA_DIR="$dir/data"
unset CHARTDESK_CONFIG
bin=$(readlink -f "$bin")
if [ ! -e "$dir/data/chartdesk.db" ]; then
  echo "setting up demo data in $dir/data" >&2
  "$bin" init --demo >/dev/null
fi

# One file of new notes per writer and round, made as it is needed.
make_file() { # writer round
  python3 - "$dir/files/w$1-r$2.jsonl" "$1" "$2" "$notes" <<'EOF'
import json, sys, random
path, w, r, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(w * 100003 + r)
words = ("patient admitted with chest pain troponin elevated nstemi started heparin aspirin "
         "statin echocardiogram ejection fraction reduced discharged home follow up clinic "
         "pneumonia sepsis lactate cultures antibiotics creatinine acute kidney injury").split()
with open(path, "w") as f:
    for i in range(n):
        acct = f"LOAD-{w}-{r}-{i // 5}"
        rec = {"note_id": f"load-{w}-{r}-{i}", "account": acct, "mrn": f"LOADMRN-{w}-{r}-{i // 5}",
               "name": f"Load, Patient {w} {r} {i // 5}", "birth_date": "1960-01-01",
               "encounter_type": "inpatient", "admit": "2026-11-01", "discharge": "2026-11-04",
               "note_type": "Progress Note", "author": "Dr. Load",
               "written_at": "2026-11-02T10:00:00Z",
               "text": " ".join(rng.choice(words) for _ in range(250))}
        f.write(json.dumps(rec) + "\n")
EOF
}

end=$(( $(date +%s) + seconds ))
run() { # log kind command...
  local log=$1 kind=$2; shift 2
  local t0 t1 rc=0
  t0=$(date +%s%N)
  "$@" >/dev/null 2>>"$log.err" || rc=$?
  t1=$(date +%s%N)
  echo "$kind $rc $(( (t1 - t0) / 1000000 ))" >>"$log"
}
writer() {
  local w=$1 r=0 log="$dir/logs/writer-$w"
  while [ "$(date +%s)" -lt "$end" ]; do
    r=$((r + 1))
    make_file "$w" "$r"
    run "$log" import "$bin" import notes --format jsonl "$dir/files/w$w-r$r.jsonl"
    rm -f "$dir/files/w$w-r$r.jsonl"
    run "$log" user_add "$bin" user add "load$w" --role coder
  done
}
reader() {
  local i=$1 log="$dir/logs/reader-$i"
  while [ "$(date +%s)" -lt "$end" ]; do
    run "$log" code "$bin" code I10
    run "$log" search_notes "$bin" search notes "chest pain" --count
  done
}
echo "load: $writers writers, $readers readers, $seconds s, $notes notes per import; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
pids=()
for w in $(seq 1 "$writers"); do writer "$w" & pids+=($!); done
for i in $(seq 1 "$readers"); do reader "$i" & pids+=($!); done
wait "${pids[@]}"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cat $(ls "$dir"/logs/writer-* "$dir"/logs/reader-* 2>/dev/null | grep -v '\.err$') | python3 -c '
import sys, collections
by = collections.defaultdict(list); fails = collections.Counter()
for line in sys.stdin:
    p = line.split()
    if len(p) != 3: continue
    kind, rc, ms = p
    by[kind].append(int(ms)); by["all"].append(int(ms))
    if rc != "0": fails[kind] += 1; fails["all"] += 1
def pct(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
print("%-14s%7s%8s%9s%9s%9s" % ("kind", "runs", "failed", "p50 ms", "p99 ms", "max ms"))
for k in sorted(by, key=lambda k: (k == "all", k)):
    v = by[k]
    print("%-14s%7d%8d%9d%9d%9d" % (k, len(v), fails[k], pct(v, 50), pct(v, 99), max(v)))
'
errs=$(cat "$dir"/logs/*.err 2>/dev/null | grep -v '^  ' | sort | uniq -c | sort -rn | head -5 || true)
[ -n "$errs" ] && { echo "most frequent error lines:"; echo "$errs"; }
echo "data and logs kept in $dir" >&2
