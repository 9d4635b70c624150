/* readfile.c: a whole file in memory; see readfile.h. */
#include "readfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

char *
readfile(const char *path, size_t *len, char **why)
{
	FILE *fp = fopen(path, "r");
	size_t cap = 0, n;
	char *buf = NULL;

	*len = 0;
	if (fp == NULL) {
		*why = xasprintf("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (*len + 4096 + 1 > cap) {
			cap = (*len + 4096 + 1) * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + *len, 1, cap - *len - 1, fp);
		*len += n;
	} while (n > 0);
	if (ferror(fp)) {
		*why = xasprintf("cannot read %s: %s", path, strerror(errno));
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[*len] = '\0';
	return buf;
}
