#!/bin/sh
# The test helpers start a real PostgreSQL cluster, as root through runuser.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start

test_expect_success 'the cluster answers on its unix socket' '
	test "$(pg_sql postgres "select 40 + 2")" = 42
'
test_expect_success 'and over TCP on loopback' '
	test "$(psql -X -At -d "$PG_URL" -c "select current_user")" = postgres
'
test_expect_success 'a new database can be created and used' '
	pg_createdb harness &&
	pg_sql harness "create table t (id int); insert into t values (1), (2)" &&
	test "$(pg_sql harness "select count(*) from t")" = 2
'
test_expect_success 'pg_stop stops the server and removes its directory' '
	dir=$PG_DIR &&
	pg_stop &&
	test ! -e "$dir" &&
	! psql -X -At -d "postgresql://postgres@127.0.0.1:$PGPORT/postgres" -c "select 1" 2>/dev/null
'
test_done
