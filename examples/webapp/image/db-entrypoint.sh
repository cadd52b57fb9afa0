#!/bin/sh
# PostgreSQL for the webapp example. First start (empty volume): initdb with a role "app" and a database
# "app". Demo settings: trust authentication (the port is published on 127.0.0.1 only), no fsync.
set -eu
PGDATA=/var/lib/postgresql/data
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb -D "$PGDATA" --no-locale -E UTF8 -U app --auth=trust >/dev/null
  echo "host all all 0.0.0.0/0 trust" >> "$PGDATA/pg_hba.conf"
  postgres --single -F -D "$PGDATA" postgres <<'SQL' >/dev/null
CREATE DATABASE app OWNER app;
SQL
  echo "db: cluster initialised"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql \
  -c max_connections=20 -c shared_buffers=8MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off
