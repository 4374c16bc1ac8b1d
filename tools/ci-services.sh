#!/usr/bin/env bash
# Starts (or stops) the PostgreSQL and Redis servers that the integration tests use, on loopback,
# and writes their URLs to .ci/services.env. Used by .ci/run; works the same on a developer machine
# that has Debian's postgresql and redis-server installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PG_PORT="${MASKROOM_CI_PG_PORT:-55432}"
REDIS_PORT="${MASKROOM_CI_REDIS_PORT:-56379}"
pgver="$(ls /usr/lib/postgresql | sort -V | tail -1)"
pgbin="/usr/lib/postgresql/${pgver}/bin"
pgdata="/tmp/maskroom-ci-pg"
# PostgreSQL refuses to run as root: as root, run it as the postgres user.
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else bash -c "$1"; fi; }

case "${1:-start}" in
  start)
    if ! "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
      rm -rf "$pgdata"; mkdir -p "$pgdata"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pgdata"
      as_pg "$pgbin/initdb -D $pgdata -A trust -U postgres >/dev/null"
      as_pg "$pgbin/pg_ctl -D $pgdata -o '-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on' -l $pgdata/server.log -w start >/dev/null"
    fi
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtc "SELECT 1 FROM pg_roles WHERE rolname='maskroom'" | grep -q 1 \
      || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE ROLE maskroom LOGIN SUPERUSER PASSWORD 'maskroom'"
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtc "SELECT 1 FROM pg_database WHERE datname='maskroom_test'" | grep -q 1 \
      || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE maskroom_test OWNER maskroom"
    if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
      redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --logfile /tmp/maskroom-ci-redis.log --pidfile /tmp/maskroom-ci-redis.pid
      for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    redis-cli -p "$REDIS_PORT" ping >/dev/null
    cat > .ci/services.env <<ENV
export MASKROOM_TEST_DATABASE_URL=postgres://maskroom:maskroom@127.0.0.1:${PG_PORT}/maskroom_test
export MASKROOM_TEST_REDIS_URL=redis://127.0.0.1:${REDIS_PORT}
ENV
    echo "postgres ${pgver} on 127.0.0.1:${PG_PORT}, redis on 127.0.0.1:${REDIS_PORT}"
    ;;
  stop)
    [ -d "$pgdata" ] && as_pg "$pgbin/pg_ctl -D $pgdata -m fast stop >/dev/null" || true
    [ -f /tmp/maskroom-ci-redis.pid ] && kill "$(cat /tmp/maskroom-ci-redis.pid)" 2>/dev/null || true
    ;;
  status)
    "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
