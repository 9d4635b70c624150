/*
 * readfile.h: a whole (small) file in memory, for SQL files and
 * configuration that tools read before they start.
 */
#ifndef STRONGBOX_READFILE_H
#define STRONGBOX_READFILE_H

#include <stddef.h>

/*
 * Reads path whole into a malloc'ed, NUL-terminated buffer (the caller
 * frees) and sets *len.  Returns NULL on failure with *why a malloc'ed
 * "cannot open PATH: reason" (the caller frees).
 */
char *readfile(const char *path, size_t *len, char **why);

#endif
