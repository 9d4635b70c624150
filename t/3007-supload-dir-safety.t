#!/bin/sh
# supload on the local directory BACKUP_DIR, as an attacker or a bad day
# would use it: BACKUP_DIR missing, keys that look like temporaries,
# temporaries left by a killed put, a NUL in a key line, symbolic links
# below BACKUP_DIR.
. "$(dirname "$0")/lib/test-lib.sh"

BACKUP_DIR=$TRASH/backups
export BACKUP_DIR
mkdir "$BACKUP_DIR"

# ---- BACKUP_DIR itself must exist ----

test_expect_success 'a missing BACKUP_DIR: put says so, exit 1, creates nothing' '
	echo x | BACKUP_DIR=$TRASH/none/deeper expect_exit 1 supload a/b &&
	expect_one_line_error supload && grep -q "$TRASH/none/deeper" err &&
	grep -q "does not exist" err && test ! -e "$TRASH/none"
'
test_expect_success 'a missing BACKUP_DIR: get, list and delete say so, exit 1' '
	BACKUP_DIR=$TRASH/none expect_exit 1 supload -g a/b &&
	expect_one_line_error supload && grep -q "does not exist" err &&
	BACKUP_DIR=$TRASH/none expect_exit 1 supload -l &&
	expect_one_line_error supload && grep -q "does not exist" err &&
	echo a/b | BACKUP_DIR=$TRASH/none expect_exit 1 supload -d &&
	expect_one_line_error supload && grep -q "does not exist" err &&
	test ! -s out && test ! -e "$TRASH/none"
'
test_expect_success 'BACKUP_DIR that is a file: one line, exit 1' '
	: >plain &&
	echo x | BACKUP_DIR=$TRASH/plain expect_exit 1 supload k &&
	expect_one_line_error supload && grep -q "not a directory" err &&
	BACKUP_DIR=$TRASH/plain expect_exit 1 supload -l &&
	expect_one_line_error supload
'
test_expect_success 'a put creates the key'\''s subdirectories under BACKUP_DIR' '
	echo x | supload new/sub/k >/dev/null &&
	test "$(cat "$BACKUP_DIR/new/sub/k")" = x
'
test_expect_success 'BACKUP_DIR itself may be a symbolic link (a mount point alias)' '
	ln -s "$BACKUP_DIR" alias &&
	BACKUP_DIR=$TRASH/alias supload -g new/sub/k >got &&
	test "$(cat got)" = x
'

# ---- temporaries ----

test_expect_success 'a key that looks like a temporary is refused, on every verb' '
	for k in .strongbox-tmp.abc a/.strongbox-tmp.x .supload.ABC a/.supload.x \
		a/.strongbox-tmp.d/k; do
		echo x | expect_exit 2 supload "$k" &&
		expect_one_line_error supload && grep -q "temporar" err &&
		expect_exit 2 supload -g "$k" && expect_one_line_error supload &&
		printf "%s\n" "$k" | expect_exit 1 supload -d &&
		expect_one_line_error supload || return 1
	done &&
	test -z "$(find "$BACKUP_DIR" -name ".s*")"
'
test_expect_success 'a put killed by SIGKILL leaves a temporary that -l never lists' '
	mkfifo fifo &&
	{ supload killed/k <fifo >/dev/null 2>&1 & pid=$!; } &&
	exec 7>fifo && printf partial >&7 &&
	wait_for 10 sh -c "ls -a \"$BACKUP_DIR/killed\" | grep -q ^.strongbox-tmp." &&
	kill -9 $pid && { wait $pid || :; } && exec 7>&- &&
	test "$(ls -a "$BACKUP_DIR/killed" | grep -c "^\.strongbox-tmp\.")" -eq 1 &&
	supload -l killed/ >out && test ! -s out
'
test_expect_success 'supload -l --stale lists temporaries older than a day' '
	: >"$BACKUP_DIR/.supload.OLD111" &&
	mkdir -p "$BACKUP_DIR/x/y" &&
	echo old >"$BACKUP_DIR/x/y/.strongbox-tmp.OLD222" &&
	: >"$BACKUP_DIR/x/.strongbox-tmp.NEW333" &&
	echo kept >"$BACKUP_DIR/x/y/obj" &&
	touch -d "2 days ago" "$BACKUP_DIR/.supload.OLD111" \
		"$BACKUP_DIR/x/y/.strongbox-tmp.OLD222" "$BACKUP_DIR/x/y/obj" &&
	supload -l --stale >out &&
	test "$(cut -f1,2 out)" = ".supload.OLD111	0
x/y/.strongbox-tmp.OLD222	4" &&
	supload -l --stale --json x/ >out &&
	jq -e "select(.key == \"x/y/.strongbox-tmp.OLD222\") | .size == 4" out &&
	test $(wc -l <out) -eq 1
'
test_expect_success 'supload -d --stale removes them, and only them' '
	supload -d --stale --dry-run >out &&
	test $(wc -l <out) -eq 2 && test -e "$BACKUP_DIR/.supload.OLD111" &&
	supload -d --stale >out &&
	test "$(cat out)" = ".supload.OLD111
x/y/.strongbox-tmp.OLD222" &&
	test ! -e "$BACKUP_DIR/.supload.OLD111" &&
	test ! -e "$BACKUP_DIR/x/y/.strongbox-tmp.OLD222" &&
	test -e "$BACKUP_DIR/x/.strongbox-tmp.NEW333" &&
	test "$(cat "$BACKUP_DIR/x/y/obj")" = kept &&
	supload -l --stale >out && test ! -s out
'
test_expect_success '--stale: with -l or -d only, and -d --stale reads no keys' '
	expect_exit 2 supload --stale k && expect_one_line_error supload &&
	expect_exit 2 supload -g --stale k && expect_one_line_error supload
'

# ---- NUL in a key line ----

test_expect_success 'supload -d reading "k\0X" refuses the line, deletes nothing' '
	echo x | supload k >/dev/null &&
	printf "k\000X\n" | expect_exit 1 supload -d &&
	expect_one_line_error supload && grep -q "control character" err &&
	test ! -s out && test -e "$BACKUP_DIR/k"
'

# ---- symbolic links below BACKUP_DIR ----

test_expect_success 'set up a symlinked subdirectory and a symlinked object' '
	mkdir outside && echo secret >outside/f &&
	ln -s "$TRASH/outside" "$BACKUP_DIR/link" &&
	mkdir -p "$BACKUP_DIR/real" &&
	ln -s "$TRASH/outside/f" "$BACKUP_DIR/real/flink"
'
test_expect_success 'put through a symlinked directory: one line, exit 1, nothing written' '
	echo x | expect_exit 1 supload link/new &&
	expect_one_line_error supload && grep -q "symbolic link" err &&
	test ! -e outside/new &&
	echo x | expect_exit 1 supload link/sub/new &&
	expect_one_line_error supload && test ! -e outside/sub &&
	test -z "$(ls -a outside | grep strongbox-tmp)"
'
test_expect_success 'put over a symlinked object: one line, exit 1, target kept' '
	echo x | expect_exit 1 supload real/flink &&
	expect_one_line_error supload && grep -q "symbolic link" err &&
	test "$(cat outside/f)" = secret && test -L "$BACKUP_DIR/real/flink"
'
test_expect_success 'get through a symlink: one line, exit 1, nothing written' '
	expect_exit 1 supload -g link/f && expect_one_line_error supload &&
	grep -q "symbolic link" err && test ! -s out &&
	expect_exit 1 supload -g real/flink && expect_one_line_error supload &&
	grep -q "symbolic link" err && test ! -s out
'
test_expect_success 'delete through a symlink: one line, exit 1, nothing deleted' '
	echo link/f | expect_exit 1 supload -d &&
	expect_one_line_error supload && grep -q "symbolic link" err &&
	test -e outside/f && test ! -s out &&
	echo real/flink | expect_exit 1 supload -d &&
	expect_one_line_error supload && grep -q "symbolic link" err &&
	test -L "$BACKUP_DIR/real/flink"
'
test_expect_success 'list meeting a symlink: one line, exit 1' '
	expect_exit 1 supload -l && expect_one_line_error supload &&
	grep -q "symbolic link" err && test ! -s out &&
	expect_exit 1 supload -l --stale && expect_one_line_error supload &&
	expect_exit 1 supload -l real/ && expect_one_line_error supload &&
	supload -l new/ >out && test "$(cut -f1 out)" = new/sub/k
'
test_done
