#!/bin/sh
# smetrics against psql, side by side in one run, on the reference salon
# database at scale 25 (a year of a large salon, t/lib/bench-salon.sh):
#
#   range  smetrics --from --to over the 365 days of the data, next to
#          psql running the same query (PREPARE/EXECUTE) for the same range
#   daily  smetrics --date run 365 times, one process per day, next to psql
#          run 365 times
#   checks smetrics --checks salon-checks.sql, next to psql -f running the
#          same check queries
#
# Each pair runs A B B A (so that neither gets the warmer cache) and the
# figures are the means; the ratio is smetrics over psql.  Before timing,
# smetrics' output is checked against psql's figures.  BENCH_SCALE=N to
# resize.
if [ -z "${SMETRICS_BENCH_INNER:-}" ]; then
	# test-lib.sh finds the tree from $0's directory: run as if from t/.
	root=$(cd "$(dirname "$0")/../.." && pwd)
	SMETRICS_BENCH_INNER=1 exec sh -c '. "$1"' "$root/t/bench-smetrics" "$root/t/bench/smetrics.sh"
fi
. "$(dirname "$0")/lib/test-lib.sh"
BENCH_SCALE=${BENCH_SCALE:-25}
. "$TEST_ROOT/t/lib/bench-salon.sh"

set -e
bench_start
bench_salon salon
SHARE=$TEST_ROOT/share/strongbox
DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/salon"
TZ=Asia/Kolkata
BRANCH_ID=branch-bench
export DATABASE_URL TZ BRANCH_ID
FROM=2025-02-17
TO=2026-02-16

# psql_file FROM TO: the shipped query for psql, as a user would run it;
# psql_range FROM TO runs it.
psql_file() {
	{
		echo "PREPARE m(date, date, text) AS"
		cat "$SHARE/salon-metrics.sql"
		echo ";"
		echo "EXECUTE m('$1', '$2', 'Asia/Kolkata');"
	} >"q-$1-$2.sql"
}
psql_range() {
	psql -X -q -At -F '|' -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -f "q-$1-$2.sql"
}
days() {
	d=$FROM
	while [ "$d" != "$(date -d "$TO + 1 day" +%F)" ]; do
		echo "$d"
		d=$(date -d "$d + 1 day" +%F)
	done
}
days >days.txt
test "$(wc -l <days.txt)" = 365

# The same figures from both (net_revenue and net_profit of each day).
psql_file $FROM $TO
smetrics --from $FROM --to $TO | jq -r '"\(.summary_date) \(.net_revenue) \(.net_profit)"' >sm.txt
psql_range $FROM $TO | awk -F '|' '{ print $1, $8, $19 }' >ps.txt
cmp sm.txt ps.txt
test "$(wc -l <sm.txt)" = 365
echo "# smetrics and psql agree on the 365 days ($(awk '{ n += $2 } END { printf "%.2f", n / 100 }' sm.txt) rupees of net revenue)"

# now NAME CMD...: wall seconds of CMD into NAME.wall (appending).
now() {
	date +%s.%N
}
timed() {
	_n=$1
	shift
	_t0=$(now)
	"$@" >/dev/null
	_t1=$(now)
	echo "$_t1 $_t0" | awk '{ printf "%.3f\n", $1 - $2 }' >>"$_n.wall"
}
range_sm() { smetrics --from $FROM --to $TO; }
range_ps() { psql_range $FROM $TO; }
daily_sm() { while read -r d; do smetrics --date "$d" || return 1; done <days.txt; }
daily_ps() {
	for d in $(cat days.txt); do psql_range "$d" "$d" || return 1; done
}
checks_sm() { smetrics --checks "$SHARE/salon-checks.sql"; }
checks_ps() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -f "$SHARE/salon-checks.sql"; }

# The psql file of each day, written once, outside the timing.
for d in $(cat days.txt); do psql_file "$d" "$d"; done
# A warm-up of each, untimed.
range_sm >/dev/null; range_ps >/dev/null

for pair in range daily checks; do
	timed "$pair-ps" "${pair}_ps"
	timed "$pair-sm" "${pair}_sm"
	timed "$pair-sm" "${pair}_sm"
	timed "$pair-ps" "${pair}_ps"
done

printf '\n| run | psql (s) | smetrics (s) | ratio |\n|---|---|---|---|\n'
for pair in range daily checks; do
	awk -v p="$pair" 'FNR == 1 { f++ } { s[f] += $1; n[f]++ }
		END { a = s[1] / n[1]; b = s[2] / n[2];
			printf "| %s | %.2f | %.2f | %.2f |\n", p, a, b, b / a }' \
		"$pair-ps.wall" "$pair-sm.wall"
done
echo "# each figure the mean of two runs (A B B A): $(paste -sd ' ' range-ps.wall) / $(paste -sd ' ' range-sm.wall) (range), $(paste -sd ' ' daily-ps.wall) / $(paste -sd ' ' daily-sm.wall) (daily), $(paste -sd ' ' checks-ps.wall) / $(paste -sd ' ' checks-sm.wall) (checks); load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
