#!/bin/sh
# sdump needs no more of the server's lock table than pg_dump alone: with
# a small lock table (max_locks_per_transaction 10), a database that
# pg_dump can dump, sdump can too (it holds its ACCESS SHARE locks only
# once pg_dump has ended and released its own); and a database too big
# for the lock table fails with one line that names the setting to raise.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

PG_EXTRA_CONF="max_locks_per_transaction = 10
max_connections = 20"
pg_start
pg_createdb db
# The lock table has room for about max_locks_per_transaction x
# (max_connections + worker slots) = 10 x 32 locks, plus some slack.
N=${LOCK_TABLES:-300}
pg_sql db "do \$\$ begin for i in 1..$N loop
	execute format('create table t%s (id int)', i);
	execute format('insert into t%s values (%s)', i, i); end loop; end \$\$" >/dev/null

test_expect_success "pg_dump alone dumps $N tables with this lock table" '
	pg_dump -d db --schema-only >/dev/null
'
test_expect_success "sdump dumps them too: one set of locks, not two" '
	sdump -d db -Z none >a.sdump &&
	test "$(srestore --list <a.sdump | wc -l)" = "$N"
'
test_expect_success 'more tables than the lock table holds: one line naming max_locks_per_transaction' '
	pg_sql db "do \$\$ begin for i in 1..1500 loop
		execute format('"'"'create table u%s (id int)'"'"', i); commit; end loop; end \$\$" >/dev/null &&
	expect_exit 1 sdump -d db -Z none &&
	expect_one_line_error sdump &&
	grep -q max_locks_per_transaction err
'
test_done
