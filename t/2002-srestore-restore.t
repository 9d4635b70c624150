#!/bin/sh
# srestore on a real PostgreSQL: a restore into an empty database, --clean
# over changed rows, a selective restore, --sql through psql, --list,
# --check, --dry-run, compressed input, pg_dump's \restrict and pg_dump
# 17's SET transaction_timeout, and a pg_dump -Fc archive.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"
. "$TEST_ROOT/t/lib/mkarchive.sh"

pg_start

test_expect_success 'setup: a source database and its archive' '
	pg_createdb src &&
	psql -X -q -v ON_ERROR_STOP=1 -d src -f "$TEST_ROOT/t/lib/srestore-schema.sql" &&
	mkarchive_from_db src a &&
	grep -q "^\\\\restrict" a/schema/pre-data.sql &&
	mkarchive_pack a >a.tar &&
	zstd -q -3 <a.tar >a.tar.zst && gzip -c <a.tar >a.tar.gz &&
	pg_dump_plain src src.sql
'
test_expect_success '--check verifies every compression, JSON summary' '
	for f in a.tar a.tar.zst a.tar.gz; do
		expect_exit 0 srestore --check <$f &&
		jq -e ".ok == true and .tables == 7 and .rows == 9009 and .version == 1" out ||
		return 1
	done
'
test_expect_success '--list: one JSON line a table with rows and bytes' '
	expect_exit 0 srestore --list <a.tar.zst &&
	test "$(wc -l <out)" = 7 &&
	jq -se "map(select(.table == \"public.customers\"))[0].rows == 3000" out &&
	jq -se "map(select(.schema == \"Sales Dept\"))[0].name == \"Bill Items.v2\"" out
'
test_expect_success 'restore into an empty database: pg_dump identical' '
	pg_createdb dst &&
	expect_exit 0 srestore -d dst <a.tar.zst &&
	jq -e ".tables == 7 and .rows == 9009 and .mode == \"restore\" and (.timing | has(\"post_data\"))" out &&
	pg_dump_plain dst dst.sql &&
	diff src.sql dst.sql
'
test_expect_success '--progress: phases on stderr, the report alone on stdout' '
	pg_createdb prog &&
	expect_exit 0 srestore --progress -d prog <a.tar &&
	grep -q "^srestore: pre-data: [0-9]* statements" err &&
	grep -q "^srestore: data: public.customers" err &&
	grep -q "^srestore: restored 7 tables" err &&
	test "$(wc -l <out)" = 1 && jq -e ".rows == 9009" out
'
test_expect_success 'rows are frozen (COPY FREEZE) where PostgreSQL allows it' '
	pg_createdb frz &&
	pg_sql frz "create extension pg_visibility" &&
	expect_exit 0 srestore -d frz <a.tar &&
	test "$(pg_sql frz "select bool_and(all_frozen) from pg_visibility_map('"'"'public.customers'"'"')")" = t &&
	test "$(pg_sql frz "select bool_and(all_frozen) from pg_visibility_map('"'"'public.bills_2025'"'"')")" = t
'
test_expect_success 'a second restore is refused, the target unchanged' '
	expect_exit 1 srestore -d dst <a.tar &&
	expect_one_line_error srestore &&
	grep -q "already exists in the target database (use --clean" err &&
	pg_dump_plain dst dst2.sql && diff src.sql dst2.sql
'
test_expect_success '--dry-run says what would happen, changes nothing' '
	expect_exit 1 srestore --dry-run -d dst <a.tar &&
	jq -se "last | .ok == false and .problem_count > 7" out &&
	grep -q "type public.mood already exists" err &&
	expect_exit 0 srestore --dry-run --clean -d dst <a.tar &&
	jq -se "last | .ok == true" out &&
	jq -se "map(select(.table == \"public.customers\"))[0].action == \"drop, create and load\"" out &&
	pg_createdb empty &&
	expect_exit 0 srestore --dry-run -d empty <a.tar &&
	jq -se "(last | .ok) and (.[0].action == \"create and load\")" out &&
	test "$(pg_sql empty "select count(*) from pg_class where relnamespace = (select oid from pg_namespace where nspname = '"'"'public'"'"')")" = 0 &&
	pg_dump_plain dst dst3.sql && diff src.sql dst3.sql
'
test_expect_success '--clean over changed rows brings the dumped state back' '
	pg_sql dst "update public.customers set name = '"'"'changed'"'"'; delete from public.bills where id < 100; insert into public.branches (name) values ('"'"'new'"'"')" &&
	expect_exit 0 srestore --clean -d dst <a.tar.gz &&
	jq -e ".mode == \"clean\"" out &&
	pg_dump_plain dst dst4.sql && diff src.sql dst4.sql
'
test_expect_success '--clean stops at an object outside the archive that depends on it' '
	pg_sql dst "create view public.outside as select id from public.branches" &&
	pg_dump_plain dst before.sql &&
	expect_exit 1 srestore --clean -d dst <a.tar &&
	expect_one_line_error srestore &&
	grep -q "objects outside the archive depend on its objects (view public.outside (on table public.branches)): drop or change them first; nothing was dropped" err &&
	pg_dump_plain dst after.sql && diff before.sql after.sql &&
	pg_sql dst "drop view public.outside"
'
test_expect_success 'selective restore: -t loads only the matching tables' '
	pg_createdb sel &&
	expect_exit 0 srestore -d sel -t branches -t "public.cust*" <a.tar &&
	jq -e ".tables == 2 and .rows == 3005" out &&
	test "$(pg_sql sel "select count(*) from public.customers")" = 3000 &&
	test "$(pg_sql sel "select count(*) from public.bills")" = 0 &&
	test "$(pg_sql sel "select count(*) from public.events")" = 0
'
test_expect_success 'a selective restore whose foreign keys fail is rolled back' '
	pg_createdb sel2 &&
	expect_exit 1 srestore -d sel2 -t "public.bills_*" <a.tar &&
	expect_one_line_error srestore &&
	grep -q "post-data failed at .*violates foreign key constraint" err &&
	test "$(pg_sql sel2 "select count(*) from pg_class where relname = '"'"'bills'"'"'")" = 0
'
test_expect_success 'selective --clean replaces the rows of the selected tables only' '
	pg_sql dst "delete from public.events; update public.branches set name = name || '"'"'!'"'"'; delete from public.bills" &&
	expect_exit 0 srestore --clean -d dst -t "bills_*" <a.tar &&
	test "$(pg_sql dst "select count(*) from public.bills")" = 6000 &&
	test "$(pg_sql dst "select count(*) from public.branches where name like '"'"'%!'"'"'")" = 5 &&
	test "$(pg_sql dst "select count(*) from public.events")" = 0
'
test_expect_success 'selective --clean of a referenced table alone is refused, unchanged' '
	pg_dump_plain dst before.sql &&
	expect_exit 1 srestore --clean -d dst -t branches <a.tar &&
	expect_one_line_error srestore &&
	grep -q "cannot truncate a table referenced in a foreign key" err &&
	pg_dump_plain dst after.sql && diff before.sql after.sql
'
test_expect_success 'a pattern that matches no table is an error' '
	expect_exit 1 srestore -d sel -t nosuch <a.tar &&
	expect_one_line_error srestore &&
	grep -q "no table of the archive matches \"nosuch\"" err
'
test_expect_success '--sql piped into psql gives the same database' '
	pg_createdb viasql &&
	srestore --sql <a.tar.zst >script.sql &&
	test $(grep -c "^\\\\restrict " script.sql) -eq 1 &&
	test $(grep -c "^\\\\unrestrict " script.sql) -eq 1 &&
	psql -X -q -v ON_ERROR_STOP=1 -d viasql -f script.sql >/dev/null &&
	pg_dump_plain viasql viasql.sql && diff src.sql viasql.sql
'
test_expect_success 'pg_dump 17 SET transaction_timeout is skipped on older servers' '
	cp -R a b &&
	sed -i "s/^SET statement_timeout = 0;/&\nSET transaction_timeout = 0;/" b/schema/pre-data.sql &&
	grep -q "SET transaction_timeout" b/schema/pre-data.sql &&
	mkarchive_pack b >b.tar &&
	pg_createdb tt &&
	expect_exit 0 srestore -d tt <b.tar &&
	pg_dump_plain tt tt.sql && diff src.sql tt.sql
'
test_expect_success 'a pg_dump -Fc archive goes through pg_restore' '
	pg_createdb fc &&
	pg_sql fc "create table t (id serial primary key, v text); insert into t (v) select md5(i::text) from generate_series(1, 1000) i" &&
	pg_dump_plain fc fcsrc.sql &&
	pg_dump -Fc -d fc >fc.dump &&
	pg_createdb fromfc &&
	expect_exit 0 srestore -d fromfc <fc.dump &&
	jq -e ".format == \"pg_dump\"" out &&
	pg_dump_plain fromfc fc1.sql && diff fcsrc.sql fc1.sql &&
	pg_sql fromfc "update t set v = '"'"'x'"'"'" &&
	expect_exit 0 srestore --clean -d fromfc <fc.dump &&
	pg_dump_plain fromfc fc2.sql && diff fcsrc.sql fc2.sql
'
test_expect_success 'a failing pg_restore leaves the target unchanged, exit 1' '
	pg_sql fromfc "insert into t (v) values ('"'"'extra'"'"')" &&
	pg_dump_plain fromfc before.sql &&
	expect_exit 1 srestore -d fromfc <fc.dump &&
	grep -q "^srestore: pg_restore failed" err &&
	pg_dump_plain fromfc after.sql && diff before.sql after.sql
'
test_expect_success 'a failing pg_restore: one line that says what failed; -v shows all of its lines' '
	expect_exit 1 srestore -d fromfc <fc.dump &&
	expect_one_line_error srestore &&
	grep -q "^srestore: pg_restore failed: .*already exists.*; nothing was restored ([0-9]* lines of pg_restore.s output: srestore -v shows them)$" err &&
	expect_exit 1 srestore -v -d fromfc <fc.dump &&
	test "$(wc -l <err)" -gt 2 && grep -q "^pg_restore: error:" err
'
test_done
