/* lineio.c: lines of any length from a stream; see lineio.h. */
#define _POSIX_C_SOURCE 200809L
#include "lineio.h"

#include <stdlib.h>

#include "err.h"

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
