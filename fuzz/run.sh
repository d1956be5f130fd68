#!/usr/bin/env bash
# `make fuzz`: configures build-fuzz/ with clang and JE_FUZZ=ON, builds the libFuzzer targets and
# runs each for FUZZ_SECONDS (default 60) over a copy of its checked-in corpus, so the checked-in
# corpus never grows by itself. Fails when any target crashes, leaks, times out or breaks an
# invariant; the input that did it is left in build-fuzz/fuzz-work/<name>/ (fuzz/README.md says
# how to minimize it and check it in once fixed).
#
#   FUZZ_SECONDS=600 make fuzz                 ten minutes per target
#   FUZZ_TARGETS="jwt page_token" make fuzz    only these
#   FUZZ_JOBS=2 make fuzz                      build parallelism (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-"request_body config_toml page_token jwt"}
FUZZ_JOBS=${FUZZ_JOBS:-$(nproc)}
BUILD_DIR=build-fuzz

# Longest input the fuzzer makes per target: bodies and config files are bigger than tokens.
max_len_for() {
  case "$1" in
    request_body | config_toml) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ is missing (scripts/install-deps.sh installs clang and libclang-rt-14-dev)" >&2
  exit 1
fi

echo "== configure $BUILD_DIR (clang, JE_FUZZ=ON)"
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Debug -DJE_FUZZ=ON \
  -DJE_BUILD_TESTS=OFF -DJE_BUILD_BENCH=OFF -DJE_BUILD_EXAMPLES=OFF \
  -DJE_BUILD_INTEGRATION_TESTS=OFF >/dev/null

targets=()
for name in $FUZZ_TARGETS; do
  targets+=("${name}_fuzz")
done
echo "== build ${targets[*]}"
cmake --build "$BUILD_DIR" -j "$FUZZ_JOBS" --target "${targets[@]}"

failed=()
for name in $FUZZ_TARGETS; do
  work="$BUILD_DIR/fuzz-work/$name"
  rm -rf "$work"
  mkdir -p "$work/corpus"
  cp -R "fuzz/corpus/$name/." "$work/corpus/"
  echo "== $name: ${FUZZ_SECONDS}s over a copy of fuzz/corpus/$name"
  # -timeout: one input taking longer than 10 s is a finding (a hang), like a crash.
  if (cd "$work" &&
    ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1} \
      UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
      "../../bin/${name}_fuzz" -max_total_time="$FUZZ_SECONDS" -max_len="$(max_len_for "$name")" \
      -timeout=10 -print_final_stats=1 -artifact_prefix=./ corpus >fuzz.log 2>&1); then
    grep -E '^(Done|stat::(number_of_executed_units|average_exec_per_sec|new_units_added))' \
      "$work/fuzz.log" || true
    grep -E '#[0-9]+.*(cov|ft):' "$work/fuzz.log" | tail -1 || true
  else
    failed+=("$name")
    tail -n 60 "$work/fuzz.log"
    echo "fuzz: $name FAILED; inputs: $(ls "$work" | grep -E '^(crash|leak|timeout|oom)-' | tr '\n' ' ')"
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: failed: ${failed[*]} (logs and inputs in $BUILD_DIR/fuzz-work/<name>/)" >&2
  exit 1
fi
echo "== fuzz: no crashes"
