#!/bin/sh
# sdump as pg_dump users type it: -h HOST -p PORT -U USER DBNAME, -? for
# help, -h alone a usage error; a bare -d name keeps DATABASE_URL's server;
# a password given with -d leaves the process title; every lock within
# --lock-timeout, the holder named; SIGINT cancels with one line.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

test_expect_success 'sdump -h alone is a usage error: exit 2, nothing on stdout' '
	expect_exit 2 sdump -h </dev/null && test ! -s out &&
	expect_one_line_error sdump && grep -q "option -h needs an argument" err
'
test_expect_success 'sdump -? prints the usage, as pg_dump' '
	expect_exit 0 sdump -? && grep -q "^usage: sdump" out && test ! -s err &&
	grep -q -- "-h, --host HOST" out && grep -q -- "--lock-timeout" out
'
for args in "--lock-timeout 0" "--lock-timeout 3h" "--lock-timeout x" \
	"-p 0" "-p x" "-d a b" "a b"; do
	test_expect_success "usage error: sdump $args" "
		expect_exit 2 sdump $args </dev/null && test ! -s out &&
		expect_one_line_error sdump
	"
done
test_expect_success 'a bad --lock-timeout names the option and the forms' '
	expect_exit 2 sdump --lock-timeout 5h </dev/null &&
	grep -q "invalid --lock-timeout: .5h. (a number with ms, s or min" err
'

pg_start
port=$PGPORT
pg_createdb salon
pg_sql salon "create table clients (id int primary key, name text);
	insert into clients values (1, 'Asha'), (2, 'Ravi');
	create role clerk login superuser" >/dev/null

test_expect_success 'sdump -h HOST -p PORT -U USER DBNAME' '
	(unset PGHOST PGPORT PGUSER PGDATABASE &&
	 expect_exit 0 sdump -h 127.0.0.1 -p "$port" -U clerk salon) &&
	tar -xOf out strongbox/manifest.json | jq -e ".database == \"salon\"" &&
	tar -xOf out strongbox/trailer.json | jq -e ".tables[0].rows == 2"
'
test_expect_success 'long options: --host --port --username --dbname' '
	(unset PGHOST PGPORT PGUSER PGDATABASE &&
	 expect_exit 0 sdump --host=127.0.0.1 --port="$port" --username=clerk \
		--dbname=salon) &&
	tar -xOf out strongbox/manifest.json | jq -e ".database == \"salon\""
'
test_expect_success 'a bare -d name keeps the host, port and user of DATABASE_URL' '
	(unset PGHOST PGPORT PGUSER PGDATABASE &&
	 DATABASE_URL="postgresql://clerk@127.0.0.1:$port/postgres" \
		expect_exit 0 sdump -d salon) &&
	tar -xOf out strongbox/manifest.json | jq -e ".database == \"salon\""
'
test_expect_success '-p wins over the port of DATABASE_URL' '
	bad=$(free_port) &&
	DATABASE_URL="postgresql://clerk@127.0.0.1:$bad/salon" \
		expect_exit 0 sdump -p "$PGPORT" -h 127.0.0.1 &&
	tar -xOf out strongbox/manifest.json | jq -e ".database == \"salon\""
'

pg_sql salon "alter role clerk password 'Hidden-pw9'" >/dev/null
hba="$PG_DIR/data/pg_hba.conf"
{ echo "host all clerk 127.0.0.1/32 scram-sha-256"; cat "$hba"; } >hba.new
cat hba.new >"$hba"
pg_sql salon "select pg_reload_conf()" >/dev/null

test_expect_success 'a lock held by an open transaction: exit 75 within --lock-timeout, holder named' '
	pg_hold_lock salon clients &&
	expect_exit 75 sdump --lock-timeout 300ms -d salon;
	rc=$?; pg_release_lock; test $rc = 0 &&
	expect_one_line_error sdump &&
	grep -q "cannot lock public.clients within 300ms (--lock-timeout): held by pid [0-9]* (application_name holder); rolled back" err &&
	test ! -s out
'
test_expect_success 'the password of -d is gone from /proc/PID/cmdline; SIGINT while waiting on a lock: cancelled, exit 1, no trailer' '
	pg_hold_lock salon clients &&
	url="postgresql://clerk:Hidden-pw9@127.0.0.1:$PGPORT/salon" &&
	{ sdump --lock-timeout 10min -d "$url" >out 2>err & pid=$!; } &&
	pg_wait_lock_wait salon pg_dump &&
	tr "\000" " " </proc/$pid/cmdline >cmdline &&
	kill -INT $pid && { wait $pid; rc=$?; } ; pg_release_lock &&
	cat cmdline && ! grep -q Hidden-pw9 cmdline &&
	grep -q "clerk:xxxxxxxxxx@127.0.0.1" cmdline &&
	test "$rc" = 1 && test "$(cat err)" = "sdump: cancelled" &&
	! tar -tf out 2>/dev/null | grep -q trailer
'
test_expect_success 'SIGTERM during the COPY of a big table: cancelled, exit 1, no trailer' '
	pg_sql salon "create table big as select g id, repeat(md5(g::text), 20) pad
		from generate_series(1, 200000) g" >/dev/null &&
	{ sdump -Z none --chunk-size 64k -d salon >out 2>err & pid=$!; } &&
	wait_for 30 test -s out && kill -TERM $pid; wait $pid; rc=$? &&
	test "$rc" = 1 && test "$(cat err)" = "sdump: cancelled" &&
	! tar -tf out 2>/dev/null | grep -q trailer
'
test_done
