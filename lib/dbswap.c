/* dbswap.c: staging databases and the swap of srestore -j; see dbswap.h. */
#include "dbswap.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cancel.h"
#include "err.h"
#include "monotime.h"
#include "pgconn.h"
#include "xalloc.h"

/* pg_try_advisory_lock(key, hashtext(NAME)): "sbrs" */
#define LOCK_CLASS "1935831667"

static struct dbswap *active; /* whose staging database exit drops */

static char *
qi(const char *s)
{
	return pgconn_quote_ident(s);
}

/* SET ROLE d->role on the admin session, if any; dies on failure. */
static void
set_role(struct dbswap *d)
{
	char *r, *sql;

	if (d->role == NULL)
		return;
	r = qi(d->role);
	sql = xasprintf("SET ROLE %s", r);
	pgconn_command(d->admin, "--role: cannot SET ROLE", sql);
	free(sql);
	free(r);
}

/* Runs sql on the admin session; dies (exit 1 or 75) on failure. */
static void
admin_command(struct dbswap *d, const char *what, const char *sql)
{
	pgconn_command(d->admin, what, sql);
}

static void
drop_at_exit(void)
{
	struct dbswap *d = active;
	char *q, *sql;
	PGresult *res;

	if (d == NULL || !d->staging_made)
		return;
	d->staging_made = false;
	if (PQstatus(d->admin) != CONNECTION_OK) {
		PQreset(d->admin);
		if (PQstatus(d->admin) == CONNECTION_OK && d->role) {
			char *r = qi(d->role), *set = xasprintf("SET ROLE %s", r);
			PQclear(PQexec(d->admin, set));
			free(set);
			free(r);
		}
	}
	if (PQstatus(d->admin) != CONNECTION_OK) {
		fprintf(stderr, "%s: cannot drop the staging database \"%s\": %s "
		        "(the next run with -j drops it)\n", err_progname(),
		        d->staging, pgconn_error(d->admin));
		return;
	}
	while ((res = PQgetResult(d->admin)) != NULL)
		PQclear(res);
	if (PQtransactionStatus(d->admin) != PQTRANS_IDLE)
		PQclear(PQexec(d->admin, "ROLLBACK"));
	q = qi(d->staging);
	if (PQserverVersion(d->admin) >= 130000) {
		sql = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", q);
	} else {
		char *lit = pgconn_quote_literal(d->staging);
		PQclear(PQexec(d->admin, (sql = xasprintf(
			"SELECT pg_catalog.pg_terminate_backend(pid) FROM "
			"pg_catalog.pg_stat_activity WHERE datname = %s", lit))));
		free(sql);
		free(lit);
		sleep(1);
		sql = xasprintf("DROP DATABASE IF EXISTS %s", q);
	}
	res = PQexec(d->admin, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		char *msg = pgconn_result_error(res);
		fprintf(stderr, "%s: cannot drop the staging database \"%s\": %s "
		        "(the next run with -j drops it)\n", err_progname(), d->staging, msg);
		free(msg);
	}
	PQclear(res);
	free(sql);
	free(q);
}

/* True when the database is there; *owner_ok whether we may replace it. */
static bool
db_exists(struct dbswap *d, const char *name, bool *owner_ok)
{
	PGresult *res = pgconn_exec1(
		d->admin, "cannot read the server's databases",
		"SELECT pg_catalog.pg_has_role(d.datdba, 'MEMBER'), "
		"pg_catalog.pg_get_userbyid(d.datdba) FROM pg_catalog.pg_database d "
		"WHERE d.datname = $1", name);
	bool there = PQntuples(res) > 0;

	if (owner_ok)
		*owner_ok = there && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return there;
}

static bool
try_lock(struct dbswap *d, const char *name)
{
	PGresult *res = pgconn_exec1(d->admin, "cannot take the advisory lock",
	                             "SELECT pg_catalog.pg_try_advisory_lock(" LOCK_CLASS
	                             ", pg_catalog.hashtext($1))", name);
	bool ok = PQgetvalue(res, 0, 0)[0] == 't';

	PQclear(res);
	return ok;
}

static void
unlock(struct dbswap *d, const char *name)
{
	PQclear(pgconn_exec1(d->admin, "cannot release the advisory lock",
	                     "SELECT pg_catalog.pg_advisory_unlock(" LOCK_CLASS
	                     ", pg_catalog.hashtext($1))", name));
}

/* Drops the databases earlier runs left, where nothing is connected. */
static void
remove_stale(struct dbswap *d, bool progress)
{
	PGresult *res = pgconn_exec(
		d->admin, "cannot read the server's databases",
		"SELECT d.datname, pg_catalog.shobj_description(d.oid, 'pg_database'), "
		"(SELECT count(*) FROM pg_catalog.pg_stat_activity a WHERE a.datid = d.oid) "
		"FROM pg_catalog.pg_database d "
		"WHERE pg_catalog.shobj_description(d.oid, 'pg_database') LIKE 'strongbox % database %' "
		"AND pg_catalog.pg_has_role(d.datdba, 'MEMBER')");

	for (int i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		char *for_target = NULL, *q, *sql;
		enum stagename_kind k = stagename_parse_marker(PQgetvalue(res, i, 1), &for_target);
		bool mine = for_target && strcmp(for_target, d->target) == 0;

		char expect[STAGENAME_MAX + 1];

		/* Only names this file makes for that target. */
		if (k == STAGENAME_STAGING)
			stagename_staging(for_target, expect);
		if (k == STAGENAME_NONE ||
		    (k == STAGENAME_STAGING && strcmp(name, expect) != 0) ||
		    (k == STAGENAME_REPLACED && !stagename_is_old(for_target, name)) ||
		    atol(PQgetvalue(res, i, 2)) > 0 ||
		    (!mine && !try_lock(d, for_target))) {
			free(for_target);
			continue;
		}
		q = qi(name);
		sql = xasprintf("DROP DATABASE IF EXISTS %s", q);
		{
			PGresult *r = PQexec(d->admin, sql);
			if (PQresultStatus(r) == PGRES_COMMAND_OK) {
				if (progress)
					fprintf(stderr, "%s: dropped the %s database \"%s\" an earlier run left\n",
					        err_progname(), k == STAGENAME_STAGING ? "staging" : "replaced",
					        name);
			} else {
				char *msg = pgconn_result_error(r);
				warnmsg("cannot drop \"%s\", left by an earlier run: %s", name, msg);
				free(msg);
			}
			PQclear(r);
		}
		if (!mine)
			unlock(d, for_target);
		free(sql);
		free(q);
		free(for_target);
	}
	PQclear(res);
}

void
dbswap_begin(struct dbswap *d, const char *conninfo, const char *role, bool progress)
{
	char *db = pgconn_dbname(conninfo);
	PGresult *res;
	bool owner_ok;

	memset(d, 0, sizeof *d);
	d->conninfo = conninfo;
	d->role = role;
	d->admin = pgconn_connect_db(conninfo, db && strcmp(db, "postgres") == 0
	                                           ? "template1" : "postgres");
	d->target = db ? db : xstrdup(PQuser(d->admin));
	pgconn_command(d->admin, "cannot set up the session",
	               "SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0; "
	               "SET client_min_messages = warning");
	set_role(d);
	res = pgconn_exec(d->admin, "cannot read the role's privileges",
	                  "SELECT r.rolcreatedb OR r.rolsuper, current_user "
	                  "FROM pg_catalog.pg_roles r WHERE r.rolname = current_user");
	if (PQntuples(res) != 1 || PQgetvalue(res, 0, 0)[0] != 't') {
		char *who = xstrdup(PQntuples(res) ? PQgetvalue(res, 0, 1) : "?");
		PQclear(res);
		die(EXIT_FAIL, "-j needs the CREATEDB privilege, which role \"%s\" lacks "
		    "(it restores into a new database beside \"%s\")", who, d->target);
	}
	PQclear(res);
	d->exists = db_exists(d, d->target, &owner_ok);
	if (d->exists && !owner_ok)
		die(EXIT_FAIL, "-j replaces database \"%s\", which only its owner "
		    "(or a superuser) may do", d->target);
	if (!try_lock(d, d->target))
		die(EXIT_TEMPFAIL, "another run with -j is restoring into \"%s\"", d->target);
	active = d;
	remove_stale(d, progress);
}

void
dbswap_create_staging(struct dbswap *d, const char *encoding)
{
	char *q, *sql, *lit, *mark;
	static bool registered;

	stagename_staging(d->target, d->staging);
	if (db_exists(d, d->staging, NULL))
		die(EXIT_TEMPFAIL, "the staging database \"%s\" exists and is in use",
		    d->staging);
	q = qi(d->staging);
	if (d->exists) {
		int v = PQserverVersion(d->admin);
		const char *loc = v >= 170000 ? "d.datlocale" : v >= 150000 ? "d.daticulocale" : "NULL";
		const char *prov = v >= 150000 ? "d.datlocprovider" : "'c'";
		const char *rules = v >= 160000 ? "d.daticurules" : "NULL";
		char *qsql = xasprintf(
			"SELECT pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, "
			"d.datctype, %s::text, %s::text, t.spcname, %s::text "
			"FROM pg_catalog.pg_database d LEFT JOIN pg_catalog.pg_tablespace t "
			"ON t.oid = d.dattablespace AND t.oid <> (SELECT z.dattablespace "
			"FROM pg_catalog.pg_database z WHERE z.datname = 'template0') "
			"WHERE d.datname = $1", prov, loc, rules);
		PGresult *res = pgconn_exec1(d->admin, "cannot read the target database",
		                             qsql, d->target);
		char *e, *c, *t, *ts, *l;
		/* The provider: template0's would apply where none is named. */
		char p = PQgetvalue(res, 0, 3)[0];

		free(qsql);
		if (PQntuples(res) != 1)
			die(EXIT_FAIL, "database \"%s\" disappeared", d->target);
		e = pgconn_quote_literal(PQgetvalue(res, 0, 0));
		c = pgconn_quote_literal(PQgetvalue(res, 0, 1));
		t = pgconn_quote_literal(PQgetvalue(res, 0, 2));
		/*
		 * TABLESPACE only when it is not template0's (pg_default): naming
		 * it needs CREATE on it, which a role with CREATEDB lacks there.
		 */
		if (PQgetisnull(res, 0, 5)) {
			ts = xstrdup("");
		} else {
			char *n = qi(PQgetvalue(res, 0, 5));
			ts = xasprintf(" TABLESPACE %s", n);
			free(n);
		}
		l = pgconn_quote_literal(PQgetvalue(res, 0, 4));
		if (p == 'i' && !PQgetisnull(res, 0, 6)) {
			char *r = pgconn_quote_literal(PQgetvalue(res, 0, 6));
			sql = xasprintf("CREATE DATABASE %s TEMPLATE template0 ENCODING %s "
			                "LC_COLLATE %s LC_CTYPE %s LOCALE_PROVIDER icu ICU_LOCALE %s "
			                "ICU_RULES %s%s", q, e, c, t, l, r, ts);
			free(r);
		} else if (p == 'i') {
			sql = xasprintf("CREATE DATABASE %s TEMPLATE template0 ENCODING %s "
			                "LC_COLLATE %s LC_CTYPE %s LOCALE_PROVIDER icu ICU_LOCALE %s%s",
			                q, e, c, t, l, ts);
		} else if (p == 'b') {
			sql = xasprintf("CREATE DATABASE %s TEMPLATE template0 ENCODING %s "
			                "LC_COLLATE %s LC_CTYPE %s LOCALE_PROVIDER builtin "
			                "BUILTIN_LOCALE %s%s", q, e, c, t, l, ts);
		} else {
			sql = xasprintf("CREATE DATABASE %s TEMPLATE template0 ENCODING %s "
			                "LC_COLLATE %s LC_CTYPE %s%s%s", q, e, c, t,
			                v >= 150000 ? " LOCALE_PROVIDER libc" : "", ts);
		}
		free(l);
		free(e);
		free(c);
		free(t);
		free(ts);
		PQclear(res);
	} else if (encoding && *encoding) {
		lit = pgconn_quote_literal(encoding);
		sql = xasprintf("CREATE DATABASE %s TEMPLATE template0 ENCODING %s", q, lit);
		free(lit);
	} else {
		sql = xasprintf("CREATE DATABASE %s TEMPLATE template0", q);
	}
	if (!registered) {
		atexit(drop_at_exit);
		registered = true;
	}
	d->staging_made = true;
	admin_command(d, "cannot create the staging database", sql);
	free(sql);
	mark = stagename_marker(STAGENAME_STAGING, d->target);
	lit = pgconn_quote_literal(mark);
	sql = xasprintf("COMMENT ON DATABASE %s IS %s; "
	                "REVOKE CONNECT, TEMPORARY ON DATABASE %s FROM PUBLIC", q, lit, q);
	admin_command(d, "cannot mark the staging database", sql);
	free(sql);
	free(lit);
	free(mark);
	free(q);
}

/* A setting's value as ALTER ... SET takes it: list settings element-wise. */
static char *
setting_value(const char *name, const char *value)
{
	static const char *lists[] = {"search_path", "temp_tablespaces",
	                              "session_preload_libraries",
	                              "local_preload_libraries",
	                              "shared_preload_libraries", NULL};
	bool list = false;
	char *out = NULL;

	for (int i = 0; lists[i]; i++)
		list |= strcmp(name, lists[i]) == 0;
	if (!list)
		return pgconn_quote_literal(value);
	for (const char *p = value; *p;) {
		char *elem, *lit, *n;
		size_t len = 0;
		while (*p == ' ')
			p++;
		elem = xmalloc(strlen(p) + 1);
		if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
				if (*p == '"')
					p++;
				elem[len++] = *p;
			}
			if (*p == '"')
				p++;
		} else {
			while (*p && *p != ',')
				elem[len++] = *p++;
			while (len > 0 && elem[len - 1] == ' ')
				len--;
		}
		elem[len] = '\0';
		while (*p == ' ')
			p++;
		if (*p == ',')
			p++;
		lit = pgconn_quote_literal(elem);
		n = out ? xasprintf("%s, %s", out, lit) : xstrdup(lit);
		free(out);
		free(lit);
		free(elem);
		out = n;
	}
	return out ? out : xstrdup("''");
}

/* NAME's properties, as statements applied to the database called q. */
static char *
carry_over(struct dbswap *d, const char *q)
{
	PGresult *res;
	char *sql = xstrdup(""), *n;

#define ADD(...)                                      \
	do {                                              \
		char *s_ = xasprintf(__VA_ARGS__);            \
		n = xasprintf("%s%s; ", sql, s_);             \
		free(s_);                                     \
		free(sql);                                    \
		sql = n;                                      \
	} while (0)

	if (!d->exists) {
		/* A new database: as CREATE DATABASE makes it, without our mark. */
		ADD("COMMENT ON DATABASE %s IS NULL", q);
		ADD("GRANT CONNECT, TEMPORARY ON DATABASE %s TO PUBLIC", q);
		return sql;
	}
	res = pgconn_exec1(d->admin, "cannot read the target database",
	                   "SELECT pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(d.datdba)), "
	                   "d.datconnlimit, pg_catalog.shobj_description(d.oid, 'pg_database'), "
	                   "d.datacl IS NULL FROM pg_catalog.pg_database d WHERE d.datname = $1",
	                   d->target);
	if (PQntuples(res) != 1)
		die(EXIT_FAIL, "database \"%s\" disappeared", d->target);
	ADD("ALTER DATABASE %s OWNER TO %s", q, PQgetvalue(res, 0, 0));
	ADD("ALTER DATABASE %s CONNECTION LIMIT %s", q, PQgetvalue(res, 0, 1));
	if (PQgetisnull(res, 0, 2)) {
		ADD("COMMENT ON DATABASE %s IS NULL", q);
	} else {
		char *lit = pgconn_quote_literal(PQgetvalue(res, 0, 2));
		ADD("COMMENT ON DATABASE %s IS %s", q, lit);
		free(lit);
	}
	if (PQgetvalue(res, 0, 3)[0] == 't') {
		/* The default privileges, which the staging database lost. */
		ADD("GRANT CONNECT, TEMPORARY ON DATABASE %s TO PUBLIC", q);
	} else {
		PGresult *acl = pgconn_exec1(
			d->admin, "cannot read the target's privileges",
			"SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE "
			"pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END, "
			"a.privilege_type, a.is_grantable "
			"FROM pg_catalog.pg_database d, pg_catalog.aclexplode(d.datacl) a "
			"WHERE d.datname = $1",
			d->target);
		ADD("REVOKE ALL ON DATABASE %s FROM PUBLIC", q);
		ADD("REVOKE ALL ON DATABASE %s FROM %s", q, PQgetvalue(res, 0, 0));
		for (int i = 0; i < PQntuples(acl); i++)
			ADD("GRANT %s ON DATABASE %s TO %s%s", PQgetvalue(acl, i, 1), q,
			    PQgetvalue(acl, i, 0),
			    PQgetvalue(acl, i, 2)[0] == 't' ? " WITH GRANT OPTION" : "");
		PQclear(acl);
	}
	PQclear(res);
	res = pgconn_exec1(d->admin, "cannot read the target's settings",
	                   "SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE "
	                   "pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(s.setrole)) END, "
	                   "c.item FROM pg_catalog.pg_db_role_setting s "
	                   "JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase "
	                   "CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) c(item) "
	                   "WHERE d.datname = $1",
	                   d->target);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *item = PQgetvalue(res, i, 1), *eq = strchr(item, '=');
		char *name, *value;
		bool ok = eq != NULL && eq > item;

		if (!ok)
			continue;
		name = xstrndup(item, (size_t)(eq - item));
		for (const char *p = name; *p && ok; p++)
			ok = isalnum((unsigned char)*p) || *p == '_' || *p == '.';
		if (!ok) {
			warnmsg("setting \"%s\" of database \"%s\" not carried over", name,
			        d->target);
			free(name);
			continue;
		}
		value = setting_value(name, eq + 1);
		if (PQgetisnull(res, i, 0))
			ADD("ALTER DATABASE %s SET %s = %s", q, name, value);
		else
			ADD("ALTER ROLE %s IN DATABASE %s SET %s = %s", PQgetvalue(res, i, 0),
			    q, name, value);
		free(name);
		free(value);
	}
	PQclear(res);
#undef ADD
	return sql;
}

/*
 * The sessions connected to NAME or the staging database, for a message.
 * Autovacuum workers only with autovacuum: the server stops them itself
 * for a rename (all but those preventing wraparound), and one is often
 * analysing the tables just loaded; waiting for it cost seconds.
 */
static char *
sessions(struct dbswap *d, int *count, bool autovacuum)
{
	const char *p[3] = {d->target, d->staging, autovacuum ? "t" : "f"};
	PGresult *res = pgconn_execv(
		d->admin, "cannot read the server's sessions",
		"SELECT a.pid, a.datname, COALESCE(NULLIF(a.application_name, ''), "
		"CASE WHEN a.backend_type = 'autovacuum worker' THEN 'autovacuum' END), "
		"COALESCE(pg_catalog.host(a.client_addr), "
		"CASE WHEN a.client_port = -1 THEN 'local socket' END) "
		"FROM pg_catalog.pg_stat_activity a "
		"WHERE a.datname IN ($1, $2) AND a.pid <> pg_catalog.pg_backend_pid() "
		"AND ($3::bool OR a.backend_type IS DISTINCT FROM 'autovacuum worker') "
		"ORDER BY a.pid",
		3, p);
	char *out = NULL;

	*count = PQntuples(res);
	for (int i = 0; i < PQntuples(res); i++) {
		char *one, *n;
		const char *app = PQgetvalue(res, i, 2);
		one = xasprintf("pid %s on \"%s\" (application_name %s%s%s)",
		                PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		                PQgetisnull(res, i, 2) || !*app ? "unknown" : app,
		                PQgetisnull(res, i, 3) ? "" : ", client ",
		                PQgetisnull(res, i, 3) ? "" : PQgetvalue(res, i, 3));
		n = out ? xasprintf("%s, %s", out, one) : xstrdup(one);
		free(out);
		free(one);
		out = n;
	}
	PQclear(res);
	return out ? out : xstrdup("no session any more");
}

void
dbswap_wait_closed(struct dbswap *d, const int *pids, int n)
{
	char *list = xstrdup("{"), *more;
	double deadline = monotime_now() + 10;
	const char *p[1];

	for (int i = 0; i < n; i++) {
		more = xasprintf("%s%s%d", list, i ? "," : "", pids[i]);
		free(list);
		list = more;
	}
	more = xasprintf("%s}", list);
	free(list);
	list = more;
	p[0] = list;
	while (monotime_now() < deadline) {
		PGresult *res = pgconn_execv(d->admin, "cannot read the server's sessions",
		                             "SELECT count(*) FROM pg_catalog.pg_stat_activity "
		                             "WHERE pid = ANY ($1::int[])", 1, p);
		bool gone = atol(PQgetvalue(res, 0, 0)) == 0;

		PQclear(res);
		if (gone)
			break;
		cancel_check();
		usleep(20000);
	}
	free(list);
}

/* Runs sql; returns 1 when it failed because a session is connected. */
static int
swap_step(struct dbswap *d, const char *what, const char *sql)
{
	PGresult *res = PQexec(d->admin, sql);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		return 0;
	}
	if (state && strcmp(state, "55006") == 0) {
		PQclear(res);
		PQclear(PQexec(d->admin, "ROLLBACK"));
		return 1;
	}
	{
		char *msg = res ? pgconn_result_error(res) : xstrdup(pgconn_error(d->admin));
		int code = pgconn_is_transient(d->admin, res) ? EXIT_TEMPFAIL : EXIT_FAIL;
		PQclear(res);
		/* The swap's transaction, rolled back at exit. */
		die(code, "%s: %s; nothing was changed", what, msg);
	}
}

void
dbswap_swap(struct dbswap *d, long lock_timeout_ms, bool force, bool keep_old,
            bool progress)
{
	char *qt = qi(d->target), *qs = qi(d->staging), *qo, *props, *sql;
	double t0 = monotime_now(), deadline = t0 + lock_timeout_ms / 1000.0;
	time_t now = time(NULL);

	/*
	 * A free name for NAME after the swap: a run in the same second (a
	 * retry, a script) kept its database under the dated one.  Before
	 * anything changes; should another session take the name meanwhile,
	 * the rename fails and the transaction changes nothing.
	 */
	for (unsigned n = 1; d->exists; n++) {
		stagename_old(d->target, now, n, d->old);
		if (!db_exists(d, d->old, NULL))
			break;
		if (n == STAGENAME_OLD_TRIES) {
			char first[STAGENAME_MAX + 1];

			stagename_old(d->target, now, 1, first);
			die(EXIT_FAIL, "no free name for the replaced database: \"%s\" to "
			    "\"%s\" are taken; nothing was changed", first, d->old);
		}
	}
	if (!d->exists)
		stagename_old(d->target, now, 1, d->old);
	qo = qi(d->old);
	for (bool refused = false;;) {
		int busy = 0, n;
		char *who;

		cancel_check();
		/*
		 * The server waits up to 5 s for sessions to leave before a
		 * rename fails: look first, rename only when none is there.
		 */
		who = sessions(d, &n, refused);
		if (n > 0 && monotime_now() >= deadline) {
			char *msg = xasprintf("%s", who);
			free(who);
			die(EXIT_TEMPFAIL,
			    "cannot swap in the restored database: %d session%s connected "
			    "after waiting %ld ms: %s; nothing was changed%s", n,
			    n == 1 ? " stays" : "s stay", lock_timeout_ms, msg,
			    force ? "" : " (--force-disconnect terminates them)");
		}
		if (n > 0) {
			if (force) {
				const char *p[2] = {d->target, d->staging};
				warnmsg("terminating the sessions connected: %s", who);
				PQclear(pgconn_execv(d->admin, "cannot terminate the connected sessions",
				                     "SELECT pg_catalog.pg_terminate_backend(a.pid) "
				                     "FROM pg_catalog.pg_stat_activity a "
				                     "WHERE a.datname IN ($1, $2) "
				                     "AND a.pid <> pg_catalog.pg_backend_pid()",
				                     2, p));
			} else if (progress) {
				fprintf(stderr, "%s: waiting for %s\n", err_progname(), who);
			}
			free(who);
			usleep(force ? 100000 : 200000);
			continue;
		}
		free(who);
		admin_command(d, "cannot swap in the restored database", "BEGIN");
		/* NAME's properties, read before NAME is renamed away. */
		props = carry_over(d, qt);
		if (d->exists) {
			sql = xasprintf("ALTER DATABASE %s RENAME TO %s", qt, qo);
			busy = swap_step(d, "cannot rename the target database away", sql);
			free(sql);
		}
		if (!busy) {
			sql = xasprintf("ALTER DATABASE %s RENAME TO %s", qs, qt);
			busy = swap_step(d, "cannot rename the staging database", sql);
			free(sql);
		}
		if (busy) {
			/* Refused though none was listed: an autovacuum worker the
			 * server would not stop (wraparound) counts from now on. */
			refused = true;
			free(props);
			continue;
		}
		if (d->exists && !keep_old) {
			char *mark = stagename_marker(STAGENAME_REPLACED, d->target);
			char *lit = pgconn_quote_literal(mark);
			sql = xasprintf("%sCOMMENT ON DATABASE %s IS %s", props, qo, lit);
			free(mark);
			free(lit);
		} else {
			sql = xstrdup(props);
		}
		free(props);
		if (swap_step(d, "cannot carry the database's properties over", sql)) {
			free(sql);
			continue;
		}
		free(sql);
		if (cancel_requested()) {
			PQclear(PQexec(d->admin, "ROLLBACK"));
			cancel_exit();
		}
		admin_command(d, "cannot commit the swap", "COMMIT");
		d->staging_made = false;
		break;
	}
	d->swap_seconds = monotime_now() - t0;
	if (d->exists && keep_old) {
		warnmsg("the replaced database is kept as \"%s\"", d->old);
	} else if (d->exists) {
		PGresult *res;
		sql = xasprintf("DROP DATABASE %s", qo);
		res = PQexec(d->admin, sql);
		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			d->old_dropped = true;
		} else {
			char *msg = pgconn_result_error(res);
			warnmsg("cannot drop the replaced database \"%s\": %s (the next "
			        "run with -j drops it)", d->old, msg);
			free(msg);
		}
		PQclear(res);
		free(sql);
	}
	free(qt);
	free(qs);
	free(qo);
}

void
dbswap_end(struct dbswap *d)
{
	if (d->admin) {
		unlock(d, d->target);
		PQfinish(d->admin);
	}
	d->admin = NULL;
	if (active == d)
		active = NULL;
	free(d->target);
	d->target = NULL;
}
