#!/usr/bin/env bash
# Storage-model bench: times the scheduler's enqueue and claim+complete SQL on several storage
# layouts (variants A..F, see README.md) in a private PostgreSQL 15 cluster, with psql (enqueue
# of 100k jobs) and pgbench (drain, 4 clients). No engine build needed; nothing is written to
# the repo: cluster, generated SQL and results live in a temp dir removed on exit.
# Usage: bash bench/storage_model/run.sh [ROUNDS] [VARIANTS...]
#   ROUNDS   interleaved rounds (default 7); VARIANTS from A Ag B C C50 C40 D E F, plus F<nn>
#   (F with scheduler.jobs at fillfactor nn) and Fq<nn> (F with scheduler.queue at fillfactor nn)
#   (default A Ag B C C50 D E F; Ag = A with plan_cache_mode=force_generic_plan for the drain).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
pgbin="${PGBIN:-/usr/lib/postgresql/15/bin}"
tx_per_client=130 # 4 clients x 130 transactions x 200 claimed >= 100k jobs

rounds=7
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(A Ag B C C50 D E F)
for v in "${variants[@]}"; do
  [[ $v =~ ^Fq?([1-9][0-9]|100)$ ]] && [ "${BASH_REMATCH[1]}" -ge 10 ] && continue
  case $v in A | Ag | B | C | C50 | C40 | D | E | F) ;; *)
    echo "unknown variant '$v' (want A Ag B C C50 C40 D E F F<10-100> Fq<10-100>)" >&2; exit 2 ;;
  esac
done
[ "$rounds" -ge 1 ] || { echo "ROUNDS must be at least 1" >&2; exit 2; }

# Tools: the PostgreSQL 15 server binaries, pgbench (package postgresql-client-15), python3.
for b in initdb pg_ctl postgres psql; do
  [ -x "$pgbin/$b" ] || { echo "$pgbin/$b not found: install postgresql-15 (scripts/install-deps.sh)" >&2; exit 1; }
done
pgbench="$pgbin/pgbench"
if [ ! -x "$pgbench" ]; then
  echo "pgbench not found ($pgbench, /usr/bin/pgbench): install the PostgreSQL client," \
    "e.g. apt-get install postgresql-client-15" >&2
  exit 1
fi
command -v python3 >/dev/null || { echo "python3 not found: apt-get install python3" >&2; exit 1; }
migrations=(host/0001_host_base.sql host/0002_events.sql host/0003_events_body_json.sql
  scheduler/0001_init.sql scheduler/0002_claim_by_type.sql)
for m in "${migrations[@]}"; do
  [ -f "$repo/migrations/$m" ] || { echo "missing $repo/migrations/$m" >&2; exit 1; }
done

# A private cluster in a temp dir (bench/lib/private_cluster.sh: initdb as the unprivileged
# user jobengine when root, stopped and removed on exit).
# shellcheck source=SCRIPTDIR/../lib/private_cluster.sh
source "$here/../lib/private_cluster.sh"
private_cluster_init "$pgbin" storage-model C.UTF-8
# A free port (the kernel picks it); the server listens on its socket in the temp dir only.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# The experiment's settings: durable commits, the engine's autovacuum naptime.
cat >>"$tmp/data/postgresql.conf" <<EOF
port = $port
listen_addresses = ''
unix_socket_directories = '$tmp'
shared_buffers = 128MB
fsync = on
synchronous_commit = on
autovacuum_naptime = 2s
jit = off
max_wal_size = 2GB
EOF
"${as[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" -w -t 60 start >/dev/null ||
  { tail -n 20 "$tmp/postgres.log" >&2; exit 1; }
export PGHOST="$tmp" PGPORT="$port"
psql() { PGOPTIONS="-c client_min_messages=warning" "$pgbin/psql" -qX -v ON_ERROR_STOP=1 "$@"; }
q() { psql -At -U postgres -d "$1" -c "$2"; } # one value, as superuser

# Generated SQL: statement shapes per variant and the 100k-job enqueue data.
python3 "$here/gen_sql.py" "$tmp"
python3 "$here/gen_enqueue.py" "$tmp/enqueue_data.sql"

# Template databases, built on first use: tmpl_a = the migrations (host 0001-0003, scheduler
# 0001-0002, as in the experiment) + app role; tmpl_b = A + variant_B; tmpl_c = B + variant_C;
# tmpl_c50 / tmpl_c40 = C with scheduler.jobs at fillfactor 50 / 40; tmpl_f = B + variant_F;
# tmpl_f<nn> / tmpl_fq<nn> = F with scheduler.jobs / scheduler.queue at fillfactor nn.
template() { # name parent sql-args...
  local name=$1 parent=$2; shift 2
  q postgres "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 && return
  if [ "$parent" = - ]; then q postgres "CREATE DATABASE $name" >/dev/null
  else q postgres "CREATE DATABASE $name TEMPLATE $parent" >/dev/null; fi
  psql -U postgres -d "$name" "$@" >/dev/null
}
tmpl_a() {
  local args=(-c "CREATE SCHEMA jobengine; CREATE TABLE jobengine.schema_migrations (owner text,
    name text, sha256 text, applied_at timestamptz DEFAULT now(), PRIMARY KEY (owner, name))")
  for m in "${migrations[@]}"; do args+=(-f "$repo/migrations/$m"); done
  template tmpl_a - "${args[@]}" -f "$here/sql/app_role.sql"
}
tmpl_b() { tmpl_a; template tmpl_b tmpl_a -f "$here/sql/variant_B.sql"; }
tmpl_c() { tmpl_b; template tmpl_c tmpl_b -f "$here/sql/variant_C.sql"; }
tmpl_ff() { tmpl_c; template "tmpl_c$1" tmpl_c -c "ALTER TABLE scheduler.jobs SET (fillfactor = $1)"; }
tmpl_f() { tmpl_b; template tmpl_f tmpl_b -f "$here/sql/variant_F.sql"; }
tmpl_fff() { tmpl_f; template "tmpl_f$1" tmpl_f -c "ALTER TABLE scheduler.jobs SET (fillfactor = $1)"; }
tmpl_fqff() { tmpl_f; template "tmpl_fq$1" tmpl_f -c "ALTER TABLE scheduler.queue SET (fillfactor = $1)"; }

# One run: a fresh database from the variant's template, timed enqueue of 100k jobs (200
# statements x 500, one psql connection), CHECKPOINT, timed pgbench drain (4 clients; each
# transaction completes the client's previous batch, then claims 200).
run_one() { # round tag
  local r=$1 tag=$2 v mode=custom opts="" tm load t0 t1 t2 t3 l0 l1 l2 l3 succ left ev stats wal
  case $tag in
    A) v=A; tm=tmpl_a; tmpl_a ;;
    Ag) v=A; tm=tmpl_a; tmpl_a; mode=generic; opts="-c plan_cache_mode=force_generic_plan" ;;
    B) v=B; tm=tmpl_b; tmpl_b ;;
    C | D | E) v=$tag; tm=tmpl_c; tmpl_c ;;
    C50 | C40) v=C; tm=tmpl_c${tag#C}; tmpl_ff "${tag#C}" ;;
    F) v=F; tm=tmpl_f; tmpl_f ;;
    Fq*) v=F; tm=tmpl_fq${tag#Fq}; tmpl_fqff "${tag#Fq}" ;;
    F*) v=F; tm=tmpl_f${tag#F}; tmpl_fff "${tag#F}" ;;
  esac
  # Be polite to a C++ build on the machine: wait up to 90 s for it to finish.
  for _ in $(seq 18); do pgrep -x cc1plus >/dev/null || break; sleep 5; done
  q postgres "DROP DATABASE IF EXISTS run" >/dev/null
  q postgres "CREATE DATABASE run TEMPLATE $tm" >/dev/null
  load="$(cut -d' ' -f1 /proc/loadavg) cc=$(pgrep -c -x cc1plus || true)"
  l0=$(q run "SELECT pg_current_wal_insert_lsn()")
  t0=$(date +%s.%N)
  psql -U app -d run -f "$tmp/enqueue_prepare_$v.sql" -f "$tmp/enqueue_data.sql" >/dev/null
  t1=$(date +%s.%N)
  l1=$(q run "SELECT pg_current_wal_insert_lsn()")
  q run "CHECKPOINT" >/dev/null
  sleep 1
  l2=$(q run "SELECT pg_current_wal_insert_lsn()")
  t2=$(date +%s.%N)
  PGOPTIONS="$opts" "$pgbench" -U app -d run -n -M prepared -c 4 -j 2 -t "$tx_per_client" \
    -f "$tmp/drain_$v.pgb" -D worker=bench-runner -D prev='[]' >"$tmp/pgbench.txt" 2>&1 ||
    { cat "$tmp/pgbench.txt" >&2; exit 1; }
  t3=$(date +%s.%N)
  l3=$(q run "SELECT pg_current_wal_insert_lsn()")
  sleep 1.5 # let the statistics collector catch up
  read -r succ left ev <<<"$(psql -At -F' ' -U postgres -d run -c "SELECT
    (SELECT count(*) FROM scheduler.jobs WHERE status = 'succeeded'),
    (SELECT count(*) FROM scheduler.jobs WHERE status <> 'succeeded'),
    (SELECT count(*) FROM jobengine.events)")"
  stats=$(q run "SELECT string_agg(relname || ':upd=' || n_tup_upd || ',hot=' || n_tup_hot_upd ||
    ',del=' || n_tup_del, ' ' ORDER BY relname) FROM pg_stat_user_tables WHERE relname IN ('jobs', 'queue')")
  wal=$(q run "SELECT round(pg_wal_lsn_diff('$l1', '$l0') / 100000) || ' B/job enq, ' ||
    round(pg_wal_lsn_diff('$l3', '$l2') / 100000) || ' B/job drain'")
  awk -v r="$r" -v v="$tag" -v m="$mode" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" \
    -v s="$succ" -v left="$left" -v ev="$ev" -v load="$load" -v st="$stats" -v wal="$wal" \
    'BEGIN { v = (v == "Ag") ? "A" : v
      printf "r%d %s\t%s\tenq=%.0f/s (%.2fs)\tdrain=%.0f/s (%.2fs, succ=%d, left=%d)\tevents=%d\tload=%s\t%s\twal=%s\n",
        r, v, m, 100000 / (t1 - t0), t1 - t0, s / (t3 - t2), t3 - t2, s, left, ev, load, st, wal }' |
    tee -a "$tmp/runs.tsv"
}

echo "storage model $(date -u +%FT%TZ)  $(nproc) cores  $("$pgbin/postgres" --version)  load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rounds: $rounds  variants: ${variants[*]}  jobs: 100000  drain: 4 clients, claim 200"
for r in $(seq "$rounds"); do
  for v in "${variants[@]}"; do run_one "$r" "$v"; done
done
echo
python3 "$here/aggregate.py" "$tmp/runs.tsv"
