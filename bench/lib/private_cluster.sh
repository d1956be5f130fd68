# shellcheck shell=bash
# bench/lib/private_cluster.sh — sourced (not run) by the bench scripts that need a throwaway
# PostgreSQL cluster (bench/reference/run.sh, bench/storage_model/run.sh).
#
# private_cluster_init PGBIN NAME LOCALE
#   makes a temp dir ${TMPDIR:-/tmp}/NAME.XXXXXX and initdb's a cluster in it (superuser
#   postgres, trust auth, the given locale). initdb and pg_ctl refuse to run as root, so as root
#   they run as the unprivileged OS user `jobengine` (created if missing), like the engine's own
#   embedded cluster. Sets: tmp (the dir; data in $tmp/data) and the array `as` (the prefix
#   for running PostgreSQL binaries). Installs an EXIT trap that stops the server if it runs
#   and deletes the dir, so a failing or interrupted bench leaves nothing behind. Starting the
#   server (port, options) is the caller's: the benches need different settings.
private_cluster_init() {
  local pgbin="$1" name="$2" locale="$3"
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")"
  as=()
  if [ "$(id -u)" = 0 ]; then
    id -u jobengine >/dev/null 2>&1 ||
      useradd --system --no-create-home --shell /usr/sbin/nologin jobengine
    chown jobengine: "$tmp"
    as=(runuser -u jobengine --)
  fi
  _private_cluster_pgbin="$pgbin"
  trap _private_cluster_cleanup EXIT
  trap 'exit 130' INT TERM
  # The log lives in the temp dir, which the trap deletes: show it when initdb fails.
  "${as[@]}" "$pgbin/initdb" -D "$tmp/data" -U postgres -A trust -E UTF8 --locale="$locale" \
    >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }
}

_private_cluster_cleanup() {
  if [ -f "$tmp/data/postmaster.pid" ]; then
    "${as[@]}" "$_private_cluster_pgbin/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
