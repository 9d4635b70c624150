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
	test -x "$root/usr/local/share/strongbox/strongbox-job" &&
	test -x "$root/usr/local/share/strongbox/demo.sh" &&
	! ls "$root"/usr/local/share/strongbox/*.c 2>/dev/null
'
test_expect_success 'etc templates; the environment file is owner-only' '
	test -f "$root/usr/local/etc/strongbox/cron.d/strongbox" &&
	test "$(stat -c %a "$root/usr/local/etc/strongbox/strongbox.env")" = 600 &&
	test -f "$root/usr/local/lib/systemd/system/strongbox@.service" &&
	test -f "$root/usr/local/lib/systemd/system/strongbox-backup.timer"
'

# Another prefix, TZ and DESTDIR: every template and script names them.
# The programs compile DATADIR in, so this build runs in a copy of the tree
# (tests running beside this one use the tree's bin/).
opt=$TRASH/opt
copy=$TRASH/copy
test_expect_success 'make install DESTDIR=... PREFIX=/opt/sb TZ=Asia/Kolkata' '
	mkdir "$copy" &&
	(cd "$TEST_ROOT" && tar -cf - --exclude=./node_modules --exclude=./t/trash .) |
		(cd "$copy" && tar -xf -) &&
	make -s -C "$copy" ${STRONGBOX_MAKEFLAGS:-} install \
		PREFIX=/opt/sb DESTDIR="$opt" TZ=Asia/Kolkata >make.log 2>&1 ||
		{ cat make.log; false; }
'
sb=$opt/opt/sb
test_expect_success 'no installed text names /usr/local any more' '
	! grep -rIl "/usr/local" "$opt"
'
test_expect_success 'every path the installed cron file, units and scripts name exists' '
	cron=$sb/etc/strongbox/cron.d/strongbox &&
	test -f "$cron" && test -f "$sb/lib/systemd/system/strongbox@.service" &&
	grep -oh "/opt/sb[^ :\"'\'')}]*" "$cron" "$sb"/lib/systemd/system/* \
		"$sb"/share/strongbox/*.sh "$sb/share/strongbox/strongbox-job" |
		sed "s/[.,]$//" | sort -u >paths &&
	grep -qx /opt/sb/share/strongbox/strongbox-job paths &&
	grep -qx /opt/sb/etc/strongbox/strongbox.env paths &&
	grep -qx /opt/sb/bin paths &&
	while read -r p; do
		test -e "$opt$p" || { echo "missing: $p"; exit 1; }
	done <paths &&
	grep -v "^#" "$cron" | grep -o "strongbox-job [a-z-]*" | while read -r _ j; do
		"$sb/share/strongbox/strongbox-job" --help | grep -q "^  $j " ||
			{ echo "unknown job $j"; exit 1; }
	done
'
test_expect_success 'the timers carry the zone given at install time; systemd reads each OnCalendar' '
	n=0 &&
	for t in "$sb"/lib/systemd/system/*.timer; do
		grep "^OnCalendar=" "$t" | sed "s/^OnCalendar=//" >cal || continue
		while read -r c; do
			case $c in *" Asia/Kolkata") ;; *) echo "no zone: $t: $c"; exit 1 ;; esac
			systemd-analyze calendar "$c" >analyze || { echo "bad: $t: $c"; exit 1; }
			grep -q "Next elapse:" analyze
			n=$((n + 1))
		done <cal
	done &&
	test "$n" = 6
'
test_expect_success 'systemd-analyze verify: each timer with its service (paths under DESTDIR)' '
	mkdir units &&
	for f in "$sb"/lib/systemd/system/*; do
		sed "s|/opt/sb/|$sb/|g" "$f" >"units/${f##*/}" || exit 1
	done &&
	cd units &&
	for t in strongbox-*.timer; do
		j=${t#strongbox-} && j=${j%.timer} &&
		MANPATH=$sb/share/man systemd-analyze verify "strongbox@$j.service" "$t" \
			>"$TRASH/verify.log" 2>&1 || { cat "$TRASH/verify.log"; exit 1; }
		! grep . "$TRASH/verify.log" || exit 1
	done
'
test_expect_success 'the installed runner: its environment file, refused once others may read a secret' '
	env=$sb/etc/strongbox/strongbox.env &&
	STRONGBOX_ENV=$env STRONGBOX_LOCK_DIR=$TRASH expect_exit 0 \
		"$sb/share/strongbox/strongbox-job" cloud-cleanup &&
	grep -q "no bucket set" out &&
	chmod 644 "$env" &&
	echo "BACKUP_S3_SECRET_KEY=x" >>"$env" &&
	STRONGBOX_ENV=$env STRONGBOX_LOCK_DIR=$TRASH expect_exit 1 \
		"$sb/share/strongbox/strongbox-job" cloud-cleanup &&
	grep -q "strongbox.env holds a secret and others may read it" err
'
test_expect_success 'the installed demo runs' '
	DEMO_SCALE=0.02 expect_exit 0 "$sb/share/strongbox/demo.sh" &&
	grep -q "^== Done" out &&
	grep -q "^built: sdump" out
'
test_done
