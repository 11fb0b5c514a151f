#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the storage tests and print its URL.
# Usage: export CM_ADVISOR_TEST_POSTGRES_URL=$(scripts/test-postgres.sh)
# Needs Debian's postgresql package (apt-get install postgresql). Stop it with:
#   pg_ctl -D "$PGDATA" stop   (the data directory is printed on stderr)
set -euo pipefail
PORT=${CM_ADVISOR_TEST_POSTGRES_PORT:-54329}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DATA=$(mktemp -d /tmp/cm-advisor-pg.XXXXXX)
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$DATA"
run "'$BIN/initdb' -D '$DATA' -A trust -U postgres --no-sync" >/dev/null
run "'$BIN/pg_ctl' -D '$DATA' -l '$DATA/server.log' -w -o \"-h 127.0.0.1 -p $PORT -k '$DATA' -F\" start" >/dev/null
echo "PostgreSQL data directory: $DATA" >&2
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
