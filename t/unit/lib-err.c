/* Unit tests of lib/err.c and lib/xalloc.c: message format and helpers. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "xalloc.h"
#include "tap.h"

int
main(void)
{
	char *s;

	err_init("/usr/local/bin/sdump");
	is_str(err_progname(), "sdump", "program name is argv[0]'s basename");
	err_init("");
	is_str(err_progname(), "sdump", "empty argv[0] keeps the name");

	s = xasprintf("%s-%d", "a", 42);
	is_str(s, "a-42", "xasprintf (xvasprintf) formats");
	free(s);
	s = xstrndup("abcdef", 3);
	is_str(s, "abc", "xstrndup cuts");
	free(s);
	is_int(EXIT_TEMPFAIL, 75, "temporary failure is 75 (EX_TEMPFAIL)");

	/* A message with a newline in it still takes one line. */
	{
		int fds[2];
		char buf[256] = {0};
		int saved = dup(2);

		if (pipe(fds) != 0)
			return 1;
		dup2(fds[1], 2);
		warnmsg("bad\nthing %d", 7);
		dup2(saved, 2);
		close(fds[1]);
		if (read(fds[0], buf, sizeof buf - 1) < 0)
			return 1;
		close(fds[0]);
		is_str(buf, "sdump: bad thing 7\n", "warnmsg: one line, prefixed");
	}
	return done_testing();
}
