/*
 * Unit tests of smetrics' pure logic: lib/jsonline.c (key order, numbers
 * past 2^53, jansson escaping), lib/pgjson.c (the type mapping),
 * lib/branchday.c (dates, today/yesterday and RFC 3339 in a zone),
 * lib/listing.c (supload -l lines), lib/health.c and lib/checkfile.c.
 */
#include <stdlib.h>
#include <string.h>

#include "branchday.h"
#include "caltime.h"
#include "checkfile.h"
#include "health.h"
#include "jsonline.h"
#include "listing.h"
#include "pgjson.h"
#include "tap.h"

static void
set_tz(const char *tz)
{
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	caltime_reset();
}

/* One value through the mapping: its JSON, or "ERR: why". */
static const char *
map(unsigned oid, const char *text, enum pgjson_mode mode)
{
	static char buf[256];
	struct jsonline j;
	const char *why;

	jsonline_init(&j);
	if (pgjson_add(&j, "k", oid, text, mode, &why) < 0)
		snprintf(buf, sizeof buf, "ERR: %s", why);
	else
		snprintf(buf, sizeof buf, "%s", jsonline_end(&j));
	jsonline_free(&j);
	return buf;
}

static void
test_jsonline(void)
{
	struct jsonline j;

	jsonline_init(&j);
	jsonline_int(&j, "schema_version", 1);
	jsonline_str(&j, "z", "a\"b\\c\n\x01 é");
	jsonline_raw(&j, "big", "9007199254740993");
	jsonline_bool(&j, "t", 1);
	jsonline_null(&j, "n");
	jsonline_open(&j, "a", '[');
	jsonline_open(&j, NULL, '{');
	jsonline_int(&j, "x", -5);
	jsonline_close(&j, '}');
	jsonline_open(&j, NULL, '{');
	jsonline_close(&j, '}');
	jsonline_close(&j, ']');
	jsonline_int(&j, "after", 2);
	is_str(jsonline_end(&j),
	       "{\"schema_version\":1,\"z\":\"a\\\"b\\\\c\\n\\u0001 é\","
	       "\"big\":9007199254740993,\"t\":true,\"n\":null,"
	       "\"a\":[{\"x\":-5},{}],\"after\":2}",
	       "jsonline keeps key order, escapes strings, nests");
	ok(jsonline_str(&j, "bad", "\xff\xfe") == -1, "invalid UTF-8 is refused");
	jsonline_free(&j);

	const char *good[] = {"0", "-0", "12", "-12.50", "0.001", "1e5",
	                      "1.5E-3", "123456789012345678901234567890.123"};
	const char *bad[] = {"", "-", "01", "1.", ".5", "+1", "NaN", "Infinity",
	                     "1e", "0x10", "1 ", " 1", "1,5"};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		ok(jsonline_is_number(good[i], strlen(good[i])), "number: %s", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ok(!jsonline_is_number(bad[i], strlen(bad[i])), "not a number: '%s'",
		   bad[i]);
}

static void
test_pgjson(void)
{
	is_str(map(PGJSON_INT8, "9223372036854775807", PGJSON_STRICT),
	       "{\"k\":9223372036854775807}", "bigint max, exact");
	is_str(map(PGJSON_INT8, "-9007199254740993", PGJSON_STRICT),
	       "{\"k\":-9007199254740993}", "past -2^53, exact");
	is_str(map(PGJSON_INT2, "-3", PGJSON_STRICT), "{\"k\":-3}", "smallint");
	is_str(map(PGJSON_INT4, "42", PGJSON_STRICT), "{\"k\":42}", "integer");
	is_str(map(PGJSON_NUMERIC, "12345678901234567890.1200", PGJSON_STRICT),
	       "{\"k\":12345678901234567890.1200}", "numeric digit for digit");
	is_str(map(PGJSON_NUMERIC, "-0.5", PGJSON_STRICT), "{\"k\":-0.5}",
	       "negative numeric");
	is_str(map(PGJSON_NUMERIC, "NaN", PGJSON_STRICT), "ERR: is NaN", "NaN");
	is_str(map(PGJSON_NUMERIC, "Infinity", PGJSON_STRICT), "ERR: is infinite",
	       "Infinity");
	is_str(map(PGJSON_NUMERIC, "-Infinity", PGJSON_STRICT), "ERR: is infinite",
	       "-Infinity");
	is_str(map(PGJSON_NUMERIC, "NaN", PGJSON_LENIENT), "{\"k\":\"NaN\"}",
	       "NaN as a string in a sample");
	is_str(map(PGJSON_BOOL, "t", PGJSON_STRICT), "{\"k\":true}", "true");
	is_str(map(PGJSON_BOOL, "f", PGJSON_STRICT), "{\"k\":false}", "false");
	is_str(map(PGJSON_TEXT, "Salon \"Glow\"\t", PGJSON_STRICT),
	       "{\"k\":\"Salon \\\"Glow\\\"\\t\"}", "text escaped");
	is_str(map(PGJSON_BPCHAR, "INR", PGJSON_STRICT), "{\"k\":\"INR\"}", "char(3)");
	is_str(map(PGJSON_VARCHAR, "", PGJSON_STRICT), "{\"k\":\"\"}", "varchar");
	is_str(map(PGJSON_INT8, NULL, PGJSON_STRICT), "{\"k\":null}", "NULL");
	is_str(map(PGJSON_TEXT, "\xc3", PGJSON_STRICT), "ERR: is not valid UTF-8",
	       "bad UTF-8");
	is_str(map(PGJSON_DATE, "2026-02-16", PGJSON_STRICT),
	       "ERR: has an unsupported type", "date is not a metrics type");
	is_str(map(701, "1.5", PGJSON_STRICT), "ERR: has an unsupported type",
	       "double precision is not a metrics type");
	is_str(map(PGJSON_DATE, "2026-02-16", PGJSON_LENIENT),
	       "{\"k\":\"2026-02-16\"}", "date as text in a sample");
	ok(pgjson_supported(PGJSON_NUMERIC) && !pgjson_supported(1114),
	   "pgjson_supported");
}

static int64_t
day(const char *s)
{
	int64_t d = -1;

	if (branchday_parse(s, 0, &d) < 0)
		return -999999;
	return d;
}

static void
test_branchday(void)
{
	char b[BRANCHDAY_TIME_LEN];
	int64_t d, now;

	set_tz("Asia/Kolkata");
	is_int(day("1970-01-02"), 1, "1970-01-02 is day 1");
	is_int(day("2024-02-29"), caltime_days_from_civil(2024, 2, 29), "leap day");
	is_int(day("2026-02-29"), -999999, "no 29 February in 2026");
	is_int(day("2026-13-01"), -999999, "month 13");
	is_int(day("2026-1-01"), -999999, "short month");
	is_int(day("2026-01-01x"), -999999, "trailing text");
	is_int(day("20260101"), -999999, "no dashes");
	is_int(day("+026-01-01"), -999999, "sign");
	is_int(day(""), -999999, "empty");
	/* 2026-02-16T18:30:00Z is midnight of the 17th in Kolkata. */
	now = 1771266600;
	ok(branchday_parse("today", now, &d) == 0 &&
	   d == caltime_days_from_civil(2026, 2, 17), "today at 00:00 IST");
	ok(branchday_parse("yesterday", now - 1, &d) == 0 &&
	   d == caltime_days_from_civil(2026, 2, 15), "yesterday at 23:59:59 IST");
	branchday_rfc3339(now - 1, b);
	is_str(b, "2026-02-16T23:59:59+05:30", "RFC 3339 with +05:30");
	is_int(branchday_start(caltime_days_from_civil(2026, 2, 17)), now,
	       "the day starts at 18:30 UTC");
	branchday_format(caltime_days_from_civil(2026, 2, 7), b);
	is_str(b, "2026-02-07", "format");

	set_tz("America/New_York");
	branchday_rfc3339(1771266600, b);
	is_str(b, "2026-02-16T13:30:00-05:00", "negative offset");
	/* 2026-03-08 has 23 hours in New York. */
	d = caltime_days_from_civil(2026, 3, 8);
	is_int(branchday_start(d + 1) - branchday_start(d), 23 * 3600,
	       "a day of 23 hours");
	set_tz("UTC");
	branchday_rfc3339(0, b);
	is_str(b, "1970-01-01T00:00:00+00:00", "UTC");

	char *z;
	set_tz(":Asia/Kolkata");
	is_str(z = branchday_zone(""), "Asia/Kolkata", "TZ=:Zone");
	free(z);
	set_tz("/usr/share/zoneinfo/Europe/Berlin");
	is_str(z = branchday_zone(""), "Europe/Berlin", "TZ as a zoneinfo path");
	free(z);
	set_tz("");
	is_str(z = branchday_zone(""), "UTC", "TZ empty is UTC");
	free(z);
	set_tz(NULL);
	is_str(z = branchday_zone("/nonexistent"), "UTC",
	       "no TZ and no system zone: UTC");
	free(z);
}

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
	struct health h;
	int64_t d;
	char *s;

	set_tz("Asia/Kolkata");
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

	health_init(&h);
	s = health_json(&h, "b", 0);
	is_str(s, "{\"branch_id\":\"b\",\"count\":0,\"newest_key\":null,"
	       "\"newest_time\":null,\"age_hours\":null,\"total_bytes\":0}",
	       "health of nothing");
	free(s);
	s = health_prom(&h, "b", 0);
	ok(strstr(s, "strongbox_backups{branch=\"b\"} 0\n") &&
	   !strstr(s, "newest"), "prom of nothing has no newest");
	free(s);
	parse("b/x_2\t10\t2026-02-17T16:30:00Z", &e);
	health_add(&h, &e);
	parse("b/x_3\t20\t2026-02-17T16:30:00Z", &e);
	health_add(&h, &e);
	parse("b/x_1\t5000000000\t2026-02-16T16:30:00Z", &e);
	health_add(&h, &e);
	/* Stored last, but taken before: the key's time wins. */
	parse("b/x_20260210_220000\t0\t2026-02-17T18:00:00Z", &e);
	health_add(&h, &e);
	s = health_json(&h, "b", 1771345800 + 9000);
	is_str(s, "{\"branch_id\":\"b\",\"count\":4,\"newest_key\":\"b/x_3\","
	       "\"newest_time\":\"2026-02-17T22:00:00+05:30\",\"age_hours\":2.50,"
	       "\"total_bytes\":5000000030}",
	       "health: newest by the key's time, else stored time, then key; age, bytes");
	free(s);
	s = health_prom(&h, "a\"b\\c\n", 1771345800 + 9000);
	is_str(s,
	       "# HELP strongbox_backups Backups in the listing.\n"
	       "# TYPE strongbox_backups gauge\n"
	       "strongbox_backups{branch=\"a\\\"b\\\\c\\n\"} 4\n"
	       "# HELP strongbox_backups_bytes Total size of the backups in the listing, in bytes.\n"
	       "# TYPE strongbox_backups_bytes gauge\n"
	       "strongbox_backups_bytes{branch=\"a\\\"b\\\\c\\n\"} 5000000030\n"
	       "# HELP strongbox_backup_newest_timestamp_seconds When the newest backup was stored, in seconds since the epoch.\n"
	       "# TYPE strongbox_backup_newest_timestamp_seconds gauge\n"
	       "strongbox_backup_newest_timestamp_seconds{branch=\"a\\\"b\\\\c\\n\"} 1771345800\n"
	       "# HELP strongbox_backup_newest_age_seconds Age of the newest backup, in seconds.\n"
	       "# TYPE strongbox_backup_newest_age_seconds gauge\n"
	       "strongbox_backup_newest_age_seconds{branch=\"a\\\"b\\\\c\\n\"} 9000\n",
	       "prometheus text, label escaped");
	free(s);
	health_free(&h);
}

static const char *
checks(const char *text, struct checkfile *cf)
{
	static char why[256];

	if (checkfile_parse(text, strlen(text), cf, why, sizeof why) == 0)
		return "ok";
	return why;
}

static void
test_checkfile(void)
{
	struct checkfile cf;

	is_str(checks("-- integrity checks\n\n-- check: a_b\nSELECT 1;\n"
	              "--check:c.d-e  \n  SELECT ';' -- x\n  FROM t\n\n", &cf),
	       "ok", "two checks");
	ok(cf.n == 2 && strcmp(cf.checks[0].name, "a_b") == 0 &&
	   strcmp(cf.checks[0].sql, "SELECT 1") == 0 && cf.checks[0].line == 3 &&
	   strcmp(cf.checks[1].name, "c.d-e") == 0 && cf.checks[1].line == 5 &&
	   strstr(cf.checks[1].sql, "SELECT ';'") && strstr(cf.checks[1].sql, "FROM t"),
	   "names, lines, queries without the final ';'");
	checkfile_free(&cf);
	is_str(checks("SELECT 1;\n-- check: a\nSELECT 2\n", &cf),
	       "line 2: SQL before the first '-- check: NAME' line", "SQL before a name");
	checkfile_free(&cf);
	is_str(checks("SELECT 1\n", &cf),
	       "no check: each begins with a line '-- check: NAME'", "no name at all");
	checkfile_free(&cf);
	is_str(checks("", &cf), "no check: each begins with a line '-- check: NAME'",
	       "empty file");
	checkfile_free(&cf);
	is_str(checks("-- check: a\n-- check: b\nSELECT 1", &cf),
	       "line 1: check \"a\" has no query", "a check without a query");
	checkfile_free(&cf);
	is_str(checks("-- check: a\nSELECT 1; SELECT 2;\n", &cf),
	       "line 1: check \"a\" holds 2 statements, not one query", "two statements");
	checkfile_free(&cf);
	is_str(checks("-- check: a\nSELECT 1\n-- check: a\nSELECT 2\n", &cf),
	       "line 3: check \"a\" repeated (first on line 1)", "a repeated name");
	checkfile_free(&cf);
	is_str(checks("-- check: a b\nSELECT 1\n", &cf),
	       "line 1: a check name is letters, digits, '_', '.' or '-'", "a bad name");
	checkfile_free(&cf);
	is_str(checks("-- check:\nSELECT 1\n", &cf),
	       "line 1: a check name is letters, digits, '_', '.' or '-'", "an empty name");
	checkfile_free(&cf);
}

int
main(void)
{
	test_jsonline();
	test_pgjson();
	test_branchday();
	test_listing();
	test_checkfile();
	return done_testing();
}
