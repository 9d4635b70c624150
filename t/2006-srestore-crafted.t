#!/bin/sh
# An archive is data until it is verified: the crafted archives of
# t/crafted/ (built by t/lib/crafted-archives.sh) against a real server.
# No archive content runs before its checksum holds; SQL members cannot
# leave the transaction, run COPY or psql meta-commands; a "\." line in a
# chunk never reaches the server or stdout; srestore --sql output is safe
# to pipe into psql whatever the archive holds.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

C=$TEST_ROOT/t/crafted
pg_start
PGDATA_DIR=$PG_DIR/data

snap() {
	pg_dump -d dst | grep -v '^\\\(un\)\?restrict ' | sha256sum >"$1"
}

# nothing_ran: no side effect of any crafted archive happened.
nothing_ran() {
	test "$(pg_sql dst "select last_value from public.canary")" = 1 &&
	test -z "$(ls "$PGDATA_DIR" "$TRASH" | grep strongbox-pwned)"
}

# refused ARCHIVE PATTERN [srestore options]: exit 1, one line matching
# PATTERN, the target unchanged, nothing ran.
refused() {
	_f=$C/$1.sdump _p=$2
	shift 2
	snap before &&
	expect_exit 1 srestore -d dst "$@" <"$_f" &&
	expect_one_line_error srestore &&
	grep -q -- "$_p" err &&
	snap after &&
	cmp before after &&
	nothing_ran
}

# sql_into_psql ARCHIVE: srestore --sql piped into psql on dst2, which
# must stay empty; the script and psql's output are kept in sql.out and
# psql.out.
sql_into_psql() {
	srestore --sql <"$C/$1.sdump" >sql.out 2>sql.err || :
	psql -X -d dst2 <sql.out >psql.out 2>&1 || :
	test -z "$(pg_sql dst2 "select relname from pg_class c join pg_namespace n on n.oid = relnamespace where nspname = 'public' and relname <> 'canary'")" &&
	nothing_ran
}

test_expect_success 'setup: a target with a canary sequence and rows of its own' '
	pg_createdb dst && pg_createdb dst2 &&
	pg_sql dst "create sequence public.canary; create table keep (k int); insert into keep values (1), (2)" &&
	pg_sql dst2 "create sequence public.canary"
'
test_expect_success 'the honest archives restore and check' '
	expect_exit 0 srestore --check <"$C/ok.sdump" &&
	pg_createdb ok1 && srestore -d ok1 <"$C/ok.sdump" >/dev/null &&
	test "$(pg_sql ok1 "select count(*) from public.t")" = 3 &&
	pg_sql ok1 "select 1 from pg_constraint where conname = '"'"'t_pkey'"'"'" | grep -q 1
'
test_expect_success 'the restrict-unrestrict KEY pair pg_dump writes is accepted' '
	pg_createdb ok2 && srestore -d ok2 <"$C/ok-restrict.sdump" >/dev/null &&
	test "$(pg_sql ok2 "select count(*) from public.t")" = 3 &&
	pg_sql ok2 "select 1 from pg_constraint where conname = '"'"'t_pkey'"'"'" | grep -q 1
'
test_expect_success 'an archive made before 0.2 (no pre-data digest): refused, checked, restored on request' '
	refused legacy-nodigest "legacy-pre-data" &&
	expect_exit 0 srestore --check <"$C/legacy-nodigest.sdump" &&
	grep -q "warning: .*pre_data_sha256" err &&
	pg_createdb legacy && srestore -d legacy --legacy-pre-data \
		<"$C/legacy-nodigest.sdump" >/dev/null 2>err &&
	grep -q "warning: .*pre_data_sha256" err &&
	test "$(pg_sql legacy "select count(*) from public.t")" = 3
'

# ---- nothing runs before its checksum holds ----

test_expect_success 'pre-data + COPY TO PROGRAM, checksum wrong: never runs' '
	refused predata-program-badsum "pre-data" &&
	refused predata-program-badsum "pre-data" --clean
'
test_expect_success 'pre-data + nextval(), checksum wrong: never runs' '
	refused predata-nextval-badsum "pre-data.*SHA-256"
'
test_expect_success 'post-data + nextval(), a row changed: post-data never runs' '
	refused postdata-nextval-badsum "SHA-256 mismatch"
'
test_expect_success 'post-data over the bound is refused' '
	refused postdata-big "too large" &&
	expect_exit 1 srestore --check <"$C/postdata-big.sdump" &&
	grep -q "too large" err
'

# ---- SQL members cannot leave the transaction ----

test_expect_success 'pre-data + COPY TO PROGRAM with every digest forged: refused' '
	refused predata-program "COPY" &&
	expect_exit 1 srestore --check <"$C/predata-program.sdump" &&
	grep -q "COPY" err
'
test_expect_success 'a SELECT of a function the forged pre-data defines (COPY TO PROGRAM inside): refused' '
	refused predata-select "SELECT public.evil()" &&
	refused predata-select "SELECT public.evil()" --clean &&
	expect_exit 1 srestore --check <"$C/predata-select.sdump" &&
	grep -q "SELECT public.evil()" err
'
test_expect_success 'COMMIT; BEGIN; in pre-data: refused, nothing committed' '
	refused predata-commit "COMMIT" &&
	test -z "$(pg_sql dst "select 1 from pg_class where relname in ('"'"'t'"'"', '"'"'left_behind'"'"')")"
'
test_expect_success 'a \! meta-command in pre-data: refused' '
	refused predata-meta "meta-command"
'
test_expect_success 'SET SESSION AUTHORIZATION in pre-data: refused' '
	refused predata-session "SET SESSION AUTHORIZATION"
'
test_expect_success 'DO in pre-data: refused' '
	refused predata-do "DO"
'
test_expect_success 'ROLLBACK in post-data: refused' '
	refused postdata-rollback "ROLLBACK"
'

# ---- COPY data is data ----

test_expect_success 'a chunk line "\." is refused before it reaches the server' '
	refused chunk-eod "\\\\\\." &&
	refused chunk-eod "\\\\\\." --clean
'
test_expect_success 'a chunk line "\." is refused before it reaches stdout' '
	expect_exit 1 srestore --sql <"$C/chunk-eod.sdump" &&
	expect_one_line_error srestore &&
	! grep -q "pwned" out
'

# ---- srestore --sql | psql ----

test_expect_success '--sql begins with restrict KEY and ends with unrestrict KEY' '
	srestore --sql <"$C/ok.sdump" >sql.out &&
	key=$(sed -n "s/^\\\\restrict \([A-Za-z0-9]*\)$/\1/p" sql.out) &&
	test -n "$key" && test ${#key} -ge 16 &&
	test "$(grep -v "^--" sql.out | grep -v "^\\\\set ON_ERROR_STOP" | head -n 1)" = "\\restrict $key" &&
	test "$(tail -n 1 sql.out)" = "\\unrestrict $key" &&
	test $(grep -c "^\\\\[a-z]" sql.out) -eq 3 &&
	srestore --sql <"$C/ok.sdump" >sql2.out &&
	test "$(sed -n "s/^\\\\restrict //p" sql2.out)" != "$key" &&
	pg_createdb ok3 && psql -X -q -d ok3 <sql.out >/dev/null &&
	test "$(pg_sql ok3 "select count(*) from public.t")" = 3
'
test_expect_success '--sql of manifest strings with newlines and \! touch: nothing runs' '
	srestore --sql <"$C/manifest-newline.sdump" >sql.out &&
	! grep -q "^\\\\!" sql.out && ! grep -q "^SELECT 1; --" sql.out &&
	grep -q "strongbox-pwned-manifest" sql.out &&
	cd "$TRASH" && psql -X -d ok1 -c "select 1" >/dev/null &&
	pg_createdb nl && psql -X -q -d nl <sql.out >/dev/null 2>&1 &&
	test "$(pg_sql nl "select count(*) from public.t")" = 3 &&
	nothing_ran
'
test_expect_success '--sql | psql of crafted archives that fail: nothing runs, nothing committed' '
	for a in manifest-newline-badsum chunk-eod predata-program-badsum \
		predata-nextval-badsum predata-meta predata-program predata-select \
		predata-commit postdata-nextval-badsum postdata-rollback; do
		sql_into_psql $a || { echo "failed: $a"; cat psql.out; ls "$PGDATA_DIR" "$TRASH"; pg_sql dst2 "\\d"; return 1; }
	done
'
test_expect_success '--sql prints no byte of a pre-data whose checksum is wrong' '
	expect_exit 1 srestore --sql <"$C/predata-program-badsum.sdump" &&
	! grep -q "TO PROGRAM" out && ! grep -q "CREATE TABLE" out
'
test_done
