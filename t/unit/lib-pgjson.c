/* Unit tests of lib/pgjson.c: PostgreSQL types to JSON values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonline.h"
#include "pgjson.h"
#include "tap.h"

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

int
main(void)
{
	test_pgjson();
	return done_testing();
}
