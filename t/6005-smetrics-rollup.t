#!/bin/sh
# share/strongbox/rollup.sh DATE: every branch's metrics of a day from the
# bucket (here the local directory target), one line each and a total; a
# branch without the day's file is listed as missing.
. "$(dirname "$0")/lib/test-lib.sh"

ROLLUP=$TEST_ROOT/share/strongbox/rollup.sh
BACKUP_DIR=$TRASH/bucket
export BACKUP_DIR
mkdir -p "$BACKUP_DIR"

# put BRANCH DAY BILLS NET CASH PROFIT: a metrics file in the bucket.
put() {
	jq -nc --arg b "$1" --arg d "$2" --argjson n "$3" --argjson net "$4" \
		--argjson cash "$5" --argjson p "$6" '{schema_version: 1, branch_id: $b,
		branch_name: "x", summary_date: $d, generated_at: "\($d)T21:45:00+05:30",
		is_final: true, currency: "INR", total_bills: $n, refund_count: 1,
		net_revenue: $net, cash_collected: $cash, digital_collected: 4800000,
		total_expenses: 1500000, net_profit: $p, total_tips: 350000}' |
	supload "$1/metrics/$2.json" >/dev/null
}

test_expect_success 'one line a branch, a total, a missing branch named' '
	put branch-andheri 2026-02-16 42 11800000 7000000 6800000 &&
	put branch-bandra 2026-02-16 7 1250005 -20000 -1500 &&
	put branch-bandra 2026-02-15 9 1 1 1 &&
	echo backup | supload branch-colaba/backups/branch-colaba_20260216_220005.sdump >/dev/null &&
	expect_exit 0 "$ROLLUP" 2026-02-16 &&
	test ! -s err &&
	tab=$(printf "\t") &&
	cat >want <<-EOF &&
	branch${tab}date${tab}bills${tab}refunds${tab}net_revenue${tab}cash${tab}digital${tab}expenses${tab}net_profit${tab}tips
	branch-andheri${tab}2026-02-16${tab}42${tab}1${tab}118000.00${tab}70000.00${tab}48000.00${tab}15000.00${tab}68000.00${tab}3500.00
	branch-bandra${tab}2026-02-16${tab}7${tab}1${tab}12500.05${tab}-200.00${tab}48000.00${tab}15000.00${tab}-15.00${tab}3500.00
	branch-colaba${tab}2026-02-16${tab}missing
	TOTAL${tab}2026-02-16${tab}49${tab}2${tab}130500.05${tab}69800.00${tab}96000.00${tab}30000.00${tab}67985.00${tab}7000.00${tab}2 of 3 branches
	EOF
	diff -u want out
'
test_expect_success 'a day no branch pushed: every branch missing, a zero total' '
	expect_exit 0 "$ROLLUP" 2026-01-01 &&
	test "$(grep -c "	missing$" out)" = 3 &&
	grep -q "^TOTAL	2026-01-01	0	0	0.00	.*0 of 3 branches$" out
'
test_expect_success 'a file that is not metrics JSON: one line, exit 1' '
	echo "not json" | supload branch-dadar/metrics/2026-02-16.json >/dev/null &&
	expect_exit 1 "$ROLLUP" 2026-02-16 &&
	grep -q "branch-dadar/metrics/2026-02-16.json is not a metrics file" err
'
test_expect_success 'usage: a date is needed, and must be one' '
	expect_exit 2 "$ROLLUP" &&
	expect_exit 2 "$ROLLUP" 2026-02-30 && grep -q "not a date" err
'
test_done
