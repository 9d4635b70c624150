/*
 * checkfile.h: a file of named integrity checks (smetrics --checks): each
 * check begins with a line "-- check: NAME" and is one query that returns
 * the rows breaking a rule.  Comments and blank lines may come before the
 * first check; nothing else may.  Pure string work.
 */
#ifndef STRONGBOX_CHECKFILE_H
#define STRONGBOX_CHECKFILE_H

#include <stddef.h>

struct check {
	char *name; /* [A-Za-z0-9_.-]+ */
	char *sql;  /* one statement, without its final ';' */
	unsigned line; /* of its "-- check:" line */
};

struct checkfile {
	struct check *checks;
	size_t n;
};

/*
 * Parses text[0, len) into cf (zeroed first).  Returns 0, or -1 with a
 * one-line reason in why (whylen bytes, "line 3: ..."): no check, SQL
 * before the first name, a bad or repeated name, a check without a query
 * or with several statements.  Free cf with checkfile_free() either way.
 */
int checkfile_parse(const char *text, size_t len, struct checkfile *cf,
                    char *why, size_t whylen);

void checkfile_free(struct checkfile *cf);

#endif
