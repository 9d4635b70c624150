/* lineio.c: lines of any length from a stream; see lineio.h. */
#define _POSIX_C_SOURCE 200809L
#include "lineio.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xalloc.h"

void
lineio_init(struct lineio *lr, FILE *fp)
{
	lr->fp = fp;
	lr->buf = NULL;
	lr->cap = 0;
	lr->lineno = 0;
}

ssize_t
lineio_next(struct lineio *lr, char **line)
{
	ssize_t n = getline(&lr->buf, &lr->cap, lr->fp);

	if (n < 0) {
		if (ferror(lr->fp))
			die_errno(EXIT_FAIL, "cannot read input");
		return -1;
	}
	lr->lineno++;
	if (n > 0 && lr->buf[n - 1] == '\n')
		lr->buf[--n] = '\0';
	if (n > 0 && lr->buf[n - 1] == '\r')
		lr->buf[--n] = '\0';
	*line = lr->buf;
	return n;
}

void
lineio_free(struct lineio *lr)
{
	free(lr->buf);
	lr->buf = NULL;
	lr->cap = 0;
}

char *
lineio_printable(const char *s, size_t n, size_t max)
{
	size_t len = n > max ? max : n;
	char *p = xmalloc(len + 4);

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	strcpy(p + len, n > len ? "..." : "");
	return p;
}
