/* Unit tests of lib/lineio.c: lines of any length, CRLF, no final newline. */
#include <stdlib.h>
#include <string.h>

#include "lineio.h"
#include "tap.h"

int
main(void)
{
	struct lineio lr;
	char *line;
	ssize_t n;
	FILE *fp;
	size_t big = 1 << 20;
	char *long_line = malloc(big + 1);

	memset(long_line, 'x', big);
	long_line[big] = '\0';
	fp = tmpfile();
	fprintf(fp, "one\r\ntwo\n\n%s\nlast", long_line);
	rewind(fp);
	lineio_init(&lr, fp);

	n = lineio_next(&lr, &line);
	is_int(n, 3, "CRLF line length");
	is_str(line, "one", "CRLF stripped");
	n = lineio_next(&lr, &line);
	is_str(line, "two", "LF line");
	n = lineio_next(&lr, &line);
	is_int(n, 0, "empty line");
	n = lineio_next(&lr, &line);
	is_int(n, (long long)big, "1 MiB line read whole");
	ok(n > 0 && memcmp(line, long_line, big) == 0, "1 MiB line content");
	n = lineio_next(&lr, &line);
	is_str(line, "last", "last line without newline");
	is_int(lr.lineno, 5, "line numbers count");
	n = lineio_next(&lr, &line);
	is_int(n, -1, "end of input");

	lineio_free(&lr);
	fclose(fp);
	free(long_line);

	char *p = lineio_printable("a\tb\033[2J\r\x7f\xc3\xa9", 11, 80);
	is_str(p, "a?b?[2J??\xc3\xa9", "controls become ?, UTF-8 stays");
	free(p);
	p = lineio_printable("abc\0def", 7, 80);
	is_str(p, "abc?def", "a NUL byte becomes ?");
	free(p);
	p = lineio_printable("abcdef", 6, 4);
	is_str(p, "abcd...", "cut at max, with ...");
	free(p);
	p = lineio_printable("abcd", 4, 4);
	is_str(p, "abcd", "exactly max: no ...");
	free(p);
	return done_testing();
}
