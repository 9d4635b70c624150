/* Unit tests of lib/namepattern.c and lib/fklevels.c (sdump's pure logic). */
#include <stdlib.h>
#include <string.h>

#include "fklevels.h"
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

	{
		/* 0 <- 1 <- 2, 3 <-> 4 cycle referencing 2, 5 self-ref. */
		struct fk_edge e[] = {{1, 0}, {2, 1}, {3, 4}, {4, 3}, {3, 2},
		                      {5, 5}};
		int level[6];
		size_t comp[6];

		fklevels_compute(6, e, 6, level, comp);
		is_int(level[0], 0, "a root is level 0");
		is_int(level[1], 1, "its child level 1");
		is_int(level[2], 2, "grandchild level 2");
		is_int(level[3], 3, "cycle member above what it references");
		is_int(level[4], 3, "cycle members share a level");
		ok(comp[3] == comp[4], "cycle members share a component");
		ok(comp[0] != comp[1], "others do not");
		is_int(level[5], 0, "a self-reference is ignored");
	}
	{
		int level[1];
		size_t comp[1];

		is_int(fklevels_compute(0, NULL, 0, level, comp), 0,
		       "no tables, no components");
	}
	return done_testing();
}
