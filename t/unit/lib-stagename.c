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
	stagename_old("salon", 86400 * 365, name);
	is_str(name, "salon_old_19710101000000", "old name, dated in UTC");
	stagename_old(longname, 0, name);
	ok(strlen(name) <= STAGENAME_MAX, "old name fits");

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
