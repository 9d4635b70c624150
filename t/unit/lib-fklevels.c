/* Unit tests of lib/fklevels.c: foreign-key levels and cycles. */
#include <stdlib.h>

#include "fklevels.h"
#include "tap.h"

int
main(void)
{
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
