#!/bin/sh
# The shipped jobs end to end, as cron and systemd run them: the runner
# share/strongbox/strongbox-job against a real PostgreSQL and s3rver, with
# a logger on PATH that records what would go to syslog and a local HTTP
# listener for the health pings.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"
. "$TEST_ROOT/t/lib/s3.sh"
. "$TEST_ROOT/t/lib/jobs.sh"
jobs_start branch-test

local_copies() {
	(cd "$BACKUP_DIR/$BRANCH_ID/backups" 2>/dev/null && ls) || true
}
# standin KEY: a small object at KEY in the bucket (not an archive).
standin() {
	echo stand-in | supload "$1" >/dev/null
}
# listen [HOLD]: starts the ping listener; PING_URL and ./pings.
listen() {
	rm -f port pings
	perl "$TEST_ROOT/t/lib/pinglisten.pl" "$TRASH/port" "$TRASH/pings" ${1:+"$1"} &
	LISTEN_PID=$!
	test_at_exit "kill $LISTEN_PID 2>/dev/null"
	wait_for 10 test -s "$TRASH/port"
	PING_URL="http://127.0.0.1:$(cat "$TRASH/port")/ping/abc-123"
}

test_expect_success 'usage: no job or an unknown one is exit 2, --help lists the jobs' '
	expect_exit 2 "$JOB" &&
	expect_exit 2 "$JOB" frobnicate &&
	grep -q "unknown job" err &&
	expect_exit 0 "$JOB" --help &&
	for j in backup cloud-cleanup metrics catchup health verify restore-latest; do
		grep -q "^  $j" out || exit 1
	done
'

test_expect_success 'a good night: the local copy and the object are the archive, old local copies pruned by their names' '
	mkdir -p "$BACKUP_DIR/$BRANCH_ID/backups" &&
	for d in 1 2 3 4 5 6 8 9 10 11 12; do
		touch "$BACKUP_DIR/$BRANCH_ID/backups/${BRANCH_ID}_$(TZ=Asia/Kolkata date -d "now - $d days" +%Y%m%d_%H%M%S).sdump"
	done &&
	: >syslog &&
	expect_exit 0 "$JOB" backup &&
	test ! -s err &&
	jq -e ".job == \"backup\" and .uploaded == true and .local_deleted == 5" out &&
	key=$(jq -r .key out) &&
	echo "$key" | grep -Eqx "branch-test/backups/branch-test_[0-9]{8}_[0-9]{6}\.sdump" &&
	test "$(cloud)" = "$key" &&
	supload -g "$key" >object &&
	cmp object "$BACKUP_DIR/$key" &&
	test "$(jq -r .sha256 out)" = "$(sha256sum <object | cut -d " " -f 1)" &&
	test "$(jq -r .bytes out)" = "$(wc -c <object)" &&
	srestore --check <object >/dev/null &&
	test "$(local_copies | wc -l)" = 7 &&
	grep -q "^user.info backup: start$" syslog &&
	grep -q "^user.info backup: {\"job\":\"backup\"" syslog &&
	grep -Eq "^user.info backup: end status=0 duration=[0-9]+s$" syslog
'
test_expect_success 'a failing sdump: nothing anywhere, exit 1, the status in the log' '
	sleep 1 &&
	ls -R "$BACKUP_DIR" >before &&
	: >syslog &&
	DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/no_such_db" \
		expect_exit 1 "$JOB" backup &&
	grep -q "no_such_db" err &&
	grep -q "^strongbox-job: backup: the dump failed (sdump 1); nothing was stored" err &&
	test "$(cloud | wc -l)" = 1 &&
	ls -R "$BACKUP_DIR" | cmp - before &&
	grep -Eq "^user.err backup: end status=1 duration=[0-9]+s$" syslog &&
	grep -q "^user.err backup: .*no_such_db" syslog
'
# fakedump STATUS: an sdump on PATH that dies after 20000 bytes of its
# archive with STATUS (0: a dump that lies about its end).
fakedump() {
	mkdir -p fakebin &&
	cat >fakebin/sdump <<-EOF &&
	#!/bin/sh
	"$TEST_ROOT/bin/sdump" "\$@" | head -c 20000
	exit $1
	EOF
	chmod +x fakebin/sdump
}
# job NAME: the job's function as the runner calls it, with PATH as given.
job() {
	sh -c ". \"$TEST_ROOT/share/strongbox/jobs.sh\"; me=strongbox-job job=$1; job_$1"
}
test_expect_success 'a dump that dies half way: nothing anywhere, no temporary left' '
	sleep 1 &&
	fakedump 1 &&
	ls -AR "$BACKUP_DIR" >before &&
	PATH=$PWD/fakebin:$PATH expect_exit 1 job backup &&
	grep -q "the dump failed (sdump 1); nothing was stored" err &&
	ls -AR "$BACKUP_DIR" | cmp - before &&
	test "$(cloud | wc -l)" = 1
'
test_expect_success 'a truncated dump that exits 0: --verify-archive stores it nowhere' '
	sleep 1 &&
	fakedump 0 &&
	ls -AR "$BACKUP_DIR" >before &&
	PATH=$PWD/fakebin:$PATH expect_exit 1 job backup &&
	grep -q "the local copy of .* could not be stored" err &&
	grep -q "the upload of .* failed (supload 1), and there is no local copy" err &&
	ls -AR "$BACKUP_DIR" | cmp - before &&
	test "$(cloud | wc -l)" = 1
'
test_expect_success 'the server down: exit 75, nothing anywhere' '
	sleep 1 &&
	port=$(free_port) &&
	DATABASE_URL="postgresql://postgres@127.0.0.1:$port/salon" \
		expect_exit 75 "$JOB" backup &&
	test "$(cloud | wc -l)" = 1 &&
	test "$(local_copies | wc -l)" = 7
'
test_expect_success 'a failing upload: the local copy is kept, exit 1' '
	sleep 1 &&
	BACKUP_S3_SECRET_KEY=wrong expect_exit 1 "$JOB" backup &&
	grep -q "the upload of .* failed (supload 1); the local copy is kept: $BACKUP_DIR/" err &&
	test "$(cloud | wc -l)" = 1 &&
	test "$(local_copies | wc -l)" = 8 &&
	kept=$(sed -n "s/.*the local copy is kept: //p" err) &&
	srestore --check <"$kept" >/dev/null
'
# A full BACKUP_DIR: t/9005-jobs-disk-full.t.
# systemctl stop (SIGTERM to the whole group) or Ctrl-C on the terminal
# (SIGINT): the runner's copies of the output outlive the job, so that the
# tool's own last line reaches stderr and syslog.  The dump is held on a
# lock (sdump's or its pg_dump's) meanwhile.
dump_waits() {
	test -n "$(pg_sql salon "select 1 from pg_stat_activity
		where application_name in ('sdump', 'pg_dump') and wait_event_type = 'Lock'")"
}
test_expect_success 'SIGTERM to the group during a backup: one line naming the job, the tool'\''s in the log, exit 1, nothing stored' '
	sleep 1 &&
	ls -AR "$BACKUP_DIR" >before && n=$(cloud | wc -l) &&
	pg_hold_lock salon bills &&
	: >syslog && rc= &&
	{ setsid "$JOB" backup >out 2>err & pid=$!; } &&
	wait_for 30 dump_waits &&
	kill -TERM -$pid &&
	{ wait $pid; rc=$?; } ; test "$rc" = 1 &&
	pg_release_lock &&
	echo "strongbox-job: backup: cancelled by SIGTERM" | cmp - err &&
	grep -q "^user.err backup: sdump: cancelled" syslog &&
	grep -q "^user.err backup: cancelled by SIGTERM$" syslog &&
	! grep -q "Terminated" syslog &&
	grep -Eq "^user.err backup: end status=1 duration=[0-9]+s$" syslog &&
	ls -AR "$BACKUP_DIR" | cmp - before &&
	test "$(cloud | wc -l)" = "$n"
'
test_expect_success 'SIGTERM while a job waits on a command killed by it: one line, no "Terminated", nothing stored' '
	sleep 1 &&
	ls -AR "$BACKUP_DIR" >before && n=$(cloud | wc -l) &&
	mkdir -p slowbin &&
	printf "#!/bin/sh\ntouch \"%s/slow.started\"\nexec sleep 60\n" "$TRASH" >slowbin/sha256sum &&
	chmod +x slowbin/sha256sum &&
	: >syslog && rc= && rm -f slow.started &&
	{ PATH=$PWD/slowbin:$PATH setsid "$JOB" backup >out 2>err & pid=$!; } &&
	wait_for 30 test -e slow.started &&
	kill -TERM -$pid &&
	{ wait $pid; rc=$?; } ; test "$rc" = 1 &&
	echo "strongbox-job: backup: cancelled by SIGTERM" | cmp - err &&
	grep -Eq "^user.err backup: end status=1 duration=[0-9]+s$" syslog &&
	ls -AR "$BACKUP_DIR" | cmp - before &&
	test "$(cloud | wc -l)" = "$n"
'
test_expect_success 'an overlapping run: exit 75, one line, one object' '
	listen "$TRASH/release"
	before=$(cloud | wc -l)
	(HEALTHCHECK_URL=$PING_URL "$JOB" backup >first.out 2>first.err; echo $? >first.st) &
	wait_for 20 grep -q "/start" pings &&
	: >syslog &&
	expect_exit 75 "$JOB" backup &&
	test "$(wc -l <err)" = 1 &&
	grep -q "^strongbox-job: backup is running already (lock .*); not started$" err &&
	grep -q "^user.warning backup: running already, not started; status=75$" syslog &&
	touch release &&
	wait_for 60 test -s first.st &&
	test "$(cat first.st)" = 0 &&
	test "$(cloud | wc -l)" = $((before + 1)) &&
	kill $LISTEN_PID
'
test_expect_success 'the health ping: /start then the URL on success, /start then /fail with stderr on failure' '
	listen &&
	sleep 1 &&
	HEALTHCHECK_URL=$PING_URL expect_exit 0 "$JOB" backup &&
	printf "GET /ping/abc-123/start 0\nGET /ping/abc-123 0\n" | cmp - pings &&
	: >pings &&
	sleep 1 &&
	HEALTHCHECK_URL=$PING_URL DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/nodb" \
		expect_exit 1 "$JOB" backup &&
	sed -n 1p pings | grep -qx "GET /ping/abc-123/start 0" &&
	sed -n 2p pings | grep -Eqx "POST /ping/abc-123/fail [1-9][0-9]*" &&
	test "$(wc -l <pings)" = 2 &&
	kill $LISTEN_PID
'
test_expect_success 'a health ping that fails does not fail the job' '
	port=$(free_port) &&
	HEALTHCHECK_URL=http://127.0.0.1:$port/x HEALTHCHECK_TIMEOUT=2 \
		expect_exit 0 "$JOB" cloud-cleanup
'
test_expect_success 'the environment file: refused when others may read a secret in it' '
	cp strongbox.env env2 &&
	echo "BACKUP_S3_SECRET_KEY=$S3_SECRET_KEY" >>env2 && chmod 640 env2 &&
	STRONGBOX_ENV=$PWD/env2 expect_exit 1 "$JOB" cloud-cleanup &&
	grep -q "holds a secret and others may read it (mode 640): chmod 600 it" err &&
	test "$(wc -l <err)" = 1 &&
	printf "DATABASE_URL=postgresql://u:pw@h/db\n" >env3 && chmod 604 env3 &&
	STRONGBOX_ENV=$PWD/env3 expect_exit 1 "$JOB" cloud-cleanup &&
	chmod 600 env2 &&
	STRONGBOX_ENV=$PWD/env2 expect_exit 0 "$JOB" cloud-cleanup &&
	printf "TZ=UTC\n#BACKUP_S3_SECRET_KEY=x\nPGPASSWORD=\n" >env4 && chmod 644 env4 &&
	STRONGBOX_ENV=$PWD/env4 expect_exit 0 "$JOB" cloud-cleanup &&
	STRONGBOX_ENV=$PWD/none expect_exit 1 "$JOB" cloud-cleanup &&
	grep -q "cannot read the environment file" err
'
test_expect_success 'a TZ that names no zone: refused before the job, one line, exit 1, nothing stored' '
	sleep 1 &&
	ls -AR "$BACKUP_DIR" >before && n=$(cloud | wc -l) &&
	for tz in Asia/Kolkatta Nowhere/Such :IST-5:30 ../../etc/passwd; do
		printf "TZ=%s\n" "$tz" >env5 && chmod 600 env5 &&
		: >syslog &&
		STRONGBOX_ENV=$PWD/env5 expect_exit 1 "$JOB" backup &&
		echo "strongbox-job: TZ \"$tz\" is not a known time zone (see /usr/share/zoneinfo)" |
			cmp - err &&
		test ! -s out &&
		grep -q "^user.err backup: TZ \"$tz\" is not a known time zone; status=1$" syslog &&
		! grep -q "backup: start" syslog || exit 1
	done &&
	ls -AR "$BACKUP_DIR" | cmp - before &&
	test "$(cloud | wc -l)" = "$n" &&
	printf "TZ=Nowhere/Such\n" >env5 &&
	STRONGBOX_ENV=$PWD/env5 TZ=Asia/Kolkata expect_exit 1 "$JOB" cloud-cleanup &&
	grep -q "TZ \"Nowhere/Such\" is not a known" err
'
test_expect_success 'a known TZ runs the job: a zone, a POSIX rule, the system zone (unset or empty)' '
	for tz in Asia/Kolkata :Asia/Kolkata /usr/share/zoneinfo/Asia/Kolkata IST-5:30 "<+0530>-5:30" UTC ""; do
		printf "TZ=\"%s\"\n" "$tz" >env6 && chmod 600 env6 &&
		STRONGBOX_ENV=$PWD/env6 expect_exit 0 "$JOB" cloud-cleanup &&
		jq -e ".job == \"cloud-cleanup\"" out &&
		! grep -q "time zone" err || exit 1
	done &&
	printf "BRANCH_ID=%s\n" "$BRANCH_ID" >env6 &&
	(unset TZ; STRONGBOX_ENV=$PWD/env6 expect_exit 0 "$JOB" cloud-cleanup) &&
	! grep -q "time zone" err
'
test_expect_success 'the runner and smetrics agree on which TZ names a zone' '
	! command -v smetrics >/dev/null ||
	for tz in Asia/Kolkata Asia/Kolkatta Nowhere/Such :IST-5:30 IST-5:30 "<+0530>-5:30" \
		"<+5" IST IS-5 GMT UTC "" : /nonexistent /usr/share/zoneinfo; do
		printf "TZ=\"%s\"\n" "$tz" >env7 && chmod 600 env7 &&
		{ STRONGBOX_ENV=$PWD/env7 "$JOB" cloud-cleanup >/dev/null 2>&1; r1=$?; } &&
		{ TZ=$tz smetrics --missing 1 </dev/null >/dev/null 2>&1; r2=$?; } &&
		test "$r1:$r2" = 0:0 || test "$r1:$r2" = 1:1 || { echo "TZ=$tz: runner $r1, smetrics $r2"; exit 1; }
	done
'
test_expect_success 'cloud cleanup of 100 dated backups: 90 days kept by default' '
	for d in $(seq 0 99); do
		standin "cc/backups/cc_$(date -d "2026-02-16 - $d days" +%Y%m%d)_220005.sdump" || exit 1
	done &&
	BRANCH_ID=cc expect_exit 0 "$JOB" cloud-cleanup &&
	jq -e ".listed == 100 and .deleted == 10 and .policy == \"--keep-within 90d\"" out &&
	supload -l cc/backups/ | cut -f 1 >left &&
	test "$(wc -l <left)" = 90 &&
	head -n 1 left | grep -q "cc_20251119_220005" &&
	BRANCH_ID=cc BACKUP_CLOUD_RETENTION_DAYS=30 expect_exit 0 "$JOB" cloud-cleanup &&
	test "$(supload -l cc/backups/ | wc -l)" = 30
'
test_expect_success 'cloud cleanup with BACKUP_KEEP: the SalonOS policy' '
	for d in $(seq 0 49); do
		standin "kp/backups/kp_$(date -d "2026-02-16 - $d days" +%Y%m%d)_220005.sdump" || exit 1
	done &&
	supload -l kp/backups/ | sprune --keep-daily 7 --keep-weekly 4 --keep-monthly 12 --kept | cut -f 1 >want &&
	BRANCH_ID=kp BACKUP_KEEP="--keep-daily 7 --keep-weekly 4 --keep-monthly 12" \
		expect_exit 0 "$JOB" cloud-cleanup &&
	supload -l kp/backups/ | cut -f 1 | cmp - want &&
	test "$(wc -l <want)" -ge 12
'
test_expect_success 'cloud cleanup without a bucket does nothing' '
	BACKUP_S3_BUCKET= expect_exit 0 "$JOB" cloud-cleanup &&
	jq -e ".deleted == 0" out
'

if [ -x "$TEST_ROOT/bin/smetrics" ]; then
	test_expect_success 'metrics: the day'\''s JSON at BRANCH_ID/metrics/DATE.json' '
		expect_exit 0 "$JOB" metrics 2026-02-15 &&
		supload -g "$BRANCH_ID/metrics/2026-02-15.json" | jq -e ".summary_date == \"2026-02-15\""
	'
	test_expect_success 'catch-up: uploads exactly the missing days of the last 14' '
		for d in 1 2 4 7; do
			day=$(TZ=Asia/Kolkata date -d "today - $d days" +%F) &&
			echo "{}" | supload "cu/metrics/$day.json" >/dev/null || exit 1
		done &&
		supload -l cu/metrics/ | cut -f 1 >before &&
		BRANCH_ID=cu expect_exit 0 "$JOB" catchup &&
		supload -l cu/metrics/ | cut -f 1 >after &&
		test "$(wc -l <after)" = 14 &&
		for d in $(seq 1 14); do
			grep -q "cu/metrics/$(TZ=Asia/Kolkata date -d "today - $d days" +%F).json" after || exit 1
		done &&
		for f in $(cat before); do
			test "$(supload -g "$f")" = "{}" || exit 1
		done &&
		jq -e "select(.job == \"catchup\") | .missing == 10" out
	'
	test_expect_success 'health: the backups are fresh; the Prometheus file written' '
		mkdir -p prom &&
		PROM_TEXTFILE_DIR=$TRASH/prom expect_exit 0 "$JOB" health &&
		test -s "prom/strongbox-$BRANCH_ID.prom" &&
		! ls prom | grep -v "\.prom$" &&
		BRANCH_ID=nobody expect_exit 1 "$JOB" health
	'
	# Every job fails loudly: the cause on stderr (cron's mail), the status
	# in syslog, /start then /fail pinged; 75 when the database is down.
	test_expect_success 'every job failing: its status, the cause on stderr, in syslog, and /fail' '
		listen &&
		down="postgresql://postgres@127.0.0.1:$(free_port)/salon" &&
		for c in "cloud-cleanup 1 key" "verify 1 key" "metrics 1 key" "catchup 1 key" \
			"health 1 key" "metrics 75 db" "catchup 75 db" "verify 75 db"; do
			set -- $c &&
			: >pings && : >syslog &&
			if [ $3 = key ]; then
				HEALTHCHECK_URL=$PING_URL BACKUP_S3_SECRET_KEY=wrong expect_exit $2 "$JOB" $1
			else
				HEALTHCHECK_URL=$PING_URL DATABASE_URL=$down expect_exit $2 "$JOB" $1
			fi &&
			grep -q "SignatureDoesNotMatch\|refused" err &&
			grep -Eq "^user.err $1: end status=$2 duration=[0-9]+s$" syslog &&
			sed -n 1p pings | grep -qx "GET /ping/abc-123/start 0" &&
			sed -n 2p pings | grep -Eqx "POST /ping/abc-123/fail [1-9][0-9]*" ||
				{ echo "case: $c"; cat err pings; exit 1; }
		done &&
		kill $LISTEN_PID
	'
else
	test_expect_success 'metrics, catchup, health: smetrics is not built, one line and exit 1' '
		for j in metrics metrics-yesterday catchup health; do
			expect_exit 1 "$JOB" $j &&
			test "$(wc -l <err)" = 1 &&
			grep -q "^strongbox-job: $j: needs smetrics, which is not built or installed yet$" err || exit 1
		done
	'
fi

scratch_dbs() {
	pg_sql postgres "select count(*) from pg_database where datname like 'strongbox_verify%'"
}
test_expect_success 'verify: the newest backup restores into a scratch database, which is dropped' '
	expect_exit 0 "$JOB" verify &&
	test "$(wc -l <out)" = 1 &&
	jq -e ".job == \"verify\" and .ok == true and (.key | endswith(\".sdump\")) and .restore != null" out &&
	test "$(jq -r .key out)" = "$(cloud | sort | tail -n 1)" &&
	test "$(scratch_dbs)" = 0
'
if [ -x "$TEST_ROOT/bin/smetrics" ] && [ -f "$TEST_ROOT/share/strongbox/salon-checks.sql" ]; then
	test_expect_success 'verify with VERIFY_CHECKS: the salon checks run on the copy' '
		VERIFY_CHECKS=$TEST_ROOT/share/strongbox/salon-checks.sql expect_exit 0 "$JOB" verify &&
		jq -e ".ok == true and (.checks | length) > 0" out &&
		test "$(scratch_dbs)" = 0
	'
fi
test_expect_success 'verify: a corrupted newest backup is exit 1, and the scratch database dropped' '
	newest=$(cloud | sort | tail -n 1) &&
	supload -g "$newest" >good &&
	size=$(wc -c <good) &&
	{ head -c $((size / 2)) good; printf "garbage"; tail -c +$((size / 2 + 8)) good; } >bad &&
	test "$(wc -c <bad)" = "$size" &&
	supload "$BRANCH_ID/backups/${BRANCH_ID}_20991231_235959.sdump" <bad >/dev/null &&
	expect_exit 1 "$JOB" verify &&
	jq -e ".ok == false and .key == \"$BRANCH_ID/backups/${BRANCH_ID}_20991231_235959.sdump\"" out &&
	grep -q "the restore of .* failed" err &&
	test "$(scratch_dbs)" = 0 &&
	echo "$BRANCH_ID/backups/${BRANCH_ID}_20991231_235959.sdump" | supload -d >/dev/null
'
test_expect_success 'verify: the server down is exit 75, one line, and still one JSON report' '
	port=$(free_port) &&
	DATABASE_URL="postgresql://postgres@127.0.0.1:$port/salon" expect_exit 75 "$JOB" verify &&
	test "$(wc -l <err)" = 1 &&
	grep -q "^strongbox-job: verify: cannot create the scratch database .*: .*refused" err &&
	test "$(wc -l <out)" = 1 && jq -e ".job == \"verify\" and .ok == false and (.error | length) > 0" out &&
	BACKUP_S3_SECRET_KEY=wrong expect_exit 1 "$JOB" verify &&
	test "$(wc -l <out)" = 1 && jq -e ".job == \"verify\" and .ok == false" out
'
# The real logger, through a socket of the test's: a report longer than
# logger's 1 KiB default stays one message, so that journalctl shows it
# whole, prefixed with its job.
cat >syslogd.pl <<'EOF'
use IO::Socket::UNIX; use Socket;
my ($sock, $log) = @ARGV;
my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $sock) or die "$!";
open(my $o, '>>', $log) or die; select $o; $| = 1;
while (1) { my $m; defined $s->recv($m, 262144) or next; $m =~ s/\n$//; print "$m\n"; }
EOF
if logger_real=$(PATH=/usr/bin:/bin command -v logger); then
	perl syslogd.pl "$TRASH/log.sock" "$TRASH/realsyslog" &
	test_at_exit "kill $! 2>/dev/null"
	test_expect_success 'syslog: a report over 1 KiB is one message, with its job' '
		wait_for 10 test -S "$TRASH/log.sock" &&
		mkdir -p reallogger &&
		printf "#!/bin/sh\nexec %s -u %s \"\$@\"\n" "$logger_real" "$TRASH/log.sock" >reallogger/logger &&
		chmod +x reallogger/logger &&
		cp "$TEST_ROOT/share/strongbox/salon-checks.sql" long.sql &&
		for n in 1 2 3 4; do
			printf -- "-- check: a_rule_with_a_name_long_enough_to_make_the_report_long_$n\nSELECT 1 WHERE false\n" || exit 1
		done >>long.sql &&
		PATH=$TRASH/reallogger:$PATH VERIFY_CHECKS=$TRASH/long.sql expect_exit 0 "$JOB" verify &&
		test "$(wc -c <out)" -gt 1200 &&
		wait_for 10 grep -q "verify: end status=0" realsyslog &&
		! grep -v " strongbox: verify: " realsyslog &&
		sed -n "s/.* strongbox: verify: \({.*\)/\1/p" realsyslog | cmp - out
	'
fi
test_expect_success 'restore-latest: refused without a typed confirmation, nothing changed' '
	pg_sql salon "delete from audit_logs" &&
	expect_exit 1 setsid "$JOB" restore-latest </dev/null &&
	grep -q "not restored: type the confirmation on a terminal, or give --yes" err &&
	test "$(pg_sql salon "select count(*) from audit_logs")" = 0
'
if command -v script >/dev/null 2>&1; then
	test_expect_success 'restore-latest: a wrong answer on the terminal restores nothing' '
		printf "yes\n" | expect_exit 1 script -qec "$JOB restore-latest" /dev/null &&
		grep -q "Type RESTORE to go on" out &&
		grep -q "not restored: the confirmation was not typed" out &&
		test "$(pg_sql salon "select count(*) from audit_logs")" = 0
	'
	test_expect_success 'restore-latest: RESTORE typed on the terminal restores' '
		printf "RESTORE\n" | expect_exit 0 script -qec "$JOB restore-latest" /dev/null &&
		test "$(pg_sql salon "select count(*) from audit_logs")" -gt 0
	'
fi
test_expect_success 'restore-latest --yes restores the newest backup over the database' '
	pg_sql salon "delete from audit_logs" &&
	expect_exit 0 setsid "$JOB" restore-latest --yes </dev/null &&
	test "$(pg_sql salon "select count(*) from audit_logs")" -gt 0
'
if command -v age-keygen >/dev/null 2>&1; then
	test_expect_success 'an encrypted night: encrypted once, the local copy and the object the same bytes, both restore, verify with the identity' '
		age-keygen -o id 2>/dev/null && chmod 600 id &&
		R=$(age-keygen -y id) &&
		sleep 1 &&
		: >syslog &&
		BACKUP_AGE_RECIPIENTS=$R expect_exit 0 "$JOB" backup &&
		jq -e ".encrypted == true and .uploaded == true and .local_encrypted == true and .uploaded_encrypted == true" out &&
		key=$(jq -r .key out) && sha=$(jq -r .sha256 out) &&
		test "$(head -c 21 "$BACKUP_DIR/$key")" = "age-encryption.org/v1" &&
		supload -g "$key" >object &&
		cmp object "$BACKUP_DIR/$key" &&
		stored=$(sha256sum <object | cut -d " " -f 1) &&
		jq -e ".local_sha256 == \"$stored\" and .uploaded_sha256 == \"$stored\" and .sha256 != \"$stored\"" out &&
		grep -q "^user.info backup: {\"job\":\"backup\".*\"local_encrypted\":true,\"uploaded_encrypted\":true,\"local_sha256\":\"$stored\",\"uploaded_sha256\":\"$stored\"" syslog &&
		test "$(supload -g -i id "$key" | sha256sum | cut -d " " -f 1)" = "$sha" &&
		age -d -i id object >object.plain &&
		test "$(sha256sum <object.plain | cut -d " " -f 1)" = "$sha" &&
		age -d -i id "$BACKUP_DIR/$key" >local.plain &&
		cmp object.plain local.plain &&
		pg_createdb from_local_age &&
		DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/from_local_age" \
			srestore <local.plain >/dev/null &&
		test "$(pg_sql from_local_age "select count(*) from audit_logs")" = \
			"$(pg_sql salon "select count(*) from audit_logs")" &&
		BACKUP_AGE_RECIPIENTS=$R expect_exit 1 "$JOB" verify &&
		grep -q "the backups are encrypted and BACKUP_AGE_IDENTITY is not set here" err &&
		BACKUP_AGE_RECIPIENTS=$R BACKUP_AGE_IDENTITY=$TRASH/id expect_exit 0 "$JOB" verify &&
		jq -e ".ok == true and .key == \"$key\" and .source == \"target\"" out
	'
	test_expect_success 'BACKUP_ENCRYPT=cloud: the local copy plain zstd tar, the object encrypted, verify reads the local copy without the identity' '
		R=$(age-keygen -y id) &&
		sleep 1 &&
		BACKUP_AGE_RECIPIENTS=$R BACKUP_ENCRYPT=cloud expect_exit 0 "$JOB" backup &&
		jq -e ".encrypted == true and .local_encrypted == false and .uploaded_encrypted == true" out &&
		key=$(jq -r .key out) && sha=$(jq -r .sha256 out) &&
		jq -e ".local_sha256 == \"$sha\" and .uploaded_sha256 != \"$sha\"" out &&
		srestore --check <"$BACKUP_DIR/$key" >/dev/null &&
		zstd -dc <"$BACKUP_DIR/$key" | tar -tf - | grep -qx strongbox/trailer.json &&
		supload -g "$key" >object &&
		test "$(head -c 21 object)" = "age-encryption.org/v1" &&
		jq -e ".uploaded_sha256 == \"$(sha256sum <object | cut -d " " -f 1)\"" out &&
		test "$(age -d -i id object | sha256sum | cut -d " " -f 1)" = "$sha" &&
		BACKUP_AGE_RECIPIENTS=$R BACKUP_ENCRYPT=cloud expect_exit 0 "$JOB" verify &&
		jq -e ".ok == true and .source == \"local\"" out
	'
fi
if command -v minisign >/dev/null 2>&1; then
	test_expect_success 'a signed night: sdump signs with BACKUP_SIGN_KEY, verify checks with BACKUP_SIGN_PUBKEY' '
		minisign -G -W -p sign.pub -s sign.key >/dev/null && chmod 600 sign.key &&
		sleep 1 &&
		BACKUP_SIGN_KEY=$TRASH/sign.key BACKUP_SIGN_PUBKEY=$TRASH/sign.pub \
			expect_exit 0 "$JOB" backup &&
		key=$(jq -r .key out) && echo "$key" >signed.name &&
		supload -g "$key" | srestore --check --verify-key sign.pub >check &&
		jq -e ".signatures == \"verified\"" check &&
		BACKUP_SIGN_PUBKEY=$TRASH/sign.pub expect_exit 0 "$JOB" verify &&
		jq -e ".ok == true and .key == \"$key\"" out
	'
	test_expect_success 'an unsigned archive as the newest: verify and restore-latest refuse it, nothing changed' '
		forged=$BRANCH_ID/backups/${BRANCH_ID}_20991231_235959.sdump &&
		sdump | supload "$forged" >/dev/null &&
		BACKUP_SIGN_PUBKEY=$TRASH/sign.pub expect_exit 1 "$JOB" verify &&
		jq -e ".ok == false" out && grep -q "not signed" err &&
		test "$(scratch_dbs)" = 0 &&
		pg_sql salon "delete from audit_logs" &&
		BACKUP_SIGN_PUBKEY=$TRASH/sign.pub expect_exit 1 setsid "$JOB" restore-latest --yes </dev/null &&
		grep -q "not signed" err &&
		test "$(pg_sql salon "select count(*) from audit_logs")" = 0 &&
		BACKUP_SIGN_PUBKEY=$TRASH/sign.pub expect_exit 0 setsid "$JOB" restore-latest --yes "$(cat signed.name)" </dev/null &&
		test "$(pg_sql salon "select count(*) from audit_logs")" -gt 0 &&
		echo "$forged" | supload -d >/dev/null
	'
fi
test_done
