#!/usr/bin/env bash
# bench/profile/run.sh — where does the engine's database time go? Runs je_bench_throughput
# against a private PostgreSQL 15 with pg_stat_statements (and optionally auto_explain) loaded,
# durability as shipped, then prints the statements by total execution time: calls, mean ms,
# rows, and WAL bytes. Not part of the test run (bench/README.md).
#
#   bash bench/profile/run.sh                 # the whole throughput bench, top statements
#   EXPLAIN=1 bash bench/profile/run.sh       # also auto_explain (analyze, nested) of 2% of
#                                             # statements slower than 5 ms (SAMPLE=0.1: 10 %), printed at the end
#   TOP=30 bash bench/profile/run.sh -- --jobs 50000   # arguments after -- go to the bench
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pgbin="$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)"
[[ -x "$pgbin/postgres" ]] || { echo "profile: needs postgresql-15 (make deps)" >&2; exit 1; }
bench="${JE_BENCH_BUILD_DIR:-$root/build-release}/bin/je_bench_throughput"
[[ -x "$bench" ]] || { echo "profile: build it first: make build-release" >&2; exit 1; }
[[ "${1:-}" == "--" ]] && shift

# shellcheck source=bench/lib/private_cluster.sh
source "$root/bench/lib/private_cluster.sh"
private_cluster_init "$pgbin" je-profile C
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
libs=pg_stat_statements
extra=()
if [[ "${EXPLAIN:-0}" == 1 ]]; then
  libs="$libs,auto_explain"
  extra=(-c auto_explain.log_min_duration=5 -c auto_explain.log_analyze=on
         -c auto_explain.log_nested_statements=on -c "auto_explain.sample_rate=${SAMPLE:-0.02}"
         -c auto_explain.log_timing=on -c auto_explain.log_buffers=on)
fi
# The engine's embedded-cluster settings (host/pgcluster/pg_cluster.cpp), plus the profilers.
"${as[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/pg.log" -w -o \
  "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c max_connections=200 \
   -c autovacuum_naptime=2s -c fsync=on -c synchronous_commit=on \
   -c shared_preload_libraries=$libs -c pg_stat_statements.track=all ${extra[*]}" start >/dev/null
psql=("$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -X -q)
"${psql[@]}" -d postgres -c "CREATE DATABASE jobengine_profile"
"${psql[@]}" -d jobengine_profile -c "CREATE EXTENSION pg_stat_statements"

JE_BENCH_DSN="host=127.0.0.1 port=$port user=postgres dbname=jobengine_profile" "$bench" "$@"

echo
echo "== statements by total execution time (all phases; nested statements included)"
"${psql[@]}" -d jobengine_profile -P pager=off -c "
SELECT round(total_exec_time)::bigint AS total_ms, calls, round((mean_exec_time)::numeric, 3) AS mean_ms,
       rows, pg_size_pretty(wal_bytes) AS wal,
       left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query
FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT ${TOP:-20}"
if [[ "${EXPLAIN:-0}" == 1 ]]; then
  echo "== auto_explain samples ($tmp/pg.log)"
  grep -A200 "duration: .*plan:" "$tmp/pg.log" | head -"${EXPLAIN_LINES:-600}" || true
fi
