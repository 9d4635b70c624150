/*
 * xalloc.h: allocation that dies (exit 1, one line) instead of returning
 * NULL, so callers need no out-of-memory paths.  Free with free(3).
 */
#ifndef STRONGBOX_XALLOC_H
#define STRONGBOX_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
/* Grows p to count * size bytes, checking the multiplication. */
void *xreallocarray(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A malloc'ed string formatted like printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with a va_list, for functions that take a format themselves. */
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
