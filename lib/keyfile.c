/* keyfile.c: see keyfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "keyfile.h"
#include "xalloc.h"

int
keyfile_read(const char *path, int secret, char **text, char *why,
	size_t whylen)
{
	struct stat sb;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -1;

	if (fd < 0) {
		snprintf(why, whylen, "cannot open \"%s\": %s", path,
			strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0) {
		snprintf(why, whylen, "cannot stat \"%s\": %s", path,
			strerror(errno));
		goto out;
	}
	if (secret && !S_ISREG(sb.st_mode)) {
		snprintf(why, whylen, "\"%s\" is not a regular file", path);
		goto out;
	}
	if (secret && (sb.st_mode & 077)) {
		snprintf(why, whylen, "\"%s\" may be read by others (mode "
			"%04o): chmod 600 it", path,
			(unsigned)(sb.st_mode & 07777));
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (len + 4096 + 1 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 8192;
			nb = xmalloc(cap);
			if (buf) {
				memcpy(nb, buf, len);
				OPENSSL_cleanse(buf, len);
				free(buf);
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whylen, "cannot read \"%s\": %s", path,
				strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > KEYFILE_MAX) {
			snprintf(why, whylen, "\"%s\" is too large for a key "
				"file", path);
			goto out;
		}
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		snprintf(why, whylen, "\"%s\" is not a text file", path);
		goto out;
	}
	*text = buf;
	buf = NULL;
	ret = 0;
out:
	if (buf) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	close(fd);
	return ret;
}
