/* Unit tests of lib/listing.c: supload -l lines and metrics keys. */
#include <stdlib.h>
#include <string.h>

#include "caltime.h"
#include "listing.h"
#include "tap.h"

static const char *
parse(const char *line, struct listing_entry *e)
{
	const char *why = NULL;

	if (listing_parse(line, strlen(line), e, &why) == 0)
		return "ok";
	return why;
}

static void
test_listing(void)
{
	struct listing_entry e;
	int64_t d;

	is_str(parse("b/backups/b_20260217_220005.sdump\t1234\t2026-02-17T16:30:07Z", &e),
	       "ok", "a listing line");
	ok(e.key_len == strlen("b/backups/b_20260217_220005.sdump") && e.size == 1234 &&
	   e.time == 1771345807, "key, size and time");
	is_str(parse("a\tkey\t5\t2026-02-17T16:30:07.123+05:30", &e), "ok",
	       "a tab in the key, an offset, a fraction");
	ok(e.key_len == 5 && e.time == 1771345807 - 5 * 3600 - 1800, "read from the right");
	is_str(parse("just-a-key", &e), "not key TAB size TAB time", "no tabs");
	is_str(parse("k\t12", &e), "not key TAB size TAB time", "one tab");
	is_str(parse("\t12\t2026-02-17T16:30:07Z", &e), "empty key", "empty key");
	is_str(parse("k\t-1\t2026-02-17T16:30:07Z", &e), "bad size", "negative size");
	is_str(parse("k\t\t2026-02-17T16:30:07Z", &e), "bad size", "no size");
	is_str(parse("k\t1\t2026-02-17T16:30:07", &e), "bad time", "no offset");
	is_str(parse("k\t1\t2026-02-30T16:30:07Z", &e), "bad time", "no such day");
	is_str(parse("k\t1\tyesterday", &e), "bad time", "not a time");

	ok(listing_metrics_day("b/metrics/2026-02-16.json", 25, &d) == 0 &&
	   d == caltime_days_from_civil(2026, 2, 16), "a metrics key");
	ok(listing_metrics_day("2026-02-16.json", 15, &d) == 0, "a bare name");
	ok(listing_metrics_day("b/metrics/x2026-02-16.json", 26, &d) < 0,
	   "not after a slash");
	ok(listing_metrics_day("b/metrics/2026-02-30.json", 25, &d) < 0, "no such day");
	ok(listing_metrics_day("b/metrics/2026-02-16.json.tmp", 29, &d) < 0,
	   "another suffix");
}

int
main(void)
{
	test_listing();
	return done_testing();
}
