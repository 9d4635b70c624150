/* progress.c: the progress line; see progress.h. */
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>

#include "err.h"

void
progress_line(int tty, int last, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s: %s%s%s", tty ? "\r" : "", err_progname(), buf,
	        tty ? "\033[K" : "", tty && !last ? "" : "\n");
	fflush(stderr);
}
