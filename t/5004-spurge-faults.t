#!/bin/sh
# spurge under faults: a connection killed in the middle of a --before
# purge (after bill_items went, while bills are deleted), SIGINT in the
# middle of a TRUNCATE, and SIGINT while it waits for a lock, leave every
# row; a lock held by another session is exit 75 within --lock-timeout,
# naming the table and the blocking pid.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start
pg_createdb salon
"$TEST_ROOT/share/strongbox/salon-load.sh" -s 0.02 -d 40 salon >/dev/null
C=$TEST_ROOT/etc/purge-tables.conf
ALL="bills bill_items payments walkins appointments daily_reconciliations
cash_drawers day_summaries export_logs audit_logs events customers"
counts() {
	_q=
	for _t in $ALL; do
		_q="$_q${_q:+ union all }select '$_t' || ' ' || count(*) from $_t"
	done
	pg_sql salon "$_q"
}
counts >before
# A statement trigger that sleeps, to catch spurge in the middle.
pg_sql salon "create function slow() returns trigger language plpgsql as
	\$\$ begin perform pg_sleep(60); return null; end \$\$" >/dev/null

# sleeping STATEMENT: spurge's session is in pg_sleep under STATEMENT.
sleeping() {
	test "$(pg_sql salon "select count(*) from pg_stat_activity
		where application_name = 'spurge' and wait_event = 'PgSleep'
		and query like '$1%'")" = 1
}

test_expect_success 'a connection killed mid-purge (--before): non-zero, every row left' '
	pg_sql salon "create trigger slow_del before delete on bills
		for each statement execute function slow()" >/dev/null &&
	{ spurge -c "$C" -d salon --yes --before 2099-01-01 >out 2>err; echo $? >rc; } &
	wait_for 30 sleeping DELETE &&
	pg_sql salon "select count(*) from bill_items" >/dev/null &&
	pg_sql salon "select pg_terminate_backend(pid) from pg_stat_activity
		where application_name = '"'"'spurge'"'"'" >/dev/null &&
	wait &&
	test "$(cat rc)" != 0 && expect_one_line_error spurge && test ! -s out &&
	counts >now && diff before now &&
	pg_sql salon "drop trigger slow_del on bills" >/dev/null
'
test_expect_success 'SIGINT mid-TRUNCATE: "cancelled", exit 1, every row left' '
	pg_sql salon "create trigger slow_trunc before truncate on bills
		for each statement execute function slow()" >/dev/null &&
	{ spurge -c "$C" -d salon --yes >out 2>err & } &&
	pid=$! &&
	wait_for 30 sleeping TRUNCATE &&
	kill -INT $pid &&
	{ wait $pid; echo $? >rc; } &&
	test "$(cat rc)" = 1 &&
	test "$(cat err)" = "spurge: cancelled" && test ! -s out &&
	counts >now && diff before now &&
	pg_sql salon "drop trigger slow_trunc on bills" >/dev/null
'

# holding MODE TABLE: another session holds a lock until killed.
holding() {
	psql -X -q -d salon -c "begin" -c "lock table $2 in $1 mode" \
		-c "select pg_sleep(120)" >/dev/null 2>&1 &
	holder=$!
	held_table=$2
	wait_for 20 held
}
held() {
	test "$(pg_sql salon "select count(*) from pg_locks l
		join pg_stat_activity a on a.pid = l.pid
		where a.query like 'select pg_sleep(120)%'
		and l.relation = '$held_table'::regclass")" = 1
}
waiting_for_lock() {
	test "$(pg_sql salon "select count(*) from pg_stat_activity
		where application_name = 'spurge' and wait_event_type = 'Lock'")" = 1
}
release() {
	pg_sql salon "select pg_terminate_backend(pid) from pg_stat_activity
		where query like 'select pg_sleep(120)%'" >/dev/null
	wait $holder 2>/dev/null || true
}
test_expect_success 'a lock held elsewhere: exit 75 within the timeout, table and pid named' '
	holding "access share" payments &&
	hpid=$(pg_sql salon "select pid from pg_stat_activity where query like '"'"'select pg_sleep(120)%'"'"'") &&
	expect_exit 75 spurge -c "$C" -d salon --yes --lock-timeout 500ms &&
	expect_one_line_error spurge &&
	grep -q "payments" err && grep -q "pid $hpid" err &&
	release && counts >now && diff before now
'
test_expect_success 'SIGINT while waiting for a lock: cancelled, nothing deleted' '
	holding "access share" audit_logs &&
	{ spurge -c "$C" -d salon --yes --lock-timeout 60s >out 2>err & } &&
	pid=$! &&
	wait_for 30 waiting_for_lock &&
	kill -INT $pid &&
	{ wait $pid; echo $? >rc; } &&
	test "$(cat rc)" = 1 && test "$(cat err)" = "spurge: cancelled" &&
	release && counts >now && diff before now
'
test_expect_success 'then the purge goes through' '
	expect_exit 0 spurge -c "$C" -d salon --yes &&
	test "$(pg_sql salon "select count(*) from bills")" = 0 &&
	test "$(jq -r .total out)" -gt 0
'
test_done
