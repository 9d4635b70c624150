/* put.c: the input loop of every put; see put.h. */
#include "put.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

ssize_t
put_fill(int fd, char *buf, size_t want, int *eof, struct s3_status *st)
{
	size_t got = 0;

	while (got < want) {
		ssize_t n = read(fd, buf + got, want - got);
		if (n == 0) {
			*eof = 1;
			break;
		}
		if (n < 0) {
			if (errno == EINTR && !s3_cancelled())
				continue;
			st->code = EXIT_FAIL;
			if (errno == EINTR)
				snprintf(st->msg, sizeof st->msg, "cancelled");
			else
				snprintf(st->msg, sizeof st->msg,
				         "cannot read the input: %s",
				         strerror(errno));
			return -1;
		}
		got += n;
	}
	return (ssize_t)got;
}

ssize_t
put_read(const struct put_opts *o, int fd, char *buf, size_t want, int *eof,
	struct s3_status *st)
{
	if (o->fill)
		return o->fill(o->fctx, buf, want, eof, st);
	return put_fill(fd, buf, want, eof, st);
}
