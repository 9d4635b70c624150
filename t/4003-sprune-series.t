#!/bin/sh
# sprune on listings: supload -l lines, --group (several series in one
# listing), future times, --now, and the refusal to delete every backup of
# a series unless --allow-empty.
. "$(dirname "$0")/lib/test-lib.sh"
export TZ=UTC
now=--now=20300101_000000

tab=$(printf '\t')
# A supload -l listing: key, size, upload time.  The upload times are all
# the same day: only the keys date the lines.
for b in a b; do
	for d in 01 02 03 04; do
		printf '%s/backups/%s_202601%s_220005.sdump\t%s\t2026-02-01T00:00:00Z\n' \
			"branch-$b" "branch-$b" "$d" "$(( 1000 + ${#b} * ${d#0} ))"
	done
done >listing

test_expect_success 'supload -l lines are dated by their key, printed whole' '
	grep branch-a listing >a &&
	expect_exit 0 sprune --keep-last 2 <a &&
	test $(wc -l <out) -eq 2 &&
	head -n 2 a >want && diff -u want out
'
test_expect_success 'a key without a time: the listing time is not used' '
	printf "branch-a/backups/latest.sdump\t10\t2026-02-01T00:00:00Z\n" >nokey &&
	expect_exit 0 sprune --keep-last 1 <nokey &&
	test ! -s out && grep "no timestamp" err
'
test_expect_success 'without --group, two branches are one series' '
	expect_exit 0 sprune --keep-last 1 --kept <listing &&
	test $(wc -l <out) -eq 1 &&
	grep -q "^branch-a/backups/branch-a_20260104_220005" out
'
test_expect_success '--group prunes each branch on its own' '
	expect_exit 0 sprune --group --keep-last 1 --kept <listing &&
	cut -f1 out >keys &&
	printf "%s\n" branch-a/backups/branch-a_20260104_220005.sdump \
		branch-b/backups/branch-b_20260104_220005.sdump >want &&
	diff -u want keys &&
	expect_exit 0 sprune --group --keep-last 1 <listing &&
	test $(wc -l <out) -eq 6
'
test_expect_success '--group: sizes and listing times do not split a series' '
	expect_exit 0 sprune --group --keep-daily 2 <listing &&
	test $(wc -l <out) -eq 4
'
test_expect_success '--group with names in any order and other suffixes' '
	printf "%s\n" db1-2026-01-02.sql.gz db2-2026-01-01.sql.gz \
		db1-2026-01-01.sql.gz db1-2026-01-03.sql db2-2026-01-02.sql.gz \
		db1-2026-01-03.sql.gz >in &&
	expect_exit 0 sprune $now --group --keep-last 1 --kept <in &&
	printf "%s\n" db1-2026-01-03.sql db2-2026-01-02.sql.gz \
		db1-2026-01-03.sql.gz >want &&
	diff -u want out
'
test_expect_success '--group --explain' '
	expect_exit 0 sprune --group --keep-last 1 --explain <listing &&
	test $(grep -c "^keep  last snapshot	" out) -eq 2 &&
	test $(grep -c "^delete  no rule keeps it	" out) -eq 6
'

test_expect_success 'a time after --now is kept, warned about, takes no part' '
	printf "%s\n" b_20260101_000000 b_20260102_000000 b_20260103_000000 >in &&
	expect_exit 0 sprune --keep-last 1 --now 2026-01-02T12:00:00Z <in &&
	test "$(cat out)" = b_20260101_000000 &&
	test "$(cat err)" = "sprune: line 3: \"b_20260103_000000\" is in the future, kept" &&
	expect_exit 0 sprune --keep-last 1 --now 2026-01-02T12:00:00Z --explain <in &&
	grep "^keep  in the future	b_20260103_000000$" out &&
	grep "^keep  last snapshot	b_20260102_000000$" out
'
test_expect_success 'a time after the clock is kept and warned about' '
	printf "%s\n" b_20260101_000000 b_20260102_000000 b_29990101_000000 >in &&
	expect_exit 0 sprune --keep-last 1 <in &&
	test "$(cat out)" = b_20260101_000000 &&
	grep "line 3: \"b_29990101_000000\" is in the future, kept" err
'
test_expect_success 'many future lines: ten named, then a count' '
	awk "BEGIN { for (i = 0; i < 25; i++) printf \"f_2999%02d01_000000\n\", i % 12 + 1 }" >in &&
	echo b_20260101_000000 >>in &&
	expect_exit 0 sprune --keep-last 1 <in &&
	test ! -s out && test $(wc -l <err) -eq 11 &&
	tail -n 1 err | grep "^sprune: 15 more lines in the future, kept$"
'
test_expect_success '--now sets the reference for the within rules' '
	printf "%s\n" b_20260101_000000 b_20260105_000000 b_20260110_000000 >in &&
	expect_exit 0 sprune --keep-within 7d <in &&
	test "$(cat out)" = b_20260101_000000 &&
	expect_exit 0 sprune --keep-within 7d --keep-last 1 --now 20260113_000000 <in &&
	printf "%s\n" b_20260101_000000 b_20260105_000000 >want && diff -u want out
'
test_expect_success 'ages count from the newest backup: an outage deletes nothing new' '
	# Backups stopped on 10 January; without --now, the last ones stay.
	expect_exit 0 sprune --keep-within 3d <in &&
	test $(wc -l <out) -eq 2 && ! grep 20260110 out
'

test_expect_success 'a policy that would delete every backup is refused' '
	expect_exit 1 sprune --keep-within 1d --now 20260301_000000 <in &&
	test ! -s out && expect_one_line_error sprune &&
	grep "refusing to delete all 3 backups of \"b_\*\"" err &&
	grep -- --allow-empty err
'
test_expect_success '--allow-empty allows it' '
	expect_exit 0 sprune --keep-within 1d --now 20260301_000000 --allow-empty <in &&
	diff -u in out
'
test_expect_success 'with --group, one emptied series refuses the whole run' '
	printf "%s\n" old_20250101_000000 new_20260228_120000 >in &&
	expect_exit 1 sprune --group --keep-within-daily 1d --now 20260301_000000 <in &&
	test ! -s out && expect_one_line_error sprune &&
	grep "\"old_\*\"" err &&
	expect_exit 0 sprune --group --keep-within-daily 1d --now 20260301_000000 \
		--allow-empty <in &&
	test "$(cat out)" = old_20250101_000000
'
test_expect_success 'lines without a time are not a series that empties' '
	printf "%s\n" README b_20260101_000000 >in &&
	expect_exit 0 sprune --keep-last 1 <in && test ! -s out
'
test_done
