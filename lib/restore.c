/* restore.c: the engine of srestore; see restore.h. */
#include "restore.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "cancel.h"
#include "child.h"
#include "duration.h"
#include "err.h"
#include "fdio.h"
#include "monotime.h"
#include "pgclient.h"
#include "pgconn.h"
#include "pglock.h"
#include "preobjects.h"
#include "progress.h"
#include "sqlscript.h"
#include "xalloc.h"

/* ---- table selection ---- */

static bool
pattern_matches(const char *pat, const char *schema, const char *name)
{
	const char *dot = strchr(pat, '.');

	if (dot == NULL)
		return fnmatch(pat, name, 0) == 0;
	{
		char *sp = xstrndup(pat, (size_t)(dot - pat));
		bool ok = fnmatch(sp, schema, 0) == 0 && fnmatch(dot + 1, name, 0) == 0;
		free(sp);
		return ok;
	}
}

bool *
restore_select(const struct manifest *m, char *const *patterns,
               size_t npatterns, char **why)
{
	bool *sel = xcalloc(m->ntables + 1, sizeof *sel);

	*why = NULL;
	for (size_t i = 0; i < m->ntables; i++)
		sel[i] = npatterns == 0;
	for (size_t p = 0; p < npatterns; p++) {
		bool any = false;
		for (size_t i = 0; i < m->ntables; i++)
			if (pattern_matches(patterns[p], m->tables[i].schema,
			                    m->tables[i].name))
				sel[i] = any = true;
		if (!any && *why == NULL)
			*why = xasprintf("no table of the archive matches \"%s\"",
			                 patterns[p]);
	}
	return sel;
}

char *
restore_copy_statement(const struct manifest_table *t, bool freeze)
{
	char *q = pgconn_quote_qualified(t->schema, t->name), *sql;
	size_t cap = strlen(q) + 64, len;
	char *cols = xstrdup("");

	len = 0;
	for (size_t i = 0; i < t->ncolumns; i++) {
		char *c = pgconn_quote_ident(t->columns[i].name);
		cap = len + strlen(c) + 4;
		cols = xreallocarray(cols, cap, 1);
		len += (size_t)sprintf(cols + len, "%s%s", i ? ", " : "", c);
		free(c);
	}
	if (t->ncolumns)
		sql = xasprintf("COPY %s (%s) FROM stdin%s", q, cols,
		                freeze ? " WITH (FREEZE)" : "");
	else
		sql = xasprintf("COPY %s FROM stdin%s", q,
		                freeze ? " WITH (FREEZE)" : "");
	free(q);
	free(cols);
	return sql;
}

/* ---- the restore ---- */

/* Something of the target set aside for a data-only load. */
struct aside {
	char *undo; /* the statement that puts it back */
	char *what; /* its failure's message */
};

struct restore {
	const struct restore_opts *o;
	PGconn *conn;
	struct archive_reader *r;
	const struct manifest *m;
	bool *selected;
	bool use_schema;   /* run pre-data and post-data */
	bool truncate;     /* data into existing tables */
	bool *freeze;      /* per table */
	long copying;      /* table in COPY, or -1 */
	uint64_t *loaded;  /* rows the server reported per table */
	bool *owned_skip;  /* unused sequences (selection) */
	struct aside *aside; /* foreign keys and triggers, in order */
	size_t naside;
	char *error;       /* why the callback stopped */
	int code;
	int server_version;
	char max_locks[32]; /* the setting, read before it is needed */
	/* timing */
	double t_start, t_connect, t_pre, t_data, t_seq, t_post, t_refresh,
		t_commit, t_wait_first, phase_start;
	uint64_t rows, bytes;
	size_t tables_loaded;
	char *pre_data; /* --dry-run: the pre-data script */
	bool progress;
	bool tty;       /* stderr is a terminal: one line, rewritten */
	bool line_open; /* a rewritten line waits for its end */
	double last_progress;
};

static int
stop(struct restore *st, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records why the restore stops; returns 1 for the reader callback. */
static int
stop(struct restore *st, int code, const char *fmt, ...)
{
	va_list ap;

	if (st->error != NULL)
		return 1;
	va_start(ap, fmt);
	st->error = xvasprintf(fmt, ap);
	va_end(ap);
	st->code = code;
	return 1;
}

/* A server error as one line, with the setting to raise when it is locks. */
static int
stop_server(struct restore *st, PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char *msg;
	int code;

	/* A lock not granted within --lock-timeout: roll back, name who holds it. */
	if (pgconn_is_lock_timeout(res) && st->copying < 0) {
		PQclear(res);
		pglock_die(st->conn, NULL, NULL);
	}
	msg = res ? pgconn_result_error(res) : xstrdup(pgconn_error(st->conn));
	code = pgconn_is_transient(st->conn, res) ? EXIT_TEMPFAIL : EXIT_FAIL;

	if (state && strcmp(state, "53200") == 0 &&
	    strstr(msg, "max_locks_per_transaction") != NULL) {
		free(msg);
		stop(st, EXIT_FAIL,
		     "%s: out of lock table space: one transaction restoring %zu "
		     "tables locks each of them; raise max_locks_per_transaction "
		     "(now %s) in postgresql.conf and restart the server",
		     what, st->m ? st->m->ntables : (size_t)0, st->max_locks);
		return 1;
	}
	if (state && strcmp(state, "2BP01") == 0 &&
	    PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) != NULL) {
		/* Not the server's "use CASCADE": that would drop them. */
		char *detail = xstrdup(PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
		for (char *p = detail; *p; p++)
			if (*p == '\n')
				*p = ';';
		stop(st, EXIT_FAIL,
		     "%s: objects outside the archive depend on it (%s): "
		     "drop or change them first", what, detail);
		free(detail);
		free(msg);
		return 1;
	}
	/*
	 * sdump -t writes pg_dump -t's pre-data: the tables, not the schemas,
	 * types, domains, sequences or functions they use.
	 */
	if (state && st->m && st->m->ntable_patterns > 0 &&
	    (strcmp(state, "3F000") == 0 || strcmp(state, "42704") == 0 ||
	     strcmp(state, "42883") == 0 || strcmp(state, "42P01") == 0)) {
		/* The tool that made it, as its manifest says ("sdump 0.2.0"). */
		const char *tool = st->m->tool ? st->m->tool : "";
		int toollen = (int)strcspn(tool, " ");

		stop(st, EXIT_FAIL,
		     "%s: %s; this is a -t archive (%.*s%s-t %s%s): its pre-data "
		     "holds the selected tables only, not the schemas, types, "
		     "domains, sequences or functions they use: restore into a "
		     "database that has them (e.g. made by the application's "
		     "migrations), or dump without -t", what, msg, toollen, tool,
		     toollen ? " " : "", st->m->table_patterns[0],
		     st->m->ntable_patterns > 1 ? " ..." : "");
		free(msg);
		return 1;
	}
	stop(st, code, "%s: %s", what, msg);
	free(msg);
	return 1;
}

/* Runs sql; returns 0, or stops the restore and returns 1. */
static int
run(struct restore *st, const char *what, const char *sql)
{
	PGresult *res = PQexec(st->conn, sql);
	ExecStatusType s = PQresultStatus(res);

	if (res == NULL || (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)) {
		stop_server(st, res, what);
		PQclear(res);
		return 1;
	}
	PQclear(res);
	return 0;
}

static PGresult *
query(struct restore *st, const char *what, const char *sql, int nparams,
      const char *const *params)
{
	PGresult *res = PQexecParams(st->conn, sql, nparams, NULL, params, NULL,
	                             NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		stop_server(st, res, what);
		PQclear(res);
		return NULL;
	}
	return res;
}

static void
progress(struct restore *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A progress report: on a terminal it rewrites the one line (as sdump
 * does), elsewhere it is a line of its own.
 */
static void
progress(struct restore *st, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	if (!st->progress)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	progress_line(st->tty, 0, "%s", buf);
	st->line_open = st->tty;
}

/* Ends the progress line, if one is open, before a last word. */
static void
progress_end(struct restore *st)
{
	if (st->line_open)
		fputc('\n', stderr);
	st->line_open = false;
}

static void
data_progress(struct restore *st)
{
	double t = monotime_now();

	if (!st->progress || t - st->last_progress < 1.0)
		return;
	st->last_progress = t;
	progress(st, "data: %.1f MB, %" PRIu64 " rows, %zu tables, %.1f MB/s",
	         st->bytes / 1e6, st->rows, st->tables_loaded,
	         st->bytes / 1e6 / (t - st->phase_start + 1e-9));
}

/* The statement's start, on one line, for a message. */
static char *
stmt_head(const char *text)
{
	char buf[81];
	size_t n = 0;

	for (const char *p = text; *p && n < sizeof buf - 4; p++)
		buf[n++] = (*p == '\n' || *p == '\t' || *p == '\r') ? ' ' : *p;
	buf[n] = '\0';
	if (strlen(text) > n)
		strcpy(buf + n, "...");
	return xstrdup(buf);
}

static int
exec_copy_in(struct restore *st, const char *what, const char *sql,
             const char *data, size_t len, uint64_t *rows)
{
	PGresult *res = PQexec(st->conn, sql);

	if (PQresultStatus(res) != PGRES_COPY_IN) {
		stop_server(st, res, what);
		PQclear(res);
		return 1;
	}
	PQclear(res);
	if ((len && PQputCopyData(st->conn, data, (int)len) != 1) ||
	    PQputCopyEnd(st->conn, NULL) != 1)
		return stop(st, EXIT_TEMPFAIL, "%s: %s", what, pgconn_error(st->conn));
	res = PQgetResult(st->conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		stop_server(st, res, what);
		PQclear(res);
		while ((res = PQgetResult(st->conn)) != NULL)
			PQclear(res);
		return 1;
	}
	if (rows)
		*rows = strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	while ((res = PQgetResult(st->conn)) != NULL)
		PQclear(res);
	return 0;
}

/* Executes a pre-data or post-data script, statement by statement. */
static int
exec_script(struct restore *st, const char *section, const char *text,
            size_t len, bool clean)
{
	struct sql_script sc;
	int rc = 0;

	sqlscript_split(text, len, &sc);
	for (size_t i = 0; i < sc.n && rc == 0; i++) {
		struct sql_stmt *s = &sc.stmts[i];
		char *what, **roles = NULL;
		size_t nroles = 0;
		enum sql_role_use use;

		/* pg_dump 17 sets a parameter older servers do not know. */
		if (st->server_version < 170000 &&
		    sqlscript_is_set(s->text, "transaction_timeout"))
			continue;
		/* --no-owner, --no-acl: as pg_restore's. */
		use = sqlscript_roles(s->text, &roles, &nroles);
		for (size_t k = 0; k < nroles; k++)
			free(roles[k]);
		free(roles);
		if ((use == SQL_ROLES_OWNER && st->o->no_owner) ||
		    (use == SQL_ROLES_ACL && st->o->no_acl))
			continue;
		if (clean) {
			char *schema = NULL, *name = NULL;
			if (sqlscript_created_object(s->text, &schema, &name) ==
			    SQL_OBJ_SCHEMA) {
				const char *p[1] = {name};
				PGresult *res = query(st, "--clean",
				                      "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
				                      1, p);
				bool exists = res && PQntuples(res) > 0;
				PQclear(res);
				free(schema);
				free(name);
				if (res == NULL) {
					rc = 1;
					break;
				}
				if (exists)
					continue;
			} else {
				free(schema);
				free(name);
			}
		}
		{
			char *head = stmt_head(s->text);
			what = xasprintf("%s failed at \"%s\"", section, head);
			free(head);
		}
		if (s->copy_data)
			rc = exec_copy_in(st, what, s->text, s->copy_data,
			                  s->copy_len, NULL);
		else
			rc = run(st, what, s->text);
		free(what);
		if (rc != 0 && use != SQL_ROLES_NONE && st->error != NULL) {
			/* Name the option that lets such a restore through. */
			char *e = xasprintf(
				"%s; %s", st->error,
				use == SQL_ROLES_OWNER
					? "to restore without the archive's ownership "
					  "(objects then belong to the restoring user), "
					  "use --no-owner; or create the role first"
					: "to restore without the archive's privileges, "
					  "use --no-acl; or create the role first");
			free(st->error);
			st->error = e;
		}
	}
	progress(st, "%s: %zu statements", section, sc.n);
	sqlscript_free(&sc);
	return rc;
}

/* Appends ", item" (or "item") to a growing list. */
static void
list_add(char **list, const char *item)
{
	char *n = *list ? xasprintf("%s, %s", *list, item) : xstrdup(item);

	free(*list);
	*list = n;
}

/*
 * The catalog walks of preobjects.h are planned as costly enough for JIT,
 * whose compiling takes seconds where running takes milliseconds: off for
 * them (jit_off() returns the setting to give back to jit_restore(), NULL
 * on servers without JIT; both return NULL/1 after stop() on failure).
 */
static int
jit_off(struct restore *st, char **old)
{
	PGresult *res = query(st, "cannot set up the session",
	                      "SELECT pg_catalog.current_setting('jit', true), "
	                      "pg_catalog.set_config('jit', 'off', true) "
	                      "WHERE pg_catalog.current_setting('jit', true) IS NOT NULL",
	                      0, NULL);

	*old = NULL;
	if (res == NULL)
		return 1;
	if (PQntuples(res) > 0)
		*old = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int
jit_restore(struct restore *st, char *old)
{
	const char *p[1] = {old};
	PGresult *res;

	if (old == NULL)
		return 0;
	res = query(st, "cannot set up the session",
	            "SELECT pg_catalog.set_config('jit', $1, true)", 1, p);
	free(old);
	PQclear(res);
	return res == NULL;
}

/* preobjects_json()'s filter: the selected tables are check_target()'s. */
static bool
skip_selected(void *ctx, const char *schema, const char *name)
{
	struct restore *st = ctx;
	size_t ti = manifest_find_table(st->m, schema, name);

	return ti != (size_t)-1 && st->selected[ti];
}

/*
 * The objects the pre-data script creates that the target holds
 * (PREOBJECTS_FIND_SQL's rows), or NULL after stop().
 */
static PGresult *
find_objects(struct restore *st, const char *text, size_t len, bool skip_tables)
{
	json_t *objs = preobjects_json(text, len, skip_tables ? skip_selected : NULL, st);
	char *js = json_dumps(objs, JSON_COMPACT);
	const char *p[1] = {js};
	PGresult *res = query(st, "cannot read the target's catalog",
	                      PREOBJECTS_FIND_SQL, 1, p);

	free(js);
	json_decref(objs);
	return res;
}

/*
 * Runs sql (PREOBJECTS_OUTSIDE_SQL or PREOBJECTS_EDGES_SQL) on the n
 * objects of found (rows of PREOBJECTS_FIND_SQL) whose indexes are in
 * rows, as its $1 classids and $2 objids.  Returns the result, or NULL
 * after stop().
 */
static PGresult *
set_query(struct restore *st, PGresult *found, const int *rows, size_t n,
          const char *sql)
{
	char *arr[2];
	const char *p[2];
	PGresult *res;

	for (int k = 0; k < 2; k++) {
		arr[k] = xstrdup("{");
		for (size_t i = 0; i <= n; i++) {
			char *a = i < n ? xasprintf("%s%s%s", arr[k], i ? "," : "",
			                            PQgetvalue(found, rows[i], 1 + k))
			                : xasprintf("%s}", arr[k]);
			free(arr[k]);
			arr[k] = a;
		}
		p[k] = arr[k];
	}
	res = query(st, "--clean: cannot read what depends on the archive's objects",
	            sql, 2, p);
	free(arr[0]);
	free(arr[1]);
	return res;
}

/*
 * What outside the n objects of found in rows (as set_query()) depends on
 * them (PREOBJECTS_OUTSIDE_SQL), joined by ", " into *list (NULL when
 * nothing does).  Returns 0, or 1 after stop().
 */
static int
outside_dependents(struct restore *st, PGresult *found, const int *rows,
                   size_t n, char **list)
{
	PGresult *res = set_query(st, found, rows, n, PREOBJECTS_OUTSIDE_SQL);

	*list = NULL;
	if (res == NULL)
		return 1;
	for (int r = 0; r < PQntuples(res); r++)
		list_add(list, PQgetvalue(res, r, 0));
	PQclear(res);
	return 0;
}

/* All the rows of found, as outside_dependents() takes them; malloc'ed. */
static int *
all_rows(PGresult *found)
{
	int *rows = xcalloc((size_t)PQntuples(found) + 1, sizeof *rows);

	for (int r = 0; r < PQntuples(found); r++)
		rows[r] = r;
	return rows;
}

/* Refuses the restore when *outside names something; frees it. */
static int
refuse_outside(struct restore *st, char *outside)
{
	if (outside == NULL)
		return 0;
	stop(st, EXIT_FAIL,
	     "--clean: objects outside the archive depend on its objects "
	     "(%s): drop or change them first; nothing was dropped",
	     outside);
	free(outside);
	return 1;
}

/*
 * Drops the object of row r of found, unless an earlier drop took it:
 * with CASCADE, or else in a savepoint, where a dependent object left
 * (SQLSTATE 2BP01) only sets *blocked.  Returns 0, or 1 after stop().
 */
static int
drop_object(struct restore *st, PGresult *found, int r, bool cascade,
            bool *blocked)
{
	const char *p[2] = {PQgetvalue(found, r, 1), PQgetvalue(found, r, 2)};
	PGresult *res = query(st, "--clean: cannot read the target's catalog",
	                      "SELECT i.type, i.identity FROM "
	                      "pg_catalog.pg_identify_object($1::pg_catalog.oid, "
	                      "$2::pg_catalog.oid, 0) i WHERE i.identity IS NOT NULL",
	                      2, p);
	char *sql, *drop;
	int rc = 0;

	*blocked = false;
	if (res == NULL)
		return 1;
	if (PQntuples(res) == 0) { /* gone with an earlier one */
		PQclear(res);
		return 0;
	}
	drop = preobjects_drop_sql(PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
	                           cascade);
	PQclear(res);
	if (drop == NULL)
		return stop(st, EXIT_FAIL, "--clean: cannot drop %s: not a kind "
		            "%s replaces", PQgetvalue(found, r, 3), err_progname());
	if (cascade) {
		rc = run(st, "--clean: cannot drop the archive's objects", drop);
		free(drop);
		return rc;
	}
	sql = xasprintf("SAVEPOINT strongbox_clean; %s; "
	                "RELEASE SAVEPOINT strongbox_clean", drop);
	free(drop);
	res = PQexec(st->conn, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		if (state && strcmp(state, "2BP01") == 0) {
			PQclear(res);
			*blocked = true;
			return run(st, "--clean: cannot drop the archive's objects",
			           "ROLLBACK TO SAVEPOINT strongbox_clean; "
			           "RELEASE SAVEPOINT strongbox_clean");
		}
		stop_server(st, res, "--clean: cannot drop the archive's objects");
		rc = 1;
	}
	PQclear(res);
	return rc;
}

/* The row of found naming the object classid, objid; -1 if none. */
static int
found_row(PGresult *found, const char *classid, const char *objid)
{
	for (int r = 0; r < PQntuples(found); r++)
		if (strcmp(PQgetvalue(found, r, 1), classid) == 0 &&
		    strcmp(PQgetvalue(found, r, 2), objid) == 0)
			return r;
	return -1;
}

/*
 * --clean: drops what the pre-data script creates, where the target has
 * it.  First the whole set of those objects is checked: every object that
 * depends on one of them, directly or through others, must be in the set
 * or part of one of its objects; anything else (a view of the
 * application's over an archive view, a foreign key to an archive table,
 * a partition or a column of an archive type that the archive lacks) is
 * named and the restore refused before anything is dropped.  Then the
 * objects are dropped one by one without CASCADE, dependents first
 * (PREOBJECTS_EDGES_SQL; in the reverse order of the script, where
 * pg_dump wrote dependencies first, among equals), so that the server
 * itself refuses to drop anything else, even what a concurrent session
 * would have added since the check: a drop that fails for a dependent
 * object (in a savepoint) waits for the next round.  What depends only on
 * each other in a cycle (a table whose default calls a function over its
 * row type) is checked again, then dropped with CASCADE, which can reach
 * only the set.  All in the restore's transaction.
 */
static int
drop_archive_objects(struct restore *st, const char *text, size_t len)
{
	PGresult *found = find_objects(st, text, len, false), *edges = NULL;
	char *outside = NULL;
	int *left, *from = NULL, *to = NULL, n, nedges = 0;
	size_t nleft;
	bool progress = true, by_order = true, *done;
	int rc = 0;

	if (found == NULL)
		return 1;
	n = PQntuples(found);
	left = all_rows(found);
	if (outside_dependents(st, found, left, (size_t)n, &outside) ||
	    refuse_outside(st, outside)) {
		free(left);
		PQclear(found);
		return 1;
	}
	if (n > 0) {
		edges = set_query(st, found, left, (size_t)n, PREOBJECTS_EDGES_SQL);
		if (edges == NULL) {
			free(left);
			PQclear(found);
			return 1;
		}
		from = xcalloc((size_t)PQntuples(edges) + 1, sizeof *from);
		to = xcalloc((size_t)PQntuples(edges) + 1, sizeof *to);
		for (int e = 0; e < PQntuples(edges); e++) {
			from[nedges] = found_row(found, PQgetvalue(edges, e, 0),
			                         PQgetvalue(edges, e, 1));
			to[nedges] = found_row(found, PQgetvalue(edges, e, 2),
			                       PQgetvalue(edges, e, 3));
			if (from[nedges] >= 0 && to[nedges] >= 0)
				nedges++;
		}
		PQclear(edges);
	}
	/*
	 * Rounds, in reverse script order: drop what nothing left depends on;
	 * when the order allows nothing more, try the rest anyway (in a
	 * savepoint, harmless); stop when nothing goes.
	 */
	done = xcalloc((size_t)n + 1, sizeof *done);
	for (nleft = (size_t)n; nleft > 0 && rc == 0 && (progress || by_order);) {
		if (!progress)
			by_order = false;
		progress = false;
		for (int x = n - 1; x >= 0 && rc == 0; x--) {
			bool blocked = false, waits = false;

			if (done[x])
				continue;
			for (int e = 0; e < nedges && by_order && !waits; e++)
				waits = to[e] == x && from[e] != x && !done[from[e]];
			if (waits)
				continue;
			rc = drop_object(st, found, x, false, &blocked);
			if (!blocked && rc == 0) {
				done[x] = true;
				nleft--;
				progress = true;
			}
		}
		if (progress)
			by_order = true;
	}
	nleft = 0;
	for (int x = n - 1; x >= 0; x--)
		if (!done[x])
			left[nleft++] = x;
	free(done);
	if (rc == 0 && nleft > 0) {
		if (outside_dependents(st, found, left, nleft, &outside) ||
		    refuse_outside(st, outside))
			rc = 1;
		for (size_t i = 0; i < nleft && rc == 0; i++) {
			bool blocked;
			rc = drop_object(st, found, left[i], true, &blocked);
		}
	}
	free(from);
	free(to);
	free(left);
	PQclear(found);
	return rc;
}

static int
clean_objects(struct restore *st, const char *text, size_t len)
{
	char *jit;

	if (jit_off(st, &jit))
		return 1;
	if (drop_archive_objects(st, text, len)) {
		free(jit);
		return 1;
	}
	return jit_restore(st, jit);
}

/* Ends the COPY in progress, if any, adding the rows the server took. */
static int
end_copy(struct restore *st)
{
	PGresult *res;
	const struct manifest_table *t;
	int rc = 0;

	if (st->copying < 0)
		return 0;
	t = &st->m->tables[st->copying];
	if (PQputCopyEnd(st->conn, NULL) != 1)
		return stop(st, EXIT_TEMPFAIL, "cannot load table %s.%s: %s",
		            t->schema, t->name, pgconn_error(st->conn));
	while ((res = PQgetResult(st->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (rc == 0) {
				char *what = xasprintf("cannot load table %s.%s", t->schema,
				                       t->name);
				stop_server(st, res, what);
				free(what);
			}
			rc = 1;
		} else {
			st->loaded[st->copying] += strtoull(PQcmdTuples(res), NULL, 10);
		}
		PQclear(res);
	}
	st->copying = -1;
	return rc;
}

static int
begin_copy(struct restore *st, size_t ti)
{
	const struct manifest_table *t = &st->m->tables[ti];
	char *sql = restore_copy_statement(t, st->freeze[ti]);
	PGresult *res = PQexec(st->conn, sql);

	free(sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		char *what = xasprintf("cannot load table %s.%s", t->schema, t->name);
		stop_server(st, res, what);
		free(what);
		PQclear(res);
		return 1;
	}
	PQclear(res);
	st->copying = (long)ti;
	return 0;
}

/* Keeps the first three problems in full, counts the others. */
static void __attribute__((format(printf, 3, 4)))
add_problem(char **problems, size_t *n, const char *fmt, ...)
{
	if (*n < 3) {
		va_list ap;
		char *msg, *p;

		va_start(ap, fmt);
		msg = xvasprintf(fmt, ap);
		va_end(ap);
		p = *problems ? xasprintf("%s; %s", *problems, msg) : xstrdup(msg);
		free(msg);
		free(*problems);
		*problems = p;
	}
	(*n)++;
}

/* "problems" or "problems (and N more)"; malloc'ed. */
static char *
problem_line(const char *problems, size_t n)
{
	if (n <= 3)
		return xstrdup(problems);
	return xasprintf("%s (and %zu more)", problems, n - 3);
}

/*
 * Checks that every selected table exists in the target with the archived
 * columns (data-only) or does not exist (a plain restore).  Returns the
 * problems, one line each joined by "; ", or NULL.  exists[i] is set.
 */
static char *
check_target(struct restore *st, bool want_exists, bool *exists, bool *relkind_r,
             size_t *nproblems)
{
	const struct manifest *m = st->m;
	char *problems = NULL;

	*nproblems = 0;
	for (size_t i = 0; i < m->ntables; i++) {
		const struct manifest_table *t = &m->tables[i];
		char *q;
		const char *p[1];
		PGresult *res;

		if (!st->selected[i])
			continue;
		q = pgconn_quote_qualified(t->schema, t->name);
		p[0] = q;
		res = query(st, "cannot read the target's catalog",
		            "SELECT c.relkind, a.attname, a.attgenerated <> '', "
		            "a.attnotnull, a.atthasdef OR a.attidentity <> '' "
		            "FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_attribute a "
		            "ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
		            "WHERE c.oid = pg_catalog.to_regclass($1)",
		            1, p);
		free(q);
		if (res == NULL) {
			free(problems);
			return NULL;
		}
		exists[i] = PQntuples(res) > 0;
		relkind_r[i] = exists[i] && PQgetvalue(res, 0, 0)[0] == 'r';
		if (!want_exists && exists[i])
			add_problem(&problems, nproblems, "table %s.%s already exists in "
			            "the target database (use --clean to replace it)",
			            t->schema, t->name);
		else if (want_exists && !exists[i])
			add_problem(&problems, nproblems, "table %s.%s (in the archive) "
			            "does not exist in the target database",
			            t->schema, t->name);
		if (!want_exists || !exists[i]) {
			PQclear(res);
			continue;
		}
		for (size_t c = 0; c < t->ncolumns; c++) {
			int r, found = -1;
			for (r = 0; r < PQntuples(res); r++)
				if (strcmp(PQgetvalue(res, r, 1), t->columns[c].name) == 0) {
					found = r;
					break;
				}
			if (found < 0)
				add_problem(&problems, nproblems, "column \"%s\" of table "
				            "%s.%s (in the archive) does not exist in the "
				            "target database",
				            t->columns[c].name, t->schema, t->name);
			else if (PQgetvalue(res, found, 2)[0] == 't')
				add_problem(&problems, nproblems, "column \"%s\" of table "
				            "%s.%s is a generated column in the target database",
				            t->columns[c].name, t->schema, t->name);
		}
		for (int r = 0; r < PQntuples(res); r++) {
			const char *cn = PQgetvalue(res, r, 1);
			bool archived = false;
			if (PQgetisnull(res, r, 1))
				continue;
			for (size_t c = 0; c < t->ncolumns && !archived; c++)
				archived = strcmp(cn, t->columns[c].name) == 0;
			if (!archived && PQgetvalue(res, r, 2)[0] != 't' &&
			    PQgetvalue(res, r, 3)[0] == 't' &&
			    PQgetvalue(res, r, 4)[0] != 't') {
				add_problem(&problems, nproblems, "column \"%s\" of table "
				            "%s.%s is NOT NULL without a default in the target "
				            "database and not in the archive",
				            cn, t->schema, t->name);
			}
		}
		PQclear(res);
	}
	return problems;
}

/*
 * Data-only: what of the target would get in the way of the load is set
 * aside for it and put back before COMMIT, by one mechanism: a statement
 * that sets it aside now and the one that puts it back, run in the order
 * they were set aside.  A failure on either side stops the restore, and
 * the ROLLBACK undoes both.
 */
static int
set_aside(struct restore *st, const char *what, char *sql, char *undo,
          char *undo_what)
{
	int rc = run(st, what, sql);

	free(sql);
	if (rc) {
		free(undo);
		free(undo_what);
		return rc;
	}
	st->aside = xreallocarray(st->aside, st->naside + 1, sizeof *st->aside);
	st->aside[st->naside].undo = undo;
	st->aside[st->naside].what = undo_what;
	st->naside++;
	return 0;
}

static int
put_back(struct restore *st)
{
	for (size_t i = 0; i < st->naside; i++)
		if (run(st, st->aside[i].what, st->aside[i].undo))
			return 1;
	return 0;
}

/*
 * The target's own triggers (an updated_at stamp, an audit log) must not
 * rewrite or duplicate restored rows: the enabled user triggers of the
 * tables being loaded are disabled and put back as they were (origin,
 * always or replica).
 */
static int
set_triggers_aside(struct restore *st)
{
	PGresult *res = query(
		st, "cannot read the target's triggers",
		"SELECT n.nspname, c.relname, pg_catalog.quote_ident(t.tgname), t.tgenabled "
		"FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid "
		"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		"WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' ORDER BY t.oid",
		0, NULL);
	int rc = 0;

	if (res == NULL)
		return 1;
	for (int r = 0; r < PQntuples(res) && rc == 0; r++) {
		size_t ti = manifest_find_table(st->m, PQgetvalue(res, r, 0),
		                                      PQgetvalue(res, r, 1));
		const char *name = PQgetvalue(res, r, 2), *state = PQgetvalue(res, r, 3);
		const char *how = state[0] == 'A' ? "ALWAYS " : state[0] == 'R' ? "REPLICA " : "";
		char *table;

		if (ti == (size_t)-1 || !st->selected[ti])
			continue;
		table = pgconn_quote_qualified(PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
		rc = set_aside(st, "cannot disable the target's triggers",
		               xasprintf("ALTER TABLE %s DISABLE TRIGGER %s", table, name),
		               xasprintf("ALTER TABLE %s ENABLE %sTRIGGER %s", table, how, name),
		               xstrdup("cannot enable the target's triggers again"));
		free(table);
	}
	PQclear(res);
	return rc;
}

/*
 * The foreign keys between the tables being loaded are dropped and added
 * back once the rows are in, so that cycles, self-references and chunked
 * loads never trip them and each is validated once, in bulk.
 */
static int
set_fks_aside(struct restore *st)
{
	const struct manifest *m = st->m;
	/* Each foreign key, and the leaf tables on both of its sides. */
	PGresult *fk = query(
		st, "cannot read the target's foreign keys",
		"SELECT con.oid, con.conrelid::pg_catalog.regclass::text, "
		"pg_catalog.quote_ident(con.conname), "
		"pg_catalog.pg_get_constraintdef(con.oid) "
		"FROM pg_catalog.pg_constraint con "
		"WHERE con.contype = 'f' AND con.conparentid = 0 ORDER BY con.oid",
		0, NULL);
	PGresult *leaves = fk ? query(
		st, "cannot read the target's foreign keys",
		"SELECT con.oid, n.nspname, c.relname "
		"FROM pg_catalog.pg_constraint con "
		"CROSS JOIN LATERAL (SELECT con.conrelid AS rel UNION ALL "
		"  SELECT con.confrelid) s "
		"JOIN pg_catalog.pg_class sc ON sc.oid = s.rel "
		"CROSS JOIN LATERAL (SELECT pt.relid FROM pg_catalog.pg_partition_tree(s.rel) pt "
		"  WHERE pt.isleaf AND sc.relkind = 'p' "
		"  UNION ALL SELECT s.rel WHERE sc.relkind <> 'p') lf "
		"JOIN pg_catalog.pg_class c ON c.oid = lf.relid "
		"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		"WHERE con.contype = 'f' AND con.conparentid = 0",
		0, NULL) : NULL;
	int rc = 0;

	if (fk == NULL || leaves == NULL) {
		PQclear(fk);
		return 1;
	}
	for (int r = 0; r < PQntuples(fk) && rc == 0; r++) {
		const char *oid = PQgetvalue(fk, r, 0);
		const char *table = PQgetvalue(fk, r, 1), *name = PQgetvalue(fk, r, 2);
		bool all = true;

		/* Only keys whose every table is being loaded. */
		for (int l = 0; l < PQntuples(leaves) && all; l++) {
			size_t ti;
			if (strcmp(PQgetvalue(leaves, l, 0), oid) != 0)
				continue;
			ti = manifest_find_table(m, PQgetvalue(leaves, l, 1),
			                               PQgetvalue(leaves, l, 2));
			all = ti != (size_t)-1 && st->selected[ti];
		}
		if (!all)
			continue;
		rc = set_aside(st, "cannot set foreign keys aside",
		               xasprintf("ALTER TABLE %s DROP CONSTRAINT %s", table, name),
		               xasprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", table,
		                         name, PQgetvalue(fk, r, 3)),
		               xasprintf("foreign key %s of %s does not hold", name,
		                         table));
	}
	PQclear(fk);
	PQclear(leaves);
	return rc;
}

static int
truncate_tables(struct restore *st)
{
	char *list = NULL, *sql;
	int rc;

	for (size_t i = 0; i < st->m->ntables; i++) {
		if (st->selected[i]) {
			char *q = pgconn_quote_qualified(st->m->tables[i].schema, st->m->tables[i].name);
			list_add(&list, q);
			free(q);
		}
	}
	if (list == NULL)
		return 0;
	sql = xasprintf("TRUNCATE TABLE ONLY %s", list);
	rc = run(st, "cannot truncate the archive's tables", sql);
	free(sql);
	free(list);
	return rc;
}

/*
 * The selected tables that exist in the target are locked ACCESS
 * EXCLUSIVE first, one by one, each within --lock-timeout: a table an
 * open transaction of the application holds is named with the sessions
 * holding it (exit 75, nothing changed) instead of a restore that waits
 * forever, or fails later on a statement that names no table.
 */
static int
lock_existing_tables(struct restore *st)
{
	for (size_t i = 0; i < st->m->ntables; i++) {
		const struct manifest_table *t = &st->m->tables[i];
		char *q;
		const char *p[1];
		PGresult *res;
		bool exists;

		if (!st->selected[i])
			continue;
		q = pgconn_quote_qualified(t->schema, t->name);
		p[0] = q;
		res = query(st, "cannot read the target's catalog",
		            "SELECT 1 FROM pg_catalog.pg_class c "
		            "WHERE c.oid = pg_catalog.to_regclass($1) "
		            "AND c.relkind IN ('r', 'p', 'f')",
		            1, p);
		free(q);
		if (res == NULL)
			return 1;
		exists = PQntuples(res) > 0;
		PQclear(res);
		if (exists)
			pglock_table(st->conn, t->schema, t->name, "ACCESS EXCLUSIVE");
	}
	return 0;
}

static int
on_manifest(struct restore *st)
{
	const struct manifest *m = st->m = archive_reader_manifest(st->r);
	char *why, *sql;

	st->selected = restore_select(m, st->o->patterns, st->o->npatterns, &why);
	if (why != NULL) {
		stop(st, EXIT_FAIL, "%s", why);
		free(why);
		return 1;
	}
	st->loaded = xcalloc(m->ntables + 1, sizeof *st->loaded);
	st->freeze = xcalloc(m->ntables + 1, sizeof *st->freeze);
	if (m->data_only && !st->o->data_only)
		return stop(st, EXIT_FAIL,
		            "the archive holds no schema (it was dumped with --data-only): "
		            "restore it with --data-only into an existing schema");
	/* A selective --clean replaces rows only, like --data-only. */
	st->use_schema = !st->o->data_only && !(st->o->clean && st->o->npatterns > 0);
	st->truncate = !st->use_schema;

	if (run(st, "cannot start the transaction", "BEGIN"))
		return 1;
	if (st->o->role != NULL) {
		char *r = pgconn_quote_ident(st->o->role);
		char *what = xasprintf("--role: cannot SET ROLE %s", st->o->role);

		sql = xasprintf("SET ROLE %s", r);
		free(r);
		if (run(st, what, sql)) {
			free(what);
			free(sql);
			return 1;
		}
		free(what);
		free(sql);
	}
	if (run(st, "cannot set up the session",
	        "SET statement_timeout = 0; "
	        "SET idle_in_transaction_session_timeout = 0; "
	        "SET client_min_messages = warning; SET search_path = ''"))
		return 1;
	pglock_set_timeout(st->conn, st->o->lock_timeout_ms > 0
	                                     ? st->o->lock_timeout_ms
	                                     : DURATION_LOCK_TIMEOUT_DEFAULT_MS);
	/*
	 * Index builds and foreign-key checks are most of a restore's server
	 * time: give them room for this transaction, never less than the
	 * server's own setting.
	 */
	if (run(st, "cannot set up the session",
	        "SELECT pg_catalog.set_config(name, v, true) FROM (VALUES "
	        "('maintenance_work_mem', 262144, '256MB'), "
	        "('work_mem', 65536, '64MB')) AS w(name, kb, v) "
	        "JOIN pg_catalog.pg_settings s USING (name) "
	        "WHERE s.setting::bigint < w.kb"))
		return 1;
	if (*m->encoding) {
		char *lit = pgconn_quote_literal(m->encoding);
		sql = xasprintf("SET client_encoding = %s", lit);
		free(lit);
		if (run(st, "cannot set the archive's encoding", sql)) {
			free(sql);
			return 1;
		}
		free(sql);
	}
	if (lock_existing_tables(st))
		return 1;
	if (!st->o->clean || st->truncate) {
		bool *exists = xcalloc(m->ntables + 1, sizeof *exists);
		bool *rel_r = xcalloc(m->ntables + 1, sizeof *rel_r);
		size_t np;
		char *problems = check_target(st, st->truncate, exists, rel_r, &np);

		if (st->error) {
			free(exists);
			free(rel_r);
			return 1;
		}
		for (size_t i = 0; i < m->ntables; i++)
			st->freeze[i] = st->truncate ? rel_r[i] : true;
		free(exists);
		free(rel_r);
		if (problems) {
			char *line = problem_line(problems, np);
			stop(st, EXIT_FAIL, "%s", line);
			free(line);
			free(problems);
			return 1;
		}
	} else {
		for (size_t i = 0; i < m->ntables; i++)
			st->freeze[i] = true;
	}
	if (st->truncate) {
		if (set_triggers_aside(st) || set_fks_aside(st) ||
		    truncate_tables(st))
			return 1;
	}
	return 0;
}

static int
set_sequences(struct restore *st)
{
	size_t n;
	const struct manifest_sequence *seq = archive_reader_sequences(st->r, &n);
	PGresult *owned = NULL;
	int rc = 0;

	if (st->o->npatterns > 0) {
		/* Selective: only the sequences of the selected tables. */
		owned = query(st, "cannot read the target's sequences",
		              "SELECT sn.nspname, s.relname, tn.nspname, t.relname "
		              "FROM pg_catalog.pg_depend d "
		              "JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
		              "JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace "
		              "JOIN pg_catalog.pg_class t ON t.oid = d.refobjid "
		              "JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace "
		              "WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass "
		              "AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass "
		              "AND d.deptype IN ('a', 'i')",
		              0, NULL);
		if (owned == NULL)
			return 1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *q, *lit, *sql, *what;
		if (owned) {
			bool keep = false;
			for (int r = 0; r < PQntuples(owned) && !keep; r++) {
				size_t ti;
				if (strcmp(PQgetvalue(owned, r, 0), seq[i].schema) ||
				    strcmp(PQgetvalue(owned, r, 1), seq[i].name))
					continue;
				ti = manifest_find_table(st->m, PQgetvalue(owned, r, 2),
				                               PQgetvalue(owned, r, 3));
				keep = ti != (size_t)-1 && st->selected[ti];
			}
			if (!keep)
				continue;
		}
		q = pgconn_quote_qualified(seq[i].schema, seq[i].name);
		lit = pgconn_quote_literal(q);
		/*
		 * setval() is not undone by ROLLBACK; a sequence this
		 * transaction did not create gets a new relfilenode first
		 * (ALTER SEQUENCE ... RESTART), which is.
		 */
		sql = xasprintf("%s%s%sSELECT pg_catalog.setval(%s, %lld, %s)",
		                st->truncate ? "ALTER SEQUENCE " : "",
		                st->truncate ? q : "", st->truncate ? " RESTART; " : "",
		                lit, seq[i].last_value,
		                seq[i].is_called ? "true" : "false");
		what = xasprintf("cannot set sequence %s.%s", seq[i].schema,
		                 seq[i].name);
		rc = run(st, what, sql);
		free(q);
		free(lit);
		free(sql);
		free(what);
	}
	PQclear(owned);
	return rc;
}

static int
restore_event(void *ctx, const struct archive_reader_event *ev)
{
	struct restore *st = ctx;
	double t;

	/* SIGINT/SIGTERM: stop here; the ROLLBACK follows. */
	if (cancel_requested())
		return stop(st, EXIT_FAIL, "cancelled");
	switch (ev->type) {
	case ARCHIVE_READER_MANIFEST:
		st->t_wait_first = monotime_now() - st->phase_start;
		if (on_manifest(st))
			return 1;
		st->phase_start = monotime_now();
		return 0;
	case ARCHIVE_READER_PRE_DATA:
		if (!st->use_schema)
			return 0;
		if (st->o->clean && clean_objects(st, ev->data, ev->len))
			return 1;
		if (exec_script(st, "pre-data", ev->data, ev->len, st->o->clean))
			return 1;
		t = monotime_now();
		st->t_pre = t - st->phase_start;
		st->phase_start = t;
		return 0;
	case ARCHIVE_READER_CHUNK_BEGIN:
		if (!st->selected[ev->table])
			return 0;
		if (st->copying == (long)ev->table)
			return 0;
		if (end_copy(st))
			return 1;
		if (ev->chunk == 1) {
			st->tables_loaded++;
			progress(st, "data: %s.%s", st->m->tables[ev->table].schema,
			         st->m->tables[ev->table].name);
		}
		return begin_copy(st, ev->table);
	case ARCHIVE_READER_CHUNK_DATA:
		if (!st->selected[ev->table])
			return 0;
		if (PQputCopyData(st->conn, ev->data, (int)ev->len) != 1)
			return stop(st, EXIT_TEMPFAIL, "cannot load table %s.%s: %s",
			            st->m->tables[ev->table].schema,
			            st->m->tables[ev->table].name, pgconn_error(st->conn));
		st->bytes += ev->len;
		return 0;
	case ARCHIVE_READER_CHUNK_END:
		if (st->selected[ev->table]) {
			st->rows += ev->rows;
			data_progress(st);
		}
		return 0;
	case ARCHIVE_READER_SEQUENCES:
		if (end_copy(st))
			return 1;
		t = monotime_now();
		st->t_data = t - st->phase_start;
		st->phase_start = t;
		if (set_sequences(st))
			return 1;
		t = monotime_now();
		st->t_seq = t - st->phase_start;
		st->phase_start = t;
		return 0;
	case ARCHIVE_READER_POST_DATA:
		if (!st->use_schema)
			return 0;
		if (exec_script(st, "post-data", ev->data, ev->len, false))
			return 1;
		t = monotime_now();
		st->t_post = t - st->phase_start;
		st->phase_start = t;
		return 0;
	case ARCHIVE_READER_TRAILER:
		return end_copy(st);
	}
	return 0;
}

static int
refresh_matviews(struct restore *st)
{
	const struct manifest *m = st->m;

	for (size_t i = 0; i < m->nmatviews; i++) {
		char *q = pgconn_quote_qualified(m->matviews[i].schema, m->matviews[i].name);
		const char *p[1] = {q};
		PGresult *res = query(st, "cannot read the target's catalog",
		                      "SELECT c.relispopulated FROM pg_catalog.pg_class c "
		                      "WHERE c.oid = pg_catalog.to_regclass($1) AND c.relkind = 'm'",
		                      1, p);
		int rc = 0;

		if (res == NULL) {
			free(q);
			return 1;
		}
		/* pg_dump's post-data refreshes the ones that had data. */
		if (PQntuples(res) > 0 &&
		    (!st->use_schema || PQgetvalue(res, 0, 0)[0] != 't')) {
			char *sql = xasprintf("REFRESH MATERIALIZED VIEW %s", q);
			char *what = xasprintf("cannot refresh %s.%s", m->matviews[i].schema,
			                       m->matviews[i].name);
			rc = run(st, what, sql);
			free(sql);
			free(what);
		}
		PQclear(res);
		free(q);
		if (rc)
			return rc;
	}
	return 0;
}

static void
abort_restore(struct restore *st, const char *msg, int code)
{
	PGresult *res;
	char *m = xstrdup(msg);

	progress_end(st);
	if (st->conn != NULL) {
		if (PQtransactionStatus(st->conn) == PQTRANS_ACTIVE &&
		    st->copying >= 0) {
			char *why = xasprintf("%s: restore aborted", err_progname());

			PQputCopyEnd(st->conn, why);
			free(why);
			while ((res = PQgetResult(st->conn)) != NULL)
				PQclear(res);
		}
		if (PQtransactionStatus(st->conn) != PQTRANS_IDLE)
			PQclear(PQexec(st->conn, "ROLLBACK"));
		pgconn_close(st->conn);
		st->conn = NULL;
	}
	die(code, "%s", m);
}

static const char *
mode_name(const struct restore_opts *o)
{
	return o->data_only ? "data-only" : o->clean ? "clean" : "restore";
}

static json_t *
report(struct restore *st, const char *mode)
{
	const struct manifest *m = st->m;
	struct archive_reader_stats as;
	json_t *o, *timing, *reader;
	size_t ntables = 0;
	uint64_t rows = 0, bytes = 0;

	archive_reader_stats(st->r, &as);
	for (size_t i = 0; i < m->ntables; i++)
		if (st->selected[i]) {
			ntables++;
			rows += m->tables[i].rows;
			bytes += m->tables[i].bytes;
		}
	timing = json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "connect", monotime_ms(st->t_connect),
	                   "pre_data", monotime_ms(st->t_pre), "data",
	                   monotime_ms(st->t_data), "sequences", monotime_ms(st->t_seq),
	                   "post_data", monotime_ms(st->t_post), "refresh",
	                   monotime_ms(st->t_refresh), "commit", monotime_ms(st->t_commit));
	reader = json_pack("{s:f,s:f,s:f,s:I}", "cpu_seconds", monotime_ms(as.reader_cpu),
	                   "waited_for_server", monotime_ms(as.reader_wait),
	                   "server_waited_for_archive", monotime_ms(as.consumer_wait),
	                   "input_bytes", (json_int_t)as.input_bytes);
	o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:f,s:o,s:o}", "mode", mode,
	              "database", PQdb(st->conn) ? PQdb(st->conn) : "",
	              "archive_database", m->database, "archive_created",
	              m->created, "tables", (json_int_t)ntables, "rows",
	              (json_int_t)rows, "bytes", (json_int_t)bytes, "seconds",
	              monotime_ms(monotime_now() - st->t_start), "timing", timing,
	              "reader", reader);
	return o;
}

json_t *
restore_run(struct archive_reader *r, const struct restore_opts *o)
{
	struct restore st = {.o = o, .r = r, .copying = -1};
	json_t *rep;
	int rc;
	double t;

	st.progress = o->progress;
	st.tty = isatty(2);
	st.t_start = monotime_now();
	st.conn = pgconn_connect(pgconn_source(o->conninfo));
	st.server_version = PQserverVersion(st.conn);
	{
		PGresult *res = PQexec(st.conn, "SHOW max_locks_per_transaction");
		snprintf(st.max_locks, sizeof st.max_locks, "%s",
		         PQresultStatus(res) == PGRES_TUPLES_OK ? PQgetvalue(res, 0, 0)
		                                                : "unknown");
		PQclear(res);
	}
	st.t_connect = monotime_now() - st.t_start;
	st.phase_start = monotime_now();
	rc = archive_reader_run(r, true, 0, restore_event, &st);
	if (rc == -1)
		abort_restore(&st, archive_reader_error(r), EXIT_FAIL);
	if (rc != 0)
		abort_restore(&st, st.error ? st.error : "restore failed",
		              st.error ? st.code : EXIT_FAIL);
	/* The archive checked out: do the server's counts agree? */
	for (size_t i = 0; i < st.m->ntables; i++) {
		const struct manifest_table *tb = &st.m->tables[i];
		if (st.selected[i] && st.loaded[i] != tb->rows) {
			char *msg = xasprintf("table %s.%s: the server loaded %" PRIu64
			                      " rows, the archive holds %" PRIu64,
			                      tb->schema, tb->name, st.loaded[i], tb->rows);
			abort_restore(&st, msg, EXIT_FAIL);
		}
	}
	t = monotime_now();
	if (st.truncate && put_back(&st))
		abort_restore(&st, st.error, st.code);
	if (refresh_matviews(&st))
		abort_restore(&st, st.error, st.code);
	st.t_refresh = monotime_now() - t;
	/* A cancelled restore never commits. */
	if (cancel_requested())
		abort_restore(&st, "cancelled", EXIT_FAIL);
	t = monotime_now();
	if (run(&st, "cannot commit", "COMMIT"))
		abort_restore(&st, st.error, st.code);
	st.t_commit = monotime_now() - t;
	progress(&st, "restored %zu tables in %.1f s", st.m->ntables,
	         monotime_now() - st.t_start);
	progress_end(&st);
	rep = report(&st, mode_name(o));
	pgconn_close(st.conn);
	free(st.selected);
	free(st.loaded);
	free(st.freeze);
	for (size_t i = 0; i < st.naside; i++) {
		free(st.aside[i].undo);
		free(st.aside[i].what);
	}
	free(st.aside);
	return rep;
}

/* ---- --dry-run ---- */

static int
dry_event(void *ctx, const struct archive_reader_event *ev)
{
	struct restore *st = ctx;

	if (ev->type == ARCHIVE_READER_PRE_DATA && st->pre_data == NULL) {
		st->pre_data = xstrndup(ev->data, ev->len);
		return 0;
	}
	if (ev->type == ARCHIVE_READER_MANIFEST) {
		char *why;
		st->m = archive_reader_manifest(st->r);
		st->selected = restore_select(st->m, st->o->patterns,
		                              st->o->npatterns, &why);
		if (why) {
			stop(st, EXIT_FAIL, "%s", why);
			free(why);
			return 1;
		}
	}
	return 0;
}

/*
 * --dry-run: what the pre-data script creates that the target holds
 * already (tables of the selection aside: check_target()'s), which makes
 * a plain restore fail: schemas, relations, types and domains by name,
 * functions, procedures and aggregates by name and argument types (an
 * overload with other argument types is no conflict), operators by
 * operand types, casts, collations, conversions, text search objects,
 * operator classes and families, servers and foreign-data wrappers.
 * With --clean: what outside the archive depends on those objects, which
 * makes --clean refuse.  Returns the problems or NULL.
 */
static char *
check_objects(struct restore *st, const char *text, bool clean,
              size_t *nproblems)
{
	struct sql_script sc;
	char *problems = NULL;
	PGresult *found;

	sqlscript_split(text, strlen(text), &sc);
	for (size_t i = 0; i < sc.n && st->error == NULL && !clean; i++) {
		char *schema = NULL, *name = NULL;

		if (sqlscript_created_object(sc.stmts[i].text, &schema, &name) ==
		    SQL_OBJ_SCHEMA) {
			const char *p[1] = {name};
			PGresult *res = query(st, "cannot read the target's catalog",
			                      "SELECT 1 FROM pg_catalog.pg_namespace "
			                      "WHERE nspname = $1",
			                      1, p);
			if (res != NULL && PQntuples(res) > 0) {
				add_problem(&problems, nproblems, "schema %s already "
				            "exists in the target database", name);
			}
			PQclear(res);
		}
		free(schema);
		free(name);
	}
	sqlscript_free(&sc);
	if (st->error != NULL)
		return problems;
	found = find_objects(st, text, strlen(text), !clean);
	if (found == NULL)
		return problems;
	if (clean) {
		char *outside = NULL;

		int *rows = all_rows(found);

		if (PQntuples(found) > 0 &&
		    outside_dependents(st, found, rows, (size_t)PQntuples(found),
		                       &outside) == 0 &&
		    outside != NULL) {
			add_problem(&problems, nproblems, "--clean would refuse: "
			            "objects outside the archive depend on its objects "
			            "(%s)", outside);
			free(outside);
		}
		free(rows);
	} else {
		for (int r = 0; r < PQntuples(found); r++) {
			add_problem(&problems, nproblems, "%s already exists in the "
			            "target database (use --clean to replace it)",
			            PQgetvalue(found, r, 3));
		}
	}
	PQclear(found);
	return problems;
}

char *
restore_dry_run(struct archive_reader *r, const struct restore_opts *o,
                json_t *lines)
{
	struct restore st = {.o = o, .r = r, .copying = -1};
	const struct manifest *m;
	bool *exists, *rel_r;
	char *problems = NULL;
	size_t np = 0;
	bool use_schema, truncate;
	int rc;

	st.conn = pgconn_connect(pgconn_source(o->conninfo));
	st.server_version = PQserverVersion(st.conn);
	rc = archive_reader_run(r, true, 0, dry_event, &st);
	if (rc == -1)
		abort_restore(&st, archive_reader_error(r), EXIT_FAIL);
	if (rc != 0)
		abort_restore(&st, st.error, st.code);
	m = st.m;
	if (m->data_only && !o->data_only) {
		problems = xstrdup("the archive holds no schema (it was dumped with --data-only): "
		                   "restore it with --data-only into an existing schema");
		np = 1;
	}
	use_schema = !o->data_only && !(o->clean && o->npatterns > 0);
	truncate = !use_schema;
	if (run(&st, "cannot start the transaction",
	        "BEGIN READ ONLY; SET LOCAL search_path = ''"))
		abort_restore(&st, st.error, st.code);
	{
		char *jit; /* rolled back with the rest */

		if (jit_off(&st, &jit))
			abort_restore(&st, st.error, st.code);
		free(jit);
	}
	exists = xcalloc(m->ntables + 1, sizeof *exists);
	rel_r = xcalloc(m->ntables + 1, sizeof *rel_r);
	{
		size_t n2 = 0;
		char *p2 = check_target(&st, truncate, exists, rel_r, &n2);
		if (st.error)
			abort_restore(&st, st.error, st.code);
		/* --clean replaces whatever is there: presence is no problem. */
		if (p2 && !(o->clean && !truncate)) {
			char *line = problem_line(p2, n2);
			list_add(&problems, line);
			free(line);
			np += n2;
		}
		free(p2);
	}
	/*
	 * A plain restore creates every pre-data object: none may exist;
	 * --clean replaces them: nothing outside may depend on them.
	 */
	if (use_schema && st.pre_data != NULL) {
		size_t n3 = 0;
		char *p3 = check_objects(&st, st.pre_data, o->clean, &n3);

		if (st.error)
			abort_restore(&st, st.error, st.code);
		if (p3) {
			char *line = problem_line(p3, n3);
			list_add(&problems, line);
			free(line);
			np += n3;
		}
		free(p3);
	}
	free(st.pre_data);
	for (size_t i = 0; i < m->ntables; i++) {
		const struct manifest_table *t = &m->tables[i];
		const char *action;
		char *q;
		if (!st.selected[i])
			continue;
		if (truncate)
			action = "truncate and load";
		else if (exists[i])
			action = o->clean ? "drop, create and load" : "exists: refused";
		else
			action = "create and load";
		q = xasprintf("%s.%s", t->schema, t->name);
		json_array_append_new(
			lines, json_pack("{s:s,s:s,s:b,s:I,s:I}", "table", q, "action",
			                 action, "exists", exists[i], "rows",
			                 (json_int_t)t->rows, "bytes",
			                 (json_int_t)t->bytes));
		free(q);
	}
	json_array_append_new(
		lines, json_pack("{s:b,s:b,s:s,s:s,s:I}", "dry_run", 1, "ok",
		                 problems == NULL, "mode", mode_name(o), "problems",
		                 problems ? problems : "", "problem_count",
		                 (json_int_t)np));
	PQclear(PQexec(st.conn, "ROLLBACK"));
	pgconn_close(st.conn);
	st.conn = NULL;
	free(exists);
	free(rel_r);
	free(st.selected);
	return problems;
}

/* ---- pg_dump -Fc ---- */

json_t *
restore_pg_dump(const struct restore_opts *o, int fd, const void *prefix,
                size_t plen)
{
	PGconn *conn = pgconn_connect(pgconn_source(o->conninfo));
	char **env = pgconn_child_env(conn);
	char *db = xstrdup(PQdb(conn));
	const char *argv[16];
	char *role_arg = NULL;
	int argc = 0, status;
	uint64_t total = plen;
	double t0 = monotime_now();
	struct child c;
	char buf[1 << 16];

	pgconn_close(conn);
	argv[argc++] = pgclient_program("pg_restore");
	argv[argc++] = "--single-transaction";
	argv[argc++] = "--exit-on-error";
	if (o->clean) {
		argv[argc++] = "--clean";
		argv[argc++] = "--if-exists";
	}
	if (o->no_owner)
		argv[argc++] = "--no-owner";
	if (o->no_acl)
		argv[argc++] = "--no-acl";
	if (o->role) {
		role_arg = xasprintf("--role=%s", o->role);
		argv[argc++] = role_arg;
	}
	argv[argc++] = "-d";
	argv[argc++] = db;
	argv[argc] = NULL;
	signal(SIGPIPE, SIG_IGN);
	/*
	 * stdout carries our report, not pg_restore's chatter; its lines go
	 * to stderr with -v, else they are kept and the one that says what
	 * failed is named.
	 */
	if (child_start(&c, "pg_restore", (char *const *)argv, env, 1,
	                o->verbose ? CHILD_TO_STDERR : CHILD_COLLECT) < 0)
		die(EXIT_FAIL, "cannot run pg_restore (is it installed?)");
	pgconn_free_env(env);
	progress(&(struct restore){.progress = o->progress},
	         "a pg_dump archive: handing it to pg_restore --single-transaction");
	if (fdio_write_all(c.in, prefix, plen) < 0)
		die_errno(EXIT_FAIL, "pg_restore stopped reading its input");
	for (;;) {
		ssize_t n = fdio_read_full(fd, buf, sizeof buf);

		if (n < 0)
			die_errno(EXIT_FAIL, "cannot read input");
		if (n == 0)
			break;
		total += (uint64_t)n;
		/* pg_restore gone: its exit status says why. */
		if (fdio_write_all(c.in, buf, (size_t)n) < 0)
			break;
	}
	status = child_wait(&c);
	if ((!WIFEXITED(status) || WEXITSTATUS(status) != 0) && c.err != NULL) {
		size_t nlines;
		char *line = child_error_line(&c, &nlines);

		die(EXIT_FAIL, "pg_restore failed: %s; nothing was restored "
		    "(%zu line%s of pg_restore's output: %s -v shows them)",
		    line, nlines, nlines == 1 ? "" : "s", err_progname());
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die(EXIT_FAIL, "pg_restore failed (%s %d): nothing was restored",
		    WIFEXITED(status) ? "exit" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	if (c.err != NULL) {
		/* Its warnings, one line each; its stdout is only chatter. */
		char line[1024];

		rewind(c.err);
		while (fgets(line, sizeof line, c.err)) {
			line[strcspn(line, "\r\n")] = '\0';
			if (line[0] != '\0')
				warnmsg("%s", line);
		}
		fclose(c.err);
		fclose(c.out);
	}
	free(db);
	free(role_arg);
	return json_pack("{s:s,s:s,s:I,s:f}", "mode",
	                 o->clean ? "clean" : "restore", "format", "pg_dump",
	                 "bytes", (json_int_t)total, "seconds",
	                 monotime_ms(monotime_now() - t0));
}


/* ---- for srestore -j (prestore.c): one session's steps, on their own ---- */

int
restore_script(PGconn *conn, const struct restore_opts *o, const char *section,
               const char *text, size_t len, char **error, int *code)
{
	struct restore st = {.o = o, .conn = conn, .copying = -1};
	int rc;

	st.server_version = PQserverVersion(conn);
	rc = exec_script(&st, section, text, len, false);
	*error = st.error;
	*code = st.code;
	return rc;
}

int
restore_sequences(PGconn *conn, struct archive_reader *r, char **error, int *code)
{
	struct restore_opts o = {0};
	struct restore st = {.o = &o, .conn = conn, .r = r, .copying = -1};
	int rc;

	st.m = archive_reader_manifest(r);
	rc = set_sequences(&st);
	*error = st.error;
	*code = st.code;
	return rc;
}

int
restore_matviews(PGconn *conn, const struct manifest *m, char **error, int *code)
{
	struct restore_opts o = {0};
	struct restore st = {.o = &o, .conn = conn, .m = m, .use_schema = true,
	                     .copying = -1};
	int rc = refresh_matviews(&st);

	*error = st.error;
	*code = st.code;
	return rc;
}
