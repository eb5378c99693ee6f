#!/bin/sh
# pg-start.sh STATE_DIR: starts a private PostgreSQL cluster for the tests and
# writes its libpq URI to STATE_DIR/pg.uri (and prints it).
#
# The cluster lives in a new temporary directory: initdb + pg_ctl, listening
# only on a Unix socket in that directory (no TCP), trust authentication for
# the superuser "postgres", fsync off (a test cluster, thrown away). initdb
# refuses root: as root it runs as Debian's `postgres` system user (or a
# throwaway user it creates) on a directory that user owns. pg-stop.sh stops
# it (pg_ctl -m immediate) and removes the directory.
#
# Exit 77 (CTest: skipped) when PostgreSQL's server binaries are absent;
# OT_PG_BINDIR overrides where they are looked for. OT_PG_DURABLE=1 keeps
# fsync and full_page_writes on (the benchmarks, bench/store);
# OT_PG_STATEMENTS=1 loads pg_stat_statements when it is installed.
set -eu
state=${1:?usage: pg-start.sh STATE_DIR}
mkdir -p "$state"
rm -f "$state/pg.uri" "$state/pg.dir" "$state/pg.user"

bindir=${OT_PG_BINDIR:-}
if [ -z "$bindir" ]; then
	# Debian: /usr/lib/postgresql/<version>/bin; take the newest version.
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
		bindir=$d
	done
	if [ -z "$bindir" ] && command -v pg_ctl >/dev/null 2>&1; then
		bindir=$(dirname "$(command -v pg_ctl)")
	fi
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
	echo "pg-start: no PostgreSQL server binaries (initdb, pg_ctl): PostgreSQL tests skipped" >&2
	exit 77
fi

# Who runs the server: ourselves, or an unprivileged user when we are root.
user=
if [ "$(id -u)" = 0 ]; then
	if id postgres >/dev/null 2>&1; then
		user=postgres
	else
		user=ot-pgtest
		id "$user" >/dev/null 2>&1 ||
			useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
	fi
fi
as_user() {
	if [ -n "$user" ]; then
		runuser -u "$user" -- "$@"
	else
		"$@"
	fi
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/ot-pg.XXXXXX")
echo "$dir" >"$state/pg.dir"
echo "$user" >"$state/pg.user"
echo "$bindir" >"$state/pg.bindir"
chmod 755 "$dir"
[ -z "$user" ] || chown "$user" "$dir"

# The socket is DIR/.s.PGSQL.<port>; the directory is private, so any port
# number is free; pick one at random to make mix-ups visible.
port=$((50000 + $$ % 10000))

if ! as_user "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync \
	-E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
	cat "$dir/initdb.log" >&2
	echo "pg-start: initdb failed" >&2
	exit 1
fi
durability="-c fsync=off -c full_page_writes=off"
[ "${OT_PG_DURABLE:-0}" = 1 ] && durability="-c fsync=on -c full_page_writes=on -c synchronous_commit=on"
# OT_PG_STATEMENTS=1: count every statement (pg_stat_statements, when installed)
if [ "${OT_PG_STATEMENTS:-0}" = 1 ] && [ -f "$bindir/../lib/pg_stat_statements.so" ]; then
	durability="$durability -c shared_preload_libraries=pg_stat_statements"
fi
if ! as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-c listen_addresses='' -k $dir -p $port $durability -c max_connections=40 -c shared_buffers=16MB" \
	start >/dev/null; then
	cat "$dir/server.log" >&2
	echo "pg-start: the server did not start" >&2
	exit 1
fi
uri="postgresql:///postgres?host=$dir&port=$port&user=postgres"
echo "$uri" >"$state/pg.uri"
echo "$uri"
