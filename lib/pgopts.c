/* pgopts.c: pg_dump's connection options; see pgopts.h. */
#include "pgopts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <openssl/crypto.h>

#include "err.h"
#include "pgconn.h"
#include "xalloc.h"

int
pgopts_option(struct pgopts *o, int c, char *arg)
{
	char *end;
	long port;

	switch (c) {
	case 'd':
		o->dbname = arg;
		return 1;
	case 'h':
		o->host = arg;
		return 1;
	case 'p':
		port = strtol(arg, &end, 10);
		if (end == arg || *end != '\0' || port < 1 || port > 65535)
			die_usage("invalid port: '%s' (1-65535)", arg);
		o->port = arg;
		return 1;
	case 'U':
		o->user = arg;
		return 1;
	}
	return 0;
}

int
pgopts_is_help(int c, char *const argv[])
{
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;

	return c == '?' && optopt == 0 && arg != NULL &&
	       strncmp(arg, "--", 2) != 0;
}

void
pgopts_default(int c, char *const argv[], const char *optstring,
               void (*usage)(void))
{
	if (c == PGOPTS_VERSION)
		print_version();
	if (c == PGOPTS_HELP || pgopts_is_help(c, argv)) {
		usage();
		finish_stdout();
		exit(EXIT_OK);
	}
	die_bad_option(optstring, argv);
}

/* True when s is a conninfo or a URL rather than a bare database name. */
static int
is_conninfo(const char *s)
{
	char *norm = pgconn_normalize(s);
	int yes = strncmp(norm, "postgresql://", 13) == 0 ||
	          strchr(s, '=') != NULL;

	free(norm);
	return yes;
}

/* Overwrites s[0..n) with 'x'. */
static size_t
blank(char *s, size_t n)
{
	memset(s, 'x', n);
	return n;
}

/* The password of a URL: user:PASSWORD@ and ?...password=... */
static size_t
hide_url(char *s, char *auth)
{
	size_t alen = strcspn(auth, "/?#"), n = 0;
	char *at = NULL, *q;

	for (char *c = auth; c < auth + alen; c++)
		if (*c == '@')
			at = c;
	if (at != NULL) {
		char *colon = memchr(auth, ':', (size_t)(at - auth));

		if (colon != NULL)
			n += blank(colon + 1, (size_t)(at - colon - 1));
	}
	q = strchr(s, '?');
	while (q != NULL) {
		q++;
		if (strncmp(q, "password=", 9) == 0)
			n += blank(q + 9, strcspn(q + 9, "&#"));
		q = strchr(q, '&');
	}
	return n;
}

/* The password of a keyword/value conninfo: password=VALUE or ='VALUE'. */
static size_t
hide_keywords(char *s)
{
	size_t n = 0;
	char *p = s;

	while (*p) {
		char *key, *v;
		size_t klen;
		int is_pw;

		while (isspace((unsigned char)*p))
			p++;
		key = p;
		while (*p && *p != '=' && !isspace((unsigned char)*p))
			p++;
		klen = (size_t)(p - key);
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=')
			break; /* not a conninfo libpq would take */
		p++;
		while (isspace((unsigned char)*p))
			p++;
		is_pw = klen == 8 && strncmp(key, "password", 8) == 0;
		if (*p == '\'') {
			v = ++p;
			while (*p && *p != '\'') {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			if (is_pw)
				n += blank(v, (size_t)(p - v));
			if (*p)
				p++;
		} else {
			v = p;
			while (*p && !isspace((unsigned char)*p)) {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			if (is_pw)
				n += blank(v, (size_t)(p - v));
		}
	}
	return n;
}

size_t
pgopts_hide_password(char *s)
{
	char *sep = strstr(s, "://");
	size_t i;

	if (sep != NULL) {
		/* A scheme is letters, digits, '+', '-' and '.' only. */
		for (i = 0; s + i < sep; i++)
			if (!isalnum((unsigned char)s[i]) && !strchr("+-.", s[i]))
				break;
		if (i > 0 && s + i == sep)
			return hide_url(s, sep + 3);
	}
	if (strchr(s, '=') != NULL)
		return hide_keywords(s);
	return 0;
}

void
pgopts_finish(struct pgopts *o, int argc, char *argv[])
{
	if (argc > 1)
		die_usage("unexpected argument: '%s' (one database name at most)",
		          argv[1]);
	if (argc == 1) {
		if (o->dbname != NULL)
			die_usage("the database is given twice: by -d and by an "
			          "operand");
		o->dbname = argv[0];
	}
	if (o->dbname != NULL) {
		o->dbname_copy = xstrdup(o->dbname);
		pgopts_hide_password(o->dbname);
	}
}

struct kv {
	const char *key;
	const char *val;
};

/* Sets key to val in the list kv[0..*n), appending it when new. */
static void
kv_set(struct kv *kv, size_t *n, const char *key, const char *val)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(kv[i].key, key) == 0) {
			kv[i].val = val;
			return;
		}
	kv[*n].key = key;
	kv[(*n)++].val = val;
}

/* Appends key='val' (quotes and backslashes escaped) to the string *out. */
static void
append_kv(char **out, const char *key, const char *val)
{
	size_t len = *out ? strlen(*out) : 0;
	size_t need = len + strlen(key) + 2 * strlen(val) + 5;
	char *o;

	*out = xreallocarray(*out, need, 1);
	o = *out + len;
	if (len > 0)
		*o++ = ' ';
	o = stpcpy(o, key);
	*o++ = '=';
	*o++ = '\'';
	for (const char *p = val; *p; p++) {
		if (*p == '\'' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '\'';
	*o = '\0';
}

char *
pgopts_conninfo(const struct pgopts *o)
{
	const char *db = o->dbname_copy ? o->dbname_copy : o->dbname;
	const char *base = NULL, *name = NULL, *env;
	PQconninfoOption *parsed = NULL;
	struct kv kv[128];
	size_t n = 0;
	char *out = NULL;
	int from_env = 0;

	if (db != NULL && is_conninfo(db)) {
		base = db;
	} else {
		name = db;
		env = getenv("DATABASE_URL");
		if (env != NULL && *env != '\0') {
			base = env;
			from_env = 1;
		}
	}
	if (base != NULL) {
		char *norm = pgconn_normalize(base), *errmsg = NULL;

		parsed = PQconninfoParse(norm, &errmsg);
		OPENSSL_cleanse(norm, strlen(norm));
		free(norm);
		if (parsed == NULL) {
			char *why = errmsg ? xstrdup(errmsg) : xstrdup("out of memory");
			size_t l = strlen(why);

			PQfreemem(errmsg);
			while (l > 0 && (why[l - 1] == '\n' || why[l - 1] == ' '))
				why[--l] = '\0';
			if (from_env)
				die(EXIT_FAIL, "invalid DATABASE_URL: %s", why);
			die(EXIT_FAIL, "invalid connection string: %s", why);
		}
		for (PQconninfoOption *p = parsed; p->keyword; p++)
			if (p->val != NULL && p->val[0] != '\0' &&
			    n < sizeof kv / sizeof kv[0] - 4)
				kv_set(kv, &n, p->keyword, p->val);
	}
	if (name != NULL)
		kv_set(kv, &n, "dbname", name);
	if (o->host != NULL)
		kv_set(kv, &n, "host", o->host);
	if (o->port != NULL)
		kv_set(kv, &n, "port", o->port);
	if (o->user != NULL)
		kv_set(kv, &n, "user", o->user);
	for (size_t i = 0; i < n; i++)
		append_kv(&out, kv[i].key, kv[i].val);
	if (parsed != NULL) {
		for (PQconninfoOption *p = parsed; p->keyword; p++)
			if (p->val != NULL)
				OPENSSL_cleanse(p->val, strlen(p->val));
		PQconninfoFree(parsed);
	}
	return out;
}

void
pgopts_free(char *conninfo)
{
	if (conninfo == NULL)
		return;
	OPENSSL_cleanse(conninfo, strlen(conninfo));
	free(conninfo);
}

void
pgopts_clear(struct pgopts *o)
{
	pgopts_free(o->dbname_copy);
	o->dbname_copy = NULL;
}
