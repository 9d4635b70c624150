# pg.sh: a throwaway PostgreSQL cluster for one test script.
#
#   . "$TEST_ROOT/t/lib/pg.sh"
#   pg_start            # initdb + start; exports PGHOST PGPORT PGUSER PGDATABASE
#   psql -c 'select 1'  # the tools and psql find it through libpq's PG* vars
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
		echo "pg.sh: no PostgreSQL server found (install postgresql, or set PG_BINDIR)" >&2
		exit 1
	fi
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/strongbox-pg.XXXXXX") || exit 1
	chmod 755 "$PG_DIR"
	[ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
	PGPORT=$(free_port)
	test_at_exit pg_stop
	if ! _pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres \
		--auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1; then
		echo "pg.sh: initdb failed:" >&2
		cat "$PG_DIR/initdb.log" >&2
		exit 1
	fi
	cat >>"$PG_DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
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
	if ! _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
		-w -t 60 start >/dev/null 2>&1; then
		echo "pg.sh: the server did not start:" >&2
		cat "$PG_DIR/server.log" >&2
		exit 1
	fi
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

# pg_dump_plain DB FILE: pg_dump of DB (schema and data) as SQL into FILE,
# without pg_dump's \restrict lines, whose key is new on every run, so
# that two dumps of the same database compare equal.
pg_dump_plain() {
	pg_dump -d "$1" | grep -v '^\\\(un\)\?restrict ' >"$2"
}

# pg_sql DB SQL: runs SQL in DB, prints unaligned tuples only, fails on error.
pg_sql() {
	psql -X -q -v ON_ERROR_STOP=1 -At -d "$1" -c "$2"
}

# pg_hold_lock DB TABLE [MODE]: a background session, application_name
# "holder", that holds TABLE locked in MODE (default ACCESS EXCLUSIVE) in
# an open transaction until pg_release_lock; returns once it is granted.
pg_hold_lock() {
	PGAPPNAME=holder psql -X -q -d "$1" -c "begin" \
		-c "lock table $2 in ${3:-access exclusive} mode" \
		-c "select pg_sleep(3600)" >/dev/null 2>&1 &
	PG_HOLDER_PID=$!
	_pg_holder_db=$1
	wait_for 30 _pg_lock_granted "$1" "$2"
}

_pg_lock_granted() {
	test -n "$(pg_sql "$1" "select 1 from pg_locks l
		join pg_stat_activity a on a.pid = l.pid
		where a.application_name = 'holder' and l.granted
		and l.relation = '$2'::regclass")"
}

# pg_release_lock: ends the session of pg_hold_lock.
pg_release_lock() {
	pg_sql "$_pg_holder_db" "select pg_terminate_backend(pid)
		from pg_stat_activity where application_name = 'holder'" >/dev/null
	wait "$PG_HOLDER_PID" 2>/dev/null || true
}

# pg_wait_lock_wait DB APP: returns once a session of application_name APP
# waits for a lock.
pg_wait_lock_wait() {
	wait_for 30 _pg_waits "$1" "$2"
}

_pg_waits() {
	test -n "$(pg_sql "$1" "select 1 from pg_stat_activity
		where application_name = '$2' and wait_event_type = 'Lock'")"
}
