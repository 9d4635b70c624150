#!/bin/sh
# spurge --before DATE, the seeds' annual archival: rows older than DATE in
# TZ's calendar by the configured date column; children without one go
# with their parents (bill_items and payments of deleted bills); a row
# still referenced by a kept row, or by a row that stays, is spared with
# its children, and counted; the dry run says the same and changes
# nothing.  Then on the salon database, checked against plain SQL.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start
pg_createdb small
pg_sql small "
	create table appointments (id int primary key, scheduled_at timestamptz not null);
	create table bills (id int primary key, created_at timestamptz not null,
		appointment_id int references appointments);
	create table bill_items (id int primary key, bill_id int not null references bills on delete cascade);
	create table payments (id int primary key, bill_id int not null references bills);
	create table customers (id int primary key, last_bill_id int references bills);
	insert into appointments values
		(1, '2025-01-10 10:00+05:30'), (2, '2025-02-01 10:00+05:30'),
		(3, '2025-05-01 10:00+05:30');
	-- bill 2 is the last evening before the date in Kolkata; bill 3 the
	-- first minutes of the date there (still 31 March in UTC)
	insert into bills values
		(1, '2024-12-15 12:00+05:30', null), (2, '2025-03-31 23:00+05:30', 2),
		(3, '2025-04-01 00:30+05:30', null), (4, '2025-06-01 12:00+05:30', 1);
	insert into bill_items select i, (i + 1) / 2 from generate_series(1, 8) i;
	insert into payments select i, i from generate_series(1, 4) i;
	insert into customers values (1, 1), (2, 4), (3, null);" >/dev/null
cat >small.conf <<'CONF'
[master]
customers
[transactional]
bills created_at
bill_items
payments
appointments scheduled_at
CONF
state() {
	pg_sql small "select 'bills', string_agg(id::text, ',' order by id) from bills
		union all select 'items', string_agg(id::text, ',' order by id) from bill_items
		union all select 'payments', string_agg(id::text, ',' order by id) from payments
		union all select 'appointments', string_agg(id::text, ',' order by id) from appointments
		union all select 'customers', string_agg(id::text || ':' || coalesce(last_bill_id::text, '-'), ',' order by id) from customers"
}
state >state0
# rows TABLE FIELD: a table's figure in ./out's report.
rows() {
	jq -r ".tables[] | select(.table == \"$1\") | .$2" out
}

test_expect_success 'dry run in Asia/Kolkata: the counts, spared rows, nothing changed' '
	TZ=Asia/Kolkata expect_exit 0 spurge -c small.conf -d small --dry-run --before 2025-04-01 &&
	grep -q "older than 2025-04-01 in the time zone Asia/Kolkata" err &&
	grep -qx "  • bills: 1 records (1 spared: still referenced)" err &&
	grep -qx "  • bill_items: 2 records" err &&
	grep -qx "  • payments: 1 records" err &&
	grep -qx "  • appointments: 1 records (1 spared: still referenced)" err &&
	grep -q "TOTAL: 5 records will be deleted" err &&
	test "$(jq -r .total out)" = 5 && test "$(jq -r .spared out)" = 2 &&
	test "$(jq -r .before out)" = 2025-04-01 &&
	state >now && diff state0 now
'
# typed PHRASE: spurge --before on a terminal (script(1)) where PHRASE is
# typed; report in ./report, the terminal in ./tty, status in ./rc.
typed() {
	printf '%s\n' "$1" | TZ=Asia/Kolkata script -qefc \
		"spurge -c small.conf -d small --before 2025-04-01 </dev/null >report 2>stderr" tty >/dev/null
	echo $? >rc
}
test_expect_success '--before asks for the phrase too: the wrong one deletes nothing' '
	typed "DELETE" &&
	test "$(cat rc)" = 1 &&
	grep -q "TOTAL: 5 records will be deleted" stderr &&
	grep -q "Type DELETE ALL DATA to confirm" tty &&
	grep -q "not confirmed" stderr && test ! -s report &&
	state >now && diff state0 now
'
test_expect_success 'the purge: old bill 2 with its items and payment and appointment 2' '
	typed "DELETE ALL DATA" && test "$(cat rc)" = 0 && mv report out &&
	test "$(rows bills rows)" = 1 && test "$(rows bills spared)" = 1 &&
	test "$(rows bill_items rows)" = 2 && test "$(rows payments rows)" = 1 &&
	test "$(rows appointments rows)" = 1 && test "$(rows appointments spared)" = 1 &&
	cat >want <<-\WANT &&
	bills|1,3,4
	items|1,2,5,6,7,8
	payments|1,3,4
	appointments|1,3
	customers|1:1,2:4,3:-
	WANT
	state >now && diff want now
'
test_expect_success 'in UTC the same date takes bill 3 too' '
	TZ=UTC expect_exit 0 spurge -c small.conf -d small --dry-run --before 2025-04-01 &&
	test "$(rows bills rows)" = 1 && test "$(rows bill_items rows)" = 2 &&
	TZ=UTC expect_exit 0 spurge -c small.conf -d small --yes --before 2025-04-01 &&
	test "$(pg_sql small "select string_agg(id::text, '"'"','"'"' order by id) from bills")" = 1,4
'
test_expect_success 'a bad TZ: exit 1, nothing deleted' '
	TZ=Mars/Olympus expect_exit 1 spurge -c small.conf -d small --yes --before 2026-01-01 &&
	expect_one_line_error spurge && grep -q "TZ" err &&
	test "$(pg_sql small "select count(*) from bills")" = 2
'

pg_createdb parts
pg_sql parts "create table sales (id int, sold_on date not null) partition by range (sold_on);
	create table sales_2024 partition of sales for values from ('2024-01-01') to ('2025-01-01');
	create table sales_2025 partition of sales for values from ('2025-01-01') to ('2026-01-01');
	insert into sales values (1, '2024-03-01'), (2, '2025-03-01')" >/dev/null
printf '[transactional]\nsales sold_on\n' >parts.conf
test_expect_success 'a partitioned table: refused by --before (rows told apart by ctid), emptied without it' '
	expect_exit 1 spurge -c parts.conf -d parts --yes --before 2025-01-01 &&
	expect_one_line_error spurge && grep -q "partitioned table sales" err &&
	test "$(pg_sql parts "select count(*) from sales")" = 2 &&
	expect_exit 0 spurge -c parts.conf -d parts --yes &&
	test "$(jq -r .total out)" = 2 &&
	test "$(pg_sql parts "select count(*) from sales")" = 0
'

# The salon: a year of data, --before the middle of it.
pg_createdb salon
"$TEST_ROOT/share/strongbox/salon-load.sh" -s 0.02 -d 120 salon >/dev/null
C=$TEST_ROOT/etc/purge-tables.conf
D=$(pg_sql salon "select (min(business_date) + 60)::text from bills")
test_expect_success 'salon --before: exactly the old rows and their children go' '
	pg_sql salon "select (select count(*) from bills where created_at >= '"'"'$D'"'"'::date),
		(select count(*) from bill_items i join bills b on b.id = i.bill_id where b.created_at >= '"'"'$D'"'"'::date),
		(select count(*) from payments p join bills b on b.id = p.bill_id where b.created_at >= '"'"'$D'"'"'::date),
		(select count(*) from audit_logs where occurred_at >= '"'"'$D'"'"'::date),
		(select count(*) from customers), (select count(*) from users)" >want &&
	TZ=UTC expect_exit 0 spurge -c "$C" -d salon --yes --before "$D" &&
	test "$(rows bills rows)" -gt 0 && test "$(rows bill_items rows)" -gt 0 &&
	pg_sql salon "select (select count(*) from bills), (select count(*) from bill_items),
		(select count(*) from payments), (select count(*) from audit_logs),
		(select count(*) from customers), (select count(*) from users)" >now &&
	diff want now &&
	test "$(pg_sql salon "select count(*) from appointments a where scheduled_at < '"'"'$D'"'"'::date
		and not exists (select 1 from bills b where b.appointment_id = a.id)")" = 0 &&
	test "$(pg_sql salon "select count(*) from appointments where scheduled_at < '"'"'$D'"'"'::date")" = \
		"$(rows appointments spared)"
'
test_done
