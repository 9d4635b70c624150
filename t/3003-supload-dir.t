#!/bin/sh
# supload with no bucket configured: the local directory BACKUP_DIR, the
# same verbs and cases as on S3.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/supload.sh"

BACKUP_DIR=$TRASH/backups
export BACKUP_DIR
mkdir "$BACKUP_DIR"

supload_roundtrip_tests dir

test_expect_success 'dir: a put leaves no temporary file, only the object' '
	echo hello | supload a/b/c >out &&
	test "$(cat "$BACKUP_DIR/a/b/c")" = hello &&
	test $(find "$BACKUP_DIR" -type f | wc -l) -eq 1 &&
	jq -e ".parts == 1 and .bytes == 6" out
'
test_expect_success 'dir: a put that fails leaves nothing, not even a temporary' '
	head -c 3000000 /dev/urandom >junk &&
	expect_exit 1 supload --verify-archive a/junk <junk &&
	expect_one_line_error supload &&
	test ! -e "$BACKUP_DIR/a/junk" &&
	test $(find "$BACKUP_DIR" -name ".strongbox-tmp.*" | wc -l) -eq 0
'
test_expect_success 'dir: an object is replaced whole' '
	echo one | supload r/x >/dev/null && echo two | supload r/x >/dev/null &&
	test "$(supload -g r/x)" = two
'
test_expect_success 'dir: -d removes the directories a key made, if empty' '
	echo x | supload deep/er/key >/dev/null &&
	echo deep/er/key | supload -d >/dev/null &&
	test ! -e "$BACKUP_DIR/deep"
'
test_expect_success 'dir: an unwritable BACKUP_DIR: one line, exit 1' '
	mkdir ro && chmod 555 ro &&
	if [ "$(id -u)" = 0 ]; then BACKUP_DIR=/proc/sys; else BACKUP_DIR=$TRASH/ro; fi &&
	echo x | BACKUP_DIR=$BACKUP_DIR expect_exit 1 supload k &&
	expect_one_line_error supload
'
test_expect_success 'dir: a listing of 2,500 objects' '
	mkdir -p "$BACKUP_DIR/many" &&
	i=0 && while [ $i -lt 2500 ]; do : >"$BACKUP_DIR/many/o$i"; i=$((i + 1)); done &&
	supload -l many/ >list &&
	test $(wc -l <list) -eq 2500 &&
	cut -f1 list | LC_ALL=C sort -c &&
	grep -qx "many/o2499	0	.*" list
'
test_done
