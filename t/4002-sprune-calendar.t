#!/bin/sh
# sprune on the calendar: times read in TZ across daylight-saving changes,
# buckets of TZ's days, ISO week 53 and year boundaries, leap days, duplicate
# times, --oldest, and names with offsets.
. "$(dirname "$0")/lib/test-lib.sh"

# kept_of OPTIONS...: the kept lines of ./in, one a line.
kept_of() {
	sprune --kept "$@" <in
}
# The names below are dated up to 2027: the clock must not make them future.
now=--now=20300101_000000

test_expect_success 'Berlin: a day back across the spring change is 23 hours' '
	printf "%s\n" b_20260328_233000 b_20260329_003000 b_20260329_230000 >in &&
	# now = 2026-03-30 00:00 CEST; a day before is 2026-03-29 00:00 CET,
	# 23 hours earlier: 2026-03-28 23:30 CET is out, 23.5 h before now.
	test "$(TZ=Europe/Berlin sprune --keep-within 1d \
		--now 20260330_000000 <in)" = b_20260328_233000 &&
	# 24 hours are 24 hours: it is in.
	test -z "$(TZ=Europe/Berlin sprune --keep-within 24h \
		--now 20260330_000000 <in)"
'
test_expect_success 'Berlin: 02:30 on the spring day never happened, read as 03:30 CEST' '
	# Equal times: the first in input order is the newer.
	printf "%s\n" b_20260329_033000 b_20260329_023000 b_20260329_013000 >in &&
	test "$(TZ=Europe/Berlin kept_of --keep-last 1)" = b_20260329_033000 &&
	printf "%s\n" b_20260329_023000 b_20260329_033000 b_20260329_013000 >in &&
	test "$(TZ=Europe/Berlin kept_of --keep-last 1)" = b_20260329_023000 &&
	test "$(TZ=Europe/Berlin kept_of --keep-hourly 1)" = b_20260329_023000
'
test_expect_success 'Berlin: the repeated autumn hour is one hourly bucket' '
	# 02:30 CEST (00:30Z) and 02:30 CET (01:30Z): two times, one local hour.
	printf "%s\n" 2026-10-25T02:30:00+02:00 2026-10-25T02:30:00+01:00 \
		2026-10-25T03:30:00+01:00 >in &&
	test "$(TZ=Europe/Berlin kept_of --keep-hourly 2)" = \
	"$(printf "%s\n" 2026-10-25T02:30:00+01:00 2026-10-25T03:30:00+01:00)" &&
	# In UTC they are three hours: keep-hourly 2 keeps the newest two and,
	# with no count left, not the oldest.
	test "$(TZ=UTC kept_of --keep-hourly 2)" = \
	"$(printf "%s\n" 2026-10-25T02:30:00+01:00 2026-10-25T03:30:00+01:00)" &&
	test "$(TZ=UTC kept_of --keep-hourly 3 | wc -l)" -eq 3
'
test_expect_success 'New York: names every hour over the autumn change sort in time' '
	# 01:30 EDT, 01:30 EST share a name: the name is one backup.
	printf "%s\n" b_20261101_003000 b_20261101_013000 b_20261101_013000 \
		b_20261101_023000 >in &&
	TZ=America/New_York sprune $now --keep-last 2 <in >out &&
	test "$(cat out)" = b_20261101_003000
'
test_expect_success 'Kolkata: days are the branch days, not UTC days' '
	# 10:00Z and 17:00Z are 1 January in Kolkata; 19:00Z is 2 January.
	printf "%s\n" 2026-01-01T10:00:00Z 2026-01-01T17:00:00Z \
		2026-01-01T19:00:00Z >in &&
	test "$(TZ=Asia/Kolkata sprune --keep-daily 2 <in)" = \
		2026-01-01T10:00:00Z &&
	# In UTC all three are one day: the newest, and the oldest as count
	# is left over.
	test "$(TZ=UTC sprune --keep-daily 2 <in)" = 2026-01-01T17:00:00Z
'
test_expect_success 'ISO week 53 spans the new year; week 1 starts on Monday' '
	for d in 20261227 20261228 20261231 20270101 20270103 20270104 20270105; do
		echo "b_${d}_120000"; done >in &&
	TZ=UTC sprune $now --keep-weekly 2 --explain <in >out &&
	# 2026-W53 is 28 December to 3 January; 2027-W01 starts 4 January.
	test "$(grep "^keep  weekly snapshot" out | cut -f2)" = \
		"$(printf "%s\n" b_20270103_120000 b_20270105_120000)" &&
	test $(grep -c "^keep" out) -eq 2
'
test_expect_success 'years and months are calendar ones' '
	TZ=UTC sprune $now --keep-yearly 2 --keep-monthly 1 --explain <in >out &&
	grep "^keep  yearly snapshot	b_20261231_120000$" out &&
	grep "^keep  monthly snapshot, yearly snapshot	b_20270105_120000$" out &&
	test $(grep -c "^keep" out) -eq 2
'
test_expect_success 'week 53 of 2020 holds 1 January 2021' '
	printf "%s\n" b_20201231_000000 b_20210101_000000 b_20210104_000000 >in &&
	test "$(TZ=UTC sprune --keep-weekly 2 <in)" = b_20201231_000000 &&
	test "$(TZ=UTC sprune --keep-weekly 2 --oldest --kept <in)" = \
		"$(printf "%s\n" b_20201231_000000 b_20210104_000000)"
'
test_expect_success 'a leap day is a day of its own' '
	printf "%s\n" b_20240228_120000 b_20240229_120000 b_20240301_120000 >in &&
	test "$(TZ=UTC sprune --keep-daily 2 <in)" = b_20240228_120000
'
test_expect_success 'a month before 29 March 2024 is 29 February' '
	printf "%s\n" b_20240228_120000 b_20240229_120000 b_20240301_120000 >in &&
	test "$(TZ=UTC sprune --keep-within 1m --now 20240329_110000 <in)" = \
		b_20240228_120000
'
test_expect_success 'a month before 30 March 2024 overflows into 1 March' '
	# 2024-02-30 is 2024-03-01 (Go AddDate, as restic): only 1 March 12:00
	# is after 1 March 00:00.
	test "$(TZ=UTC sprune --keep-within 1m --now 2024-03-30 --kept <in)" = \
		b_20240301_120000
'
test_expect_success 'a year before 2025-02-28 12:00 is 2024-02-28 12:00' '
	test "$(TZ=UTC sprune --keep-within 1y --now 20250228_120000 <in)" = \
		b_20240228_120000
'
test_expect_success 'names not of a leap year are not dated' '
	printf "%s\n" b_20230229_120000 b_20230301_120000 >in &&
	expect_exit 0 env TZ=UTC sprune --keep-last 1 <in &&
	test ! -s out && grep "no timestamp in \"b_20230229_120000\"" err
'
test_expect_success 'equal times: the first in input order is the newer' '
	printf "%s\n" a_20260101_000000 b_20260101_000000 c_20260101_000000 >in &&
	test "$(TZ=UTC sprune --keep-last 1 --kept <in)" = a_20260101_000000 &&
	test "$(TZ=UTC sprune --keep-daily 1 --kept <in)" = a_20260101_000000 &&
	test "$(TZ=UTC sprune --keep-daily 1 --oldest --kept <in)" = \
		c_20260101_000000
'
test_expect_success '--oldest keeps the first backup of each month' '
	for m in 01 02 03; do for d in 01 15 28; do
		echo "b_2026${m}${d}_020000.sdump"; done; done >in &&
	test "$(TZ=UTC sprune --oldest --keep-monthly 2 --kept <in)" = \
		"$(printf "%s\n" b_20260201_020000.sdump b_20260301_020000.sdump)" &&
	test "$(TZ=UTC sprune --keep-monthly 2 --kept <in)" = \
		"$(printf "%s\n" b_20260228_020000.sdump b_20260328_020000.sdump)"
'
test_expect_success 'the seeds policy over a year of nightly backups' '
	awk "BEGIN { t = 1767225600; for (i = 0; i < 365; i++) {
		print strftime(\"salon_%Y%m%d_220005.sdump\", t + i * 86400, 1) } }" >in &&
	TZ=UTC sprune $now --keep-daily 7 --keep-weekly 4 --keep-monthly 12 \
		--kept <in >out 2>err && test ! -s err &&
	# 25-31 December; the newest of ISO weeks 53 and 52 are among them,
	# weeks 51 and 50 end on 20 and 13 December; the 12 month ends, one
	# among the days.  The monthly count is used up at January: 1 January
	# is not kept as the oldest.
	test $(wc -l <out) -eq $((7 + 2 + 11)) &&
	grep -x salon_20261231_220005.sdump out &&
	grep -x salon_20261220_220005.sdump out &&
	grep -x salon_20261213_220005.sdump out &&
	grep -x salon_20260131_220005.sdump out &&
	! grep -x salon_20260101_220005.sdump out &&
	# With a 13th month, the count is left over at the oldest backup.
	TZ=UTC sprune $now --keep-monthly 13 --explain <in >out &&
	grep -x "keep  oldest monthly snapshot	salon_20260101_220005.sdump" out
'
test_expect_success 'a TZ that names no zone is refused, one line, exit 1, nothing printed' '
	printf "%s\n" salon_20260101_220005.sdump >one &&
	TZ=Asia/Kolkatta expect_exit 1 sprune --keep-last 1 <one &&
	test ! -s out &&
	test "$(wc -l <err)" = 1 &&
	grep -qx "sprune: TZ \"Asia/Kolkatta\" names no time zone (see /usr/share/zoneinfo): the days would be UTC.s" err &&
	TZ=:Nowhere/Such expect_exit 1 sprune --keep-last 1 <one &&
	TZ=Asia/Kolkata expect_exit 0 sprune --keep-last 1 <one &&
	TZ=IST-5:30 expect_exit 0 sprune --keep-last 1 <one &&
	TZ= expect_exit 0 sprune --keep-last 1 <one
'
test_done
