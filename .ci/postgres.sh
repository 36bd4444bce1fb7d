#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the database tests and prints its URL.
# Usage: eval "$(bash .ci/postgres.sh start)"   → exports TEST_DATABASE_URL
#        bash .ci/postgres.sh stop
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DIR=${LOA_TEST_PG_DIR:-/tmp/loa-ci-postgres}
PORT=${LOA_TEST_PG_PORT:-55432}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-start}" in
  start)
    if [ ! -f "$DIR/PG_VERSION" ]; then
      mkdir -p "$DIR"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
      as_pg "$PGBIN/initdb" -D "$DIR" -U loa --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_pg "$PGBIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1 || as_pg "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
      -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null
    echo "export TEST_DATABASE_URL=postgres://loa@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    as_pg "$PGBIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null || true
    ;;
esac
