/* purgeconf.c: the purge-tables.conf format; see purgeconf.h. */
#include "purgeconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char *const class_names[PURGE_NCLASSES] = {
	"master", "transactional", "audit", "keep"};

int
purgeconf_class_from_name(const char *s)
{
	for (int i = 0; i < PURGE_NCLASSES; i++)
		if (strcmp(s, class_names[i]) == 0)
			return i;
	return -1;
}

const char *
purgeconf_class_name(enum purge_class cls)
{
	return (unsigned)cls < PURGE_NCLASSES ? class_names[cls] : "?";
}

void
purgeconf_free(struct purgeconf *conf)
{
	for (size_t i = 0; i < conf->ntables; i++) {
		free(conf->tables[i].schema);
		free(conf->tables[i].name);
		free(conf->tables[i].datecol);
	}
	free(conf->tables);
	conf->tables = NULL;
	conf->ntables = 0;
}

long
purgeconf_find(const struct purgeconf *conf, const char *schema,
               const char *name)
{
	for (size_t i = 0; i < conf->ntables; i++)
		if (strcmp(conf->tables[i].schema, schema) == 0 &&
		    strcmp(conf->tables[i].name, name) == 0)
			return (long)i;
	return -1;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

struct parser {
	const char *file;
	int line;
	char *why;
};

static int
fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	p->why = xasprintf("%s:%d: %s", p->file, p->line, msg);
	free(msg);
	return -1;
}

/*
 * One name part at *s (up to end): a quoted identifier or an unquoted run.
 * Returns a malloc'ed part and advances *s, or NULL after fail().
 */
static char *
read_part(struct parser *p, const char **s, const char *end)
{
	const char *c = *s;
	char *out;
	size_t n = 0;

	if (c < end && *c == '"') {
		out = xmalloc((size_t)(end - c) + 1);
		c++;
		for (;;) {
			if (c >= end) {
				free(out);
				fail(p, "unterminated quoted name");
				return NULL;
			}
			if (*c == '"') {
				if (c + 1 < end && c[1] == '"') {
					out[n++] = '"';
					c += 2;
					continue;
				}
				c++;
				break;
			}
			out[n++] = *c++;
		}
		out[n] = '\0';
		if (n == 0) {
			free(out);
			fail(p, "empty quoted name");
			return NULL;
		}
		*s = c;
		return out;
	}
	while (c < end && !is_space(*c) && *c != '.' && *c != '"' && *c != '#')
		c++;
	if (c == *s) {
		fail(p, "empty name");
		return NULL;
	}
	out = xstrndup(*s, (size_t)(c - *s));
	for (char *q = out; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	*s = c;
	return out;
}

/*
 * A word of up to maxparts dot-separated parts; parts[] gets them.
 * Returns the number of parts, or -1 after fail().
 */
static int
read_word(struct parser *p, const char **s, const char *end, char **parts,
          int maxparts)
{
	int np = 0;

	for (;;) {
		char *part = read_part(p, s, end);
		if (part == NULL)
			goto bad;
		if (np == maxparts) {
			free(part);
			fail(p, maxparts == 1 ? "a column name has no dot"
			                      : "a table name is \"table\" or "
			                        "\"schema.table\"");
			goto bad;
		}
		parts[np++] = part;
		if (*s < end && **s == '.') {
			(*s)++;
			continue;
		}
		if (*s < end && !is_space(**s) && **s != '#') {
			fail(p, "a quoted name must be followed by a space, "
			        "a dot or the end of the line");
			goto bad;
		}
		return np;
	}
bad:
	while (np > 0)
		free(parts[--np]);
	return -1;
}

static const char *
skip_space(const char *s, const char *end)
{
	while (s < end && is_space(*s))
		s++;
	return s;
}

static bool
at_end(const char *s, const char *end)
{
	return s >= end || *s == '#';
}

static int
parse_section(struct parser *p, const char *s, const char *end, int *cls)
{
	const char *close = memchr(s, ']', (size_t)(end - s));
	char *name;

	if (close == NULL)
		return fail(p, "a section header is \"[name]\"");
	name = xstrndup(s + 1, (size_t)(close - s - 1));
	*cls = purgeconf_class_from_name(name);
	if (*cls < 0) {
		char *shown = purgeconf_display("public", name);
		fail(p, "unknown section [%s] (master, transactional, audit, keep)",
		     shown);
		free(shown);
		free(name);
		return -1;
	}
	free(name);
	if (!at_end(skip_space(close + 1, end), end))
		return fail(p, "text after the section header");
	return 0;
}

static int
parse_line(struct parser *p, const char *s, const char *end, int *cls,
           struct purgeconf *conf)
{
	char *parts[2], *col[1];
	int np, nc = 0;
	struct purgeconf_table *t;

	s = skip_space(s, end);
	if (at_end(s, end))
		return 0;
	if (*s == '[')
		return parse_section(p, s, end, cls);
	if (*cls < 0)
		return fail(p, "a table before any section");
	np = read_word(p, &s, end, parts, 2);
	if (np < 0)
		return -1;
	s = skip_space(s, end);
	if (!at_end(s, end)) {
		nc = read_word(p, &s, end, col, 1);
		if (nc < 0)
			goto bad;
		s = skip_space(s, end);
		if (!at_end(s, end)) {
			free(col[0]);
			fail(p, "more than a table and a date column on a line");
			goto bad;
		}
	}
	conf->tables = xreallocarray(conf->tables, conf->ntables + 1,
	                             sizeof *conf->tables);
	t = &conf->tables[conf->ntables];
	t->schema = np == 2 ? parts[0] : xstrdup("public");
	t->name = parts[np - 1];
	t->datecol = nc ? col[0] : NULL;
	t->cls = (enum purge_class)*cls;
	t->line = p->line;
	{
		long prev = purgeconf_find(conf, t->schema, t->name);
		if (prev >= 0) {
			char *shown = purgeconf_display(t->schema, t->name);
			fail(p, "table %s is listed already on line %d", shown,
			     conf->tables[prev].line);
			free(shown);
			free(t->schema);
			free(t->name);
			free(t->datecol);
			return -1;
		}
	}
	conf->ntables++;
	return 0;
bad:
	while (np > 0)
		free(parts[--np]);
	return -1;
}

int
purgeconf_parse(const char *text, size_t len, const char *file,
                struct purgeconf *conf, char **why)
{
	struct parser p = {file, 0, NULL};
	const char *s = text, *end = text + len;
	int cls = -1;

	conf->tables = NULL;
	conf->ntables = 0;
	*why = NULL;
	if (memchr(text, '\0', len) != NULL) {
		*why = xasprintf("%s: a NUL byte: not a text file", file);
		return -1;
	}
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;

		p.line++;
		if (parse_line(&p, s, eol, &cls, conf) < 0) {
			purgeconf_free(conf);
			*why = p.why;
			return -1;
		}
		s = nl ? nl + 1 : end;
	}
	return 0;
}

int
purgeconf_load(const char *path, struct purgeconf *conf, char **why)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int rc;

	conf->tables = NULL;
	conf->ntables = 0;
	if (fp == NULL) {
		*why = xasprintf("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	do {
		if (len + 4096 > cap) {
			cap = (len + 4096) * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	if (ferror(fp)) {
		*why = xasprintf("cannot read %s: %s", path, strerror(errno));
		fclose(fp);
		free(buf);
		return -1;
	}
	fclose(fp);
	rc = purgeconf_parse(buf ? buf : "", len, path, conf, why);
	free(buf);
	return rc;
}

static bool
is_plain(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '$'))
			return false;
	return true;
}

static void
put_part(char **out, size_t *n, const char *s)
{
	bool plain = is_plain(s);

	if (!plain)
		(*out)[(*n)++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			c = '?';
		if (c == '"')
			(*out)[(*n)++] = '"';
		(*out)[(*n)++] = (char)c;
	}
	if (!plain)
		(*out)[(*n)++] = '"';
}

char *
purgeconf_display(const char *schema, const char *name)
{
	bool qualify = strcmp(schema, "public") != 0;
	char *out = xmalloc(2 * (strlen(schema) + strlen(name)) + 8);
	size_t n = 0;

	if (qualify) {
		put_part(&out, &n, schema);
		out[n++] = '.';
	}
	put_part(&out, &n, name);
	out[n] = '\0';
	return out;
}
