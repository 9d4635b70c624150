/* Unit tests of lib/fdio.c: whole reads and writes over a pipe. */
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "tap.h"

int
main(void)
{
	int fds[2];
	char buf[16];

	if (pipe(fds) < 0)
		return 1;
	ok(fdio_write_all(fds[1], "hello, ", 7) == 0, "write");
	ok(fdio_write_all(fds[1], "world", 5) == 0, "write again");
	close(fds[1]);
	is_int(fdio_read_full(fds[0], buf, 5), 5, "a read of 5 gets 5");
	ok(memcmp(buf, "hello", 5) == 0, "the first 5 bytes");
	is_int(fdio_read_full(fds[0], buf, sizeof buf), 7,
	       "a read past the end gets the rest");
	is_int(fdio_read_full(fds[0], buf, sizeof buf), 0, "then nothing");
	close(fds[0]);
	is_int(fdio_read_full(fds[0], buf, 1), -1, "a closed fd fails");
	return done_testing();
}
