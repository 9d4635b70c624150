/* Unit tests of lib/readfile.c: a whole file in memory, or why not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readfile.h"
#include "tap.h"
#include "xalloc.h"

int
main(void)
{
	char dir[] = "/tmp/strongbox-unit-XXXXXX", *path, *why = NULL, *s;
	size_t len = 99;
	FILE *f;

	if (!mkdtemp(dir))
		return 1;
	path = xasprintf("%s/f.sql", dir);
	f = fopen(path, "w");
	for (int i = 0; i < 3000; i++) /* more than one 4 KiB read */
		fprintf(f, "-- line %d\n", i);
	fwrite("a\0b", 1, 3, f);
	fclose(f);
	s = readfile(path, &len, &why);
	ok(s != NULL && why == NULL, "a file is read");
	is_int(len, 37893, "its length, past a NUL");
	ok(s && strncmp(s, "-- line 0\n-- line 1\n", 20) == 0 &&
	   memcmp(s + len - 3, "a\0b", 4) == 0, "its bytes, NUL-terminated");
	free(s);
	unlink(path);

	f = fopen(path, "w");
	fclose(f);
	s = readfile(path, &len, &why);
	ok(s && len == 0 && *s == '\0', "an empty file: \"\"");
	free(s);
	unlink(path);

	s = readfile(path, &len, &why);
	ok(s == NULL && len == 0, "a missing file: NULL");
	ok(why && strstr(why, "cannot open ") && strstr(why, path) &&
	   strstr(why, "No such file"), "  %s", why ? why : "(no why)");
	free(why);
	why = NULL;
	s = readfile(dir, &len, &why);
	ok(s == NULL && why && strncmp(why, "cannot read ", 12) == 0,
	   "a directory: %s", why ? why : "(no why)");
	free(why);
	free(path);
	rmdir(dir);
	return done_testing();
}
