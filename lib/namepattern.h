/*
 * namepattern.h: pg_dump-style table patterns (-t/-T), turned into the
 * anchored POSIX regular expressions PostgreSQL's "~" operator matches
 * names with.  As in pg_dump and psql: an unquoted '.' separates schema
 * from name, unquoted letters are folded to lowercase, '*' matches any
 * sequence and '?' any one character, '$' is literal, other regular
 * expression characters keep their meaning; inside double quotes every
 * character is literal and "" is a double quote.
 */
#ifndef STRONGBOX_NAMEPATTERN_H
#define STRONGBOX_NAMEPATTERN_H

/*
 * Parses pattern into *schema_re (NULL when the pattern has no schema part:
 * then it matches tables visible in the search path) and *name_re, both
 * malloc'ed ("^(...)$"), the caller frees.  Returns 0, or -1 when the
 * pattern has more than one unquoted '.' or an unterminated quote.
 */
int namepattern_parse(const char *pattern, char **schema_re, char **name_re);

/*
 * An exact pattern for schema.name (quoted, so that it matches only that
 * relation), as pg_dump -t takes it.  Malloc'ed, the caller frees.
 */
char *namepattern_exact(const char *schema, const char *name);

#endif
