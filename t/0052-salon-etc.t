#!/bin/sh
# The templates in etc/ and the shipped job scripts: they parse, they name
# what exists, and the environment file holds no secret.
. "$(dirname "$0")/lib/test-lib.sh"

SHARE=$TEST_ROOT/share/strongbox
ETC=$TEST_ROOT/etc

test_expect_success 'the bash job scripts use pipefail, and parse' '
	for s in prune-backups push-metrics rollup; do
		f=$SHARE/$s.sh &&
		test -x "$f" &&
		head -n 1 "$f" | grep -qx "#!/bin/bash" &&
		grep -q "^set -[eu]*o pipefail" "$f" &&
		bash -n "$f" || { echo "bad: $f"; exit 1; }
	done
'
test_expect_success 'the POSIX sh scripts parse with sh' '
	for f in "$SHARE/salon-load.sh" "$SHARE/demo.sh" "$SHARE/nightly-backup.sh"; do
		sh -n "$f" || exit 1
	done
'
test_expect_success 'the crontab runs the shipped scripts at 21:45, 22:00, 09:15 and Sunday 02:00' '
	grep -v "^#" "$ETC/crontab" | grep "^[0-9]" >jobs &&
	grep -q "^45 21 \* \* \* .*push-metrics.sh\"* |" jobs &&
	grep -q "^15  *9  *\* \* \* .*push-metrics.sh\"* yesterday" jobs &&
	grep -q "^0  *22 \* \* \* .*nightly-backup.sh" jobs &&
	grep -q "^0  *2  *\* \* 0 .*prune-backups.sh" jobs &&
	for s in $(grep -o "[a-z-]*\.sh" jobs | sort -u); do
		test -x "$SHARE/$s" || { echo "missing $s"; exit 1; }
	done &&
	! grep "%" jobs
'
test_expect_success 'strongbox.env sets the variables DESIGN.md names, and no secret' '
	env -i sh -c "set -a; . \"$ETC/strongbox.env\"; set +a; env" >vars &&
	for v in DATABASE_URL BRANCH_ID TZ BACKUP_DIR BACKUP_KEEP; do
		grep -q "^$v=" vars || { echo "unset: $v"; exit 1; }
	done &&
	for v in BACKUP_S3_ENDPOINT BACKUP_S3_BUCKET BACKUP_S3_ACCESS_KEY BACKUP_S3_SECRET_KEY BACKUP_S3_REGION; do
		grep -q "^#$v=" "$ETC/strongbox.env" || { echo "undocumented: $v"; exit 1; }
	done &&
	! grep -q "^BACKUP_S3_SECRET_KEY=" vars &&
	! grep -q "^DATABASE_URL=.*:[^@/]*@" vars &&
	grep -q "chmod 600\|-m 600" "$ETC/strongbox.env"
'
test_expect_success 'the jobs refuse to run without BRANCH_ID, with one line' '
	for s in prune-backups push-metrics; do
		expect_exit 1 env -u BRANCH_ID bash "$SHARE/$s.sh" &&
		grep -q "BRANCH_ID" err || exit 1
	done
'
test_expect_success 'salon-load.sh: usage' '
	expect_exit 0 "$SHARE/salon-load.sh" -h &&
	grep -q "^usage: salon-load.sh" out &&
	expect_exit 2 "$SHARE/salon-load.sh" &&
	expect_exit 2 "$SHARE/salon-load.sh" -x db
'
test_done
