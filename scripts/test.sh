#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (CI runs it too, then ThreadSanitizer over the
# threaded parts: .ci/run): the clang-format check, an ASan+UBSan build of everything with
# warnings as errors (clang: it compiles the sanitized tree in half GCC's time) running every
# ctest test (unit, contract, integration, system, fuzz corpus replays; the engines and workers
# the tests start are the sanitized binaries too), then the GCC release build of what `make run`
# uses, so GCC still compiles the product code with its own warnings. Fails on the first error.
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

stage "asan+ubsan build (everything)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$JOBS"
stage "all tests (asan+ubsan)"
# Twice the cores: most integration and system tests spend their time waiting on a PostgreSQL
# and an engine they started (initdb, startup, sleeps between polls), not on the CPU. The suite
# holds no wall-clock assertion (rule 5), so oversubscription only shortens the run.
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j "$(( JOBS * 2 ))" --timeout 600

stage "release build (GCC, what make run builds; -O2 brings warnings of its own)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS" --target je_runtime

stage "all green"
