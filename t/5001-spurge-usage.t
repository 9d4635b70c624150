#!/bin/sh
# spurge's command line, before any database: conflicting options, bad
# dates, classes and durations (exit 2), a broken or missing config (exit
# 1), and no terminal to confirm on without --yes (exit 1, before
# connecting anywhere).
. "$(dirname "$0")/lib/test-lib.sh"

C=$TEST_ROOT/etc/purge-tables.conf

test_expect_success 'usage errors: one line, exit 2' '
	expect_exit 2 spurge --all --class audit && expect_one_line_error spurge &&
	expect_exit 2 spurge --all --before 2025-04-01 && expect_one_line_error spurge &&
	expect_exit 2 spurge --before 2025-02-30 && expect_one_line_error spurge &&
	grep -q "YYYY-MM-DD" err &&
	expect_exit 2 spurge --before yesterday && expect_one_line_error spurge &&
	expect_exit 2 spurge --class bogus && expect_one_line_error spurge &&
	expect_exit 2 spurge --class keep && expect_one_line_error spurge &&
	expect_exit 2 spurge --lock-timeout 5x && expect_one_line_error spurge &&
	expect_exit 2 spurge --dry-run --yes && expect_one_line_error spurge &&
	expect_exit 2 spurge --before 2025-04-01 --restart-identity &&
	expect_one_line_error spurge &&
	expect_exit 2 spurge db1 db2 && expect_one_line_error spurge
'
test_expect_success 'a broken config names file and line, exit 1' '
	printf "[master]\nroles\n[transactionl]\nbills\n" >bad.conf &&
	expect_exit 1 spurge -c bad.conf --dry-run -d "host=/nonexistent" &&
	expect_one_line_error spurge &&
	grep -q "bad.conf:3: unknown section" err &&
	expect_exit 1 spurge -c missing.conf --dry-run &&
	expect_one_line_error spurge && grep -q "cannot open missing.conf" err
'
test_expect_success 'no terminal and no --yes: refused before connecting, exit 1' '
	echo "DELETE ALL DATA" >phrase &&
	set +e; setsid -w spurge -c "$C" -d "host=/nonexistent" <phrase >out 2>err
	test $? = 1 && set -e &&
	expect_one_line_error spurge && grep -q "no terminal" err &&
	grep -q -- "--yes" err && test ! -s out
'
test_done
