#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (CI runs it too, then ThreadSanitizer over the
# threaded parts: .ci/run): the clang-format check, a debug build with AddressSanitizer and
# UndefinedBehaviorSanitizer and warnings as errors running every ctest test (unit, contract,
# integration, system, fuzz corpus replays: the engines and workers the tests start are
# sanitized too), then the release build that `make run` uses. Fails on the first error.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage line says when it began (minutes:seconds into this script): CI's log then shows
# where its time goes (rule 2: the whole run well under 45 minutes).
stage() { printf '== [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$1"; }
JOBS=${JOBS:-$(nproc)}

bash scripts/install-deps.sh
bash scripts/install-test-tools.sh

stage "clang-format (first: it takes seconds, the rest an hour)"
git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format --dry-run -Werror
stage "debug build (ASan + UBSan)"
cmake --preset debug >/dev/null
cmake --build --preset debug -j "$JOBS"
stage "all tests (ASan + UBSan)"
# Twice the cores: most integration and system tests spend their time waiting on a PostgreSQL
# and an engine they started (initdb, startup, sleeps between polls), not on the CPU. The suite
# holds no wall-clock assertion (rule 5), so oversubscription only shortens the run.
# Every process a test starts inherits these options: a sanitizer report aborts it, and the
# test that started it fails. Leaks are not checked (the engine's plugins stay loaded until
# exit by design); the quarantine is kept small so the bounded-memory tests (a 200 MiB stream
# through the engine, a million-entry chain) measure the code, not ASan's freed-block pool.
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:quarantine_size_mb=16 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset debug -j "$(( JOBS * 2 ))" --timeout 600

stage "release build (what make run builds; -O2 brings warnings of its own)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS" --target je_runtime

stage "all green"
