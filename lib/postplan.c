/* postplan.c: the phases of a post-data script; see postplan.h. */
#include "postplan.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

static const char *
skip_space(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

/* Matches the word w (case-insensitive) at p, followed by a non-word byte. */
static const char *
word(const char *p, const char *w)
{
	size_t n = strlen(w);

	p = skip_space(p);
	if (strncasecmp(p, w, n) != 0)
		return NULL;
	if (isalnum((unsigned char)p[n]) || p[n] == '_')
		return NULL;
	return p + n;
}

/* A possibly qualified name at p: its text is copied to *out; returns its end. */
static const char *
qualified_name(const char *p, char **out)
{
	const char *start;

	p = skip_space(p);
	start = p;
	for (;;) {
		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == '\0')
					return NULL;
				if (*p == '"' && p[1] == '"') {
					p += 2;
					continue;
				}
				if (*p++ == '"')
					break;
			}
		} else if (isalnum((unsigned char)*p) || *p == '_' || (unsigned char)*p >= 0x80) {
			while (isalnum((unsigned char)*p) || *p == '_' || *p == '$' ||
			       (unsigned char)*p >= 0x80)
				p++;
		} else {
			return NULL;
		}
		if (*p != '.')
			break;
		p++;
	}
	*out = xstrndup(start, (size_t)(p - start));
	return p;
}

/* Finds the word w outside quotes, from s; returns what follows it or NULL. */
static const char *
find_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	char q = 0;

	for (const char *p = s; *p; p++) {
		if (q) {
			if (*p == q)
				q = 0;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			q = *p;
			continue;
		}
		if (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		if (strncasecmp(p, w, n) == 0 && !isalnum((unsigned char)p[n]) &&
		    p[n] != '_')
			return p + n;
	}
	return NULL;
}

enum postplan_phase
postplan_classify(const char *stmt, char **table, char **ref)
{
	const char *p, *q;

	*table = *ref = NULL;
	if (word(stmt, "SET") || ((p = word(stmt, "SELECT")) != NULL &&
	    strncmp(skip_space(p), "pg_catalog.set_config(", 22) == 0))
		return POSTPLAN_SETTING;
	if ((p = word(stmt, "CREATE")) != NULL) {
		if ((q = word(p, "UNIQUE")) != NULL)
			p = q;
		return word(p, "INDEX") ? POSTPLAN_INDEX : POSTPLAN_OTHER;
	}
	if ((p = word(stmt, "ALTER")) != NULL && (q = word(p, "INDEX")) != NULL) {
		char *name = NULL;
		if ((q = qualified_name(q, &name)) != NULL && word(q, "ATTACH") &&
		    word(word(q, "ATTACH"), "PARTITION")) {
			free(name);
			return POSTPLAN_ATTACH;
		}
		free(name);
		return POSTPLAN_OTHER;
	}
	if (p == NULL || (p = word(p, "TABLE")) == NULL)
		return POSTPLAN_OTHER;
	if ((q = word(p, "ONLY")) != NULL)
		p = q;
	if ((p = qualified_name(p, table)) == NULL)
		return POSTPLAN_OTHER;
	if ((p = word(p, "ADD")) == NULL || (p = word(p, "CONSTRAINT")) == NULL) {
		free(*table);
		*table = NULL;
		return POSTPLAN_OTHER;
	}
	{
		char *cname = NULL;
		if ((p = qualified_name(p, &cname)) == NULL) {
			free(*table);
			*table = NULL;
			return POSTPLAN_OTHER;
		}
		free(cname);
	}
	if ((q = word(p, "FOREIGN")) != NULL && word(q, "KEY")) {
		const char *r = find_word(q, "REFERENCES");
		if (r == NULL || qualified_name(r, ref) == NULL) {
			free(*table);
			*table = NULL;
			return POSTPLAN_OTHER;
		}
		return POSTPLAN_FOREIGN_KEY;
	}
	return POSTPLAN_CONSTRAINT;
}

char *
postplan_index_table(const char *stmt)
{
	const char *p, *q;
	char *name = NULL, *table = NULL;

	if ((p = word(stmt, "CREATE")) == NULL)
		return NULL;
	if ((q = word(p, "UNIQUE")) != NULL)
		p = q;
	if ((p = word(p, "INDEX")) == NULL)
		return NULL;
	if ((q = word(p, "CONCURRENTLY")) != NULL)
		p = q;
	if ((q = word(p, "IF")) != NULL && (q = word(q, "NOT")) != NULL &&
	    (q = word(q, "EXISTS")) != NULL)
		p = q;
	if (!word(p, "ON")) {
		if ((p = qualified_name(p, &name)) == NULL)
			return NULL;
		free(name);
	}
	if ((p = word(p, "ON")) == NULL)
		return NULL;
	if ((q = word(p, "ONLY")) != NULL)
		p = q;
	if (qualified_name(p, &table) == NULL)
		return NULL;
	return table;
}

const char *
postplan_phase_name(enum postplan_phase p)
{
	static const char *names[POSTPLAN_NPHASES] = {
		"settings", "indexes", "constraints", "index_attach", "foreign_keys", "other",
	};

	return (unsigned)p < POSTPLAN_NPHASES ? names[p] : "?";
}
