#!/bin/sh
# make install PREFIX=... DESTDIR=... puts programs, man pages, share/ and
# the etc/ templates where a sysadmin expects them, and the installed
# programs run from there.
. "$(dirname "$0")/lib/test-lib.sh"

root=$TRASH/root
# Same build flags as the run that called us, so nothing is rebuilt.
test_expect_success 'make install into a DESTDIR' '
	make -s -C "$TEST_ROOT" ${STRONGBOX_MAKEFLAGS:-} install \
		PREFIX=/usr/local DESTDIR="$root" >make.log 2>&1 ||
		{ cat make.log; false; }
'
test_expect_success 'every program is installed and runs --version' '
	n=0 &&
	for t in "$TEST_ROOT"/bin/*.c; do
		t=$(basename "$t" .c) &&
		test -x "$root/usr/local/bin/$t" &&
		"$root/usr/local/bin/$t" --version | grep -q "^$t (strongbox) " &&
		n=$((n + 1)) || { echo "bad: $t"; false; }
	done &&
	test "$n" -ge 1
'
test_expect_success 'every program has its man page, and they render' '
	for t in "$TEST_ROOT"/bin/*.c; do
		t=$(basename "$t" .c) &&
		test -f "$root/usr/local/share/man/man1/$t.1" ||
			{ echo "no man page for $t"; false; }
	done &&
	test -f "$root/usr/local/share/man/man7/strongbox.7" &&
	for m in "$root"/usr/local/share/man/man*/*; do
		LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$m" >rendered 2>warnings </dev/null &&
		test -s rendered &&
		! grep -i "warning\|error" warnings || { echo "$m:"; cat warnings; false; }
	done
'
test_expect_success 'share/strongbox: SQL and executable scripts, no sources' '
	test -f "$root/usr/local/share/strongbox/salon-schema.sql" &&
	test -x "$root/usr/local/share/strongbox/nightly-backup.sh" &&
	! ls "$root"/usr/local/share/strongbox/*.c 2>/dev/null
'
test_expect_success 'etc templates; the environment file is owner-only' '
	test -f "$root/usr/local/etc/strongbox/crontab" &&
	test "$(stat -c %a "$root/usr/local/etc/strongbox/strongbox.env")" = 600
'
test_done
