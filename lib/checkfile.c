/* checkfile.c: named integrity checks; see checkfile.h. */
#include "checkfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlscript.h"
#include "xalloc.h"

/* If line[0, n) is "-- check: NAME", returns 1 and sets the name. */
static int
is_marker(const char *s, size_t n, const char **name, size_t *nlen)
{
	size_t i = 0;

	if (n < 2 || s[0] != '-' || s[1] != '-')
		return 0;
	i = 2;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (n - i < 6 || strncmp(s + i, "check:", 6) != 0)
		return 0;
	i += 6;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	*name = s + i;
	*nlen = n - i;
	return 1;
}

static int
good_name(const char *s, size_t n)
{
	if (n == 0 || n > 200)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && !strchr("_.-", s[i]))
			return 0;
	return 1;
}

/* True when s[0, n) holds only blanks and "--" comment lines. */
static int
only_comments(const char *s, size_t n)
{
	struct sql_script sc;
	int empty;

	sqlscript_split(s, n, &sc);
	empty = sc.n == 0;
	sqlscript_free(&sc);
	return empty;
}

/* Closes the check being read: its SQL is text[from, to). */
static int
finish(struct checkfile *cf, const char *text, size_t from, size_t to,
       char *why, size_t whylen)
{
	struct check *c = &cf->checks[cf->n - 1];
	struct sql_script sc;
	size_t k;
	int rc = 0;

	sqlscript_split(text + from, to - from, &sc);
	if (sc.n == 0) {
		snprintf(why, whylen, "line %u: check \"%s\" has no query", c->line,
		         c->name);
		rc = -1;
	} else if (sc.n > 1) {
		snprintf(why, whylen, "line %u: check \"%s\" holds %zu statements, "
		         "not one query", c->line, c->name, sc.n);
		rc = -1;
	} else {
		c->sql = xstrdup(sc.stmts[0].text);
		k = strlen(c->sql);
		while (k > 0 && strchr(" \t\r\n;", c->sql[k - 1]))
			c->sql[--k] = '\0';
	}
	sqlscript_free(&sc);
	return rc;
}

int
checkfile_parse(const char *text, size_t len, struct checkfile *cf,
                char *why, size_t whylen)
{
	size_t pos = 0, body = 0, cap = 0;
	unsigned lineno = 0;

	memset(cf, 0, sizeof *cf);
	if (memchr(text, '\0', len) != NULL) {
		snprintf(why, whylen, "a NUL byte: not a text file");
		return -1;
	}
	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		const char *name;
		size_t nlen;

		lineno++;
		if (is_marker(s, n, &name, &nlen)) {
			if (!good_name(name, nlen)) {
				snprintf(why, whylen, "line %u: a check name is letters, "
				         "digits, '_', '.' or '-'", lineno);
				return -1;
			}
			if (cf->n == 0 && !only_comments(text, pos)) {
				snprintf(why, whylen, "line %u: SQL before the first "
				         "'-- check: NAME' line", lineno);
				return -1;
			}
			if (cf->n > 0 && finish(cf, text, body, pos, why, whylen) < 0)
				return -1;
			for (size_t i = 0; i < cf->n; i++)
				if (strlen(cf->checks[i].name) == nlen &&
				    memcmp(cf->checks[i].name, name, nlen) == 0) {
					snprintf(why, whylen, "line %u: check \"%.*s\" "
					         "repeated (first on line %u)", lineno,
					         (int)nlen, name, cf->checks[i].line);
					return -1;
				}
			if (cf->n == cap) {
				cap = cap ? cap * 2 : 16;
				cf->checks = xreallocarray(cf->checks, cap,
				                           sizeof *cf->checks);
			}
			cf->checks[cf->n].name = xstrndup(name, nlen);
			cf->checks[cf->n].sql = NULL;
			cf->checks[cf->n].line = lineno;
			cf->n++;
			body = pos + n;
		}
		pos += n + (nl != NULL);
	}
	if (cf->n == 0) {
		snprintf(why, whylen, "no check: each begins with a line "
		         "'-- check: NAME'");
		return -1;
	}
	return finish(cf, text, body, len, why, whylen);
}

void
checkfile_free(struct checkfile *cf)
{
	for (size_t i = 0; i < cf->n; i++) {
		free(cf->checks[i].name);
		free(cf->checks[i].sql);
	}
	free(cf->checks);
	memset(cf, 0, sizeof *cf);
}
