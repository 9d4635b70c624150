/* sqlguard.c: the statements an archive's SQL member may not hold; see sqlguard.h. */
#include "sqlguard.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "sqlscript.h"

/*
 * Statement beginnings refused, as words (sqlscript_starts_with).  Longer
 * forms come first so that the message names them.
 */
static const char *const refused[] = {
	"BEGIN", "START TRANSACTION", "COMMIT", "END", "ROLLBACK", "ABORT",
	"SAVEPOINT", "RELEASE", "PREPARE", "EXECUTE",
	"SET SESSION AUTHORIZATION", "SET SESSION SESSION AUTHORIZATION",
	"SET LOCAL SESSION AUTHORIZATION", "RESET SESSION AUTHORIZATION",
	"SET ROLE", "SET SESSION ROLE", "SET LOCAL ROLE", "RESET ROLE",
	"RESET ALL", "DISCARD",
	"COPY", "DO", "CALL", "LOAD",
	/* Queries and DML: pg_dump writes none there (but the calls below). */
	"WITH", "VALUES", "TABLE", "EXPLAIN", "INSERT", "UPDATE", "DELETE",
	"MERGE",
};

/*
 * The top-level SELECTs pg_dump writes in these sections, each with
 * constant arguments only: set_config() (the search_path) and, for a large
 * object, lo_create().  Any other SELECT could call a function that the
 * member itself defined.
 */
static const char *const selects[] = {
	"SELECT pg_catalog.set_config(", "SELECT pg_catalog.lo_create(",
};

/* Past the SQL constant at s (a quoted string, a number, true or false), or NULL. */
static const char *
skip_constant(const char *s)
{
	if (*s == '\'') {
		for (s++; *s; s++)
			if (*s == '\'' && *++s != '\'')
				return s;
		return NULL;
	}
	if (isdigit((unsigned char)*s)) {
		while (isdigit((unsigned char)*s))
			s++;
		return s;
	}
	if (strncasecmp(s, "true", 4) == 0 && !isalnum((unsigned char)s[4]) &&
	    s[4] != '_')
		return s + 4;
	if (strncasecmp(s, "false", 5) == 0 && !isalnum((unsigned char)s[5]) &&
	    s[5] != '_')
		return s + 5;
	return NULL;
}

/* Whether stmt is one of selects[] with constants for arguments. */
static int
allowed_select(const char *stmt)
{
	const char *s = stmt + strspn(stmt, " \t\r\n");

	for (size_t k = 0; k < sizeof selects / sizeof *selects; k++) {
		size_t n = strlen(selects[k]);

		if (strncasecmp(s, selects[k], n) != 0)
			continue;
		for (s += n;;) {
			s += strspn(s, " \t\r\n");
			if ((s = skip_constant(s)) == NULL)
				return 0;
			s += strspn(s, " \t\r\n");
			if (*s == ')')
				break;
			if (*s++ != ',')
				return 0;
		}
		s++;
		s += strspn(s, " \t\r\n");
		if (*s == ';')
			s++;
		return s[strspn(s, " \t\r\n")] == '\0';
	}
	return 0;
}

/* The key of "\restrict KEY" or "\unrestrict KEY", else NULL. */
static const char *
restrict_key(const char *line, const char *cmd, size_t *keylen)
{
	size_t n = strlen(cmd), k;

	if (strncmp(line, cmd, n) != 0 || (line[n] != ' ' && line[n] != '\t'))
		return NULL;
	line += n;
	line += strspn(line, " \t");
	k = strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                 "0123456789");
	if (k == 0 || line[k + strspn(line + k, " \t\r")] != '\0')
		return NULL;
	*keylen = k;
	return line;
}

/* At most 60 bytes of s, control characters as '?', for a message. */
static void
excerpt(const char *s, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; s[i] && i < 60 && i + 4 < outlen; i++)
		out[i] = iscntrl((unsigned char)s[i]) ? '?' : s[i];
	if (s[i] && i + 4 < outlen)
		out[i++] = '.', out[i++] = '.', out[i++] = '.';
	out[i] = '\0';
}

int
sqlguard_check(const char *member, const char *text, size_t len, char *why,
               size_t whylen)
{
	struct sql_script sc;
	char ex[80];
	int rc = 0;

	sqlscript_split(text, len, &sc);
	for (size_t i = 0; i < sc.meta_removed && rc == 0; i++) {
		const char *line = sc.meta[i], *key0, *key1;
		size_t l0, l1;
		/* Only the pair: first \restrict KEY, last \unrestrict KEY. */
		if (i == 0 && sc.meta_removed == 2 &&
		    (key0 = restrict_key(line, "\\restrict", &l0)) != NULL &&
		    (key1 = restrict_key(sc.meta[1], "\\unrestrict", &l1)) != NULL &&
		    l0 == l1 && memcmp(key0, key1, l0) == 0) {
			i++;
			continue;
		}
		excerpt(line, ex, sizeof ex);
		snprintf(why, whylen, "archive refused: %s holds the psql "
		         "meta-command \"%s\" (only one \\restrict KEY ... "
		         "\\unrestrict KEY pair may appear)", member, ex);
		rc = -1;
	}
	for (size_t i = 0; i < sc.n && rc == 0; i++) {
		for (size_t k = 0; k < sizeof refused / sizeof *refused; k++) {
			if (!sqlscript_starts_with(sc.stmts[i].text, refused[k]))
				continue;
			snprintf(why, whylen, "archive refused: %s holds %s "
			         "(statement %zu), which pg_dump never writes "
			         "there and which could act outside %s's "
			         "transaction", member, refused[k], i + 1,
			         err_progname());
			rc = -1;
			break;
		}
		if (rc == 0 && sqlscript_starts_with(sc.stmts[i].text, "SELECT") &&
		    !allowed_select(sc.stmts[i].text)) {
			excerpt(sc.stmts[i].text, ex, sizeof ex);
			snprintf(why, whylen, "archive refused: %s holds \"%s\" "
			         "(statement %zu): pg_dump writes no SELECT there "
			         "but set_config() or lo_create() of constants, and "
			         "this one could call a function the archive defined",
			         member, ex, i + 1);
			rc = -1;
		}
	}
	sqlscript_free(&sc);
	return rc;
}
