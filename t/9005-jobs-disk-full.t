#!/bin/sh
# The backup job when BACKUP_DIR is full or cannot be written: with a
# bucket, the dump goes straight there and the job still fails; without,
# nothing is left behind.  A file size limit (ulimit -f, as root on any
# machine) stands in for the full disk; a tiny tmpfs is the real thing
# where mounting works.  Real PostgreSQL and s3rver, the shipped runner.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"
. "$TEST_ROOT/t/lib/s3.sh"
. "$TEST_ROOT/t/lib/jobs.sh"
jobs_start branch-full

# limited: the runner's backup with a 64 KiB file size limit (128 blocks of
# dash's 512 bytes): the dump (about 100 KiB) does not fit, pg_dump's
# schema in TMPDIR (under 30 KiB) and the job's small files do.  The
# runner does not ignore SIGXFSZ: the job must.
limited() {
	sh -c 'ulimit -f 128 && exec "$0" backup' "$JOB"
}
# nothing_local [DIR]: DIR (BACKUP_DIR) holds no file, no temporary either.
nothing_local() {
	test -z "$(find "${1:-$BACKUP_DIR}" -type f)"
}
# nothing_stored N: no report, nothing in BACKUP_DIR, N backups in the bucket.
nothing_stored() {
	test ! -s out &&
	nothing_local &&
	test "$(cloud | wc -l)" = "$1"
}
KEY_RE="$BRANCH_ID/backups/${BRANCH_ID}_[0-9]{8}_[0-9]{6}\.sdump"
# uploaded_line DIR WHY: ./err is the one line of a dump uploaded to the
# bucket because DIR could not be written (WHY).
uploaded_line() {
	test "$(wc -l <err)" = 1 &&
	grep -Eqx "strongbox-job: backup: BACKUP_DIR $1 is full or cannot be written \($2\): no local copy was made; the backup was uploaded to the bucket as $KEY_RE" err
}
# restores OBJECT DB: the plain archive OBJECT restores into DB, a new
# database, with the rows of salon.
restores() {
	pg_createdb "$2" &&
	DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/$2" srestore <"$1" >/dev/null &&
	for t in audit_logs bills; do
		test "$(pg_sql "$2" "select count(*) from $t")" = \
			"$(pg_sql salon "select count(*) from $t")" || return 1
	done
}

test_expect_success 'BACKUP_DIR past the file size limit: exit 1, one line, the dump in the bucket and restorable, nothing local' '
	: >syslog &&
	expect_exit 1 limited &&
	uploaded_line "$BACKUP_DIR" "File too large" &&
	key=$(jq -r .key out) &&
	grep -q "as $key\$" err &&
	jq -e ".job == \"backup\" and .local == null and .uploaded == true and .encrypted == false and .local_sha256 == null and (.error | test(\"full\"))" out &&
	test "$(cloud)" = "$key" &&
	supload -g "$key" >object &&
	test "$(jq -r .bytes out)" = "$(wc -c <object)" &&
	test "$(jq -r .sha256 out)" = "$(sha256sum <object | cut -d " " -f 1)" &&
	test "$(jq -r .uploaded_sha256 out)" = "$(jq -r .sha256 out)" &&
	test "$(wc -c <object)" -gt 65536 &&
	srestore --check <object >/dev/null &&
	restores object limited &&
	nothing_local &&
	grep -Eq "^user.err backup: end status=1 duration=[0-9]+s$" syslog &&
	grep -q "^user.info backup: {\"job\":\"backup\",\"key\":\"$key\"" syslog
'
test_expect_success 'the same without a bucket: exit 1, one line, nothing anywhere' '
	sleep 1 &&
	before=$(cloud | wc -l) &&
	BACKUP_S3_BUCKET= expect_exit 1 limited &&
	test "$(wc -l <err)" = 1 &&
	grep -qx "strongbox-job: backup: BACKUP_DIR $BACKUP_DIR is full or cannot be written (File too large): no local copy was made, and no bucket is set (BACKUP_S3_BUCKET): no backup was made" err &&
	nothing_stored "$before"
'
test_expect_success 'the upload failing too: exit 1, nothing anywhere' '
	sleep 1 &&
	before=$(cloud | wc -l) &&
	BACKUP_S3_SECRET_KEY=wrong expect_exit 1 limited &&
	grep -q "^strongbox-job: backup: BACKUP_DIR $BACKUP_DIR is full or cannot be written (File too large): no local copy was made, and the upload to the bucket failed too: no backup was made$" err &&
	nothing_stored "$before"
'
test_expect_success 'a dump failing for another reason: no fallback, nothing anywhere' '
	sleep 1 &&
	before=$(cloud | wc -l) &&
	DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/no_such_db" expect_exit 1 limited &&
	grep -q "no_such_db" err &&
	grep -q "^strongbox-job: backup: the dump failed (sdump 1); nothing was stored$" err &&
	! grep -q "full" err &&
	nothing_stored "$before" &&
	DATABASE_URL="postgresql://postgres@127.0.0.1:$(free_port)/salon" expect_exit 75 limited &&
	! grep -q "full" err &&
	nothing_stored "$before"
'
if command -v age-keygen >/dev/null 2>&1 && command -v age >/dev/null 2>&1; then
	age-keygen -o id 2>/dev/null && chmod 600 id
	for mode in all cloud; do
		test_expect_success "BACKUP_ENCRYPT=$mode with recipients: the object in the bucket encrypted" '
			sleep 1 &&
			BACKUP_AGE_RECIPIENTS=$(age-keygen -y id) BACKUP_ENCRYPT='$mode' expect_exit 1 limited &&
			uploaded_line "$BACKUP_DIR" "File too large" &&
			key=$(jq -r .key out) &&
			jq -e ".local == null and .uploaded == true and .encrypted == true and .uploaded_encrypted == true and .local_encrypted == false" out &&
			supload -g "$key" >object &&
			test "$(head -c 21 object)" = "age-encryption.org/v1" &&
			test "$(jq -r .uploaded_sha256 out)" = "$(sha256sum <object | cut -d " " -f 1)" &&
			age -d -i id object >plain &&
			test "$(jq -r .sha256 out)" = "$(sha256sum <plain | cut -d " " -f 1)" &&
			test "$(jq -r .bytes out)" = "$(wc -c <plain)" &&
			restores plain age_'$mode' &&
			nothing_local
		'
	done
else
	test_skip 'BACKUP_ENCRYPT with recipients: the object in the bucket encrypted' 'age is not installed'
fi
# A full file system for real: a 64 KiB tmpfs, where this machine lets root
# mount one.
if mkdir full && mount -t tmpfs -o size=64k tmpfs "$TRASH/full" 2>/dev/null; then
	test_at_exit "umount '$TRASH/full'"
	test_expect_success 'BACKUP_DIR on a full 64 KiB tmpfs: exit 1, one line, the dump in the bucket, the tmpfs empty' '
		sleep 1 &&
		before=$(cloud | wc -l) &&
		BACKUP_DIR=$TRASH/full expect_exit 1 "$JOB" backup &&
		uploaded_line "$TRASH/full" "No space left on device" &&
		key=$(jq -r .key out) &&
		test "$(cloud | wc -l)" = $((before + 1)) &&
		supload -g "$key" >object &&
		test "$(jq -r .sha256 out)" = "$(sha256sum <object | cut -d " " -f 1)" &&
		restores object tmpfs &&
		nothing_local full &&
		BACKUP_DIR=$TRASH/full BACKUP_S3_BUCKET= expect_exit 1 "$JOB" backup &&
		test "$(wc -l <err)" = 1 &&
		grep -q "is full or cannot be written (No space left on device): no local copy was made, and no bucket is set" err &&
		nothing_local full
	'
	test_expect_success 'BACKUP_DIR read-only: the temporary file cannot be made, the dump in the bucket' '
		sleep 1 &&
		mount -o remount,ro "$TRASH/full" &&
		BACKUP_DIR=$TRASH/full expect_exit 1 "$JOB" backup &&
		mount -o remount,rw "$TRASH/full" &&
		uploaded_line "$TRASH/full" "Read-only file system" &&
		supload -g "$(jq -r .key out)" | srestore --check >/dev/null &&
		nothing_local full
	'
else
	test_skip 'BACKUP_DIR on a full 64 KiB tmpfs' 'cannot mount a tmpfs here'
	test_skip 'BACKUP_DIR read-only' 'cannot mount a tmpfs here'
fi
test_done
