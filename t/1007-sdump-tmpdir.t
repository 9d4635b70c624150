#!/bin/sh
# sdump keeps pg_dump's schema in TMPDIR: when no temporary file can be
# made there, or written, the message names the file and the real errno,
# never "no pg_dump found".
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start
pg_createdb shop
pg_sql shop "create table items (id int primary key)" >/dev/null

test_expect_success 'a TMPDIR that does not exist: its path and ENOENT' '
	TMPDIR=$TRASH/no/such/dir expect_exit 1 sdump -d shop &&
	expect_one_line_error sdump &&
	grep -q "cannot create a temporary file $TRASH/no/such/dir/.strongbox-tmp.* (TMPDIR): No such file or directory" err &&
	! grep -q "no pg_dump" err
'
test_expect_success 'a TMPDIR that is a file: ENOTDIR' '
	: >afile && TMPDIR=$TRASH/afile expect_exit 1 sdump -d shop &&
	grep -q "(TMPDIR): Not a directory" err
'
mkdir full
if mount -t tmpfs -o size=64k tmpfs full 2>/dev/null; then
	test_at_exit "umount '$TRASH/full'"
	dd if=/dev/zero of=full/fill bs=4k count=100 2>/dev/null
	test_expect_success 'a full TMPDIR: the file and ENOSPC' '
		TMPDIR=$TRASH/full expect_exit 1 sdump -d shop &&
		expect_one_line_error sdump &&
		grep -q "cannot write a temporary file $TRASH/full/.strongbox-tmp.* (TMPDIR): No space left on device" err &&
		! grep -q "no pg_dump" err
	'
else
	test_skip 'a full TMPDIR: the file and ENOSPC' 'cannot mount a small tmpfs here'
fi
test_done
