/* confirm.c: a typed phrase and a countdown on /dev/tty; see confirm.h. */
#include "confirm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
confirm_open(void)
{
	return open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
}

static void
say(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

int
confirm_phrase(int fd, const char *prompt, const char *phrase)
{
	char line[256];
	size_t len = 0;
	int too_long = 0;

	say(fd, prompt);
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			return -1;
		if (r <= 0)
			return 0;
		if (c == '\n')
			break;
		if (len + 1 < sizeof line)
			line[len++] = c;
		else
			too_long = 1;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	return !too_long && strcmp(line, phrase) == 0;
}

int
confirm_countdown(int fd, const char *intro, int seconds)
{
	say(fd, intro);
	for (int s = seconds; s > 0; s--) {
		char buf[16];
		struct timespec ts = {1, 0};

		snprintf(buf, sizeof buf, "%d... ", s);
		say(fd, buf);
		if (nanosleep(&ts, NULL) < 0) {
			say(fd, "\n");
			return -1;
		}
	}
	say(fd, "\n");
	return 0;
}
