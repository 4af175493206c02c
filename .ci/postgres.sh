#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: Debian's postgresql package (installed when missing),
# initdb and pg_ctl as the `postgres` user, trust auth, a free 127.0.0.1 port, everything in a temp dir.
#
#   source .ci/postgres.sh && postgres_start   # exports OTPLEDGER_TEST_POSTGRES, PG_TEST_DIR
#   postgres_stop                              # stops the server and removes the dir
#
# Run by hand for development: `bash .ci/postgres.sh start` prints the URL and leaves the server running
# (`bash .ci/postgres.sh stop <dir>` stops it).
set -euo pipefail

postgres_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

postgres_install() {
  if postgres_bin >/dev/null; then return 0; fi
  echo "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  postgres_bin >/dev/null || { echo "postgresql installed but no initdb found" >&2; return 1; }
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

postgres_start() {
  postgres_install
  local bin port dir
  bin=$(postgres_bin)
  dir=$(mktemp -d /tmp/otpledger-pg.XXXXXX)
  chown postgres "$dir"
  port=$(free_port)
  # as the postgres user: initdb refuses to run as root
  runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; return 1; }
  # listen on loopback only, socket in the temp dir; enough connections for the two-process tests and benches
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=on -c synchronous_commit=on -c wal_recycle=off" start >/dev/null ||
    { cat "$dir/server.log" >&2; return 1; }
  export PG_TEST_DIR="$dir" PG_TEST_BIN="$bin"
  export OTPLEDGER_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
}

postgres_stop() {
  local dir=${1:-${PG_TEST_DIR:-}}
  [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
  runuser -u postgres -- "$(postgres_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    start) postgres_start && echo "export OTPLEDGER_TEST_POSTGRES='$OTPLEDGER_TEST_POSTGRES'  # stop: bash .ci/postgres.sh stop $PG_TEST_DIR" ;;
    stop) postgres_stop "${2:?the cluster dir}" ;;
    *) echo "usage: bash .ci/postgres.sh start | stop <dir>" >&2; exit 2 ;;
  esac
fi
