#!/bin/sh
# smetrics refuses, with one line, a query of the wrong shape or type, a bad
# day or range, an unreadable file; a server that is down exits 75.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start
DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/postgres"
BRANCH_ID=b
TZ=Asia/Kolkata
export DATABASE_URL BRANCH_ID TZ

# fails_with SQL PATTERN [OPTIONS]: smetrics on the query SQL exits 1 with
# one line matching PATTERN, and prints nothing on stdout.
fails_with() {
	printf '%s\n' "$1" >q.sql
	_p=$2
	shift 2
	expect_exit 1 smetrics --query q.sql "$@" &&
	expect_one_line_error smetrics &&
	grep -q "$_p" err &&
	test ! -s out
}
days='FROM generate_series($1::date, $2::date, '\''1 day'\'') AS d'

test_expect_success 'a query that returns no row' '
	fails_with "SELECT \$1::date AS summary_date WHERE false" \
		"returned no row for 2026-02-10 to 2026-02-10" --date 2026-02-10
'
test_expect_success 'a query that returns a day twice' '
	fails_with "SELECT d::date AS summary_date $days UNION ALL SELECT \$2::date" \
		"returned 2026-02-12 twice" --from 2026-02-10 --to 2026-02-12
'
test_expect_success 'a query that misses a day' '
	fails_with "SELECT d::date AS summary_date $days WHERE d <> '\''2026-02-11'\''" \
		"returned no row for 2026-02-11" --from 2026-02-10 --to 2026-02-12
'
test_expect_success 'a day outside the range' '
	fails_with "SELECT \$1::date + 1 AS summary_date" \
		"returned 2026-02-11, outside 2026-02-10 to 2026-02-10" --date 2026-02-10
'
test_expect_success 'a query without summary_date' '
	fails_with "SELECT \$1::date AS day, 1 AS n" "no column summary_date" --date 2026-02-10
'
test_expect_success 'a summary_date that is not a date' '
	fails_with "SELECT NULL::date AS summary_date" "not a date: \"NULL\"" --date 2026-02-10
'
test_expect_success 'an unsupported column type, named' '
	fails_with "SELECT \$1::date AS summary_date, now() AS at" \
		"column \"at\" is of type timestamp with time zone" --date 2026-02-10 &&
	fails_with "SELECT \$1::date AS summary_date, 1.5::float8 AS ratio" \
		"column \"ratio\" is of type double precision" --date 2026-02-10
'
test_expect_success 'NaN and Infinity, naming the column and the day' '
	fails_with "SELECT \$1::date AS summary_date, '\''NaN'\''::numeric AS margin" \
		"column \"margin\" is NaN on 2026-02-10" --date 2026-02-10 &&
	fails_with "SELECT \$1::date AS summary_date, '\''-Infinity'\''::numeric AS margin" \
		"column \"margin\" is infinite on 2026-02-10" --date 2026-02-10
'
test_expect_success 'a column that repeats a key smetrics writes' '
	fails_with "SELECT \$1::date AS summary_date, 1 AS currency" \
		"column \"currency\" repeats a key" --date 2026-02-10 &&
	fails_with "SELECT \$1::date AS summary_date, 1 AS n, 2 AS n" \
		"two columns \"n\"" --date 2026-02-10
'
test_expect_success 'a query that is not a SELECT, or does not parse' '
	fails_with "SET work_mem = '\''8MB'\''" "not a SELECT" --date 2026-02-10 &&
	fails_with "SELEC 1" "syntax error" --date 2026-02-10 &&
	fails_with "SELECT 1; SELECT 2" "metrics query failed" --date 2026-02-10
'
test_expect_success 'a query file that cannot be read' '
	expect_exit 1 smetrics --query nonexistent.sql --date 2026-02-10 &&
	expect_one_line_error smetrics && grep -q "cannot open nonexistent.sql" err &&
	expect_exit 1 smetrics --query . --date 2026-02-10 &&
	expect_one_line_error smetrics
'
test_expect_success 'an unknown day, or --from after --to: usage, exit 2' '
	for d in 2026-02-30 2026-2-1 tomorrow "" 2026-02-10x; do
		expect_exit 2 smetrics --date "$d" && expect_one_line_error smetrics &&
		grep -q "^smetrics: --date wants a day" err || exit 1
	done &&
	expect_exit 2 smetrics --from 2026-02-12 --to 2026-02-10 &&
	expect_one_line_error smetrics && grep -q "after --to" err &&
	expect_exit 2 smetrics --from 2026-02-12 && expect_one_line_error smetrics &&
	expect_exit 2 smetrics --date today --from 2026-02-10 --to 2026-02-12 &&
	expect_exit 2 smetrics --now yesterday && expect_one_line_error smetrics
'
test_expect_success 'a server that is down: exit 75; a database that does not exist: exit 1' '
	port=$(free_port) &&
	DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres" \
		expect_exit 75 smetrics --date 2026-02-10 &&
	expect_one_line_error smetrics &&
	DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/no_such_db" \
		expect_exit 1 smetrics --date 2026-02-10 &&
	expect_one_line_error smetrics && grep -q no_such_db err &&
	DATABASE_URL="postgresql://postgres:s3cret@127.0.0.1:$port/postgres" \
		expect_exit 75 smetrics --date 2026-02-10 &&
	expect_one_line_error smetrics && ! grep -q s3cret err
'
test_expect_success 'pg_dump'\''s -h, -p, -U and a trailing DBNAME; a password in -d is hidden' '
	echo "SELECT \$1::date AS summary_date, current_database()::text AS db, current_user::text AS who" >w.sql &&
	pg_createdb other &&
	env -u DATABASE_URL smetrics -h 127.0.0.1 -p "$PGPORT" -U postgres --query w.sql --date 2026-02-10 other >o &&
	jq -e ".db == \"other\" and .who == \"postgres\"" o &&
	smetrics --query w.sql --date 2026-02-10 other | jq -e ".db == \"other\"" &&
	port=$(free_port) &&
	expect_exit 75 smetrics -d "postgresql://postgres:s3cret@127.0.0.1:$port/postgres" --date 2026-02-10 &&
	expect_one_line_error smetrics && ! grep -q s3cret err
'
test_expect_success 'the JSON is UTF-8 whatever the client encoding libpq was given' '
	echo "SELECT \$1::date AS summary_date, '\''Café ✂'\''::text AS t" >u.sql &&
	PGCLIENTENCODING=LATIN1 smetrics --query u.sql --date 2026-02-10 >o &&
	jq -e ".t == \"Café ✂\"" o
'
test_expect_success 'SIGINT cancels the query on the server: one line, exit 1, nothing printed' '
	echo "SELECT \$1::date AS summary_date, 1 AS n FROM pg_sleep(60)" >slow.sql &&
	{ smetrics --query slow.sql --date 2026-02-10 >out 2>err & pid=$!; } &&
	wait_for 20 sh -c "test \"\$(psql -X -At -c \"select count(*) from pg_stat_activity where application_name = '\''smetrics'\'' and query like '\''%pg_sleep%'\''\")\" = 1" &&
	kill -INT $pid &&
	{ wait $pid; rc=$?; } ; test "$rc" = 1 &&
	expect_one_line_error smetrics && grep -q "cancelled" err && test ! -s out &&
	wait_for 10 sh -c "test \"\$(psql -X -At -c \"select count(*) from pg_stat_activity where query like '\''%pg_sleep(60)%'\'' and pid <> pg_backend_pid()\")\" = 0"
'
test_done
