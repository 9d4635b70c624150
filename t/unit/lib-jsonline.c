/*
 * Unit tests of lib/jsonline.c: key order, numbers past 2^53, jansson
 * escaping, JSON's number grammar, and the report line of a jansson value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonline.h"
#include "monotime.h"
#include "tap.h"

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

/* What jsonline_put() prints of o, read back through a pipe. */
static const char *
put(json_t *o)
{
	static char buf[256];
	int fds[2], saved = dup(1);
	ssize_t n;

	fflush(stdout);
	if (pipe(fds) != 0)
		return "(no pipe)";
	dup2(fds[1], 1);
	jsonline_put(o);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(fds[1]);
	n = read(fds[0], buf, sizeof buf - 1);
	close(fds[0]);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void
test_put(void)
{
	is_str(put(json_pack("{s:b,s:s,s:I}", "ok", 1, "table", "public.bills",
	                     "rows", (json_int_t)9007199254740993LL)),
	       "{\"ok\":true,\"table\":\"public.bills\",\"rows\":9007199254740993}\n",
	       "jsonline_put: one compact line, keys in order");
	is_str(put(json_pack("{s:f,s:f}", "seconds", monotime_ms(0.66519914799999924),
	                     "whole", 2.0)),
	       "{\"seconds\":0.665,\"whole\":2.0}\n",
	       "jsonline_put: seconds print as rounded");
}

int
main(void)
{
	test_jsonline();
	test_put();
	return done_testing();
}
