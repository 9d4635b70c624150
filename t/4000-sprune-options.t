#!/bin/sh
# sprune: options, usage errors (one line, exit 2), --help, --version, and
# what it prints for the simple cases: deletions in input order, --kept,
# --explain, empty input, lines without a date, CRLF input.
. "$(dirname "$0")/lib/test-lib.sh"
export TZ=UTC

cat >names <<'EOF2'
branch-a_20260101_220005.sdump
branch-a_20260102_220005.sdump
branch-a_20260103_220005.sdump
branch-a_20260103_230005.sdump
EOF2

test_expect_success '--help prints the usage on stdout, exit 0' '
	expect_exit 0 sprune --help &&
	grep "^usage: sprune" out && grep -- "--keep-within-hourly|daily|weekly|monthly|yearly" out &&
	test ! -s err &&
	expect_exit 0 sprune -h && grep "^usage: sprune" out
'
test_expect_success '--version' '
	expect_exit 0 sprune --version &&
	grep "^sprune (strongbox) [0-9]" out
'
test_expect_success 'an empty policy is a usage error' '
	expect_exit 2 sprune <names &&
	expect_one_line_error sprune && grep "no policy" err && test ! -s out
'
test_expect_success 'counts and durations of zero make no policy either' '
	expect_exit 2 sprune --keep-daily 0 --keep-within 0d <names &&
	expect_one_line_error sprune
'
for bad in '--keep-daily' '--keep-daily x' '--keep-daily -1' \
	'--keep-daily 7d' '--keep-last 1.5' '--keep-within 7' \
	'--keep-within 7w' '--keep-within d' '--keep-within-daily 1d1d' \
	'--keep-within-weekly ""' '--now yesterday --keep-last 1' \
	'--now 2026-13-01 --keep-last 1' '--bogus' '-x' \
	'--keep-last 1 operand' '--keep-last 1 --kept --explain' \
	'--keep-last=1=2'; do
	test_expect_success "bad: sprune $bad" "
		expect_exit 2 sprune $bad <names &&
		expect_one_line_error sprune && test ! -s out
	"
done
test_expect_success '--opt=value works' '
	expect_exit 0 sprune --keep-last=1 <names &&
	test $(wc -l <out) -eq 3
'

test_expect_success 'prints the lines to delete, unchanged, in input order' '
	expect_exit 0 sprune --keep-daily 2 <names &&
	printf "%s\n" branch-a_20260101_220005.sdump \
		branch-a_20260103_220005.sdump >want &&
	diff -u want out && test ! -s err
'
test_expect_success '--kept prints the other lines' '
	expect_exit 0 sprune --keep-daily 2 --kept <names &&
	printf "%s\n" branch-a_20260102_220005.sdump \
		branch-a_20260103_230005.sdump >want &&
	diff -u want out
'
test_expect_success '--explain gives every line a verdict and reasons' '
	expect_exit 0 sprune --keep-daily 2 --keep-last 1 --explain <names &&
	printf "delete  no rule keeps it\t%s\n" \
		branch-a_20260101_220005.sdump >want &&
	printf "keep  daily snapshot\t%s\n" \
		branch-a_20260102_220005.sdump >>want &&
	printf "delete  no rule keeps it\t%s\n" \
		branch-a_20260103_220005.sdump >>want &&
	printf "keep  last snapshot, daily snapshot\t%s\n" \
		branch-a_20260103_230005.sdump >>want &&
	diff -u want out
'
test_expect_success 'the oldest backup is kept while a count is left' '
	tail -n 2 names >two &&
	expect_exit 0 sprune --keep-daily 5 --explain <two &&
	grep "^keep  oldest daily snapshot	branch-a_20260103_220005.sdump$" out &&
	grep "^keep  daily snapshot	branch-a_20260103_230005.sdump$" out
'

test_expect_success 'empty input: nothing printed, exit 0' '
	expect_exit 0 sprune --keep-last 1 </dev/null &&
	test ! -s out && test ! -s err
'
test_expect_success 'only blank lines: nothing printed, no warning' '
	printf "\n\n" >blank &&
	expect_exit 0 sprune --keep-last 1 <blank &&
	test ! -s out && test ! -s err
'
test_expect_success 'lines without a date are named on stderr, never printed' '
	{ echo README.txt; cat names; echo "branch-a_20261341_000000.sdump";
	  echo "lost+found"; } >mixed &&
	expect_exit 0 sprune --keep-last 1 <mixed &&
	test $(wc -l <out) -eq 3 &&
	! grep -e README -e lost -e 20261341 out &&
	test $(wc -l <err) -eq 3 &&
	grep "^sprune: line 1: no timestamp in \"README.txt\", left alone$" err &&
	grep "^sprune: line 6: .*20261341" err &&
	grep "^sprune: line 7: .*lost+found" err &&
	expect_exit 0 sprune --keep-last 1 --kept <mixed &&
	test "$(cat out)" = branch-a_20260103_230005.sdump &&
	expect_exit 0 sprune --keep-last 1 --explain <mixed &&
	grep "^ignore  no timestamp	README.txt$" out &&
	test $(wc -l <out) -eq 7
'
test_expect_success 'a control character in an undatable line stays on one line' '
	printf "bad\033[2Jname\n" >ctl &&
	expect_exit 0 sprune --keep-last 1 <ctl &&
	test $(wc -l <err) -eq 1 && grep "bad?\[2Jname" err
'
test_expect_success 'CRLF input: dated, printed without the carriage return' '
	sed "s/\$/\r/" names >crlf &&
	expect_exit 0 sprune --keep-daily 2 <crlf &&
	printf "%s\n" branch-a_20260101_220005.sdump \
		branch-a_20260103_220005.sdump >want &&
	diff -u want out && test ! -s err
'
test_expect_success 'a last line without a newline is still read' '
	printf "b_20260101_000000\nb_20260102_000000" >nonl &&
	expect_exit 0 sprune --keep-last 1 <nonl &&
	test "$(cat out)" = b_20260101_000000
'
test_expect_success 'a closed stdout is a failure' '
	awk "BEGIN { for (d = 1; d <= 28; d++) for (h = 0; h < 24; h++)
		printf \"b_202601%02d_%02d0000\n\", d, h }" >many &&
	{ sprune --keep-last 1 <many >/dev/full 2>err; rc=$?; } &&
	test $rc -eq 1 && expect_one_line_error sprune
'

test_done
