#!/bin/sh
# make demo: runs from the source tree, exits 0, shows each built tool at
# work, and leaves nothing behind.
. "$(dirname "$0")/lib/test-lib.sh"

test_expect_success 'the demo runs to the end at a small scale' '
	DEMO_SCALE=0.05 expect_exit 0 sh "$TEST_ROOT/share/strongbox/demo.sh" &&
	grep -q "^== Done" out &&
	grep -q "salon-load.sh -s 0.05 salon_db" out &&
	grep -q "net_revenue\|net " out
'
test_expect_success 'its cluster and directory are gone' '
	dir=$(sed -n "s/^server on .*, data in //p" out) &&
	test -n "$dir" && test ! -e "$dir"
'
if [ -x "$TEST_ROOT/bin/sdump" ] && [ -x "$TEST_ROOT/bin/srestore" ]; then
	test_expect_success 'the restored copy has the same rows' '
		grep -q "every table has the same rows" out
	'
fi
if [ -x "$TEST_ROOT/bin/supload" ] && command -v age >/dev/null &&
	command -v minisign >/dev/null; then
	test_expect_success 'the encrypted, signed backup restores' '
		grep -q "^decrypted, signature verified, restored" out &&
		grep -q "\"signatures\":\"verified\"" out
	'
fi
if [ -x "$TEST_ROOT/bin/sprune" ]; then
	test_expect_success 'sprune keeps the seed'\''s 7 + 4 + 12 of a year of names' '
		grep -q "^345 of 365 names would be deleted" out
	'
fi
if [ -x "$TEST_ROOT/bin/smetrics" ]; then
	test_expect_success 'smetrics shows a day'\''s JSON, the health line and the checks' '
		grep -q "^  \"schema_version\": 1,$" out &&
		grep -q "^  \"summary_date\": \"2026-02-15\",$" out &&
		grep -q "^{\"branch_id\":\"branch-demo\",\"count\":[1-9]" out &&
		grep -q "^strongbox_backups{branch=\"branch-demo\"} [1-9]" out &&
		grep -q "^{\"name\":\"payments_match_bill\",\"violations\":0}" out
	'
fi
if [ -x "$TEST_ROOT/bin/spurge" ]; then
	test_expect_success 'spurge shows a dry run in the seed'"'"'s shape' '
		grep -q "^The following records will be PERMANENTLY DELETED:" err &&
		grep -q "TOTAL: .* records will be deleted" err &&
		grep -q "^{\"dry_run\":true,\"total\":[1-9]" out &&
		grep -q "{\"before\":\"2026-01-01\",\"total\":[0-9]*,\"spared\":[0-9]*}" out
	'
fi
test_done
