#!/bin/sh
# With password authentication: sdump connects with a URL's password,
# hands the connection to pg_dump through its environment (never a password
# in pg_dump's arguments), fails a wrong password with exit 1 and one line
# that does not show it.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start
pg_createdb shop
pg_sql shop "create role alice login superuser password 'Secr3t-pw';
	create table items (id int primary key, name text);
	insert into items values (1, 'comb'), (2, 'brush');
	create table t2 (x int); insert into t2 values (7)" >/dev/null
hba="$PG_DIR/data/pg_hba.conf"
{ echo "host all alice 127.0.0.1/32 scram-sha-256"; cat "$hba"; } >hba.new
cat hba.new >"$hba"
pg_sql shop "select pg_reload_conf()" >/dev/null

# A pg_dump that records what it was given, then runs the real one.
cat >spy-pg_dump <<EOF2
#!/bin/sh
printf '%s\n' "\$@" >>"$TRASH/argv.log"
env | grep -c '^PGPASSWORD=' >>"$TRASH/env.log" || true
exec "$PG_BIN/pg_dump" "\$@"
EOF2
chmod +x spy-pg_dump

url="postgresql+asyncpg://alice:Secr3t-pw@127.0.0.1:$PGPORT/shop"
test_expect_success 'the password reaches pg_dump through its environment only' '
	DATABASE_URL=$url SDUMP_PG_DUMP=$TRASH/spy-pg_dump expect_exit 0 sdump &&
	test ! -s err && mv out a.sdump &&
	grep -q -- "--section=pre-data" argv.log &&
	! grep -q Secr3t-pw argv.log &&
	grep -qx 1 env.log && ! grep -qx 0 env.log &&
	tar -xOf a.sdump schema/pre-data.sql | grep -q "CREATE TABLE public.items" &&
	tar -xOf a.sdump strongbox/trailer.json | jq -e ".tables[0].rows == 2"
'
test_expect_success 'a wrong password: exit 1, one line, the password not shown' '
	expect_exit 1 sdump -d "postgresql://alice:Wrong-pw@127.0.0.1:$PGPORT/shop" &&
	expect_one_line_error sdump &&
	grep -q "cannot connect to \"shop\"" err &&
	grep -q "password authentication failed" err &&
	! grep -q Wrong-pw err && test ! -s out
'
test_expect_success '-j 2 workers connect with the same password' '
	DATABASE_URL=$url expect_exit 0 sdump --data-only -j 2 && mv out j.sdump &&
	tar -xOf j.sdump strongbox/manifest.json | jq -e ".jobs == 2 and (.tables | length) == 2" &&
	test ! -s err
'
# libpq failures by cause: a retry cures only an absent or busy server.
test_expect_success '?ssl=require against a server without SSL: exit 1' '
	expect_exit 1 sdump -d "postgresql+asyncpg://alice:Secr3t-pw@127.0.0.1:$PGPORT/shop?ssl=require" &&
	expect_one_line_error sdump && grep -q "SSL" err && ! grep -q Secr3t-pw err
'
test_expect_success 'an unknown database: exit 1' '
	expect_exit 1 sdump -d "postgresql://alice:Secr3t-pw@127.0.0.1:$PGPORT/nope" &&
	grep -q "does not exist" err
'
test_expect_success 'a port where no server listens: exit 75' '
	port=$(free_port) &&
	expect_exit 75 sdump -d "postgresql://alice@127.0.0.1:$port/shop" &&
	expect_one_line_error sdump
'
test_expect_success 'no CONNECT privilege: exit 1' '
	pg_sql shop "create role bob login password '"'"'b0b-pw'"'"';
		revoke connect on database shop from public" >/dev/null &&
	{ echo "host all bob 127.0.0.1/32 scram-sha-256"; cat "$hba"; } >hba.new &&
	cat hba.new >"$hba" && pg_sql shop "select pg_reload_conf()" >/dev/null &&
	expect_exit 1 sdump -d "postgresql://bob:b0b-pw@127.0.0.1:$PGPORT/shop" &&
	grep -q "permission denied" err
'
test_done
