#!/usr/bin/env bash
# `make test-tsan`: the ThreadSanitizer build (the `tsan` preset, build-tsan/) and its tests,
# failing on any report. By default every test the tsan test preset selects: the host's unit
# tests, the ABI/contract tests, the integration and the system tests (about 25 minutes of a
# 2-core machine from a fresh clone). JE_TSAN_SUBSET=ci builds and runs only the HTTP layer,
# the streams and the runner, which is what .ci/run adds after `make test` (README,
# "Development"); JE_TSAN_TESTS=<regex> narrows the tests further by ctest name.
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
# Each stage line says when it began (minutes:seconds into this script): CI's log then shows
# where its time goes (rule 2: the whole run well under 45 minutes).
stage() { printf '== [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$1"; }
JOBS=${JOBS:-$(nproc)}
TESTS=${JE_TSAN_TESTS:-}
TARGETS=()
case "${JE_TSAN_SUBSET:-}" in
  "") ;;
  ci)
    # The REST server (unit and the drain stress test, the engine's SIGTERM drain, streamed
    # answers and their pump), the stream hub, feeder and listeners, and the in-process
    # runner: the threaded parts of the host.
    TARGETS=(je_runtime host_http_server_test host_stream_test host_outbox_feeder_test
             integration_http_drain_stress_test integration_startup_test
             integration_http_streaming_test
             integration_stream_sse_test integration_stream_access_test
             integration_scheduler_runner_test)
    # Unit tests are ctest tests per case (Suite.Case), integration tests one per executable.
    # GTEST_FILTER keeps the integration executables to the cases named here. It must name the
    # unit suites too: ctest discovers a unit binary's cases by running it with
    # --gtest_list_tests, which honours GTEST_FILTER (a case's own --gtest_filter argument then
    # takes precedence over it when it runs).
    export GTEST_FILTER='HttpServerTest.*:StreamHubTest.*:StreamTest.*:OutboxFeederTest.*:'
    GTEST_FILTER+='SignalWatchersTest.*:HttpDrainStressTest.*:StartupTest.SigtermDrains*:'
    GTEST_FILTER+='HttpStreaming*:StreamSseTest.*:StreamAccessTest.*:SchedulerRunnerTest.*'
    suite='HttpServerTest|StreamHubTest|StreamTest|OutboxFeederTest|SignalWatchersTest'
    binaries='http_drain_stress_test|startup_test|http_streaming_test|stream_sse_test'
    binaries+='|stream_access_test|scheduler_runner_test'
    TESTS=${TESTS:-"^(($suite)\\.|integration_($binaries)\$)"}
    ;;
  *)
    echo "JE_TSAN_SUBSET must be empty or 'ci', not '$JE_TSAN_SUBSET'" >&2
    exit 2
    ;;
esac

bash scripts/install-deps.sh
bash scripts/install-test-tools.sh

stage "tsan build"
cmake --preset tsan >/dev/null
if [ ${#TARGETS[@]} -gt 0 ]; then
  cmake --build --preset tsan -j "$JOBS" --target "${TARGETS[@]}"
else
  cmake --build --preset tsan -j "$JOBS"
fi

reports="$PWD/build-tsan/tsan-reports"
rm -rf "$reports"
mkdir -p "$reports"
# second_deadlock_stack: both stacks of a lock-order report.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 \
suppressions=$PWD/tools/tsan.supp log_path=$reports/tsan"

stage "tsan tests${TESTS:+ matching $TESTS}"
status=0
if [ -n "$TESTS" ]; then
  ctest --preset tsan -j "$JOBS" --timeout 900 -R "$TESTS" || status=$?
else
  ctest --preset tsan -j "$JOBS" --timeout 900 || status=$?
fi

shopt -s nullglob
files=("$reports"/tsan.*)
if [ ${#files[@]} -gt 0 ]; then
  stage "ThreadSanitizer wrote ${#files[@]} report file(s) under $reports"
  for f in "${files[@]}"; do
    echo "--- $f"
    head -n 60 "$f"
  done
  grep -h '^SUMMARY: ThreadSanitizer' "${files[@]}" | sort | uniq -c | sort -rn || true
  exit 1
fi
if [ "$status" -ne 0 ]; then
  stage "tsan tests failed (exit $status) without a sanitizer report"
  exit "$status"
fi
stage "tsan: no reports"
