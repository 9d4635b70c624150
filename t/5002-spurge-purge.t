#!/bin/sh
# spurge on the reference salon database: the dry run's counts against
# count(*) and its ACCESS SHARE locks, the phrase typed on a terminal
# (script(1)), right and wrong, the purge itself and its report,
# --keep-audit-logs, --class, tables in no class, missing tables, the
# foreign-key refusal with nothing changed, --restart-identity, and
# hostile table names in the config.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

command -v script >/dev/null || skip_all "script(1) is missing (bsdutils)"
pg_start
pg_createdb tpl
"$TEST_ROOT/share/strongbox/salon-load.sh" -s 0.02 -d 40 tpl >/dev/null
C=$TEST_ROOT/etc/purge-tables.conf
TRANS="bills bill_items payments walkins appointments daily_reconciliations
cash_drawers day_summaries export_logs"
AUDIT="audit_logs events"
MASTER="roles users customers service_categories services service_addons
suppliers skus stock salon_settings alembic_version"

# fresh DB: a new copy of the loaded salon.
fresh() {
	"$PG_BIN/createdb" -h "$PGHOST" -p "$PGPORT" -U postgres -T tpl "$1"
}
# counts DB TABLE...: "table n" lines.
counts() {
	_db=$1
	shift
	_q=
	for _t in "$@"; do
		_q="$_q${_q:+ union all }select '$_t' || ' ' || count(*) from $_t"
	done
	pg_sql "$_db" "$_q"
}
# typed DB PHRASE [OPTION]...: spurge with PHRASE typed on its terminal;
# the JSON report in ./report, the terminal's text in ./tty, status in ./rc.
typed() {
	_db=$1 _phrase=$2
	shift 2
	printf '%s\n' "$_phrase" | script -qefc \
		"spurge -c '$C' -d $_db $* </dev/null >report 2>stderr" tty >/dev/null
	echo $? >rc
}

fresh d1
counts d1 $TRANS $AUDIT $MASTER >before.d1
test_expect_success 'dry run: per-table counts are count(*), seed-shaped, exit 0' '
	expect_exit 0 spurge -c "$C" -d d1 --dry-run &&
	grep -q "^The following records will be PERMANENTLY DELETED:" err &&
	counts d1 $TRANS $AUDIT >c &&
	while read -r t n; do
		grep -qx "  • $t: $n records" err || { echo "bad line for $t"; exit 1; }
	done <c &&
	total=$(awk "{ s += \$2 } END { print s }" c) &&
	grep -q "TOTAL: .* records will be deleted" err &&
	test "$(jq -r .total out)" = "$total" &&
	test "$(jq -r .dry_run out)" = true &&
	test "$(jq -r "[.tables[].table] | length" out)" = 11 &&
	jq -r ".tables[] | .table + \" \" + (.rows | tostring)" out | sort >got &&
	sort c >want && diff want got &&
	counts d1 $TRANS $AUDIT $MASTER >after && diff before.d1 after
'
test_expect_success 'the JSON lists children before parents' '
	jq -r ".tables[].table" out >order &&
	test "$(grep -n "^bill_items$" order | cut -d: -f1)" -lt "$(grep -n "^bills$" order | cut -d: -f1)" &&
	test "$(grep -n "^payments$" order | cut -d: -f1)" -lt "$(grep -n "^bills$" order | cut -d: -f1)" &&
	test "$(grep -n "^bills$" order | cut -d: -f1)" -lt "$(grep -n "^appointments$" order | cut -d: -f1)"
'
bills_locked() {
	test "$(pg_sql d1 "select count(*) from pg_locks
		where mode = 'ExclusiveLock' and relation = 'bills'::regclass")" = 1
}
test_expect_success 'the dry run takes no lock beyond ACCESS SHARE' '
	{ psql -X -q -d d1 -c "begin" -c "lock table bills, payments, audit_logs in exclusive mode" \
		-c "select pg_sleep(30)" >/dev/null 2>&1 & } &&
	holder=$! &&
	wait_for 20 bills_locked &&
	expect_exit 0 spurge -c "$C" -d d1 --dry-run --lock-timeout 2s &&
	pg_sql d1 "select pg_terminate_backend(pid) from pg_stat_activity
		where query like '"'"'select pg_sleep(30)%'"'"'" >/dev/null &&
	wait $holder 2>/dev/null; true
'
test_expect_success 'the wrong phrase on the terminal: exit 1, nothing deleted' '
	typed d1 "delete all data" &&
	test "$(cat rc)" = 1 &&
	grep -q "Type DELETE ALL DATA to confirm" tty &&
	grep -q "not confirmed" stderr && test ! -s report &&
	counts d1 $TRANS $AUDIT $MASTER >after && diff before.d1 after
'
test_expect_success 'the phrase on stdin, a terminal that says nothing: not confirmed' '
	echo "DELETE ALL DATA" >phrase &&
	: | script -qefc "spurge -c '"'"'$C'"'"' -d d1 <phrase >report 2>stderr" tty >/dev/null;
	test $? = 1 && grep -q "not confirmed" stderr &&
	counts d1 $TRANS $AUDIT $MASTER >after && diff before.d1 after
'
test_expect_success 'DELETE ALL DATA typed: transactional and audit gone, master kept' '
	typed d1 "DELETE ALL DATA" &&
	test "$(cat rc)" = 0 &&
	grep -q "TOTAL:" stderr &&
	test "$(jq -r .dry_run report)" = false &&
	counts d1 $TRANS $AUDIT | grep -v " 0$" >nonzero; test ! -s nonzero &&
	jq -r ".tables[] | .table + \" \" + (.rows | tostring)" report | sort >got &&
	grep -E "^($(echo $TRANS $AUDIT | tr " " "|")) " before.d1 | sort >want &&
	diff want got &&
	counts d1 $MASTER >after && grep -E "^($(echo $MASTER | tr " " "|")) " before.d1 >want &&
	diff want after
'
test_expect_success 'the invoice sequence goes on (no --restart-identity)' '
	pg_sql d1 "select last_value > 1 from bill_invoice_seq" | grep -qx t &&
	pg_sql d1 "select pg_get_serial_sequence('"'"'bills'"'"', '"'"'id'"'"')" >seq &&
	test "$(pg_sql d1 "select last_value from $(cat seq)")" -gt 1
'

fresh d2
counts d2 $TRANS $AUDIT $MASTER >before.d2
test_expect_success '--yes --keep-audit-logs: audit kept' '
	expect_exit 0 spurge -c "$C" -d d2 --yes --keep-audit-logs </dev/null &&
	test ! -s err &&
	counts d2 $TRANS | grep -v " 0$" >nonzero; test ! -s nonzero &&
	counts d2 $AUDIT >after && grep -E "^(audit_logs|events) " before.d2 >want && diff want after &&
	test "$(jq -r "[.tables[].table] | sort | join(\" \")" out)" = \
		"$(echo $TRANS | tr " " "\n" | sort | tr "\n" " " | sed "s/ $//")"
'
test_expect_success '--class audit: only audit, with --restart-identity' '
	expect_exit 0 spurge -c "$C" -d d2 --yes --class audit --restart-identity </dev/null &&
	test "$(pg_sql d2 "select count(*) from audit_logs")" = 0 &&
	pg_sql d2 "insert into audit_logs (occurred_at, action, entity_type) values (now(), '"'"'x'"'"', '"'"'y'"'"') returning id" >id &&
	test "$(cat id)" = 1 &&
	counts d2 $MASTER >after && grep -E "^($(echo $MASTER | tr " " "|")) " before.d2 >want &&
	diff want after
'

fresh d4
counts d4 $TRANS $AUDIT $MASTER >before.d4
test_expect_success '-h -p -U and an operand, as pg_dump takes them; --class twice' '
	env -u PGHOST -u PGPORT -u PGDATABASE -u PGUSER \
		spurge -c "$C" -h 127.0.0.1 -p "$PGPORT" -U postgres d4 --dry-run \
		--class transactional --class audit >out 2>err &&
	test "$(jq -r .total out)" = "$(grep -E "^($(echo $TRANS $AUDIT | tr " " "|")) " before.d4 | awk "{ n += \$2 } END { print n }")" &&
	env -u PGHOST -u PGPORT -u PGDATABASE -u PGUSER \
		DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:$PGPORT/d4" \
		spurge -c "$C" --yes --class transactional --class audit </dev/null >out 2>err &&
	counts d4 $TRANS $AUDIT | grep -v " 0$" >nonzero; test ! -s nonzero &&
	counts d4 $MASTER >after && grep -E "^($(echo $MASTER | tr " " "|")) " before.d4 >want &&
	diff want after
'

fresh d3
pg_sql d3 "create table loyalty_ledger (id int primary key, note text)" >/dev/null
test_expect_success 'a table in no class is named on stderr and left alone' '
	pg_sql d3 "insert into loyalty_ledger values (1, '"'"'x'"'"')" >/dev/null &&
	expect_exit 0 spurge -c "$C" -d d3 --dry-run &&
	grep -q "^spurge: table loyalty_ledger is in no class of .*purge-tables.conf: left alone$" err &&
	! jq -r ".tables[].table" out | grep -q loyalty
'
test_expect_success 'a configured table that does not exist: exit 1, nothing done' '
	counts d3 $TRANS $AUDIT >before.d3 &&
	{ cat "$C"; printf "[transactional]\ngift_cards\n"; } >ghost.conf &&
	expect_exit 1 spurge -c ghost.conf -d d3 --yes &&
	grep -q "^spurge: table gift_cards (ghost.conf line [0-9]*) does not exist: nothing purged" err &&
	test ! -s out &&
	counts d3 $TRANS $AUDIT >after && diff before.d3 after &&
	expect_exit 0 spurge -c ghost.conf -d d3 --dry-run --ignore-missing &&
	grep -q "gift_cards .* does not exist: ignored" err
'
test_expect_success 'a kept table that references a purged one: refused, nothing changed' '
	pg_sql d3 "alter table customers add column last_bill_id bigint
		constraint customers_last_bill_id_fkey references bills (id)" >/dev/null &&
	expect_exit 1 spurge -c "$C" -d d3 --yes &&
	tail -n 1 err >last && grep -q "^spurge: kept table" last &&
	grep "^spurge: kept table customers references purged table bills (foreign key customers_last_bill_id_fkey)" err &&
	grep -q "add customers to a purged class" err &&
	test ! -s out &&
	counts d3 $TRANS $AUDIT >after && diff before.d3 after &&
	expect_exit 1 spurge -c "$C" -d d3 --dry-run
'
test_expect_success 'a date column the table lacks: exit 1 naming it' '
	sed "s/^bills .*/bills paid_on/" "$C" >datecol.conf &&
	expect_exit 1 spurge -c datecol.conf -d d1 --dry-run &&
	grep -q "table bills has no column paid_on (purge-tables.conf line" err
'

# Hostile names: quotes, semicolons, non-ASCII, a dot, capitals.
pg_createdb hostile
pg_sql hostile 'create schema "we"".ird";
	create table "tips ""jar""" (id int primary key);
	create table "a;drop table keepme;--" (id int, tip_id int references "tips ""jar""");
	create table "Bücher.2025" (id int, "Datum" date);
	create table "we"".ird"."x#y" (id int);
	create table keepme (id int);
	insert into "tips ""jar""" select generate_series(1, 3);
	insert into "a;drop table keepme;--" select i, 1 from generate_series(1, 4) i;
	insert into "Bücher.2025" select i, date '"'"'2024-01-01'"'"' + i * 100 from generate_series(1, 5) i;
	insert into "we"".ird"."x#y" values (1), (2);
	insert into keepme values (1), (2);' >/dev/null
cat >hostile.conf <<'CONF'
[master]
keepme
[transactional]
"tips ""jar"""   # a comment after a quoted name
"a;drop table keepme;--"
"Bücher.2025" "Datum"
"we"".ird"."x#y"
CONF
test_expect_success 'hostile names: counted and purged, quoted, nothing else touched' '
	expect_exit 0 spurge -c hostile.conf -d hostile --dry-run &&
	grep -qx "  • \"a;drop table keepme;--\": 4 records" err &&
	grep -qx "  • \"tips \"\"jar\"\"\": 3 records" err &&
	grep -qx "  • \"Bücher.2025\": 5 records" err &&
	grep -qx "  • \"we\"\".ird\".\"x#y\": 2 records" err &&
	test "$(jq -r .total out)" = 14 &&
	expect_exit 0 spurge -c hostile.conf -d hostile --yes &&
	test "$(jq -r ".tables[] | select(.table == \"a;drop table keepme;--\") | .rows" out)" = 4 &&
	test "$(pg_sql hostile "select count(*) from keepme")" = 2 &&
	test "$(pg_sql hostile "select (select count(*) from \"tips \"\"jar\"\"\") + (select count(*) from \"a;drop table keepme;--\") + (select count(*) from \"Bücher.2025\") + (select count(*) from \"we\"\".ird\".\"x#y\")")" = 0
'
test_expect_success 'hostile names with --before: the quoted date column' '
	pg_sql hostile "insert into \"Bücher.2025\" select i, date '"'"'2024-01-01'"'"' + i * 100 from generate_series(1, 5) i" >/dev/null &&
	expect_exit 0 spurge -c hostile.conf -d hostile --yes --class transactional --before 2024-12-01 &&
	test "$(pg_sql hostile "select count(*) from \"Bücher.2025\"")" = 2
'
test_done
