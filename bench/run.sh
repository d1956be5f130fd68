#!/usr/bin/env bash
# bench/run.sh — `make bench`: builds (release preset, already done by the Makefile) and runs
# every benchmark binary it finds. Not part of ctest. Extra arguments go to each benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${JE_BENCH_BUILD_DIR:-build-release}"
if [[ ! -d "$BUILD_DIR" ]]; then
  BUILD_DIR=build
fi
cmake --build "$BUILD_DIR" -j "${JOBS:-2}" --target je_bench_throughput je_bench_stream je_bench_audit \
  je_bench_ingest >/dev/null
status=0
for bin in "$BUILD_DIR"/bin/je_bench_*; do
  [[ -x "$bin" ]] || continue
  echo "== $(basename "$bin")"
  "$bin" || status=1
done
exit $status
