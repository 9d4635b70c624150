#!/bin/sh
# supload's command line: help, version, bad options and operands, binary
# to a terminal; no server needed.
. "$(dirname "$0")/lib/test-lib.sh"

test_expect_success '--help: usage on stdout, exit 0' '
	expect_exit 0 supload --help && grep -q "^usage: supload" out &&
	expect_exit 0 supload -h && test ! -s err
'
test_expect_success '--version' '
	expect_exit 0 supload --version && grep -q "^supload (strongbox) " out
'
test_expect_success 'unknown option: exit 2' '
	expect_exit 2 supload --bogus k && grep -q "supload --help" err
'
test_expect_success 'a put wants one key' '
	expect_exit 2 supload </dev/null && expect_exit 2 supload a b </dev/null
'
test_expect_success 'modes exclude each other; options go with their mode' '
	expect_exit 2 supload -g -l k &&
	expect_exit 2 supload --dry-run k &&
	expect_exit 2 supload --json k &&
	expect_exit 2 supload -l --verify-archive &&
	expect_exit 2 supload -d k
'
test_expect_success 'part sizes: at least 5MiB, sizes parsed' '
	expect_exit 2 supload --part-size 4MiB k </dev/null &&
	grep -q "5MiB" err &&
	expect_exit 2 supload --part-size 5XB k </dev/null &&
	expect_exit 2 supload --part-size 5MiB --expected-size 100GiB k </dev/null &&
	grep -q "10000 parts" err &&
	expect_exit 2 supload -j 0 k </dev/null
'
test_expect_success 'keys: empty, control characters, leading / refused' '
	expect_exit 2 supload "" </dev/null && expect_one_line_error supload &&
	expect_exit 2 supload /abs </dev/null && grep -q "starts with /" err &&
	expect_exit 2 supload "$(printf "a\033b")" </dev/null &&
	grep -q "control character" err &&
	expect_exit 2 supload -g "" && expect_one_line_error supload
'
test_expect_success 'bad configuration: one line, exit 1' '
	BACKUP_S3_BUCKET=b BACKUP_S3_ACCESS_KEY=a BACKUP_S3_SECRET_KEY=s \
		BACKUP_S3_URL_STYLE=sideways expect_exit 1 supload -l &&
	expect_one_line_error supload && grep -q BACKUP_S3_URL_STYLE err &&
	BACKUP_S3_BUCKET=b BACKUP_S3_ACCESS_KEY=a BACKUP_S3_SECRET_KEY=s \
		BACKUP_S3_ENDPOINT=ftp://x expect_exit 1 supload -l &&
	expect_one_line_error supload && ! grep -q "=s" err
'
test_expect_success '-g refuses to write an object to a terminal' '
	export BACKUP_DIR=$TRASH/b && mkdir -p "$BACKUP_DIR" &&
	echo data | supload obj >/dev/null &&
	script -qec "supload -g obj" /dev/null >tty.out 2>&1;
	test $? -eq 1 && grep -q "terminal" tty.out
'
test_done
