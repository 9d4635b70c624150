/* Unit tests of lib/namepattern.c: -t/-T patterns as psql writes them. */
#include <stdlib.h>
#include <string.h>

#include "namepattern.h"
#include "tap.h"

static void
pat(const char *in, const char *want_schema, const char *want_name)
{
	char *s = NULL, *n = NULL;

	ok(namepattern_parse(in, &s, &n) == 0, "pattern '%s' parses", in);
	is_str(s, want_schema, "  schema part");
	is_str(n, want_name, "  name part");
	free(s);
	free(n);
}

int
main(void)
{
	char *s = NULL, *n = NULL;

	pat("bills", NULL, "^(bills)$");
	pat("Bills", NULL, "^(bills)$");
	pat("public.bill*", "^(public)$", "^(bill.*)$");
	pat("*.t?", "^(.*)$", "^(t.)$");
	pat("\"Bill Items.v2\"", NULL, "^(Bill Items\\.v2)$");
	pat("\"My \"\"S\"\"\".x", "^(My \"S\")$", "^(x)$");
	pat("a$b", NULL, "^(a\\$b)$");
	pat("\"a*\"", NULL, "^(a\\*)$");
	ok(namepattern_parse("a.b.c", &s, &n) == -1, "two dots refused");
	ok(namepattern_parse("\"abc", &s, &n) == -1, "open quote refused");
	s = namepattern_exact("public", "Bill \"x\".v2");
	is_str(s, "\"public\".\"Bill \"\"x\"\".v2\"", "exact pattern quotes");
	free(s);

	return done_testing();
}
