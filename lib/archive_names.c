/* archive_names.c: member names of the archive; see archive_names.h. */
#include "archive_names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static int
plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

char *
archive_names_encode(const char *ident)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(ident);
	char *out = xmalloc(3 * n + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)ident; *p; p++) {
		if (plain(*p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
archive_names_decode(const char *enc, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)enc[i];

		if (plain(c)) {
			*o++ = (char)c;
		} else if (c == '%' && i + 2 < len &&
		           hexval(enc[i + 1]) >= 0 && hexval(enc[i + 2]) >= 0) {
			int v = hexval(enc[i + 1]) * 16 + hexval(enc[i + 2]);

			if (v == 0 || plain((unsigned char)v))
				goto bad;
			*o++ = (char)v;
			i += 2;
		} else {
			goto bad;
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

char *
archive_names_table_dir(const char *schema, const char *table)
{
	char *s = archive_names_encode(schema), *t = archive_names_encode(table);
	char *dir = xasprintf("%s.%s", s, t);

	free(s);
	free(t);
	return dir;
}

int
archive_names_split_dir(const char *dir, char **schema, char **table)
{
	const char *dot = strchr(dir, '.');
	char *s, *t;

	if (dot == NULL || dot == dir || dot[1] == '\0' || strchr(dot + 1, '.'))
		return -1;
	s = archive_names_decode(dir, (size_t)(dot - dir));
	t = archive_names_decode(dot + 1, strlen(dot + 1));
	if (s == NULL || t == NULL) {
		free(s);
		free(t);
		return -1;
	}
	*schema = s;
	*table = t;
	return 0;
}

char *
archive_names_chunk(const char *dir, unsigned long n)
{
	return xasprintf("data/%s/%06lu.copy", dir, n);
}

enum archive_member_kind
archive_names_classify(const char *name, char **dir, unsigned long *chunk)
{
	const char *d, *slash, *num, *end;
	char *s, *t, *canon;
	unsigned long n;
	int ok;

	if (!strcmp(name, ARCHIVE_MEMBER_MANIFEST))
		return ARCHIVE_MEMBER_IS_MANIFEST;
	if (!strcmp(name, ARCHIVE_MEMBER_PRE_DATA))
		return ARCHIVE_MEMBER_IS_PRE_DATA;
	if (!strcmp(name, ARCHIVE_MEMBER_SEQUENCES))
		return ARCHIVE_MEMBER_IS_SEQUENCES;
	if (!strcmp(name, ARCHIVE_MEMBER_POST_DATA))
		return ARCHIVE_MEMBER_IS_POST_DATA;
	if (!strcmp(name, ARCHIVE_MEMBER_TRAILER))
		return ARCHIVE_MEMBER_IS_TRAILER;
	if (!strcmp(name, ARCHIVE_MEMBER_MANIFEST_SIG))
		return ARCHIVE_MEMBER_IS_MANIFEST_SIG;
	if (!strcmp(name, ARCHIVE_MEMBER_TRAILER_SIG))
		return ARCHIVE_MEMBER_IS_TRAILER_SIG;
	if (strncmp(name, "data/", 5) != 0)
		return ARCHIVE_MEMBER_UNKNOWN;
	d = name + 5;
	slash = strchr(d, '/');
	if (slash == NULL || slash == d)
		return ARCHIVE_MEMBER_UNKNOWN;
	num = slash + 1;
	end = strstr(num, ".copy");
	if (end == NULL || end[5] != '\0' || end - num < 6 || num[0] < '0' ||
	    num[0] > '9')
		return ARCHIVE_MEMBER_UNKNOWN;
	for (const char *c = num; c < end; c++)
		if (*c < '0' || *c > '9')
			return ARCHIVE_MEMBER_UNKNOWN;
	errno = 0;
	n = strtoul(num, NULL, 10);
	if (errno != 0 || n == 0)
		return ARCHIVE_MEMBER_UNKNOWN;
	s = xstrndup(d, (size_t)(slash - d));
	ok = archive_names_split_dir(s, &t, &canon) == 0;
	if (ok) {
		free(t);
		free(canon);
	}
	canon = archive_names_chunk(s, n);
	ok = ok && strcmp(canon, name) == 0;
	free(canon);
	if (!ok) {
		free(s);
		return ARCHIVE_MEMBER_UNKNOWN;
	}
	if (dir)
		*dir = s;
	else
		free(s);
	if (chunk)
		*chunk = n;
	return ARCHIVE_MEMBER_IS_CHUNK;
}
