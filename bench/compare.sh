#!/usr/bin/env bash
# bench/compare.sh — `make bench-compare` (issue 16): the engine's throughput bench and the
# reference queues (bench/reference: graphile-worker and pg-boss) in alternating rounds, each
# round on fresh clusters with the same server settings, then one table of medians and ratios
# ending with one `AIM <name>: ratio <r> (goal <g>) met|short` line per aim
# (bench/compare_report.py computes them; bench/README.md "compare" says what each aim means).
#
# Usage: bench/compare.sh [ROUNDS]   (default 3; JE_COMPARE_JOBS overrides the job count, both
#        sides alike; the raw outputs stay in the printed directory)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-${ROUNDS:-3}}"
jobs="${JE_COMPARE_JOBS:-20000}"
build="${JE_BENCH_BUILD_DIR:-build-release}"

cmake --build "$build" -j "${JOBS:-2}" --target je_bench_throughput >/dev/null
command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3; }

out="$(mktemp -d /tmp/je-bench-compare-XXXXXX)"
echo "bench-compare $(date -u +%FT%TZ): $rounds rounds of $jobs jobs, $(nproc) cores," \
  "load $(cut -d' ' -f1-3 /proc/loadavg); raw output in $out"

engine() {
  echo "-- round $1: engine (je_bench_throughput --jobs $jobs --ratelimit-rounds 0)"
  "$build/bin/je_bench_throughput" --jobs "$jobs" --ratelimit-rounds 0 >"$out/engine-$1.txt"
  grep '^engine' "$out/engine-$1.txt" | sed 's/^/   /'
}
reference() {
  echo "-- round $1: reference queues (bench/reference/run.sh)"
  REFBENCH_JOBS="$jobs" bash bench/reference/run.sh >"$out/reference-$1.txt"
  grep -E '  (enqueue|drain|latency)  ' "$out/reference-$1.txt" | sed 's/^/   /'
}

# Alternate which side goes first, so neither always runs on the warmer (or busier) machine.
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then engine "$r" && reference "$r"; else reference "$r" && engine "$r"; fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 bench/compare_report.py "$out"
