#!/bin/sh
# salon-gen: deterministic, realistic data for the reference salon schema,
# loaded on a real PostgreSQL through salon-load.sh.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

GEN=$TEST_ROOT/share/strongbox/salon-gen
LOAD=$TEST_ROOT/share/strongbox/salon-load.sh

# rows FILE TABLE: the number of rows of TABLE's COPY block in FILE.
rows() {
	awk -v t="COPY public.$2 " 'index($0, t) == 1 { f = 1; next }
		f && $0 == "\\." { exit } f { n++ } END { print n + 0 }' "$1"
}

test_expect_success '--help prints usage on stdout and exits 0' '
	expect_exit 0 "$GEN" --help &&
	grep -q "^usage: salon-gen" out && test ! -s err
'
test_expect_success 'a bad option or scale is a usage error with one line' '
	expect_exit 2 "$GEN" --bogus &&
	grep -q "^salon-gen: " err &&
	expect_exit 2 "$GEN" --scale 0 &&
	head -n 1 err | grep -q "^salon-gen: bad --scale: 0" &&
	expect_exit 2 "$GEN" --scale abc &&
	expect_exit 2 "$GEN" --end 2026-13-01 &&
	expect_exit 2 "$GEN" extra
'
test_expect_success 'the same seed and scale give the same bytes' '
	"$GEN" --scale 0.3 --days 60 >a.sql &&
	"$GEN" --scale 0.3 --days 60 >b.sql &&
	test "$(sha256sum <a.sql)" = "$(sha256sum <b.sql)" &&
	test "$(wc -c <a.sql)" -gt 100000
'
# The bytes of a small run, as gcc and clang at any -O produce them: a
# change here means the data changed for everyone (benchmarks, fixtures).
# Update it when the generator changes on purpose.
test_expect_success 'the output is the same on every build' '
	"$GEN" --scale 0.1 --days 30 | sha256sum >sum &&
	test "$(cut -d " " -f 1 sum)" = 643e6f4f6bbbcc7c4206f377769815579830e01cfe327df19f382f9b93aebb95
'
test_expect_success 'another seed gives other data' '
	"$GEN" --scale 0.3 --days 60 --seed 2 >c.sql &&
	! cmp -s a.sql c.sql
'
test_expect_success 'row counts grow linearly with the scale' '
	"$GEN" --scale 0.6 --days 60 >d.sql &&
	for t in bills bill_items payments customers audit_logs events; do
		a=$(rows a.sql $t) && d=$(rows d.sql $t) &&
		echo "$t $a $d" &&
		test "$a" -gt 50 &&
		test $((d * 10)) -ge $((a * 17)) && test $((d * 10)) -le $((a * 23)) ||
			exit 1
	done &&
	test "$(rows a.sql day_summaries)" = 60 && test "$(rows d.sql day_summaries)" = 60
'

pg_start

test_expect_success 'salon-load.sh creates the schema and loads the data' '
	pg_createdb salon &&
	expect_exit 0 "$LOAD" -s 0.3 -d 60 salon &&
	test ! -s err &&
	test "$(pg_sql salon "select count(*) from bills")" = "$(rows a.sql bills)" &&
	test "$(pg_sql salon "select count(*) from events")" = "$(rows a.sql events)"
'
test_expect_success 'every foreign key is there and valid' '
	test "$(pg_sql salon "select count(*) from pg_constraint where contype = '\''f'\''")" -ge 25 &&
	test "$(pg_sql salon "select count(*) from pg_constraint where contype = '\''f'\'' and not convalidated")" = 0 &&
	test "$(pg_sql salon "select count(*) from bills b left join customers c on c.id = b.customer_id
		where b.customer_id is not null and c.id is null")" = 0
'
test_expect_success 'every table has rows' '
	for t in customers users roles services service_categories service_addons skus suppliers stock \
		salon_settings bills bill_items payments walkins appointments daily_reconciliations \
		cash_drawers day_summaries export_logs audit_logs events alembic_version; do
		test "$(pg_sql salon "select count(*) > 0 from $t")" = t || { echo "empty: $t"; exit 1; }
	done
'
test_expect_success 'sequences continue after the loaded ids' '
	test "$(pg_sql salon "select nextval(pg_get_serial_sequence('\''bills'\'', '\''id'\'')) = max(id) + 1 from bills")" = t &&
	test "$(pg_sql salon "select next_invoice_number() > max(invoice_number) from bills")" = t
'
# script TABLE COLUMN RANGE: how many values of the column have a character
# in the range (a regular expression bracket of \u escapes).
script() {
	pg_sql salon "select count(*) from $1 where $2 ~ '[$3]'"
}
test_expect_success 'names, notes and payloads in many scripts, with emoji' '
	test "$(script customers full_name "A-Za-z")" -gt 100 &&
	test "$(script customers full_name "\u0900-\u097f")" -gt 0 &&
	test "$(script customers full_name "\u0b80-\u0bff")" -gt 0 &&
	test "$(pg_sql salon "select count(distinct full_name) from customers")" -gt 200 &&
	pg_sql salon "create view notes as select notes n from customers where notes is not null
		union all select notes from walkins where notes is not null
		union all select notes from bills where notes is not null" &&
	test "$(script notes n "\u0900-\u097f")" -gt 0 &&
	test "$(script notes n "\u0b80-\u0bff")" -gt 0 &&
	test "$(script notes n "\U0001f300-\U0001faff")" -gt 0 &&
	test "$(pg_sql salon "select count(distinct n) from notes")" -gt 40 &&
	test "$(pg_sql salon "select count(*) from notes where n like '\''%'\'' || chr(10) || '\''%'\''")" -gt 0 &&
	test "$(pg_sql salon "select count(*) from events where jsonb_typeof(payload->'\''lines'\'') = '\''array'\''
		and jsonb_array_length(payload->'\''lines'\'') > 1")" -gt 0 &&
	test "$(pg_sql salon "select count(*) from audit_logs where action = '\''customer.update'\''
		and new_values->>'\''notes'\'' <> '\'''\''")" -gt 0 &&
	test "$(pg_sql salon "select count(*) from events where payload ? '\''customer_name'\''
		and payload->>'\''customer_name'\'' ~ '\''[^\x01-\x7f]'\''")" -gt 0
'
test_expect_success 'phones are unique and well formed; GSTIN check characters are right' '
	test "$(pg_sql salon "select count(*) from customers where phone !~ '\''^\+(91[6-9][0-9]{9}|9715[0-9]{8}|447[0-9]{9})$'\''")" = 0 &&
	test "$(pg_sql salon "select count(distinct left(phone, 4)) from customers")" -ge 3 &&
	test "$(pg_sql salon "select count(*) from suppliers where gstin is not null")" -gt 0 &&
	test "$(pg_sql salon "select count(*) from bills where buyer_gstin is not null")" -gt 0 &&
	cat >gstin.sql <<-\SQL &&
	with g(g) as (select gstin from salon_settings union select gstin from suppliers
		union select buyer_gstin from bills),
	a(c) as (select '\''0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'\''::text)
	select count(*) from g, a where g is not null and substr(g, 15, 1) <> substr(c,
		(36 - (select sum(p / 36 + p % 36) from (select (position(substr(g, i, 1) in c) - 1)
			* (2 - i % 2) p from generate_series(1, 14) i) x)::int % 36) % 36 + 1, 1)
	SQL
	test "$(psql -X -At -v ON_ERROR_STOP=1 -d salon -f gstin.sql)" = 0
'
test_expect_success 'refunds, discounts, tips, voids and split payments are present' '
	test "$(pg_sql salon "select count(*) from bills where refund_amount > 0")" -gt 0 &&
	test "$(pg_sql salon "select count(*) from bills where status = '\''refunded'\''")" -gt 0 &&
	test "$(pg_sql salon "select count(*) from bills where discount_amount > 0")" -gt 20 &&
	test "$(pg_sql salon "select count(*) from bills where tip_amount > 0")" -gt 5 &&
	test "$(pg_sql salon "select count(*) from bills where status = '\''void'\''")" -gt 0 &&
	test "$(pg_sql salon "select count(*) from bills where customer_id is null")" -gt 0 &&
	test "$(pg_sql salon "select count(*) from (select bill_id from payments where kind = '\''payment'\''
		group by bill_id having count(*) > 1) s")" -gt 0 &&
	test "$(pg_sql salon "select count(distinct method) from payments")" -ge 4 &&
	test "$(pg_sql salon "select count(distinct status) from appointments")" -ge 4
'
test_expect_success 'payments add up to each bill, refunds to its refund' '
	test "$(pg_sql salon "select count(*) from bills b where status <> '\''void'\'' and total_amount <>
		(select sum(amount) from payments p where p.bill_id = b.id and kind = '\''payment'\'')")" = 0 &&
	test "$(pg_sql salon "select count(*) from bills b where refund_amount <>
		coalesce((select sum(amount) from payments p where p.bill_id = b.id and kind = '\''refund'\''), 0)")" = 0 &&
	test "$(pg_sql salon "select count(*) from bills b where subtotal <>
		(select sum(unit_price * quantity) from bill_items i where i.bill_id = b.id)")" = 0
'
# The metrics of the seed "Centralized Backups & Metrics Push", computed from
# the rows by share/strongbox/salon-metrics.sql, agree with what the
# application stored in day_summaries, and are zero on days without data.
test_expect_success 'salon-metrics.sql agrees with day_summaries' '
	{
		echo "PREPARE m(date, date, text) AS"
		cat "$TEST_ROOT/share/strongbox/salon-metrics.sql"
		echo ";"
		echo "CREATE TABLE got AS EXECUTE m('\''2025-10-01'\'', '\''2026-02-16'\'', '\''Asia/Kolkata'\'');"
	} >metrics.sql &&
	psql -X -q -v ON_ERROR_STOP=1 -d salon -f metrics.sql &&
	test "$(pg_sql salon "select count(*) from got")" = 139 &&
	test "$(pg_sql salon "select count(*) from got g join day_summaries s using (summary_date)")" = 60 &&
	test "$(pg_sql salon "select count(*) from got g join day_summaries s using (summary_date)
		where (g.total_bills, g.refund_count, g.gross_revenue, g.discount_amount, g.refund_amount,
			g.net_revenue, g.cgst_collected, g.sgst_collected, g.total_tax, g.cash_collected,
			g.digital_collected, g.actual_service_cogs, g.actual_product_cogs, g.total_cogs,
			g.total_expenses, g.gross_profit, g.net_profit, g.total_tips)
		is distinct from (s.total_bills, s.refund_count, s.gross_revenue, s.discount_amount,
			s.refund_amount, s.net_revenue, s.cgst_collected, s.sgst_collected, s.total_tax,
			s.cash_collected, s.digital_collected, s.actual_service_cogs, s.actual_product_cogs,
			s.total_cogs, s.total_expenses, s.gross_profit, s.net_profit, s.total_tips)")" = 0 &&
	test "$(pg_sql salon "select count(*) from got where summary_date < '\''2025-12-19'\''
		and (total_bills, gross_revenue, cash_collected, net_profit) <> (0, 0, 0, 0)")" = 0 &&
	test "$(pg_sql salon "select sum(total_bills) > 0 and sum(refund_count) > 0 from day_summaries")" = t
'
test_expect_success 'the cash drawer balances with the reconciliation' '
	test "$(pg_sql salon "select count(*) from cash_drawers c join daily_reconciliations r using (business_date)
		where c.status = '\''closed'\'' and (c.expected_cash <> r.expected_cash or c.counted_cash <> r.counted_cash
		or c.variance <> r.variance)")" = 0
'
# fk_orphans DB: the number of rows, over every foreign key, whose parent
# row is missing (checked by query, whether or not the server checked it).
fk_orphans() {
	psql -X -At -v ON_ERROR_STOP=1 -d "$1" <<-\SQL
	do $$
	declare c record; n bigint; total bigint := 0;
	begin
		for c in select conrelid::regclass child, confrelid::regclass parent,
			(select string_agg(format('ch.%I', a.attname), ', ' order by k.i)
				from unnest(conkey) with ordinality k(n, i)
				join pg_attribute a on a.attrelid = conrelid and a.attnum = k.n) ccols,
			(select string_agg(format('p.%I', a.attname), ', ' order by k.i)
				from unnest(confkey) with ordinality k(n, i)
				join pg_attribute a on a.attrelid = confrelid and a.attnum = k.n) pcols
			from pg_constraint where contype = 'f'
		loop
			execute format('select count(*) from %s ch where (%s) is not null and not exists
				(select 1 from %s p where (%s) = (%s))', c.child, c.ccols, c.parent, c.pcols, c.ccols)
				into n;
			total := total + n;
		end loop;
		raise notice 'orphans %', total;
	end $$;
	SQL
}
test_expect_success 'no row of the loaded data lacks its parent' '
	fk_orphans salon 2>err &&
	grep -q "orphans 0$" err
'
test_expect_success 'salon-load.sh -f loads the same rows without row-by-row checks' '
	pg_createdb salon_f &&
	expect_exit 0 "$LOAD" -f -s 0.3 -d 60 salon_f &&
	for t in bills bill_items payments customers events audit_logs; do
		test "$(pg_sql salon_f "select count(*) from $t")" = "$(pg_sql salon "select count(*) from $t")" || exit 1
	done &&
	fk_orphans salon_f 2>err &&
	grep -q "orphans 0$" err
'
test_expect_success 'the orphan check finds a planted orphan' '
	pg_sql salon_f "set session_replication_role = replica;
		insert into bill_items (bill_id, line_no, kind, sku_id, description,
			unit_price, gst_rate_bps, tax_amount, line_total)
		values (999999999, 1, '\''product'\'', 1, '\''x'\'', 1, 0, 0, 1)" &&
	fk_orphans salon_f 2>err &&
	grep -q "orphans 1$" err
'
test_expect_success 'a failing generator leaves the database untouched' '
	pg_createdb salon2 &&
	SALON_GEN=false expect_exit 1 "$LOAD" -s 0.1 salon2 &&
	expect_one_line_error salon-load.sh &&
	test "$(pg_sql salon2 "select to_regclass('\''public.bills'\'') is null")" = t
'
test_done
