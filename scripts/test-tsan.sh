#!/usr/bin/env bash
# `make test-tsan`: the ThreadSanitizer build (the `tsan` preset, build-tsan/) and its tests,
# failing on any report. By default every test the tsan test preset selects: the host's unit
# tests, the ABI/contract tests, the integration and the system tests. A regular expression in
# JE_TSAN_TESTS narrows it to the matching ctest names (see README.md for what .ci/run runs).
#
# Reports are collected from every instrumented process: the test binaries and the engines,
# workers and commands they start inherit TSAN_OPTIONS, and log_path sends each process's
# reports to a file of its own (build-tsan/tsan-reports/tsan.<pid>), where no test can swallow
# them the way it discards an engine's log. halt_on_error makes the first report fail that
# process (exit 66), so the test that started it fails too; the run fails when any report file
# exists, even if every test passed. Suppressions: tools/tsan.supp (third-party code only, each
# with its reason).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
TESTS=${JE_TSAN_TESTS:-}

bash scripts/install-deps.sh
bash scripts/install-test-tools.sh

echo "== tsan build"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$JOBS"

reports="$PWD/build-tsan/tsan-reports"
rm -rf "$reports"
mkdir -p "$reports"
# second_deadlock_stack: both stacks of a lock-order report.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 \
suppressions=$PWD/tools/tsan.supp log_path=$reports/tsan"

echo "== tsan tests${TESTS:+ matching $TESTS}"
status=0
if [ -n "$TESTS" ]; then
  ctest --preset tsan -j "$JOBS" --timeout 900 -R "$TESTS" || status=$?
else
  ctest --preset tsan -j "$JOBS" --timeout 900 || status=$?
fi

shopt -s nullglob
files=("$reports"/tsan.*)
if [ ${#files[@]} -gt 0 ]; then
  echo "== ThreadSanitizer wrote ${#files[@]} report file(s) under $reports"
  for f in "${files[@]}"; do
    echo "--- $f"
    head -n 60 "$f"
  done
  grep -h '^SUMMARY: ThreadSanitizer' "${files[@]}" | sort | uniq -c | sort -rn || true
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "== tsan tests failed (exit $status) without a sanitizer report"
  exit "$status"
fi
echo "== tsan: no reports"
