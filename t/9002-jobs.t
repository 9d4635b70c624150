#!/bin/sh
# The shipped jobs (share/strongbox/*.sh) end to end, as cron runs them,
# with the local directory target: a nightly backup that restores, a failed
# one that leaves nothing, retention of a series.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

SHARE=$TEST_ROOT/share/strongbox
for t in sdump supload sprune srestore; do
	[ -x "$TEST_ROOT/bin/$t" ] || skip_all "$t is not built yet"
done

pg_start
pg_createdb salon
"$SHARE/salon-load.sh" -s 0.05 -d 60 salon || exit 1

BRANCH_ID=branch-test
BACKUP_DIR=$TRASH/backups
DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/salon"
TZ=Asia/Kolkata
export BRANCH_ID BACKUP_DIR DATABASE_URL TZ
mkdir -p "$BACKUP_DIR"

backups() {
	supload -l "$BRANCH_ID/backups/" | wc -l
}

test_expect_success 'nightly-backup.sh stores one archive that restores' '
	expect_exit 0 "$SHARE/nightly-backup.sh" &&
	test ! -s err &&
	jq -e ".key | startswith(\"branch-test/backups/branch-test_\")" out &&
	test "$(backups)" = 1 &&
	key=$(supload -l "$BRANCH_ID/backups/" | cut -f 1) &&
	echo "$key" >realkey &&
	pg_createdb restored &&
	supload -g "$key" | srestore -d "postgresql://postgres@127.0.0.1:$PGPORT/restored" >report &&
	test "$(pg_sql restored "select count(*) from bills")" = "$(pg_sql salon "select count(*) from bills")"
'
test_expect_success 'a backup of a database that does not exist fails and stores nothing' '
	sleep 1 &&
	DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/no_such_db" \
		expect_exit 1 "$SHARE/nightly-backup.sh" &&
	grep -q "no_such_db" err &&
	test "$(backups)" = 1
'
test_expect_success 'a backup with the server down exits 75 and stores nothing' '
	sleep 1 &&
	port=$(free_port) &&
	DATABASE_URL="postgresql://postgres@127.0.0.1:$port/salon" \
		expect_exit 75 "$SHARE/nightly-backup.sh" &&
	test "$(backups)" = 1
'
test_expect_success 'prune-backups.sh keeps the policy of a series and deletes the rest' '
	for d in $(seq 1 60); do
		echo stand-in | supload "$BRANCH_ID/backups/${BRANCH_ID}_$(date -d "2026-02-16 - $d days" +%Y%m%d)_220005.sdump" >/dev/null || exit 1
	done &&
	test "$(backups)" = 61 &&
	BACKUP_KEEP="--keep-last 5" expect_exit 0 "$SHARE/prune-backups.sh" &&
	test "$(backups)" = 5 &&
	test "$(wc -l <out)" -ge 56 &&
	supload -l "$BRANCH_ID/backups/" | cut -f 1 >left &&
	grep -qxF "$(cat realkey)" left
'
test_expect_success 'prune-backups.sh on an empty listing deletes nothing' '
	BRANCH_ID=nobody expect_exit 0 "$SHARE/prune-backups.sh" &&
	test ! -s out
'
if [ -x "$TEST_ROOT/bin/smetrics" ]; then
	test_expect_success 'push-metrics.sh stores the day'\''s JSON' '
		expect_exit 0 "$SHARE/push-metrics.sh" 2026-02-15 &&
		supload -g "$BRANCH_ID/metrics/2026-02-15.json" | jq -e ".summary_date == \"2026-02-15\""
	'
fi
test_done
