/* namepattern.c: pg_dump-style name patterns; see namepattern.h. */
#include "namepattern.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct sbuf {
	char *s;
	size_t len, cap;
};

static void
put(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static void
putc_(struct sbuf *b, char c)
{
	char t[2] = {c, '\0'};

	put(b, t);
}

static char *
finish(struct sbuf *b)
{
	char *out = xasprintf("^(%s)$", b->s ? b->s : "");

	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	return out;
}

int
namepattern_parse(const char *pattern, char **schema_re, char **name_re)
{
	struct sbuf cur = {0}, first = {0};
	int quoted = 0, dots = 0;

	put(&cur, "");
	for (const char *p = pattern; *p; p++) {
		char c = *p;

		if (c == '"') {
			if (quoted && p[1] == '"') {
				putc_(&cur, '"');
				p++;
			} else {
				quoted = !quoted;
			}
		} else if (quoted) {
			if (strchr("|*+?()[]{}.^$\\", c))
				putc_(&cur, '\\');
			putc_(&cur, c);
		} else if (c == '.') {
			if (++dots > 1)
				goto bad;
			first = cur;
			cur.s = NULL;
			cur.len = cur.cap = 0;
			put(&cur, "");
		} else if (c == '*') {
			put(&cur, ".*");
		} else if (c == '?') {
			putc_(&cur, '.');
		} else if (c == '$') {
			put(&cur, "\\$");
		} else if (c >= 'A' && c <= 'Z') {
			putc_(&cur, (char)(c - 'A' + 'a'));
		} else {
			putc_(&cur, c);
		}
	}
	if (quoted)
		goto bad;
	*schema_re = dots ? finish(&first) : NULL;
	*name_re = finish(&cur);
	return 0;
bad:
	free(cur.s);
	free(first.s);
	return -1;
}

static void
put_quoted(struct sbuf *b, const char *s)
{
	putc_(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			putc_(b, '"');
		putc_(b, *s);
	}
	putc_(b, '"');
}

char *
namepattern_exact(const char *schema, const char *name)
{
	struct sbuf b = {0};

	put(&b, "");
	put_quoted(&b, schema);
	putc_(&b, '.');
	put_quoted(&b, name);
	return b.s;
}
