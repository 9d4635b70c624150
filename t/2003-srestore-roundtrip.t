#!/bin/sh
# sdump | srestore round trip on a schema with everything issue 4 lists:
# pg_dump of the source and of the restored database are identical.  Also
# -j 2, small chunks interleaving, --data-only archives, and a dump whose
# connection is killed midway, which srestore --check must reject.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start

test_expect_success 'setup: the source database' '
	pg_createdb src &&
	psql -X -q -v ON_ERROR_STOP=1 -d src -f "$TEST_ROOT/t/lib/srestore-schema.sql" &&
	pg_sql src "create extension pg_trgm; create index customers_trgm on public.customers using gin (name gin_trgm_ops)" &&
	pg_dump_plain src src.sql
'
test_expect_success 'sdump | srestore: pg_dump of both identical' '
	sdump -d src >a.sdump &&
	pg_createdb dst &&
	srestore -d dst <a.sdump >report &&
	jq -e ".rows == 9009" report &&
	pg_dump_plain dst dst.sql &&
	diff src.sql dst.sql
'
test_expect_success '-j 2 with small chunks (interleaved): same result' '
	sdump -d src -j 2 --chunk-size 4096 -Z gzip >b.sdump &&
	expect_exit 0 srestore --check <b.sdump &&
	jq -e ".ok and .members > 100" out &&
	pg_createdb dst2 &&
	srestore -d dst2 <b.sdump >/dev/null &&
	pg_dump_plain dst2 dst2.sql &&
	diff src.sql dst2.sql
'
test_expect_success '--sql of an sdump archive through psql: same result' '
	pg_createdb dst3 &&
	srestore --sql <a.sdump | psql -X -q -v ON_ERROR_STOP=1 -d dst3 >/dev/null &&
	pg_dump_plain dst3 dst3.sql &&
	diff src.sql dst3.sql
'
test_expect_success 'an sdump --data-only archive into the same schema' '
	sdump -d src --data-only >d.sdump &&
	expect_exit 1 srestore -d dst <d.sdump &&
	grep -q "restore it with --data-only" err &&
	pg_sql dst "update public.customers set name = null; delete from public.bills" &&
	expect_exit 0 srestore -d dst --data-only <d.sdump &&
	pg_dump_plain dst dst4.sql &&
	diff src.sql dst4.sql
'
test_expect_success 'a dump whose connection is killed midway: --check rejects it' '
	pg_createdb big &&
	pg_sql big "create table t (id int, pad text); insert into t select i, repeat(md5(i::text), 8) from generate_series(1, 400000) i" &&
	( sdump -d big -Z none --chunk-size 65536 2>killed.err; echo $? >killed.rc ) | (
		# read the first bytes, then kill the dump connection and drain
		head -c 1000000 >killed.sdump
		psql -X -q -d big -c "select pg_terminate_backend(pid) from pg_stat_activity where application_name = '"'"'sdump'"'"'" >/dev/null
		cat >>killed.sdump ) &&
	test "$(cat killed.rc)" != 0 &&
	test "$(wc -l <killed.err)" = 1 &&
	expect_exit 1 srestore --check <killed.sdump &&
	expect_one_line_error srestore &&
	grep -q "truncated" err
'
test_done
