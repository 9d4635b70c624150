#!/bin/sh
# sdump's command line: usage, bad options, terminal refusal, unreachable
# servers (exit 75) and URLs as frameworks write them; no password shown.
. "$(dirname "$0")/lib/test-lib.sh"

test_expect_success '--help prints usage on stdout and exits 0' '
	expect_exit 0 sdump --help &&
	grep -q "^usage: sdump" out && test ! -s err
'
test_expect_success '--version' '
	expect_exit 0 sdump --version &&
	grep -q "^sdump (strongbox) " out
'
for args in "--bogus" "-Z lz4" "-Z zstd:0" "-Z zstd:20" "-Z gzip:10" "-Z none:3" \
	"-j 0" "-j x" "-j 65" "--chunk-size 0" "--chunk-size 2G" "--chunk-size 1x" \
	"-t a.b.c" "-T x.y.z" "one two"; do
	test_expect_success "usage error: sdump $args" "
		expect_exit 2 sdump $args </dev/null &&
		grep -q '^sdump: ' err && grep -q -- '--help' err && test ! -s out
	"
done

test_expect_success 'refuses to write an archive to a terminal' '
	expect_exit 2 script -qec "sdump -d postgresql://127.0.0.1:1/x" /dev/null &&
	grep -q "refusing to write an archive to a terminal" out
'

port=$(free_port)
test_expect_success 'a server that does not answer: exit 75, database named, no password' '
	expect_exit 75 sdump -d "postgresql://alice:s3cretpw@127.0.0.1:$port/salon_db" &&
	expect_one_line_error sdump &&
	grep -q "cannot connect to \"salon_db\"" err &&
	! grep -q s3cretpw err && test ! -s out
'
test_expect_success 'DATABASE_URL with postgresql+asyncpg:// is understood' '
	DATABASE_URL="postgresql+asyncpg://alice:s3cretpw@127.0.0.1:$port/salon_db" \
		expect_exit 75 sdump &&
	grep -q "cannot connect to \"salon_db\"" err && ! grep -q s3cretpw err
'
test_expect_success 'postgres:// and postgresql+psycopg2:// are understood' '
	expect_exit 75 sdump -d "postgres://bob:pw1234@127.0.0.1:$port/shop" &&
	grep -q "cannot connect to \"shop\"" err &&
	expect_exit 75 sdump -d "postgresql+psycopg2://bob:pw1234@127.0.0.1:$port/shop" &&
	grep -q "cannot connect to \"shop\"" err && ! grep -q pw1234 err
'
test_expect_success 'a malformed conninfo is a plain failure (exit 1)' '
	expect_exit 1 sdump -d "host=127.0.0.1 port=$port sslmode=bogus dbname=x" &&
	expect_one_line_error sdump
'
test_done
