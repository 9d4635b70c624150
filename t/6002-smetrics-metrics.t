#!/bin/sh
# smetrics on a real PostgreSQL: the shipped salon query over three known
# days (t/lib/metrics-days.sql), every figure checked, in the seed's key
# order; the branch's time zone decides the day of a payment; a day with
# no business is zeros; the type mapping of another query.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start
pg_createdb salon
psql -X -q -v ON_ERROR_STOP=1 -d salon -f "$TEST_ROOT/share/strongbox/salon-schema.sql" >/dev/null &&
psql -X -q -v ON_ERROR_STOP=1 -d salon -f "$TEST_ROOT/t/lib/metrics-days.sql" >/dev/null || exit 1

DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/salon"
BRANCH_ID=branch-bandra
TZ=Asia/Kolkata
export DATABASE_URL BRANCH_ID TZ
unset BRANCH_NAME CURRENCY
NOW=2026-02-12T21:45:00+05:30

day_head() {
	printf '{"schema_version":1,"branch_id":"branch-bandra","branch_name":"Glow \\"Studio\\" Bandra","summary_date":"%s","generated_at":"2026-02-12T21:45:00+05:30","is_final":%s,"currency":"INR",' "$1" "$2"
}
# The figures of each day, by hand from metrics-days.sql (paise):
#   02-10: bills 1 and 2 (3 is void): gross 150000, discount 10000, CGST and
#          SGST 8100 + 4500, cash 60000, digital 46200 UPI + 59000 card at
#          23:50, service COGS 20000 + 10000, product 7000, expenses 1500,
#          tips 5000; net 140000, gross profit 103000, net profit 101500
#   02-11: bill 4; bill 2's refund of 20000 (in cash, at 10:00), the wallet
#          payment at 00:15; net revenue 20000 - 20000 = 0, product COGS
#          9000, expenses 700: gross profit -9000, net profit -9700
#   02-12: nothing
{
	day_head 2026-02-10 true
	echo '"total_bills":2,"refund_count":0,"gross_revenue":150000,"discount_amount":10000,"refund_amount":0,"net_revenue":140000,"cgst_collected":12600,"sgst_collected":12600,"total_tax":25200,"cash_collected":60000,"digital_collected":105200,"actual_service_cogs":30000,"actual_product_cogs":7000,"total_cogs":37000,"total_expenses":1500,"gross_profit":103000,"net_profit":101500,"total_tips":5000}'
	day_head 2026-02-11 true
	echo '"total_bills":1,"refund_count":1,"gross_revenue":20000,"discount_amount":0,"refund_amount":20000,"net_revenue":0,"cgst_collected":1800,"sgst_collected":1800,"total_tax":3600,"cash_collected":-20000,"digital_collected":23600,"actual_service_cogs":0,"actual_product_cogs":9000,"total_cogs":9000,"total_expenses":700,"gross_profit":-9000,"net_profit":-9700,"total_tips":1000}'
	day_head 2026-02-12 false
	echo '"total_bills":0,"refund_count":0,"gross_revenue":0,"discount_amount":0,"refund_amount":0,"net_revenue":0,"cgst_collected":0,"sgst_collected":0,"total_tax":0,"cash_collected":0,"digital_collected":0,"actual_service_cogs":0,"actual_product_cogs":0,"total_cogs":0,"total_expenses":0,"gross_profit":0,"net_profit":0,"total_tips":0}'
} >want

test_expect_success '--from/--to: one line a day, every figure, the seed'\''s key order' '
	expect_exit 0 smetrics --now "$NOW" --from 2026-02-10 --to 2026-02-12 &&
	test ! -s err &&
	diff -u want out
'
test_expect_success '--date prints the same line as the range does' '
	expect_exit 0 smetrics --now "$NOW" --date 2026-02-11 &&
	sed -n 2p want >want2 && diff -u want2 out
'
test_expect_success 'the keys are the seed'\''s example, in its order' '
	sed -n 3p want | jq -r "keys_unsorted[]" | tr "\n" " " >keys &&
	test "$(cat keys)" = "schema_version branch_id branch_name summary_date generated_at is_final currency total_bills refund_count gross_revenue discount_amount refund_amount net_revenue cgst_collected sgst_collected total_tax cash_collected digital_collected actual_service_cogs actual_product_cogs total_cogs total_expenses gross_profit net_profit total_tips "
'
test_expect_success 'a day without business is zeros, not nulls' '
	smetrics --now "$NOW" --date 2026-02-12 >z &&
	test "$(jq "[.[]] | map(select(. == null)) | length" z)" = 0 &&
	test "$(jq ".total_bills + .gross_revenue + .net_profit" z)" = 0
'
# In UTC the wallet payment of 00:15 IST on 02-11 is 18:45 on 02-10.
test_expect_success 'the days are TZ'\''s: in UTC the 00:15 payment moves a day back' '
	TZ=UTC expect_exit 0 smetrics --now 2026-02-12T21:45:00Z --from 2026-02-10 --to 2026-02-11 &&
	test "$(jq -s "map(.digital_collected)" out | tr -d " \n")" = "[128800,0]" &&
	test "$(jq -s "map(.cash_collected)" out | tr -d " \n")" = "[60000,-20000]" &&
	jq -e -s ".[0].generated_at == \"2026-02-12T21:45:00+00:00\"" out
'
test_expect_success 'is_final: the day is over in TZ' '
	smetrics --now 2026-02-11T23:59:59+05:30 --date 2026-02-11 | jq -e ".is_final == false" &&
	smetrics --now 2026-02-12T00:00:00+05:30 --date 2026-02-11 | jq -e ".is_final == true" &&
	smetrics --now 2026-02-11T18:30:00Z --date 2026-02-11 | jq -e ".is_final == true"
'
test_expect_success 'today and yesterday are TZ'\''s days' '
	smetrics --now 2026-02-11T19:00:00Z --date today | jq -e ".summary_date == \"2026-02-12\"" &&
	smetrics --now 2026-02-11T19:00:00Z --date yesterday | jq -e ".summary_date == \"2026-02-11\"" &&
	TZ=UTC smetrics --now 2026-02-11T19:00:00Z --date today | jq -e ".summary_date == \"2026-02-11\"" &&
	smetrics --now 2026-02-11T19:00:00Z | jq -e ".summary_date == \"2026-02-12\""
'
test_expect_success 'BRANCH_NAME, BRANCH_ID and CURRENCY' '
	BRANCH_NAME="Bandra ✂" BRANCH_ID="b\"x" CURRENCY=EUR smetrics --date 2026-02-10 >o &&
	jq -e ".branch_name == \"Bandra ✂\" and .branch_id == \"b\\\"x\" and .currency == \"EUR\"" o &&
	env -u BRANCH_ID smetrics --date 2026-02-10 | jq -e ".branch_id == \"default\""
'
test_expect_success 'without a branch_name column the branch id names the branch' '
	echo "SELECT \$1::date AS summary_date, 1 AS n" >q.sql &&
	smetrics --query q.sql --date 2026-02-10 | jq -e ".branch_name == \"branch-bandra\""
'
test_expect_success 'the metrics query runs READ ONLY' '
	cat >w.sql <<-\EOF &&
	WITH x AS (INSERT INTO roles (name) VALUES ('\''intruder'\'') RETURNING 1)
	SELECT $1::date AS summary_date, (SELECT count(*) FROM x) AS n
	EOF
	expect_exit 1 smetrics --query w.sql --date 2026-02-10 &&
	expect_one_line_error smetrics && grep -q "read-only" err &&
	test "$(pg_sql salon "select count(*) from roles")" = 1
'

# The type mapping, with a query of every kind of column.
cat >types.sql <<'EOF'
SELECT d::date AS summary_date,
	9007199254740993::bigint AS big, '-9223372036854775808'::bigint AS min,
	32767::smallint AS small, 7::integer AS int,
	12345678901234567890.1200::numeric AS num, -0.5::numeric(4,2) AS neg,
	true AS yes, false AS no, E'a"b\\c\n\t✂'::text AS txt,
	'INR'::char(3) AS cur, 'v'::varchar AS vc, NULL::bigint AS nothing
FROM generate_series($1::date, $2::date, '1 day') AS d
EOF
test_expect_success 'integers exact past 2^53, numeric digit for digit, bool, text, NULL' '
	expect_exit 0 smetrics --query types.sql --now "$NOW" --date 2026-02-10 &&
	grep -qF "\"big\":9007199254740993,\"min\":-9223372036854775808,\"small\":32767,\"int\":7,\"num\":12345678901234567890.1200,\"neg\":-0.50,\"yes\":true,\"no\":false,\"txt\":\"a\\\"b\\\\c\\n\\t✂\",\"cur\":\"INR\",\"vc\":\"v\",\"nothing\":null}" out &&
	jq -e ".summary_date == \"2026-02-10\"" out
'
test_expect_success 'the query gets $3, the zone, and runs in it' '
	echo "SELECT \$1::date AS summary_date, \$3 AS zone, current_setting('\''TimeZone'\'') AS tz" >z.sql &&
	smetrics --query z.sql --date 2026-02-10 | jq -e ".zone == \"Asia/Kolkata\" and .tz == \"Asia/Kolkata\"" &&
	TZ=:Europe/Berlin smetrics --query z.sql --date 2026-02-10 | jq -e ".zone == \"Europe/Berlin\"" &&
	TZ=Nowhere/Atlantis expect_exit 1 smetrics --query z.sql --date 2026-02-10 &&
	expect_one_line_error smetrics && grep -q "Nowhere/Atlantis" err
'
test_done
