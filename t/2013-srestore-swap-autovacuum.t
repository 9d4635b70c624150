#!/bin/sh
# srestore -j's swap and autovacuum: a worker analysing the tables just
# loaded into the staging database (or vacuuming NAME) does not hold the
# swap up.  The server stops such a worker itself for a rename (its log
# says so); srestore used to wait for it to end, for seconds on a busy
# server and here, where the worker crawls (cost-limited), for minutes.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

PG_EXTRA_CONF="autovacuum_naptime = 1
autovacuum_vacuum_cost_delay = 100
autovacuum_vacuum_cost_limit = 1
log_autovacuum_min_duration = 0"
pg_start

blocker_in() {
	test "$(pg_sql postgres "select count(*) from pg_stat_activity where application_name = 'blocker'")" = 1
}
srestore_done() { ! kill -0 "$spid" 2>/dev/null; }
# A worker of autovacuum connected to the staging database.
autovacuum_in_staging() {
	test "$(pg_sql postgres "select count(*) from pg_stat_activity
		where backend_type = 'autovacuum worker' and datname ~ '_strongbox_[0-9a-f]{8}$'")" -ge 1
}

test_expect_success 'setup: a source of 200,000 rows; the target, an older copy, in use' '
	pg_createdb src && pg_createdb tgt &&
	pg_sql src "create table t (id int primary key, v text);
		insert into t select g, repeat(md5(g::text), 3) from generate_series(1, 200000) g" &&
	sdump -d src >src.sdump &&
	pg_sql tgt "create table t (id int primary key, v text); insert into t values (1, null)"
'
test_expect_success 'an autovacuum worker in the staging database: the swap goes on' '
	{ PGAPPNAME=blocker psql -X -q -d tgt -c "select pg_sleep(600)" >/dev/null 2>&1 & bpid=$!; } &&
	wait_for 30 blocker_in &&
	{ srestore -j 2 --clean --lock-timeout 10min -d tgt <src.sdump >out 2>err & spid=$!; } &&
	wait_for 300 autovacuum_in_staging &&
	log_start=$(wc -c <"$PG_DIR/server.log") &&
	pg_sql postgres "select pg_terminate_backend(pid) from pg_stat_activity where application_name = '"'"'blocker'"'"'" >/dev/null &&
	{ wait "$bpid" 2>/dev/null; true; } &&
	{ wait_for 120 srestore_done || { kill "$spid"; false; }; } &&
	{ wait "$spid"; rc=$?; } && test "$rc" = 0 &&
	tail -c +"$((log_start + 1))" "$PG_DIR/server.log" >log &&
	grep -q "terminating autovacuum process due to administrator command" log &&
	test "$(pg_sql tgt "select count(*) from t")" = 200000 &&
	pg_no_staging_left
'
test_done
