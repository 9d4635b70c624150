#!/bin/sh
# smetrics --checks with the shipped salon-checks.sql: nothing on clean
# data (known days, and salon-gen's), each rule found when broken, counts
# and samples of at most 10 rows; a bad checks file or a failing check.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

CHECKS=$TEST_ROOT/share/strongbox/salon-checks.sql
pg_start
pg_createdb salon
psql -X -q -v ON_ERROR_STOP=1 -d salon -f "$TEST_ROOT/share/strongbox/salon-schema.sql" >/dev/null &&
psql -X -q -v ON_ERROR_STOP=1 -d salon -f "$TEST_ROOT/t/lib/metrics-days.sql" >/dev/null || exit 1
pg_createdb gen
"$TEST_ROOT/share/strongbox/salon-load.sh" -s 0.05 -d 30 gen >/dev/null || exit 1

DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/salon"
TZ=Asia/Kolkata
export DATABASE_URL TZ

# check NAME FILTER: the line of check NAME in ./out passes jq FILTER.
check() {
	jq -c "select(.name == \"$1\")" out >one && jq -e "$2" one
}
names='audit_logs_entity_exists events_aggregate_exists no_negative_amounts no_negative_stock no_bills_in_the_future bill_subtotal_matches_items payments_match_bill no_duplicate_customer_phones'

test_expect_success 'clean data: one line a check, in the file'\''s order, no violation, exit 0' '
	expect_exit 0 smetrics --checks "$CHECKS" &&
	test ! -s err &&
	test "$(jq -r .name out | tr "\n" " ")" = "$names " &&
	test "$(jq -s "map(.violations) | add" out)" = 0 &&
	test "$(jq -s "map(.sample | length) | add" out)" = 0
'
test_expect_success 'salon-gen'\''s data breaks no rule' '
	expect_exit 0 smetrics -d "postgresql://postgres@127.0.0.1:$PGPORT/gen" --checks "$CHECKS" &&
	test "$(jq -s "map(.violations) | add" out)" = 0
'
test_expect_success 'each broken rule is found, with its rows' '
	pg_sql salon "
		INSERT INTO audit_logs (occurred_at, action, entity_type, entity_id)
			SELECT now(), '\''bill.post'\'', '\''bill'\'', 1000 + g FROM generate_series(1, 12) g;
		INSERT INTO events (id, occurred_at, event_type, aggregate_type, aggregate_id, payload)
			VALUES (gen_random_uuid(), now(), '\''bill.posted'\'', '\''bill'\'', 77, '\''{}'\'');
		UPDATE bill_items SET tax_amount = -1 WHERE bill_id = 4;
		INSERT INTO stock (sku_id, on_hand) VALUES (1, -2.5);
		INSERT INTO bills (id, business_date, status, subtotal, total_amount, created_by, created_at)
			VALUES (9, current_date + 3, '\''posted'\'', 0, 0, 1, now());
		UPDATE bill_items SET unit_price = 79000 WHERE bill_id = 1 AND line_no = 1;
		DELETE FROM payments WHERE bill_id = 2 AND kind = '\''refund'\'';
		INSERT INTO customers (id, full_name, phone) VALUES
			(1, '\''Ravi'\'', '\''+919812345678'\''), (2, '\''Ravi K'\'', '\''+9109812345678'\'');
		UPDATE bills SET customer_id = 1 WHERE id = 4;
		UPDATE bills SET business_date = current_date - 1 WHERE id = 4;
		INSERT INTO appointments (customer_id, service_id, scheduled_at, duration_min, source)
			VALUES (2, 1, now(), 30, '\''phone'\'');" >/dev/null &&
	expect_exit 1 smetrics --checks "$CHECKS" &&
	expect_one_line_error smetrics && grep -q "8 of 8 checks found violations" err &&
	jq -c "{(.name): .violations}" out | tr -d "\n" >counts &&
	test "$(cat counts)" = "{\"audit_logs_entity_exists\":12}{\"events_aggregate_exists\":1}{\"no_negative_amounts\":1}{\"no_negative_stock\":1}{\"no_bills_in_the_future\":1}{\"bill_subtotal_matches_items\":1}{\"payments_match_bill\":1}{\"no_duplicate_customer_phones\":1}" &&
	check audit_logs_entity_exists "(.sample | length) == 10 and .sample[0].entity_id == 1001 and .sample[9].entity_id == 1010" &&
	check no_negative_stock ".sample == [{\"sku_id\":1,\"code\":\"SH-1\",\"on_hand\":\"-2.500\",\"reorder_level\":\"0.000\"}]" &&
	check bill_subtotal_matches_items ".sample[0] == {\"id\":1,\"invoice_number\":\"INV-000001\",\"subtotal\":100000,\"items\":99000}" &&
	check payments_match_bill ".sample | map([.id, .refunded]) == [[2, 0]]" &&
	check no_duplicate_customer_phones ".sample[0].phones == \"+919812345678 +9109812345678\""
'
test_expect_success 'the checks run READ ONLY' '
	before=$(pg_sql salon "select last_value from bill_invoice_seq") &&
	printf -- "-- check: w\nSELECT nextval('\''bill_invoice_seq'\'')\n" >w.sql &&
	expect_exit 1 smetrics --checks w.sql &&
	expect_one_line_error smetrics && grep -q "check \"w\" failed: .*read-only" err &&
	test ! -s out &&
	test "$(pg_sql salon "select last_value from bill_invoice_seq")" = "$before"
'
test_expect_success 'a checks file without names, or a check that fails: one line, exit 1' '
	echo "SELECT 1" >nonames.sql &&
	expect_exit 1 smetrics --checks nonames.sql &&
	expect_one_line_error smetrics && grep -q "nonames.sql: no check" err &&
	printf "SELECT 1;\n-- check: a\nSELECT 1\n" >early.sql &&
	expect_exit 1 smetrics --checks early.sql &&
	expect_one_line_error smetrics && grep -q "SQL before the first" err &&
	printf -- "-- check: typo\nSELECT * FROM no_such_table\n" >bad.sql &&
	expect_exit 1 smetrics --checks bad.sql &&
	expect_one_line_error smetrics && grep -q "check \"typo\" failed: .*no_such_table" err &&
	expect_exit 1 smetrics --checks nonexistent.sql &&
	expect_one_line_error smetrics
'
test_done
