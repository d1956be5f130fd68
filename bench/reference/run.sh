#!/usr/bin/env bash
# Reference bench: graphile-worker and pg-boss measured the way bench/throughput measures
# the engine (20,000 no-op jobs, batch enqueue of 500, drain with each job completed on its
# own row, enqueue → handler start latency), against a private PostgreSQL started with the
# same server options as the engine's embedded cluster (host/pgcluster/pg_cluster.cpp).
# Usage: bench/reference/run.sh   (REFBENCH_DIR overrides the scratch dir for node_modules)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="${REFBENCH_DIR:-$repo/build-release/bench-reference}"

# 1. Node and the pinned packages, installed outside the source tree (never committed).
if ! command -v node >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi
mkdir -p "$work"
cp "$here/package.json" "$here"/*.mjs "$work/"
(cd "$work" && npm install --no-audit --no-fund --loglevel=error >/dev/null)

# 2. A fresh PostgreSQL cluster in a temp dir (bench/lib/private_cluster.sh: initdb as the
#    unprivileged user jobengine when root, removed on exit).
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
# shellcheck source=SCRIPTDIR/../lib/private_cluster.sh
source "$here/../lib/private_cluster.sh"
private_cluster_init "$pgbin" refbench-pg C
# A free port: the kernel picks one, node reports it (a tiny race, as in pgcluster).
port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
# Exactly the engine's durable embedded options; the socket lives in the temp dir.
opts="-p $port -k $tmp -c listen_addresses=127.0.0.1 -c max_connections=200"
opts+=" -c autovacuum_naptime=2s -c fsync=on -c synchronous_commit=on"
"${as[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" -w -t 60 -o "$opts" start >/dev/null ||
  { tail -n 20 "$tmp/postgres.log" >&2; exit 1; }

echo "reference bench $(date -u +%FT%TZ)  $(nproc) cores  node $(node -v)  $("$pgbin/postgres" --version)"
# The figures move a lot with other load (a compile, another bench's fsyncs), and load
# average cannot tell our own CPU from someone else's. So count CPU ticks: the machine's
# busy ticks (/proc/stat) minus those of this script's children (node, reaped into our
# cutime) and of our PostgreSQL (postmaster, its live children, and the reaped ones).
busy() { echo "load $(cut -d' ' -f1-3 /proc/loadavg), $(pgrep -c -x cc1plus || true) C++ compilers running"; }
ticks() { # utime+stime+cutime+cstime of the given pids
  local t=0 p
  for p in "$@"; do
    # A backend may exit between pgrep and the read: count it as 0, never fail the sum.
    t=$((t + $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12+$13+$14+$15} END {if (NR == 0) print 0}')))
  done
  echo "$t"
}
ours() { local pm; pm="$(head -n 1 "$tmp/data/postmaster.pid")"; ticks $$ "$pm" $(pgrep -P "$pm"); }
machine() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; } # busy total
others() { # share of all cores used by other processes since the sample "$1 $2 $3"
  read -r b1 t1 <<<"$(machine)"
  awk -v b="$((b1 - $1))" -v t="$((t1 - $2))" -v o="$(($(ours) - $3))" \
    'BEGIN { printf "%.0f %% of the machine", t ? 100 * (b - o) / t : 0 }'
}
echo "before: $(busy)"

# 3. One Node process per queue, one after the other on the same cluster.
out="$tmp/results.txt"
for bench in graphile_worker_bench.mjs pgboss_bench.mjs; do
  start="$(machine) $(ours)"
  PGPORT="$port" node "$work/$bench" | tee -a "$out"
  echo "  other processes during ${bench%_bench.mjs}: $(others $start)"
done
echo "after: $(busy)"

# 4. Summary: lines are "<queue> <version>  <figure>  <value>  (<settings>)".
echo
awk -F'  ' '
  { q = $1; if (!(q in seen)) { seen[q] = 1; order[++n] = q } }
  $2 == "enqueue" { enq[q] = $3 }
  $2 == "drain"   { drain[q] = $3; how[q] = substr($4, 2, length($4) - 2) }
  $2 == "latency" { lat[q] = $3 }
  END {
    printf "| %-22s | %-10s | %-10s | %-24s | %s |\n", "queue", "enqueue", "drain", "latency (idle)", "best drain setting"
    print "|---|---|---|---|---|"
    for (i = 1; i <= n; i++) { q = order[i]
      printf "| %-22s | %-10s | %-10s | %-24s | %s |\n", q, enq[q], drain[q], lat[q], how[q] }
  }' "$out"
