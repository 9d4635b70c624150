# pg-scratch.sh: a throwaway PostgreSQL cluster, for the tests (through
# t/lib/pg.sh), the demo and the benchmarks.
#
#   . /usr/local/share/strongbox/pg-scratch.sh
#   pg_start            # initdb + start; exports PGHOST PGPORT PGUSER PGDATABASE
#   psql -c 'select 1'  # the tools and psql find it through libpq's PG* vars
#
# The caller defines two functions first: test_at_exit CMD (run CMD, a
# string for eval, when the script ends) and free_port (print a free TCP
# port on 127.0.0.1), as t/lib/test-lib.sh and demo.sh do.
#
# The cluster lives in its own directory with a unix socket there and a free
# port on 127.0.0.1 (PG_URL is a TCP URL to it).  As root (CI), initdb and
# the server run as the "postgres" user through runuser, since initdb refuses
# root.  The server is stopped and its directory removed at exit, whatever
# happened.  pg_start may be called once per script.

pg_bindir() {
	if [ -n "${PG_BINDIR:-}" ]; then
		echo "$PG_BINDIR"
		return
	fi
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# _pg_as_owner CMD...: runs CMD as the cluster's owner.
_pg_as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	PG_BIN=$(pg_bindir)
	if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
		echo "pg-scratch.sh: no PostgreSQL server found (install postgresql, or set PG_BINDIR)" >&2
		exit 1
	fi
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/strongbox-pg.XXXXXX") || exit 1
	chmod 755 "$PG_DIR"
	[ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
	test_at_exit pg_stop
	if ! _pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres \
		--auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1; then
		echo "pg-scratch.sh: initdb failed:" >&2
		cat "$PG_DIR/initdb.log" >&2
		exit 1
	fi
	cat >>"$PG_DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 64MB
max_connections = 40
max_wal_senders = 0
wal_level = minimal
logging_collector = off
lc_messages = 'C'
timezone = 'UTC'
${PG_EXTRA_CONF:-}
CONF
	# The port is chosen just before the start, and chosen again if another
	# process took it in between (clusters of tests running side by side).
	_pg_try=0
	until PGPORT=$(free_port) &&
		_pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
			-o "-p $PGPORT" -w -t 60 start >/dev/null 2>&1; do
		_pg_try=$((_pg_try + 1))
		if [ "$_pg_try" -ge 5 ] || ! grep -q "could not bind\|already in use" "$PG_DIR/server.log"; then
			echo "pg-scratch.sh: the server did not start:" >&2
			cat "$PG_DIR/server.log" >&2
			exit 1
		fi
	done
	echo "port = $PGPORT" >>"$PG_DIR/data/postgresql.conf"
	PGHOST=$PG_DIR
	PGUSER=postgres
	PGDATABASE=postgres
	PG_URL="postgresql://postgres@127.0.0.1:$PGPORT/postgres"
	export PGHOST PGPORT PGUSER PGDATABASE PG_URL PG_BIN
	unset PGPASSWORD PGSERVICE
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] || return 0
	if [ -f "$PG_DIR/data/postmaster.pid" ]; then
		_pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w \
			stop >/dev/null 2>&1
	fi
	if [ -n "${KEEP_TRASH:-}" ]; then
		echo "# kept cluster $PG_DIR" >&2
	else
		rm -rf "$PG_DIR"
	fi
	PG_DIR=
}

# pg_createdb NAME: a new empty database.
pg_createdb() {
	"$PG_BIN/createdb" -h "$PGHOST" -p "$PGPORT" -U postgres "$1"
}

# pg_sql DB SQL: runs SQL in DB, prints unaligned tuples only, fails on error.
pg_sql() {
	psql -X -q -v ON_ERROR_STOP=1 -At -d "$1" -c "$2"
}
