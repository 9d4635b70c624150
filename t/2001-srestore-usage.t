#!/bin/sh
# srestore's command line, and what it says about input that is not an
# archive, before any database is involved.
. "$(dirname "$0")/lib/test-lib.sh"

test_expect_success '--help prints usage on stdout, exit 0' '
	expect_exit 0 srestore --help &&
	grep -q "^usage: srestore" out
'
test_expect_success '--version' '
	expect_exit 0 srestore --version &&
	grep -q "srestore (strongbox)" out
'
test_expect_success 'an unknown option is a usage error' '
	expect_exit 2 srestore --bogus </dev/null &&
	grep -q "^srestore: " err
'
test_expect_success 'an archive as the operand (the pg_restore habit) is a usage error' '
	expect_exit 2 srestore file.sdump </dev/null &&
	grep -q "read on stdin" err
'
test_expect_success 'modes exclude each other' '
	expect_exit 2 srestore --check --list </dev/null &&
	expect_exit 2 srestore --clean --data-only </dev/null &&
	expect_exit 2 srestore --check --clean </dev/null
'
test_expect_success 'empty input: not a strongbox archive' '
	expect_exit 1 srestore --check </dev/null &&
	expect_one_line_error srestore &&
	grep -q "not a strongbox archive" err &&
	jq -e ".ok == false" out
'
test_expect_success 'random bytes: not a strongbox archive' '
	head -c 10000 /dev/urandom >junk &&
	expect_exit 1 srestore --check <junk &&
	expect_one_line_error srestore &&
	grep -q "not a strongbox archive" err
'
test_expect_success 'a tar that is not ours' '
	mkdir d && echo hello >d/a.txt &&
	tar --format=pax -cf t.tar d &&
	expect_exit 1 srestore --check <t.tar &&
	expect_one_line_error srestore &&
	grep -q "not a strongbox archive (first member is" err
'
test_expect_success 'a server that does not answer: one line, exit 75 (retry later)' '
	port=$(free_port) &&
	printf "x" >one &&
	expect_exit 75 srestore -d "postgresql://nobody:secret@127.0.0.1:$port/db" <one &&
	expect_one_line_error srestore &&
	grep -q "cannot connect" err &&
	! grep -q secret err
'
test_done
