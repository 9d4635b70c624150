/* Unit tests of lib/checkfile.c: the integrity checks file. */
#include <stdlib.h>
#include <string.h>

#include "checkfile.h"
#include "tap.h"

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
	test_checkfile();
	return done_testing();
}
