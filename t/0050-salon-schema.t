#!/bin/sh
# The reference salon schema (share/strongbox/salon-schema.sql) loads on a
# real PostgreSQL and keeps the conventions it promises: integer paise,
# timestamptz, foreign keys without cycles, the seed's table lists.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

SCHEMA=$TEST_ROOT/share/strongbox/salon-schema.sql
MASTER="customers users roles services service_categories service_addons skus suppliers stock salon_settings"
TRANSACTIONAL="bills bill_items payments walkins appointments daily_reconciliations cash_drawers day_summaries export_logs audit_logs events"

pg_start
pg_createdb salon

test_expect_success 'the schema loads into an empty database' '
	psql -X -q -v ON_ERROR_STOP=1 -d salon -f "$SCHEMA" >out 2>err &&
	test ! -s err
'
test_expect_success 'every master and transactional table of the seed exists' '
	for t in $MASTER $TRANSACTIONAL alembic_version; do
		test "$(pg_sql salon "select to_regclass('\''public.$t'\'') is not null")" = t ||
			{ echo "missing $t"; exit 1; }
	done &&
	test "$(pg_sql salon "select count(*) from pg_tables where schemaname = '\''public'\''")" = 22
'
test_expect_success 'alembic_version holds one revision' '
	test "$(pg_sql salon "select count(*) from alembic_version")" = 1
'
test_expect_success 'no timestamp without time zone anywhere' '
	test "$(pg_sql salon "select count(*) from information_schema.columns
		where table_schema = '\''public'\'' and data_type = '\''timestamp without time zone'\''")" = 0
'
test_expect_success 'money columns are bigint paise' '
	pg_sql salon "select table_name || '\''.'\'' || column_name || '\'' '\'' || data_type
		from information_schema.columns
		where table_schema = '\''public'\'' and table_name <> '\''daily_revenue'\''
		and column_name ~ '\''(amount|price|total|subtotal|revenue|collected|cogs|cash|float|mrp|cost|tax|tips|variance|profit|expenses_amount)$'\''
		and column_name !~ '\''^(total_bills|refund_count|prices_include_tax)$'\''" >cols &&
	test "$(wc -l <cols)" -gt 40 &&
	! grep -v " bigint$" cols
'
test_expect_success 'the foreign keys form no cycle (parents can load first)' '
	pg_sql salon "select count(*) from pg_constraint where contype = '\''f'\''" >n &&
	test "$(cat n)" -ge 25 &&
	pg_sql salon "with recursive e(child, parent) as (
			select conrelid, confrelid from pg_constraint
			where contype = '\''f'\'' and conrelid <> confrelid),
		walk(start, node, depth) as (
			select child, parent, 1 from e
			union all
			select w.start, e.parent, w.depth + 1 from walk w join e on e.child = w.node
			where w.depth < 30)
		select count(*) from walk where start = node" >cycles &&
	test "$(cat cycles)" = 0
'
test_expect_success 'transactional tables never are the parent of a master table' '
	in_list=$(echo $MASTER | sed "s/ /'\'','\''/g") &&
	pg_sql salon "select count(*) from pg_constraint
		where contype = '\''f'\'' and conrelid::regclass::text in ('\''$in_list'\'')
		and confrelid::regclass::text not in ('\''$in_list'\'')" >n &&
	test "$(cat n)" = 0
'
test_expect_success 'the invoice number comes from its sequence' '
	pg_sql salon "insert into roles (name) values ('\''owner'\'');
		insert into users (role_id, username, full_name, password_hash, joined_on)
			values (1, '\''u'\'', '\''U'\'', '\''x'\'', '\''2026-01-01'\'');
		insert into bills (business_date, status, subtotal, total_amount, created_by, created_at)
			values ('\''2026-01-01'\'', '\''posted'\'', 10000, 10000, 1, now())
		returning invoice_number" >inv &&
	test "$(cat inv)" = INV-000001 &&
	test "$(pg_sql salon "select taxable_amount from bills")" = 10000
'
test_expect_success 'invoice numbers grow past six digits without truncation' '
	pg_sql salon "select setval('\''bill_invoice_seq'\'', 999999, false)" &&
	test "$(pg_sql salon "select next_invoice_number()")" = INV-999999 &&
	test "$(pg_sql salon "select next_invoice_number()")" = INV-1000000
'
test_expect_success 'a check constraint refuses a bill whose total does not add up' '
	! pg_sql salon "insert into bills (business_date, subtotal, total_amount, created_by, created_at)
		values ('\''2026-01-01'\'', 10000, 9999, 1, now())" 2>err &&
	grep -q "check constraint" err
'
# conf_section FILE NAME...: the table names of the sections, sorted
# (the first word of a line; the second is a date column).
conf_section() {
	_f=$1
	shift
	for _s in "$@"; do
		sed -n "/^\[$_s\]/,/^\[/p" "$_f" | grep -v "^\[" | sed "s/#.*//"
	done | awk "NF { print \$1 }" | sort
}
test_expect_success 'etc/purge-tables.conf names exactly the seed'\''s tables' '
	conf=$TEST_ROOT/etc/purge-tables.conf &&
	conf_section "$conf" master >m &&
	conf_section "$conf" transactional audit >t &&
	conf_section "$conf" audit >a &&
	echo $MASTER | tr " " "\n" | sort >want_m &&
	echo $TRANSACTIONAL | tr " " "\n" | sort >want_t &&
	printf "audit_logs\nevents\n" >want_a &&
	diff want_m m && diff want_t t && diff want_a a &&
	conf_section "$conf" keep >k && echo alembic_version >want_k &&
	diff want_k k
'
test_done
