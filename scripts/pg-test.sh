#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on 127.0.0.1 for the test suites and the DB benchmark.
#
#   scripts/pg-test.sh          start it (installing Debian's postgresql if missing), create
#                               database oprl_test, print its URL on the last line of stdout
#   scripts/pg-test.sh stop     stop it and delete its data
#
#   export TEST_POSTGRES_URL=$(scripts/pg-test.sh | tail -n1)
#
# Must run as root (it runs the server as the `postgres` user). Port: PG_TEST_PORT (55432).
set -euo pipefail

PORT="${PG_TEST_PORT:-55432}"
BASE="/tmp/oprl-pg-test-${PORT}"
DATA="$BASE/data"
SOCK="$BASE/sock"
LOG="$BASE/server.log"
DB="oprl_test"

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  return 1
}

as_postgres() { runuser -u postgres -- "$@"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "pg-test.sh: run as root (it starts the server as the postgres user)" >&2
  exit 1
fi

if [ "${1:-start}" = "stop" ]; then
  if BIN=$(find_bin) && [ -f "$DATA/postmaster.pid" ]; then
    as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$BASE"
  echo "stopped PostgreSQL test cluster on port $PORT" >&2
  exit 0
fi

if ! BIN=$(find_bin); then
  echo "installing postgresql (apt)..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  BIN=$(find_bin)
fi

if [ -f "$DATA/postmaster.pid" ] && as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  echo "PostgreSQL test cluster already running on port $PORT" >&2
else
  rm -rf "$BASE"
  mkdir -p "$SOCK"
  chown -R postgres:postgres "$BASE"
  as_postgres "$BIN/initdb" -D "$DATA" -A trust -U postgres --no-sync >/dev/null
  # fsync off: a test cluster, thrown away after the run; keeps the suites fast on 2 cores.
  as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $SOCK -c fsync=off -c synchronous_commit=off -c max_connections=200" \
    start >/dev/null
  echo "started PostgreSQL test cluster on 127.0.0.1:$PORT (log: $LOG)" >&2
fi

if ! as_postgres "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -Atc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
  as_postgres "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
fi

echo "postgresql://postgres@127.0.0.1:$PORT/$DB"
