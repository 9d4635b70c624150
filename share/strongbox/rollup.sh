#!/bin/bash
# rollup.sh DATE: every branch's metrics of one day, from the shared
# bucket, for the person who watches all branches (the seed "Centralized
# Backups & Metrics Push").  Lists the bucket at the top (supload -l), takes
# each branch (the first component of a key) and fetches
# BRANCH/metrics/DATE.json (supload -g); prints, tab-separated, a header,
# one line per branch (money in rupees, from the integer paise) and a
# total; a branch without a file for the day is listed as missing.
#
#   rollup.sh yesterday | column -t -s "$(printf '\t')"
#
# DATE is YYYY-MM-DD, or anything date -d reads (yesterday).  Exit status:
# 0 ok (also with missing branches), 75 when a retry later may succeed,
# 1 otherwise (a metrics file that is not the seed's JSON).
set -euo pipefail

if [ $# -eq 1 ] && { [ "$1" = -h ] || [ "$1" = --help ]; }; then
	echo "usage: rollup.sh DATE"
	exit 0
fi
if [ $# -ne 1 ]; then
	echo "usage: rollup.sh DATE" >&2
	exit 2
fi
if ! day=$(date -d "$1" +%F 2>/dev/null); then
	echo "rollup.sh: not a date: $1" >&2
	exit 2
fi

keys=$(supload -l) || exit
branches=$(printf '%s\n' "$keys" | cut -f 1 | grep / | cut -d / -f 1 | sort -u)
have=$(printf '%s\n' "$keys" | cut -f 1 | grep -x "[^/]*/metrics/$day\.json" || true)

# One JSON object a branch: its metrics, or {"branch_id", "missing": true}.
all=$(
	for b in $branches; do
		if printf '%s\n' "$have" | grep -qxF "$b/metrics/$day.json"; then
			m=$(supload -g "$b/metrics/$day.json") || exit
			printf '%s\n' "$m" | jq -ce --arg b "$b" \
				'select(type == "object" and .schema_version == 1) | .branch_id = $b' 2>/dev/null ||
				{ echo "rollup.sh: $b/metrics/$day.json is not a metrics file of schema_version 1" >&2; exit 1; }
		else
			jq -nc --arg b "$b" '{branch_id: $b, missing: true}'
		fi
	done
)

printf '%s\n' "$all" | jq -rs --arg day "$day" '
	def money: (if . < 0 then "-" else "" end) as $s | (if . < 0 then -. else . end) as $a
		| $s + (($a / 100 | floor) | tostring) + "."
		+ (($a % 100) | tostring | if length < 2 then "0" + . else . end);
	def cols: [.total_bills, .refund_count, (.net_revenue | money), (.cash_collected | money),
		(.digital_collected | money), (.total_expenses | money), (.net_profit | money),
		(.total_tips | money)];
	["branch", "date", "bills", "refunds", "net_revenue", "cash", "digital", "expenses",
		"net_profit", "tips"],
	(.[] | if .missing then [.branch_id, $day, "missing"]
		else [.branch_id, .summary_date] + cols end),
	(map(select(.missing | not)) as $got
		| ["TOTAL", $day] + ([$got[]] | {
			total_bills: (map(.total_bills) | add // 0),
			refund_count: (map(.refund_count) | add // 0),
			net_revenue: (map(.net_revenue) | add // 0),
			cash_collected: (map(.cash_collected) | add // 0),
			digital_collected: (map(.digital_collected) | add // 0),
			total_expenses: (map(.total_expenses) | add // 0),
			net_profit: (map(.net_profit) | add // 0),
			total_tips: (map(.total_tips) | add // 0)} | cols)
		+ ["\($got | length) of \(length) branches"])
	| map(tostring) | @tsv'
