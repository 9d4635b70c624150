#!/bin/sh
# smetrics --missing and --health read supload -l listings: the days the
# bucket misses in TZ, the count, newest, age and bytes of the backups as
# JSON and in Prometheus' format, the alert thresholds, malformed lines.
. "$(dirname "$0")/lib/test-lib.sh"

TZ=Asia/Kolkata
BRANCH_ID=branch-bandra
export TZ BRANCH_ID
# 2026-02-17 10:00 in Kolkata.
NOW=2026-02-17T04:30:00Z

# metrics DAY...: a listing of metrics objects for those days.
metrics() {
	for d in "$@"; do
		printf '%s/metrics/%s.json\t812\t%sT16:15:02Z\n' "$BRANCH_ID" "$d" "$d"
	done
}

test_expect_success '--missing 14: the days up to yesterday without an object, oldest first' '
	metrics 2026-02-02 2026-02-03 2026-02-05 2026-02-10 2026-02-16 2026-02-17 >l &&
	printf "branch-bandra/metrics/notes.txt\t3\t2026-02-10T00:00:00Z\n" >>l &&
	expect_exit 0 smetrics --missing 14 --now $NOW <l &&
	test ! -s err &&
	printf "%s\n" 2026-02-04 2026-02-06 2026-02-07 2026-02-08 2026-02-09 \
		2026-02-11 2026-02-12 2026-02-13 2026-02-14 2026-02-15 >want &&
	diff -u want out
'
test_expect_success '--today counts today too; an empty listing misses every day' '
	metrics 2026-02-16 | smetrics --missing 2 --today --now $NOW >out &&
	test "$(cat out)" = 2026-02-17 &&
	smetrics --missing 3 --now $NOW </dev/null >out &&
	test "$(tr "\n" " " <out)" = "2026-02-14 2026-02-15 2026-02-16 "
'
test_expect_success '--missing: yesterday is TZ'\''s (23:00 UTC is 04:30 the next day in Kolkata)' '
	smetrics --missing 1 --now 2026-02-16T23:00:00Z </dev/null >out &&
	test "$(cat out)" = 2026-02-16 &&
	TZ=UTC smetrics --missing 1 --now 2026-02-16T23:00:00Z </dev/null >out &&
	test "$(cat out)" = 2026-02-15
'

backups() {
	printf 'branch-bandra/backups/branch-bandra_20260215_220005.sdump\t1000\t2026-02-15T16:30:09Z\n'
	printf 'branch-bandra/backups/branch-bandra_20260216_220005.sdump\t9007199254740993\t2026-02-16T16:30:07Z\n'
	printf 'branch-bandra/backups/branch-bandra_20260214_220005.sdump\t24\t2026-02-14T16:30:05Z\n'
}
test_expect_success '--health: count, newest key, time in TZ, age in hours, total bytes' '
	backups >l &&
	expect_exit 0 smetrics --health --now $NOW <l &&
	test ! -s err &&
	test "$(cat out)" = "{\"branch_id\":\"branch-bandra\",\"count\":3,\"newest_key\":\"branch-bandra/backups/branch-bandra_20260216_220005.sdump\",\"newest_time\":\"2026-02-16T22:00:05+05:30\",\"age_hours\":12.00,\"total_bytes\":9007199254742017}"
'
test_expect_success '--max-age and --min-count: exit 1 with one line past a threshold' '
	backups >l &&
	expect_exit 0 smetrics --health --max-age 12.5 --min-count 3 --now $NOW <l &&
	expect_exit 1 smetrics --health --max-age 11 --now $NOW <l &&
	expect_one_line_error smetrics && grep -q "12.0 hours old" err &&
	jq -e ".count == 3" out &&
	expect_exit 1 smetrics --health --min-count 4 --now $NOW <l &&
	expect_one_line_error smetrics && grep -q "fewer than --min-count 4" err &&
	expect_exit 1 smetrics --health --max-age 26 --now $NOW </dev/null &&
	expect_one_line_error smetrics && grep -q "no backup" err &&
	jq -e ".count == 0 and .newest_key == null and .age_hours == null" out
'
test_expect_success '--prom: the Prometheus text format with a branch label' '
	backups >l &&
	BRANCH_ID="a\"b" expect_exit 0 smetrics --health --prom --now $NOW <l &&
	grep -qx "# TYPE strongbox_backups gauge" out &&
	grep -qx "strongbox_backups{branch=\"a\\\\\"b\"} 3" out &&
	grep -qx "strongbox_backup_newest_timestamp_seconds{branch=\"a\\\\\"b\"} 1771259405" out &&
	grep -qx "strongbox_backup_newest_age_seconds{branch=\"a\\\\\"b\"} 43195" out &&
	test "$(grep -c "^# HELP" out)" = 4 &&
	! grep -v "^# \(HELP\|TYPE\) \|^strongbox_[a-z_]*{branch=\"[^\"]*\(\\\\\"[^\"]*\)*\"} [0-9]*$" out
'
test_expect_success 'a malformed listing line: one line naming it, exit 1' '
	{ backups; printf "garbage without tabs\n"; } >l &&
	expect_exit 1 smetrics --health <l &&
	expect_one_line_error smetrics && grep -q "line 4 of the listing: not key TAB size TAB time" err &&
	printf "k\t12x\t2026-02-16T16:30:07Z\n" | { expect_exit 1 smetrics --missing 3; } &&
	grep -q "line 1 of the listing: bad size" err &&
	printf "k\t12\tlast tuesday\n" | { expect_exit 1 smetrics --health; } &&
	grep -q "bad time" err
'
test_expect_success 'a listing line with control bytes: quoted without them, on one line' '
	printf "k\033]0;owned\007\r\033[2J\t1\tnow\n" | { expect_exit 1 smetrics --health; } &&
	expect_one_line_error smetrics &&
	! grep -q "$(printf "[\033\007\r]")" err &&
	grep -qF "line 1 of the listing: bad time: \"k?]0;owned???[2J?1?now\"" err
'
test_expect_success 'a TZ that names no zone is refused, not taken for UTC' '
	for z in Asia/Kolkatta Nowhere "Asia/../../etc/passwd"; do
		TZ=$z expect_exit 1 smetrics --missing 1 --now $NOW </dev/null &&
		expect_one_line_error smetrics && grep -qF "TZ \"$z\" names no time zone" err &&
		backups | TZ=$z expect_exit 1 smetrics --health --now $NOW &&
		expect_one_line_error smetrics || { echo "zone: $z"; exit 1; }
	done &&
	for z in IST-5:30 "<+0530>-5:30" :Asia/Kolkata /usr/share/zoneinfo/Asia/Kolkata; do
		TZ=$z smetrics --missing 1 --now 2026-02-16T23:00:00Z </dev/null >out &&
		test "$(cat out)" = 2026-02-16 || { echo "zone: $z"; exit 1; }
	done &&
	TZ= smetrics --missing 1 --now 2026-02-16T23:00:00Z </dev/null >out &&
	test "$(cat out)" = 2026-02-15
'
test_expect_success 'usage errors: exit 2, one line' '
	for args in "--missing 0" "--missing x" "--missing 3661" "--health --max-age -1" \
		"--health --max-age abc" "--health --min-count -2" "--prom" "--today" \
		"--health --missing 3" "--health --date 2026-02-10" "--checks f --health" \
		"--health -d postgres://x/y" "--health dbname" "--max-age 3" "db1 db2"; do
		expect_exit 2 smetrics $args </dev/null &&
		expect_one_line_error smetrics || { echo "args: $args"; exit 1; }
	done
'
test_done
