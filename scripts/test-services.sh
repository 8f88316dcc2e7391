#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis for the integration tests, bound to 127.0.0.1 on free ports.
#
#   scripts/test-services.sh start [dir]   start both; prints the variables to export
#   scripts/test-services.sh stop  [dir]   stop both (by pid) and remove the directory
#
# `dir` (default $PARLEY_SERVICES_DIR or /tmp/parley-test-services) holds the data, sockets, logs,
# pid files and `env`, a file of `export` lines to source:
#
#   scripts/test-services.sh start && . /tmp/parley-test-services/env && npm test
#   scripts/test-services.sh stop
#
# Needs the PostgreSQL server (binaries under /usr/lib/postgresql/*/bin) and redis-server. Run as
# root, PostgreSQL runs as the `postgres` user (it refuses to run as root). The cluster skips
# fsync: it is thrown away after the run, and the tests measure semantics, not durability.
# PARLEY_SERVICES_DURABLE=1 keeps PostgreSQL's durable defaults (fsync, synchronous_commit and
# full-page writes on), for benchmarks whose figures must include the commit's flush.
set -euo pipefail

cmd="${1:-}"
dir="${2:-${PARLEY_SERVICES_DIR:-/tmp/parley-test-services}}"

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

pg_bin() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "test-services: no PostgreSQL server under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
    exit 1
  fi
  echo "$bin"
}

# Runs a command as the postgres user when we are root (PostgreSQL refuses root), else as ourselves.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  if [ -e "$dir/env" ]; then
    echo "test-services: already started in $dir (stop it first)" >&2
    exit 1
  fi
  command -v redis-server >/dev/null || {
    echo "test-services: redis-server not found (apt-get install redis-server)" >&2
    exit 1
  }
  local bin pg_port redis_port
  bin="$(pg_bin)"
  mkdir -p "$dir"
  chmod 755 "$dir"
  mkdir -p "$dir/pg"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir/pg"

  pg_port="$(free_port)"
  as_pg "$bin/initdb" -D "$dir/pg/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${PARLEY_SERVICES_DURABLE:-}" = 1 ] && durability=""
  as_pg "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/postgres.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $dir/pg $durability -c max_connections=300" \
    >/dev/null || {
    cat "$dir/pg/postgres.log" >&2
    exit 1
  }
  head -n 1 "$dir/pg/data/postmaster.pid" >"$dir/postgres.pid"

  redis_port="$(free_port)"
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --dir "$dir" --logfile "$dir/redis.log"
  for _ in $(seq 1 100); do
    [ -s "$dir/redis.pid" ] && redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null || {
    cat "$dir/redis.log" >&2
    exit 1
  }

  cat >"$dir/env" <<EOF
export PARLEY_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$pg_port/postgres
export PARLEY_TEST_REDIS_URL=redis://127.0.0.1:$redis_port
EOF
  cat "$dir/env"
}

stop() {
  [ -d "$dir" ] || return 0
  if [ -s "$dir/redis.pid" ]; then
    local pid
    pid="$(cat "$dir/redis.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if [ -s "$dir/postgres.pid" ]; then
    local bin
    bin="$(pg_bin)"
    as_pg "$bin/pg_ctl" -D "$dir/pg/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
      kill "$(cat "$dir/postgres.pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

case "$cmd" in
start) start ;;
stop) stop ;;
*)
  echo "usage: $0 start|stop [dir]" >&2
  exit 2
  ;;
esac
