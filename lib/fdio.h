/*
 * fdio.h: whole reads and writes on a file descriptor, retried on EINTR
 * and short counts, for the pipes between a tool and its children and
 * its standard input.
 */
#ifndef STRONGBOX_FDIO_H
#define STRONGBOX_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Reads from fd until want bytes are in buf or the input ends.  Returns
 * the bytes read (fewer than want only at the end), or -1 with errno.
 */
ssize_t fdio_read_full(int fd, void *buf, size_t want);

/* Writes all len bytes to fd.  Returns 0, or -1 with errno (e.g. EPIPE). */
int fdio_write_all(int fd, const void *buf, size_t len);

#endif
