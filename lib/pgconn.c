/* pgconn.c: connecting to PostgreSQL and running SQL; see pgconn.h. */
#include "pgconn.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "cancel.h"
#include "err.h"
#include "xalloc.h"

extern char **environ;

/* Length of "scheme" when s starts with "scheme://", else 0. */
static size_t
url_scheme_len(const char *s)
{
	size_t n = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' ||
	       s[n] == '.')
		n++;
	return strncmp(s + n, "://", 3) == 0 ? n : 0;
}

static int
is_postgres_scheme(const char *s, size_t n)
{
	size_t base;

	if (n >= 10 && strncasecmp(s, "postgresql", 10) == 0)
		base = 10;
	else if (n >= 8 && strncasecmp(s, "postgres", 8) == 0)
		base = 8;
	else
		return 0;
	return n == base || s[base] == '+';
}

/* Appends s[0..n) to the growing string *buf. */
static void
append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xreallocarray(*buf, *cap, 1);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

char *
pgconn_normalize(const char *conninfo)
{
	size_t n = url_scheme_len(conninfo);
	const char *rest, *q, *p;
	char *out = NULL;
	size_t len = 0, cap = 0;

	if (n == 0 || !is_postgres_scheme(conninfo, n))
		return xstrdup(conninfo);
	rest = conninfo + n; /* "://..." */
	append(&out, &len, &cap, "postgresql", 10);
	q = strchr(rest, '?');
	if (q == NULL) {
		append(&out, &len, &cap, rest, strlen(rest));
		return out;
	}
	append(&out, &len, &cap, rest, (size_t)(q - rest) + 1);
	/* Query parameters: translate asyncpg's ssl=X into sslmode=X. */
	p = q + 1;
	while (*p) {
		size_t plen = strcspn(p, "&");

		if (plen > 4 && strncmp(p, "ssl=", 4) == 0) {
			char *v = xstrndup(p + 4, plen - 4);
			const char *mode = v;

			if (!strcasecmp(v, "true") || !strcasecmp(v, "on") ||
			    !strcmp(v, "1"))
				mode = "require";
			else if (!strcasecmp(v, "false") ||
			         !strcasecmp(v, "off") || !strcmp(v, "0"))
				mode = "disable";
			append(&out, &len, &cap, "sslmode=", 8);
			append(&out, &len, &cap, mode, strlen(mode));
			free(v);
		} else {
			append(&out, &len, &cap, p, plen);
		}
		p += plen;
		if (*p == '&') {
			append(&out, &len, &cap, "&", 1);
			p++;
		}
	}
	return out;
}

const char *
pgconn_source(const char *opt)
{
	const char *env;

	if (opt != NULL)
		return opt;
	env = getenv("DATABASE_URL");
	if (env != NULL && *env != '\0')
		return env;
	return NULL;
}

/*
 * The password in s (a URL's user:PASSWORD@ or a conninfo's password=), or
 * NULL; malloc'ed.
 */
static char *
find_password(const char *s)
{
	size_t n = url_scheme_len(s);
	char *pw = NULL;

	if (n > 0) {
		const char *auth = s + n + 3;
		size_t alen = strcspn(auth, "/?#");
		const char *at = NULL, *colon;

		for (const char *c = auth; c < auth + alen; c++)
			if (*c == '@')
				at = c;
		if (at == NULL)
			return NULL;
		colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon == NULL || colon + 1 == at)
			return NULL;
		return xstrndup(colon + 1, (size_t)(at - colon - 1));
	} else {
		PQconninfoOption *opts = PQconninfoParse(s, NULL);

		if (opts == NULL)
			return NULL;
		for (PQconninfoOption *o = opts; o->keyword; o++)
			if (!strcmp(o->keyword, "password") && o->val &&
			    *o->val)
				pw = xstrdup(o->val);
		PQconninfoFree(opts);
	}
	return pw;
}

/* Copies s with every occurrence of secret replaced by "xxxxx". */
static char *
replace_secret(const char *s, const char *secret)
{
	char *out = NULL;
	size_t len = 0, cap = 0, slen;
	const char *p = s, *hit;

	if (secret == NULL || *secret == '\0')
		return xstrdup(s);
	slen = strlen(secret);
	append(&out, &len, &cap, "", 0);
	while ((hit = strstr(p, secret)) != NULL) {
		append(&out, &len, &cap, p, (size_t)(hit - p));
		append(&out, &len, &cap, "xxxxx", 5);
		p = hit + slen;
	}
	append(&out, &len, &cap, p, strlen(p));
	return out;
}

char *
pgconn_mask(const char *s)
{
	char *pw = find_password(s);
	char *out = replace_secret(s, pw);

	if (pw) {
		OPENSSL_cleanse(pw, strlen(pw));
		free(pw);
	}
	return out;
}

/* Copies msg into buf (size n) on one line, without trailing whitespace. */
static void
one_line(char *buf, size_t n, const char *msg)
{
	size_t len = 0;

	if (msg == NULL)
		msg = "";
	/* Runs of whitespace (newlines included) become one space. */
	for (const char *p = msg; *p && len + 1 < n; p++) {
		if (isspace((unsigned char)*p)) {
			if (len > 0 && buf[len - 1] != ' ')
				buf[len++] = ' ';
		} else {
			buf[len++] = *p;
		}
	}
	while (len > 0 && buf[len - 1] == ' ')
		len--;
	buf[len] = '\0';
}

void
pgconn_finish(PGconn *conn)
{
	if (conn != NULL)
		PQfinish(conn);
}

const char *
pgconn_error(PGconn *conn)
{
	static _Thread_local char buf[1024];

	one_line(buf, sizeof buf, PQerrorMessage(conn));
	if (buf[0] == '\0')
		snprintf(buf, sizeof buf, "unknown error");
	return buf;
}

char *
pgconn_result_error(const PGresult *res)
{
	const char *prim = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *det = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	char *s, buf[2048];

	if (prim == NULL)
		prim = PQresultErrorMessage(res);
	if (prim == NULL || *prim == '\0')
		prim = PQresStatus(PQresultStatus(res));
	s = det ? xasprintf("%s (%s)", prim, det) : xstrdup(prim);
	if (hint) {
		char *t = xasprintf("%s; hint: %s", s, hint);
		free(s);
		s = t;
	}
	one_line(buf, sizeof buf, s);
	free(s);
	return xstrdup(buf);
}

int
pgconn_is_transient(PGconn *conn, const PGresult *res)
{
	const char *state;

	if (conn != NULL && PQstatus(conn) == CONNECTION_BAD)
		return 1;
	if (res == NULL)
		return 0;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state == NULL)
		return 0;
	return !strncmp(state, "08", 2) || !strncmp(state, "53", 2) ||
	       !strncmp(state, "57P0", 4);
}

int
pgconn_is_lock_timeout(const PGresult *res)
{
	const char *state =
		res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return state != NULL && strcmp(state, "55P03") == 0;
}

/* Set by pgconn_on_lock_timeout(); does not return. */
static void (*lock_timeout_fn)(PGconn *conn);

void
pgconn_on_lock_timeout(void (*fn)(PGconn *conn))
{
	lock_timeout_fn = fn;
}

static void
notice_processor(void *arg, const char *message)
{
	char buf[2048];

	one_line(buf, sizeof buf, message);
	warnmsg("%s", buf);
}

/* Failures a retry will not cure: the configuration is wrong. */
static const char *const config_errors[] = {
	"password authentication failed", "authentication failed",
	"no password supplied", "password is required", "no pg_hba.conf entry",
	"does not exist", /* database, role */
	"permission denied", "must have connect", "not permitted to log in",
	"server does not support SSL", "SSL is not enabled on the server",
	"sslmode value", "certificate",
	"invalid connection option", "invalid sslmode", "invalid port",
	"invalid integer value", "invalid URI", "invalid percent-encoded",
	"missing \"=\"", "unterminated quoted string",
	"GSSAPI", "channel binding", "SCRAM", "unsupported frontend protocol",
};

/* Failures that mean "the server is not there or busy now". */
static const char *const busy_errors[] = {
	"too many clients", "too many connections",
	"remaining connection slots", "starting up", "shutting down",
	"in recovery mode", "not yet accepting connections",
	"Connection refused", "could not connect", "timeout expired",
	"Connection timed out", "No route to host", "Network is unreachable",
	"could not translate host name", "Temporary failure in name resolution",
	"server closed the connection unexpectedly", "Connection reset",
};

int
pgconn_classify(const char *msg, PGPing ping)
{
	if (msg == NULL)
		msg = "";
	for (size_t i = 0; i < sizeof config_errors / sizeof config_errors[0]; i++)
		if (strcasestr(msg, config_errors[i]))
			return EXIT_FAIL;
	for (size_t i = 0; i < sizeof busy_errors / sizeof busy_errors[0]; i++)
		if (strcasestr(msg, busy_errors[i]))
			return EXIT_TEMPFAIL;
	return ping == PQPING_NO_RESPONSE || ping == PQPING_REJECT
	               ? EXIT_TEMPFAIL
	               : EXIT_FAIL;
}

PGconn *
pgconn_connect(const char *conninfo)
{
	return pgconn_connect_db(conninfo, NULL);
}

char *
pgconn_dbname(const char *conninfo)
{
	char *norm = conninfo ? pgconn_normalize(conninfo) : NULL;
	char *db = NULL;

	if (norm != NULL && strchr(norm, '=') == NULL && strstr(norm, "://") == NULL) {
		/* A bare name is the database's, as libpq takes it. */
		db = *norm ? xstrdup(norm) : NULL;
		free(norm);
		norm = NULL;
	}
	if (norm != NULL) {
		PQconninfoOption *opts = PQconninfoParse(norm, NULL);
		for (PQconninfoOption *o = opts; o && o->keyword; o++)
			if (strcmp(o->keyword, "dbname") == 0 && o->val && *o->val)
				db = xstrdup(o->val);
		PQconninfoFree(opts);
		OPENSSL_cleanse(norm, strlen(norm));
		free(norm);
	}
	if (db == NULL && getenv("PGDATABASE") && *getenv("PGDATABASE"))
		db = xstrdup(getenv("PGDATABASE"));
	return db;
}

PGconn *
pgconn_connect_db(const char *conninfo, const char *dbname)
{
	const char *keys[4], *vals[4];
	char *norm = conninfo ? pgconn_normalize(conninfo) : NULL;
	PGconn *conn;
	int n = 0;

	keys[n] = "application_name";
	vals[n++] = err_progname();
	if (norm) {
		keys[n] = "dbname";
		vals[n++] = norm;
	}
	if (dbname) {
		keys[n] = "dbname";
		vals[n++] = dbname;
	}
	keys[n] = NULL;
	vals[n] = NULL;
	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL)
		die(EXIT_FAIL, "cannot connect: out of memory");
	if (PQstatus(conn) != CONNECTION_OK) {
		const char *db = PQdb(conn);
		char *pw = norm ? find_password(norm) : NULL;
		char *msg = replace_secret(pgconn_error(conn), pw);
		PGPing ping = PQpingParams(keys, vals, 1);
		int code = pgconn_classify(msg, ping);

		if (PQconnectionNeedsPassword(conn))
			code = EXIT_FAIL;
		if (pw) {
			OPENSSL_cleanse(pw, strlen(pw));
			free(pw);
		}
		if (norm) {
			OPENSSL_cleanse(norm, strlen(norm));
			free(norm);
		}
		if (db != NULL && *db != '\0') {
			char *d = xstrdup(db);

			PQfinish(conn);
			die(code, "cannot connect to \"%s\": %s", d, msg);
		}
		PQfinish(conn);
		die(code, "cannot connect to the database: %s", msg);
	}
	if (norm) {
		OPENSSL_cleanse(norm, strlen(norm));
		free(norm);
	}
	PQsetNoticeProcessor(conn, notice_processor, NULL);
	cancel_watch(conn);
	return conn;
}

void
pgconn_close(PGconn *conn)
{
	cancel_unwatch(conn);
	PQfinish(conn);
}

static PGresult *
check_result(PGconn *conn, PGresult *res, const char *what)
{
	ExecStatusType st = PQresultStatus(res);
	char *msg;
	int code;

	if (res != NULL && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK))
		return res;
	if (lock_timeout_fn != NULL && pgconn_is_lock_timeout(res)) {
		PQclear(res);
		lock_timeout_fn(conn);
		res = NULL;
	}
	if (res == NULL)
		msg = xstrdup(pgconn_error(conn));
	else
		msg = pgconn_result_error(res);
	code = pgconn_is_transient(conn, res) || pgconn_is_lock_timeout(res)
	               ? EXIT_TEMPFAIL
	               : EXIT_FAIL;
	PQclear(res);
	die(code, "%s: %s", what, msg);
}

PGresult *
pgconn_exec(PGconn *conn, const char *what, const char *sql)
{
	return check_result(conn, PQexec(conn, sql), what);
}

void
pgconn_command(PGconn *conn, const char *what, const char *sql)
{
	PQclear(pgconn_exec(conn, what, sql));
}

PGresult *
pgconn_exec1(PGconn *conn, const char *what, const char *sql,
             const char *param)
{
	const char *params[1] = {param};

	return check_result(
		conn, PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0),
		what);
}

PGresult *
pgconn_execv(PGconn *conn, const char *what, const char *sql, int nparams,
             const char *const *params)
{
	return pgconn_exec_typed(conn, what, sql, nparams, NULL, params);
}

PGresult *
pgconn_exec_typed(PGconn *conn, const char *what, const char *sql,
                  int nparams, const Oid *types, const char *const *params)
{
	return check_result(conn,
	                    PQexecParams(conn, sql, nparams, types, params, NULL,
	                                 NULL, 0),
	                    what);
}

char *
pgconn_quote_ident(const char *ident)
{
	size_t n = strlen(ident);
	char *out = xmalloc(2 * n + 3), *o = out;

	*o++ = '"';
	for (const char *p = ident; *p; p++) {
		if (*p == '"')
			*o++ = '"';
		*o++ = *p;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

char *
pgconn_quote_qualified(const char *schema, const char *name)
{
	char *s = pgconn_quote_ident(schema), *n = pgconn_quote_ident(name);
	char *q = xasprintf("%s.%s", s, n);

	free(s);
	free(n);
	return q;
}

char *
pgconn_quote_literal(const char *lit)
{
	size_t n = strlen(lit);
	char *out = xmalloc(2 * n + 4), *o = out;

	if (strchr(lit, '\\'))
		*o++ = 'E';
	*o++ = '\'';
	for (const char *p = lit; *p; p++) {
		if (*p == '\'' || *p == '\\')
			*o++ = *p;
		*o++ = *p;
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

char **
pgconn_child_env(PGconn *conn)
{
	PQconninfoOption *opts = PQconninfo(conn), *defs = PQconndefaults();
	size_t n = 0, cap = 16;
	char **env;

	if (opts == NULL || defs == NULL)
		die(EXIT_FAIL, "cannot read the connection settings: out of memory");
	for (char **e = environ; *e; e++)
		cap++;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		cap++;
	env = xcalloc(cap, sizeof *env);
	for (char **e = environ; *e; e++) {
		int drop = 0;

		/* Drop every variable libpq reads; conn's values follow. */
		for (PQconninfoOption *o = defs; o->keyword && !drop; o++) {
			size_t l;

			if (o->envvar == NULL)
				continue;
			l = strlen(o->envvar);
			drop = !strncmp(*e, o->envvar, l) && (*e)[l] == '=';
		}
		if (!drop && !strncmp(*e, "PGSERVICE=", 10))
			drop = 1;
		if (!drop)
			env[n++] = xstrdup(*e);
	}
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (o->envvar == NULL || o->val == NULL || o->val[0] == '\0')
			continue;
		if (!strcmp(o->keyword, "application_name"))
			continue;
		env[n++] = xasprintf("%s=%s", o->envvar, o->val);
	}
	env[n] = NULL;
	PQconninfoFree(opts);
	PQconninfoFree(defs);
	return env;
}

void
pgconn_free_env(char **env)
{
	if (env == NULL)
		return;
	for (char **e = env; *e; e++) {
		OPENSSL_cleanse(*e, strlen(*e));
		free(*e);
	}
	free(env);
}
