/* Unit tests of lib/stagename.c: srestore -j's database names and markers. */
#include <stdlib.h>
#include <string.h>

#include "stagename.h"
#include "tap.h"

int
main(void)
{
	char name[STAGENAME_MAX + 1], *target;
	char longname[80];

	stagename_staging("salon", name);
	ok(strncmp(name, "salon_strongbox_", 16) == 0 && strlen(name) == 24,
	   "staging name %s", name);
	{
		char other[STAGENAME_MAX + 1];
		stagename_staging("salon2", other);
		ok(strcmp(name, other) != 0, "another target, another staging name");
	}
	memset(longname, 'x', 70);
	longname[70] = '\0';
	memcpy(longname + 43, "\xc3\xa9", 2); /* é across the cut */
	stagename_staging(longname, name);
	is_int(strlen(name), 62, "a long target is cut before a UTF-8 character");
	stagename_old("salon", 86400 * 365, 1, name);
	is_str(name, "salon_old_19710101000000", "old name, dated in UTC");
	ok(stagename_is_old("salon", name), "  recognised");
	stagename_old("salon", 86400 * 365, 2, name);
	is_str(name, "salon_old_19710101000000_2", "the second in that second: _2");
	ok(stagename_is_old("salon", name), "  recognised");
	stagename_old("salon", 86400 * 365, STAGENAME_OLD_TRIES, name);
	is_str(name, "salon_old_19710101000000_99", "the last tried: _99");
	ok(stagename_is_old("salon", name), "  recognised");
	stagename_old(longname, 0, 1, name);
	ok(strlen(name) <= STAGENAME_MAX, "old name fits");
	ok(stagename_is_old(longname, name), "  recognised");
	{
		char other[STAGENAME_MAX + 1];
		stagename_old(longname, 0, 17, other);
		ok(strlen(other) <= STAGENAME_MAX && strlen(other) >= strlen(name),
		   "old name with a number fits: %s", other);
		ok(strncmp(other + strlen(other) - 3, "_17", 3) == 0, "  its number kept");
		ok(stagename_is_old(longname, other), "  recognised");
		ok(!stagename_is_old("salon", other), "  not another target's");
	}
	{
		static const struct {
			const char *name;
			int old;
		} names[] = {
			{"salon_old_20260217220005", 1},
			{"salon_old_20260217220005_2", 1},
			{"salon_old_20260217220005_42", 1},
			{"salon_old_20260217220005_1", 0},
			{"salon_old_20260217220005_02", 0},
			{"salon_old_20260217220005_", 0},
			{"salon_old_20260217220005_100", 0},
			{"salon_old_20260217220005x", 0},
			{"salon_old_2026021722000", 0},
			{"salon_old_202602172200051", 0},
			{"salon_old_2026021722000x", 0},
			{"salon2_old_20260217220005", 0},
			{"salo_old_20260217220005", 0},
			{"salon_new_20260217220005", 0},
			{"salon", 0},
			{"", 0},
		};
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			ok(stagename_is_old("salon", names[i].name) == names[i].old, "%s: %s",
			   names[i].name, names[i].old ? "salon's old name" : "not salon's old name");
	}

	{
		char *m = stagename_marker(STAGENAME_STAGING, "sa lon");
		is_int(stagename_parse_marker(m, &target), STAGENAME_STAGING, "staging marker");
		is_str(target, "sa lon", "  its target");
		free(target);
		free(m);
		m = stagename_marker(STAGENAME_REPLACED, "x");
		is_int(stagename_parse_marker(m, &target), STAGENAME_REPLACED, "replaced marker");
		is_str(target, "x", "  its target");
		free(target);
		free(m);
	}
	is_int(stagename_parse_marker("the salon's db", &target), STAGENAME_NONE,
	       "another comment is no marker");
	ok(target == NULL, "  no target");
	is_int(stagename_parse_marker(NULL, &target), STAGENAME_NONE, "no comment");
	return done_testing();
}
