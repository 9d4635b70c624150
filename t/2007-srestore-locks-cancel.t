#!/bin/sh
# srestore against a live application: every lock within --lock-timeout
# (--clean, --data-only), the table and the session holding it named, exit
# 75, the target unchanged; SIGINT while it waits on a lock or in the
# middle of the rows: "srestore: cancelled", exit 1, nothing committed.
# And pg_dump's connection options.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start
port=$PGPORT

test_expect_success 'setup: an archive, a target restored from it' '
	pg_createdb src &&
	pg_sql src "create table clients (id int primary key, name text);
		create table bills (id int primary key,
			client_id int references clients, total int);
		insert into clients select g, '"'"'c'"'"' || g from generate_series(1, 50) g;
		insert into bills select g, 1 + g % 50, g from generate_series(1, 40000) g" &&
	sdump -d src -Z none >a.sdump &&
	pg_createdb dst && srestore -d dst <a.sdump >/dev/null &&
	pg_sql dst "insert into clients values (999, '"'"'marker'"'"')"
'
unchanged() {
	test "$(pg_sql dst "select count(*) from clients where id = 999")" = 1 &&
	test "$(pg_sql dst "select count(*) from bills")" = 40000
}

test_expect_success '--clean blocked by an open transaction: exit 75 within --lock-timeout, holder named, target unchanged' '
	pg_hold_lock dst clients "access share" &&
	expect_exit 75 srestore --clean --lock-timeout 500ms -d dst <a.sdump;
	rc=$?; pg_release_lock; test $rc = 0 &&
	expect_one_line_error srestore &&
	grep -q "cannot lock public.clients within 500ms (--lock-timeout): held by pid [0-9]* (application_name holder); rolled back" err &&
	test ! -s out && unchanged
'
test_expect_success '--data-only blocked the same way' '
	pg_hold_lock dst bills "row exclusive" &&
	expect_exit 75 srestore --data-only --lock-timeout 1 -d dst <a.sdump;
	rc=$?; pg_release_lock; test $rc = 0 &&
	grep -q "cannot lock public.bills within 1s" err && grep -q holder err &&
	unchanged
'
test_expect_success 'SIGINT while waiting on a lock: cancelled, exit 1, target unchanged' '
	pg_hold_lock dst clients "access share" &&
	{ srestore --clean --lock-timeout 10min -d dst <a.sdump >out 2>err & pid=$!; } &&
	pg_wait_lock_wait dst srestore && kill -INT $pid;
	wait $pid; rc=$?; pg_release_lock;
	test "$rc" = 1 && test "$(cat err)" = "srestore: cancelled" &&
	test ! -s out && unchanged
'
copying() {
	test -n "$(pg_sql mid "select 1 from pg_stat_activity
		where application_name = 'srestore' and query like 'COPY%'")"
}
test_expect_success 'SIGTERM in the middle of the rows: cancelled, exit 1, nothing committed' '
	pg_createdb mid && rm -f fifo && mkfifo fifo &&
	{ srestore -d mid <fifo >out 2>err & pid=$!; } &&
	exec 3>fifo && size=$(wc -c <a.sdump) &&
	head -c $((size / 2)) a.sdump >&3;
	wait_for 30 copying; kill -TERM $pid; wait $pid; rc=$?; exec 3>&-;
	test "$rc" = 1 && test "$(cat err)" = "srestore: cancelled" &&
	test ! -s out &&
	test -z "$(pg_sql mid "select 1 from pg_class where relname = '"'"'clients'"'"'")"
'
test_expect_success 'srestore -h HOST -p PORT -U USER DBNAME; -? is help; -h alone a usage error' '
	pg_createdb hp &&
	(unset PGHOST PGPORT PGUSER PGDATABASE &&
	 expect_exit 0 srestore -h 127.0.0.1 -p "$port" -U postgres hp <a.sdump) &&
	jq -e ".tables == 2" out &&
	expect_exit 0 srestore -? && grep -q "^usage: srestore" out &&
	expect_exit 2 srestore -h </dev/null && test ! -s out &&
	expect_one_line_error srestore
'
test_expect_success 'the password of -d is gone from /proc/PID/cmdline' '
	pg_sql dst "alter role postgres password '"'"'Pg-Secret7'"'"'" &&
	pg_hold_lock dst clients "access share" &&
	{ srestore --clean --lock-timeout 10min \
		-d "postgresql://postgres:Pg-Secret7@127.0.0.1:$port/dst" \
		<a.sdump >out 2>err & pid=$!; } &&
	pg_wait_lock_wait dst srestore &&
	tr "\000" " " </proc/$pid/cmdline >cmdline; kill -INT $pid;
	wait $pid; pg_release_lock;
	! grep -q Pg-Secret7 cmdline && grep -q "postgres:xxxxxxxxxx@" cmdline
'
test_done
