/*
 * lineio.h: reading lines of any length, as sprune, supload -d and smetrics
 * read them from stdin.
 */
#ifndef STRONGBOX_LINEIO_H
#define STRONGBOX_LINEIO_H

#include <stdio.h>
#include <sys/types.h>

struct lineio {
	FILE *fp;
	char *buf;  /* owned; freed by lineio_free() */
	size_t cap;
	unsigned long lineno; /* 1-based number of the line last read */
};

void lineio_init(struct lineio *lr, FILE *fp);

/*
 * Reads the next line, without its "\n" and, for files written on Windows,
 * without a "\r" before it.  Returns the length and sets *line to a
 * NUL-terminated buffer valid until the next call, or returns -1 at end of
 * input.  A read error exits 1 with a message.  A line may contain NUL
 * bytes: use the length.
 */
ssize_t lineio_next(struct lineio *lr, char **line);

void lineio_free(struct lineio *lr);

/*
 * A line as a message may quote it: its first max bytes, each control
 * byte (below 0x20, and 0x7f) replaced by "?", and "..." when it was
 * longer.  Returns a malloc'ed string.
 */
char *lineio_printable(const char *s, size_t n, size_t max);

#endif
