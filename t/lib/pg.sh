# pg.sh: a throwaway PostgreSQL cluster for one test script.
#
#   . "$TEST_ROOT/t/lib/pg.sh"
#   pg_start            # initdb + start; exports PGHOST PGPORT PGUSER PGDATABASE
#   psql -c 'select 1'  # the tools and psql find it through libpq's PG* vars
#
# The cluster's functions live in share/strongbox/pg-scratch.sh, which the
# installed demo uses too; test-lib.sh provides the test_at_exit and
# free_port they need.  The lock helpers below are the tests' own.
. "$TEST_ROOT/share/strongbox/pg-scratch.sh"

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

# pg_dump_plain DB FILE: pg_dump of DB (schema and data) as SQL into FILE,
# without pg_dump's \restrict lines, whose key is new on every run, so
# that two dumps of the same database compare equal.
pg_dump_plain() {
	pg_dump -d "$1" | grep -v '^\\\(un\)\?restrict ' >"$2"
}

# pg_no_staging_left: no staging or replaced database of srestore -j is
# left on the server (stagename.h's names).
pg_no_staging_left() {
	test "$(pg_sql postgres "select count(*) from pg_database where datname ~ '_(strongbox_[0-9a-f]{8}|old_[0-9]{14}(_[0-9]+)?)$'")" = 0
}
