#!/bin/sh
# The templates in etc/ and the shipped scripts: they parse as POSIX sh,
# the schedules name only jobs the runner knows at the seeds' times, and the
# environment file documents every variable and holds no secret.
. "$(dirname "$0")/lib/test-lib.sh"

SHARE=$TEST_ROOT/share/strongbox
ETC=$TEST_ROOT/etc
JOBS="backup cloud-cleanup metrics metrics-yesterday catchup health verify restore-latest"

test_expect_success 'the jobs and their helpers are POSIX sh: they parse with dash and use no pipefail' '
	for f in "$SHARE/strongbox-job" "$SHARE/jobs.sh" "$SHARE/demo.sh" \
		"$SHARE/salon-load.sh" "$SHARE/pg-scratch.sh" "$SHARE/nightly-backup.sh"; do
		dash -n "$f" || { echo "bad: $f"; exit 1; }
		! grep -n "pipefail\|^#!/bin/bash\|\[\[ " "$f" | grep -v "^[0-9]*:#" ||
			{ echo "bash in $f"; exit 1; }
	done &&
	test -x "$SHARE/strongbox-job"
'
test_expect_success 'the bash scripts (rollup.sh) use pipefail, and parse' '
	for f in $(grep -l "^#!/bin/bash" "$SHARE"/*.sh); do
		grep -q "^set -[eu]*o pipefail" "$f" &&
		bash -n "$f" || { echo "bad: $f"; exit 1; }
	done
'
test_expect_success 'every job named in the runner has a function in jobs.sh' '
	for j in $JOBS; do
		grep -q "^job_$(echo $j | tr - _)() {" "$SHARE/jobs.sh" || { echo "no job_$j"; exit 1; }
	done
'
test_expect_success 'cron.d/strongbox: system format, the seeds'\'' times, the runner only' '
	f=$ETC/cron.d/strongbox &&
	grep -v "^#" "$f" | grep "^[0-9@]" >lines &&
	grep -q "^45 21 \* \* \*  *root  *[^ ]*/strongbox-job metrics " lines &&
	grep -q "^0  *22 \* \* \*  *root  *[^ ]*/strongbox-job backup " lines &&
	grep -q "^15 9  *\* \* \*  *root  *[^ ]*/strongbox-job metrics-yesterday " lines &&
	grep -q "^0  *2  *\* \* 0  *root  *[^ ]*/strongbox-job cloud-cleanup " lines &&
	grep -q "^0  *\*  *\* \* \*  *root  *[^ ]*/strongbox-job health " lines &&
	grep -q "^0  *4  *1 \* \*  *root  *[^ ]*/strongbox-job verify " lines &&
	grep -q "^@reboot  *root .*/strongbox-job catchup " lines &&
	test "$(wc -l <lines)" = 7 &&
	! grep "|" lines && ! grep "%" lines &&
	grep -q "CRON_TZ" "$f" && grep -q "never load it with .crontab FILE\|Never load it with .crontab FILE" "$f"
'
test_expect_success 'systemd: one service template, a timer per scheduled job, persistent' '
	test -f "$ETC/systemd/strongbox@.service" &&
	grep -q "^ExecStart=/usr/local/share/strongbox/strongbox-job %i$" "$ETC/systemd/strongbox@.service" &&
	for j in backup cloud-cleanup metrics metrics-yesterday catchup health verify; do
		t=$ETC/systemd/strongbox-$j.timer &&
		grep -qx "Unit=strongbox@$j.service" "$t" &&
		grep -q "^RandomizedDelaySec=" "$t" || { echo "bad $t"; exit 1; }
		[ $j = catchup ] || grep -qx "Persistent=true" "$t" || { echo "not persistent: $t"; exit 1; }
	done
'
test_expect_success 'strongbox.env sets or shows every variable the jobs read, and no secret' '
	env -i sh -c "set -a; . \"$ETC/strongbox.env\"; set +a; env" >vars &&
	for v in DATABASE_URL BRANCH_ID TZ BACKUP_DIR; do
		grep -q "^$v=" vars || { echo "unset: $v"; exit 1; }
	done &&
	for v in BACKUP_S3_ENDPOINT BACKUP_S3_BUCKET BACKUP_S3_ACCESS_KEY BACKUP_S3_SECRET_KEY \
		BACKUP_S3_REGION BACKUP_RETENTION_DAYS BACKUP_CLOUD_RETENTION_DAYS BACKUP_KEEP \
		HEALTHCHECK_URL BACKUP_MAX_AGE_HOURS PROM_TEXTFILE_DIR VERIFY_CHECKS CATCHUP_DAYS; do
		grep -q "^#*$v=" "$ETC/strongbox.env" || { echo "undocumented: $v"; exit 1; }
	done &&
	for v in $(grep -o "\${[A-Z_]*:" "$SHARE/jobs.sh" "$SHARE/strongbox-job" | sed "s/.*{//; s/:$//" | sort -u); do
		case $v in STRONGBOX_*|TMPDIR|TZDIR|DATABASE_URL|BRANCH_ID) continue ;; esac
		grep -q "^#*$v=" "$ETC/strongbox.env" || { echo "undocumented: $v"; exit 1; }
	done &&
	! grep -q "^BACKUP_S3_SECRET_KEY=" vars &&
	! grep -q "^DATABASE_URL=.*:[^@/]*@" vars &&
	grep -q "chmod 600" "$ETC/strongbox.env"
'
test_expect_success 'salon-load.sh: usage' '
	expect_exit 0 "$SHARE/salon-load.sh" -h &&
	grep -q "^usage: salon-load.sh" out &&
	expect_exit 2 "$SHARE/salon-load.sh" &&
	expect_exit 2 "$SHARE/salon-load.sh" -x db
'
test_done
