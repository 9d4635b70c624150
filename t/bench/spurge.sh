#!/bin/sh
# spurge against what its report costs by hand, side by side in one run,
# on the reference salon database at BENCH_SCALE (default 25, a year, about
# 1 GB), for the first with audit_logs grown to make 10 million
# transactional rows:
#
#   1. the whole purge with the exact report (spurge --yes) against
#      SELECT count(*) of each table, then one bare TRUNCATE of them, in
#      one transaction (psql);
#   2. --before (the first half of the year) against a hand-written DELETE
#      ... WHERE date < ..., children first, with the NOT EXISTS that the
#      foreign keys from newer bills force, in one transaction (psql).
#
# Each run purges its own copy of the same database (createdb -T), with a
# CHECKPOINT before it; two rounds, the order swapped (A B B A).  The
# copies purged by spurge and by hand must end with the same rows.
# BENCH_KINDS="all before" (the default) or either one alone.
#
# bills.appointment_id, bills.walkin_id and daily_reconciliations.
# cash_drawer_id get the indexes a DBA adds before deleting a year of rows:
# without them PostgreSQL's own foreign-key check scans bills for every
# deleted appointment and walk-in, hours for spurge and psql alike.
if [ -z "${SPURGE_BENCH_INNER:-}" ]; then
	root=$(cd "$(dirname "$0")/../.." && pwd)
	SPURGE_BENCH_INNER=1 exec sh -c '. "$1"' "$root/t/bench-spurge" "$root/t/bench/spurge.sh"
fi
BENCH_SCALE=${BENCH_SCALE:-25}
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/bench-salon.sh"

set -e
KINDS=${BENCH_KINDS:-all before}
TARGET_ROWS=${TARGET_ROWS:-10000000}
C=$TEST_ROOT/etc/purge-tables.conf
D=2025-08-17
TRANS="bill_items payments bills daily_reconciliations appointments audit_logs
cash_drawers day_summaries events export_logs walkins"

bench_start
bench_salon tpl
pg_sql tpl "create index on bills (appointment_id); create index on bills (walkin_id);
	create index on daily_reconciliations (cash_drawer_id)" >/dev/null
case " $KINDS " in *" all "*) ;; *) TARGET_ROWS=0 ;; esac
have=$(spurge -c "$C" -d tpl --dry-run 2>/dev/null | jq -r .total)
more=$((TARGET_ROWS - have))
if [ "$more" -gt 0 ]; then
	pg_sql tpl "insert into audit_logs (occurred_at, action, entity_type, entity_id)
		select timestamptz '2025-02-17 10:00+05:30' + (i % 365) * interval '1 day',
			'bill.view', 'bill', i
		from generate_series(1, $more) i" >/dev/null
	pg_sql tpl "vacuum analyze audit_logs" >/dev/null
fi
total=$(spurge -c "$C" -d tpl --dry-run 2>/dev/null | jq -r .total)
echo "# transactional and audit rows: $total; database $(pg_sql tpl "select pg_size_pretty(pg_database_size('tpl'))")"

copy() {
	"$PG_BIN/createdb" -h "$PGHOST" -p "$PGPORT" -U postgres -T tpl "$1" &&
	pg_sql postgres "checkpoint" >/dev/null && sync && sleep 1
}
gone() {
	"$PG_BIN/dropdb" -h "$PGHOST" -p "$PGPORT" -U postgres "$1"
}
# counts DB: every table's rows, one line.
counts() {
	pg_sql "$1" "select string_agg(relname || '=' || n, ' ' order by relname) from (
		select c.relname, (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I', c.relname), false, true, '')))[1]::text as n
		from pg_class c join pg_namespace ns on ns.oid = c.relnamespace
		where ns.nspname = 'public' and c.relkind = 'r') s"
}

{
	echo "BEGIN;"
	for t in $TRANS; do echo "SELECT count(*) FROM $t;"; done
	echo "TRUNCATE $(echo $TRANS | sed 's/ /, /g');"
	echo "COMMIT;"
} >hand-truncate.sql
cat >hand-before.sql <<SQL
BEGIN;
DELETE FROM bill_items WHERE bill_id IN (SELECT id FROM bills WHERE created_at < '$D');
DELETE FROM payments WHERE bill_id IN (SELECT id FROM bills WHERE created_at < '$D');
DELETE FROM bills WHERE created_at < '$D';
DELETE FROM daily_reconciliations WHERE business_date < '$D';
DELETE FROM appointments a WHERE scheduled_at < '$D'
	AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.appointment_id = a.id);
DELETE FROM walkins w WHERE arrived_at < '$D'
	AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.walkin_id = w.id);
DELETE FROM cash_drawers c WHERE business_date < '$D'
	AND NOT EXISTS (SELECT 1 FROM daily_reconciliations r WHERE r.cash_drawer_id = c.id);
DELETE FROM day_summaries WHERE summary_date < '$D';
DELETE FROM export_logs WHERE started_at < '$D';
DELETE FROM audit_logs WHERE occurred_at < '$D';
DELETE FROM events WHERE occurred_at < '$D';
COMMIT;
SQL

# run KIND WHO N: one timed purge of a fresh copy.
run() {
	db="$1_$2_$3"
	copy "$db"
	case $1.$2 in
	all.sb) bench_time "$db" spurge -c "$C" -d "$db" --yes >"$db.json" ;;
	all.hand) bench_time "$db" psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f hand-truncate.sql -o /dev/null ;;
	before.sb) TZ=UTC bench_time "$db" spurge -c "$C" -d "$db" --yes --before "$D" >"$db.json" ;;
	before.hand) PGTZ=UTC bench_time "$db" psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f hand-before.sql -o /dev/null ;;
	esac
	counts "$db" >"$db.counts"
	gone "$db"
}
for kind in $KINDS; do
	run $kind hand 1
	run $kind sb 1
	run $kind sb 2
	run $kind hand 2
	for f in ${kind}_sb_1 ${kind}_sb_2 ${kind}_hand_2; do
		cmp -s ${kind}_hand_1.counts "$f.counts" || {
			echo "# $kind: $f ends with other rows than by hand:"
			diff ${kind}_hand_1.counts "$f.counts" || true
			exit 1
		}
	done
done

mean() { awk '{ s += $1 } END { printf "%.2f", s / NR }' "$@"; }
printf '%-44s %8s %8s %8s\n' "" "run 1" "run 2" "mean (s)"
for kind in $KINDS; do
	hw=$(cat ${kind}_hand_1.wall ${kind}_hand_2.wall | mean)
	sw=$(cat ${kind}_sb_1.wall ${kind}_sb_2.wall | mean)
	case $kind in
	all) hl="count(*) each + TRUNCATE (psql)"; sl="spurge --yes (exact report)" ;;
	before) hl="DELETE ... WHERE < $D child-first (psql)"; sl="spurge --yes --before $D" ;;
	esac
	printf '%-44s %8s %8s %8s\n' "$hl" "$(cat ${kind}_hand_1.wall)" "$(cat ${kind}_hand_2.wall)" "$hw"
	printf '%-44s %8s %8s %8s\n' "$sl" "$(cat ${kind}_sb_1.wall)" "$(cat ${kind}_sb_2.wall)" "$sw"
	echo "ratio $kind spurge / by hand: $(echo "$sw $hw" | awk '{printf "%.2f", $1 / $2}')"
	echo "  spurge's report: $(jq -c "{total, spared}" ${kind}_sb_1.json)"
done
