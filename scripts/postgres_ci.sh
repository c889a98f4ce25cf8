#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster for geoapp's backend tests.
#
#   bash scripts/postgres_ci.sh            # create (once) and start; print the export line
#   eval "$(bash scripts/postgres_ci.sh)"  # ... and set GEOAPP_TEST_DATABASE_URL in this shell
#   bash scripts/postgres_ci.sh stop       # stop it (data stays; `start` again reuses it)
#   bash scripts/postgres_ci.sh purge      # stop it and delete the cluster
#   bash scripts/postgres_ci.sh url        # print the URL of a running cluster
#
# Needs Debian's `postgresql` and `postgresql-15-postgis-3` (any PostgreSQL major with its
# postgis-3 package works; the newest installed is used). As root, the cluster runs as the
# unprivileged `postgres` user (created as `geoapp` when absent); otherwise as the caller.
# Listens on 127.0.0.1 only, on a free port, with a random password (scram-sha-256).
# Idempotent: a second call finds the running cluster and prints the same URL.
#
# Settings (environment): GEOAPP_PG_DIR (default /tmp/geoapp-pg-ci), GEOAPP_PG_PORT (default: a free
# port), GEOAPP_PG_DB (default geoapp_test). On GitHub Actions the URL is also appended to $GITHUB_ENV.
set -euo pipefail

DIR="${GEOAPP_PG_DIR:-/tmp/geoapp-pg-ci}"
DB="${GEOAPP_PG_DB:-geoapp_test}"
ACTION="${1:-start}"
DATA="$DIR/data"
SOCK="$DIR/sock"
LOG="$DIR/postgres.log"

die() { echo "postgres_ci: $*" >&2; exit 1; }

PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] || die "no PostgreSQL server found; install it with:
  apt-get update && apt-get install -y postgresql postgresql-15-postgis-3"

if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then RUNAS=postgres
    else
        id geoapp >/dev/null 2>&1 || useradd --system --home-dir "$DIR" --shell /usr/sbin/nologin geoapp
        RUNAS=geoapp
    fi
    as_user() { runuser -u "$RUNAS" -- "$@"; }
else
    RUNAS="$(id -un)"
    as_user() { "$@"; }
fi

pgctl() { as_user "$PGBIN/pg_ctl" -D "$DATA" "$@"; }
running() { [ -f "$DATA/PG_VERSION" ] && pgctl status >/dev/null 2>&1; }

free_port() {
    if [ -n "${GEOAPP_PG_PORT:-}" ]; then echo "$GEOAPP_PG_PORT"; return; fi
    local py
    for py in python3 /work/venv/bin/python python; do
        if command -v "$py" >/dev/null 2>&1; then
            "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
            return
        fi
    done
    local p
    for p in $(seq 55432 55532); do
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
    die "no free port found"
}

url() {
    local port pw
    port="$(cat "$DIR/port")"; pw="$(cat "$DIR/password")"
    echo "postgresql://geoapp:${pw}@127.0.0.1:${port}/${DB}"
}

announce() {
    local u; u="$(url)"
    echo "export GEOAPP_TEST_DATABASE_URL=$u" > "$DIR/env"
    chmod 600 "$DIR/env"
    if [ -n "${GITHUB_ENV:-}" ]; then echo "GEOAPP_TEST_DATABASE_URL=$u" >> "$GITHUB_ENV"; fi
    echo "export GEOAPP_TEST_DATABASE_URL=$u"
}

psql_su() { as_user "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$(cat "$DIR/port")" -U postgres "$@"; }

case "$ACTION" in
stop)
    if running; then pgctl stop -m fast -w >/dev/null; echo "postgres_ci: stopped ($DATA)" >&2
    else echo "postgres_ci: not running" >&2; fi
    exit 0 ;;
purge)
    if running; then pgctl stop -m immediate -w >/dev/null; fi
    rm -rf "$DIR"; echo "postgres_ci: removed $DIR" >&2
    exit 0 ;;
url)
    running || die "not running; run: bash $0"
    announce; exit 0 ;;
start) ;;
*) die "unknown action $ACTION (start | stop | purge | url)" ;;
esac

if running; then announce; exit 0; fi

mkdir -p "$DIR" "$SOCK"
chmod 700 "$DIR"
[ "$(id -u)" = 0 ] && chown "$RUNAS" "$DIR" "$SOCK"

if [ ! -f "$DATA/PG_VERSION" ]; then
    rm -rf "$DATA"
    free_port > "$DIR/port"
    # a random password for the app role; the superuser only logs in over the private socket
    head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DIR/password"
    chmod 600 "$DIR/port" "$DIR/password"
    [ "$(id -u)" = 0 ] && chown "$RUNAS" "$DIR/port" "$DIR/password"
    as_user "$PGBIN/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$DIR/initdb.log" 2>&1 \
        || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
    fresh=1
else
    fresh=0
    # the recorded port may have been taken meanwhile: pick another
    if (exec 3<>"/dev/tcp/127.0.0.1/$(cat "$DIR/port")") 2>/dev/null; then free_port > "$DIR/port"; fi
fi

PORT="$(cat "$DIR/port")"
# fsync off: a throwaway cluster; durability is not what the tests measure
pgctl -l "$LOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { tail -20 "$LOG" >&2; die "pg_ctl start failed"; }

if [ "$fresh" = 1 ]; then
    PW="$(cat "$DIR/password")"
    psql_su -d postgres -c "CREATE ROLE geoapp LOGIN PASSWORD '$PW' CREATEDB"
    psql_su -d postgres -c "CREATE DATABASE $DB OWNER geoapp"
    # PostGIS needs a superuser to install; the app role then only creates its tables
    psql_su -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS postgis"
    psql_su -d template1 -c "CREATE EXTENSION IF NOT EXISTS postgis"
fi
announce
