#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (CI runs it too, then ThreadSanitizer over the
# threaded parts: .ci/run): a debug build with warnings as errors and every ctest test (unit,
# contract, integration, system), the release build that `make run` uses, then an ASan+UBSan
# build running the unit and contract tests, then the clang-format check. Fails on the first
# error.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

bash scripts/install-deps.sh
bash scripts/install-test-tools.sh

echo "== debug build"
cmake --preset debug >/dev/null
cmake --build --preset debug -j "$JOBS"
echo "== all tests"
# Twice the cores: most integration and system tests spend their time waiting on a PostgreSQL
# and an engine they started (initdb, startup, sleeps between polls), not on the CPU. The suite
# holds no wall-clock assertion (rule 5), so oversubscription only shortens the run.
ctest --preset debug -j "$(( JOBS * 2 ))" --timeout 600

echo "== release build (what make run builds; -O2 brings warnings of its own)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS" --target je_runtime

echo "== asan+ubsan build (unit, contract)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$JOBS"
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j "$JOBS" --timeout 600

echo "== clang-format"
git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format --dry-run -Werror
echo "== all green"
