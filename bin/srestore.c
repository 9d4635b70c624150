/*
 * srestore: restores a strongbox archive read on stdin into a PostgreSQL
 * database in one transaction (schema, rows, sequences, indexes and
 * constraints), committing only once every checksum and row count of the
 * archive checked out; any failure rolls back and leaves the target as it
 * was.  It can also verify an archive with no database (--check), list it
 * (--list), say what a restore would do (--dry-run), print it as a psql
 * script (--sql), and hands a pg_dump -Fc archive to pg_restore.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "archive_read.h"
#include "err.h"
#include "pgconn.h"
#include "sqlscript.h"
#include "xalloc.h"

enum mode { M_RESTORE, M_CHECK, M_LIST, M_DRY_RUN, M_SQL };

static struct {
	const char *dbname;
	bool clean, data_only, progress;
	enum mode mode;
	char **patterns;
	size_t npatterns;
} opt;

static void
usage(FILE *fp)
{
	fprintf(fp,
	        "usage: srestore [-d CONNINFO|URL] [--clean | --data-only] [-t PATTERN]...\n"
	        "                [--progress] < ARCHIVE\n"
	        "       srestore --check | --list | --sql [-t PATTERN]... < ARCHIVE\n"
	        "       srestore --dry-run [-d CONNINFO|URL] [--clean | --data-only]\n"
	        "                [-t PATTERN]... < ARCHIVE\n"
	        "\n"
	        "Restores a strongbox archive (or a pg_dump -Fc archive) read on stdin,\n"
	        "in one transaction that commits only once the archive checked out.\n"
	        "\n"
	        "  -d, --dbname=CONNINFO  database (default: $DATABASE_URL, then PG*)\n"
	        "  -c, --clean            replace the archive's objects where they exist\n"
	        "  -a, --data-only        rows only, into an existing schema (truncated)\n"
	        "  -t, --table=PATTERN    only the tables matching PATTERN (repeatable)\n"
	        "      --check            verify the archive, no database; JSON summary\n"
	        "      --list             the archive's tables as JSON lines\n"
	        "      --dry-run          check that the restore would work, change nothing\n"
	        "      --sql              the archive as a plain SQL script for psql\n"
	        "  -P, --progress         progress on stderr (default when it is a tty)\n"
	        "  -h, --help             this help\n"
	        "      --version          the version\n");
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

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

/* selected[i] for each manifest table; dies when a pattern matches none. */
static bool *
select_tables(const struct ar_manifest *m, char **why)
{
	bool *sel = xcalloc(m->ntables + 1, sizeof *sel);

	*why = NULL;
	for (size_t i = 0; i < m->ntables; i++)
		sel[i] = opt.npatterns == 0;
	for (size_t p = 0; p < opt.npatterns; p++) {
		bool any = false;
		for (size_t i = 0; i < m->ntables; i++)
			if (pattern_matches(opt.patterns[p], m->tables[i].schema,
			                    m->tables[i].name))
				sel[i] = any = true;
		if (!any && *why == NULL)
			*why = xasprintf("no table of the archive matches \"%s\"",
			                 opt.patterns[p]);
	}
	return sel;
}

/* "schema"."name", quoted for SQL; malloc'ed. */
static char *
qualified(const char *schema, const char *name)
{
	char *s = pgconn_quote_ident(schema), *n = pgconn_quote_ident(name);
	char *q = xasprintf("%s.%s", s, n);

	free(s);
	free(n);
	return q;
}

static char *
copy_statement(const struct ar_table *t, bool freeze)
{
	char *q = qualified(t->schema, t->name), *sql;
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

struct fk {
	char *table; /* qualified, quoted */
	char *name;  /* quoted */
	char *def;
};

struct restore {
	PGconn *conn;
	struct archive_reader *r;
	const struct ar_manifest *m;
	bool *selected;
	bool use_schema;   /* run pre-data and post-data */
	bool truncate;     /* data into existing tables */
	bool *freeze;      /* per table */
	long copying;      /* table in COPY, or -1 */
	uint64_t *loaded;  /* rows the server reported per table */
	bool *owned_skip;  /* unused sequences (selection) */
	struct fk *fks;
	size_t nfks;
	struct fk *triggers; /* user triggers set aside: table, name, state */
	size_t ntriggers;
	char *error;       /* why the callback stopped */
	int code;
	int server_version;
	char max_locks[32]; /* the setting, read before it is needed */
	/* timing */
	double t_start, t_connect, t_pre, t_data, t_seq, t_post, t_refresh,
		t_commit, t_wait_first, phase_start;
	uint64_t rows, bytes;
	size_t tables_loaded;
	bool progress;
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
	if (vasprintf(&st->error, fmt, ap) < 0)
		st->error = xstrdup("out of memory");
	va_end(ap);
	st->code = code;
	return 1;
}

/* A server error as one line, with the setting to raise when it is locks. */
static int
stop_server(struct restore *st, PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char *msg = res ? pgconn_result_error(res) : xstrdup(pgconn_error(st->conn));
	int code = pgconn_is_transient(st->conn, res) ? EXIT_TEMPFAIL : EXIT_FAIL;

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
	fprintf(stderr, "%s: %s\n", err_progname(), buf);
}

static void
data_progress(struct restore *st)
{
	double t = now();

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
		char *what;

		/* pg_dump 17 sets a parameter older servers do not know. */
		if (st->server_version < 170000 &&
		    sqlscript_is_set(s->text, "transaction_timeout"))
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
 * --clean: drops what the pre-data script creates, where it exists, by
 * kind (views, tables, sequences, routines, domains, types), each kind in
 * one statement so that dependencies among the archive's own objects do
 * not matter.  No CASCADE: an object outside the archive that depends on
 * one of them stops the restore rather than disappearing with it.
 */
static int
clean_objects(struct restore *st, const char *text, size_t len)
{
	static const struct {
		enum sql_object_kind kind;
		const char *drop, *tail;
	} order[] = {
		{SQL_OBJ_MATVIEW, "DROP MATERIALIZED VIEW IF EXISTS", " CASCADE"},
		{SQL_OBJ_VIEW, "DROP VIEW IF EXISTS", " CASCADE"},
		{SQL_OBJ_TABLE, "DROP TABLE IF EXISTS", ""},
		{SQL_OBJ_SEQUENCE, "DROP SEQUENCE IF EXISTS", ""},
		{SQL_OBJ_FUNCTION, NULL, NULL},
		{SQL_OBJ_DOMAIN, "DROP DOMAIN IF EXISTS", ""},
		{SQL_OBJ_TYPE, "DROP TYPE IF EXISTS", ""},
	};
	struct sql_script sc;
	int rc = 0;

	sqlscript_split(text, len, &sc);
	for (size_t k = 0; k < sizeof order / sizeof order[0] && rc == 0; k++) {
		char *list = NULL;
		for (size_t i = sc.n; i-- > 0 && rc == 0;) {
			char *schema = NULL, *name = NULL, *q;
			if (sqlscript_created_object(sc.stmts[i].text, &schema, &name) !=
			    order[k].kind) {
				continue;
			}
			if (schema == NULL)
				schema = xstrdup("public");
			if (order[k].kind == SQL_OBJ_FUNCTION) {
				const char *p[2] = {schema, name};
				PGresult *res = query(
					st, "--clean",
					"SELECT CASE p.prokind WHEN 'a' THEN 'AGGREGATE' "
					"WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, "
					"p.oid::pg_catalog.regprocedure::text "
					"FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n "
					"ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = $2",
					2, p);
				if (res == NULL)
					rc = 1;
				for (int r = 0; res && r < PQntuples(res) && rc == 0; r++) {
					char *sql = xasprintf("DROP %s IF EXISTS %s",
					                      PQgetvalue(res, r, 0),
					                      PQgetvalue(res, r, 1));
					rc = run(st, "--clean: cannot drop the archive's objects", sql);
					free(sql);
				}
				PQclear(res);
			} else {
				q = qualified(schema, name);
				list_add(&list, q);
				free(q);
			}
			free(schema);
			free(name);
		}
		if (list != NULL && rc == 0) {
			char *sql = xasprintf("%s %s%s", order[k].drop, list, order[k].tail);
			rc = run(st, "--clean: cannot drop the archive's objects", sql);
			free(sql);
		}
		free(list);
	}
	sqlscript_free(&sc);
	return rc;
}

/* Ends the COPY in progress, if any, adding the rows the server took. */
static int
end_copy(struct restore *st)
{
	PGresult *res;
	const struct ar_table *t;
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
	const struct ar_table *t = &st->m->tables[ti];
	char *sql = copy_statement(t, st->freeze[ti]);
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
static void
add_problem(char **problems, size_t *n, const char *msg)
{
	if (*n < 3) {
		char *p = *problems ? xasprintf("%s; %s", *problems, msg)
		                    : xstrdup(msg);
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
	const struct ar_manifest *m = st->m;
	char *problems = NULL;

	*nproblems = 0;
	for (size_t i = 0; i < m->ntables; i++) {
		const struct ar_table *t = &m->tables[i];
		char *q, *msg = NULL;
		const char *p[1];
		PGresult *res;

		if (!st->selected[i])
			continue;
		q = qualified(t->schema, t->name);
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
			msg = xasprintf("table %s.%s already exists in the target "
			                "database (use --clean to replace it)",
			                t->schema, t->name);
		else if (want_exists && !exists[i])
			msg = xasprintf("table %s.%s (in the archive) does not exist "
			                "in the target database",
			                t->schema, t->name);
		if (msg) {
			add_problem(&problems, nproblems, msg);
			free(msg);
		}
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
			msg = NULL;
			if (found < 0)
				msg = xasprintf("column \"%s\" of table %s.%s (in the archive) "
				                "does not exist in the target database",
				                t->columns[c].name, t->schema, t->name);
			else if (PQgetvalue(res, found, 2)[0] == 't')
				msg = xasprintf("column \"%s\" of table %s.%s is a generated "
				                "column in the target database",
				                t->columns[c].name, t->schema, t->name);
			if (msg) {
				add_problem(&problems, nproblems, msg);
				free(msg);
			}
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
				msg = xasprintf("column \"%s\" of table %s.%s is NOT NULL "
				                "without a default in the target database and "
				                "not in the archive",
				                cn, t->schema, t->name);
				add_problem(&problems, nproblems, msg);
				free(msg);
			}
		}
		PQclear(res);
	}
	return problems;
}

/*
 * Data-only: the foreign keys between the tables being loaded are dropped
 * and added back once the rows are in, so that cycles, self-references and
 * chunked loads never trip them and each is validated once, in bulk.
 */
static int
drop_fks(struct restore *st)
{
	const struct ar_manifest *m = st->m;
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
	st->fks = xcalloc((size_t)PQntuples(fk) + 1, sizeof *st->fks);
	for (int r = 0; r < PQntuples(fk) && rc == 0; r++) {
		const char *oid = PQgetvalue(fk, r, 0);
		bool all = true;
		struct fk *f;
		char *sql;

		/* Only keys whose every table is being loaded. */
		for (int l = 0; l < PQntuples(leaves) && all; l++) {
			size_t ti;
			if (strcmp(PQgetvalue(leaves, l, 0), oid) != 0)
				continue;
			ti = archive_reader_find_table(m, PQgetvalue(leaves, l, 1),
			                               PQgetvalue(leaves, l, 2));
			all = ti != (size_t)-1 && st->selected[ti];
		}
		if (!all)
			continue;
		f = &st->fks[st->nfks++];
		f->table = xstrdup(PQgetvalue(fk, r, 1));
		f->name = xstrdup(PQgetvalue(fk, r, 2));
		f->def = xstrdup(PQgetvalue(fk, r, 3));
		sql = xasprintf("ALTER TABLE %s DROP CONSTRAINT %s", f->table, f->name);
		rc = run(st, "cannot set foreign keys aside", sql);
		free(sql);
	}
	PQclear(fk);
	PQclear(leaves);
	return rc;
}

static int
restore_fks(struct restore *st)
{
	for (size_t i = 0; i < st->nfks; i++) {
		struct fk *f = &st->fks[i];
		char *sql = xasprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", f->table,
		                      f->name, f->def);
		char *what = xasprintf("foreign key %s of %s does not hold",
		                       f->name, f->table);
		int rc = run(st, what, sql);
		free(sql);
		free(what);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Data-only: the target's own triggers (an updated_at stamp, an audit
 * log) must not rewrite or duplicate restored rows, so the enabled user
 * triggers of the tables being loaded are disabled for the load and put
 * back as they were (origin, always or replica) before COMMIT.
 */
static int
disable_triggers(struct restore *st)
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
	st->triggers = xcalloc((size_t)PQntuples(res) + 1, sizeof *st->triggers);
	for (int r = 0; r < PQntuples(res) && rc == 0; r++) {
		size_t ti = archive_reader_find_table(st->m, PQgetvalue(res, r, 0),
		                                      PQgetvalue(res, r, 1));
		struct fk *t;
		char *sql;

		if (ti == (size_t)-1 || !st->selected[ti])
			continue;
		t = &st->triggers[st->ntriggers++];
		t->table = qualified(PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
		t->name = xstrdup(PQgetvalue(res, r, 2));
		t->def = xstrdup(PQgetvalue(res, r, 3));
		sql = xasprintf("ALTER TABLE %s DISABLE TRIGGER %s", t->table, t->name);
		rc = run(st, "cannot disable the target's triggers", sql);
		free(sql);
	}
	PQclear(res);
	return rc;
}

static int
enable_triggers(struct restore *st)
{
	for (size_t i = 0; i < st->ntriggers; i++) {
		struct fk *t = &st->triggers[i];
		const char *how = t->def[0] == 'A' ? "ALWAYS " : t->def[0] == 'R' ? "REPLICA " : "";
		char *sql = xasprintf("ALTER TABLE %s ENABLE %sTRIGGER %s", t->table,
		                      how, t->name);
		int rc = run(st, "cannot enable the target's triggers again", sql);
		free(sql);
		if (rc)
			return rc;
	}
	return 0;
}

static int
truncate_tables(struct restore *st)
{
	char *list = NULL, *sql;
	int rc;

	for (size_t i = 0; i < st->m->ntables; i++) {
		if (st->selected[i]) {
			char *q = qualified(st->m->tables[i].schema, st->m->tables[i].name);
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

static int
on_manifest(struct restore *st)
{
	const struct ar_manifest *m = st->m = archive_reader_manifest(st->r);
	char *why, *sql;

	st->selected = select_tables(m, &why);
	if (why != NULL) {
		stop(st, EXIT_FAIL, "%s", why);
		free(why);
		return 1;
	}
	st->loaded = xcalloc(m->ntables + 1, sizeof *st->loaded);
	st->freeze = xcalloc(m->ntables + 1, sizeof *st->freeze);
	if (m->data_only && !opt.data_only)
		return stop(st, EXIT_FAIL,
		            "the archive holds no schema (sdump --data-only): "
		            "restore it with --data-only into an existing schema");
	/* A selective --clean replaces rows only, like --data-only. */
	st->use_schema = !opt.data_only && !(opt.clean && opt.npatterns > 0);
	st->truncate = !st->use_schema;

	if (run(st, "cannot start the transaction", "BEGIN"))
		return 1;
	if (run(st, "cannot set up the session",
	        "SET statement_timeout = 0; SET lock_timeout = 0; "
	        "SET idle_in_transaction_session_timeout = 0; "
	        "SET client_min_messages = warning; SET search_path = ''"))
		return 1;
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
	if (!opt.clean || st->truncate) {
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
		if (drop_fks(st) || disable_triggers(st) || truncate_tables(st))
			return 1;
	}
	return 0;
}

static int
set_sequences(struct restore *st)
{
	size_t n;
	const struct ar_sequence *seq = archive_reader_sequences(st->r, &n);
	PGresult *owned = NULL;
	int rc = 0;

	if (opt.npatterns > 0) {
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
				ti = archive_reader_find_table(st->m, PQgetvalue(owned, r, 2),
				                               PQgetvalue(owned, r, 3));
				keep = ti != (size_t)-1 && st->selected[ti];
			}
			if (!keep)
				continue;
		}
		q = qualified(seq[i].schema, seq[i].name);
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
restore_event(void *ctx, const struct ar_event *ev)
{
	struct restore *st = ctx;
	double t;

	switch (ev->type) {
	case AR_MANIFEST:
		st->t_wait_first = now() - st->phase_start;
		if (on_manifest(st))
			return 1;
		st->phase_start = now();
		return 0;
	case AR_PRE_DATA:
		if (!st->use_schema)
			return 0;
		if (opt.clean && clean_objects(st, ev->data, ev->len))
			return 1;
		if (exec_script(st, "pre-data", ev->data, ev->len, opt.clean))
			return 1;
		t = now();
		st->t_pre = t - st->phase_start;
		st->phase_start = t;
		return 0;
	case AR_CHUNK_BEGIN:
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
	case AR_CHUNK_DATA:
		if (!st->selected[ev->table])
			return 0;
		if (PQputCopyData(st->conn, ev->data, (int)ev->len) != 1)
			return stop(st, EXIT_TEMPFAIL, "cannot load table %s.%s: %s",
			            st->m->tables[ev->table].schema,
			            st->m->tables[ev->table].name, pgconn_error(st->conn));
		st->bytes += ev->len;
		return 0;
	case AR_CHUNK_END:
		if (st->selected[ev->table]) {
			st->rows += ev->rows;
			data_progress(st);
		}
		return 0;
	case AR_SEQUENCES:
		if (end_copy(st))
			return 1;
		t = now();
		st->t_data = t - st->phase_start;
		st->phase_start = t;
		if (set_sequences(st))
			return 1;
		t = now();
		st->t_seq = t - st->phase_start;
		st->phase_start = t;
		return 0;
	case AR_POST_DATA:
		if (!st->use_schema)
			return 0;
		if (exec_script(st, "post-data", ev->data, ev->len, false))
			return 1;
		t = now();
		st->t_post = t - st->phase_start;
		st->phase_start = t;
		return 0;
	case AR_TRAILER:
		return end_copy(st);
	}
	return 0;
}

static int
refresh_matviews(struct restore *st)
{
	const struct ar_manifest *m = st->m;

	for (size_t i = 0; i < m->nmatviews; i++) {
		char *q = qualified(m->matviews[i].schema, m->matviews[i].name);
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

	if (st->conn != NULL) {
		if (PQtransactionStatus(st->conn) == PQTRANS_ACTIVE &&
		    st->copying >= 0) {
			PQputCopyEnd(st->conn, "srestore: restore aborted");
			while ((res = PQgetResult(st->conn)) != NULL)
				PQclear(res);
		}
		if (PQtransactionStatus(st->conn) != PQTRANS_IDLE)
			PQclear(PQexec(st->conn, "ROLLBACK"));
		PQfinish(st->conn);
		st->conn = NULL;
	}
	die(code, "%s", m);
}

static void
print_report(struct restore *st, const char *mode)
{
	const struct ar_manifest *m = st->m;
	struct ar_stats as;
	json_t *o, *timing, *reader;
	size_t ntables = 0;
	uint64_t rows = 0, bytes = 0;
	char *s;

	archive_reader_stats(st->r, &as);
	for (size_t i = 0; i < m->ntables; i++)
		if (st->selected[i]) {
			ntables++;
			rows += m->tables[i].rows;
			bytes += m->tables[i].bytes;
		}
	timing = json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "connect", st->t_connect,
	                   "pre_data", st->t_pre, "data", st->t_data, "sequences",
	                   st->t_seq, "post_data", st->t_post, "refresh",
	                   st->t_refresh, "commit", st->t_commit);
	reader = json_pack("{s:f,s:f,s:f,s:I}", "cpu_seconds", as.reader_cpu,
	                   "waited_for_server", as.reader_wait,
	                   "server_waited_for_archive", as.consumer_wait,
	                   "input_bytes", (json_int_t)as.input_bytes);
	o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:f,s:o,s:o}", "mode", mode,
	              "database", PQdb(st->conn) ? PQdb(st->conn) : "",
	              "archive_database", m->database, "archive_created",
	              m->created, "tables", (json_int_t)ntables, "rows",
	              (json_int_t)rows, "bytes", (json_int_t)bytes, "seconds",
	              now() - st->t_start, "timing", timing, "reader", reader);
	s = json_dumps(o, JSON_COMPACT);
	puts(s);
	free(s);
	json_decref(o);
}

static void
restore(struct archive_reader *r, bool dry_run)
{
	struct restore st = {.r = r, .copying = -1};
	int rc;
	double t;

	st.progress = opt.progress;
	st.t_start = now();
	st.conn = pgconn_connect(pgconn_source(opt.dbname));
	st.server_version = PQserverVersion(st.conn);
	{
		PGresult *res = PQexec(st.conn, "SHOW max_locks_per_transaction");
		snprintf(st.max_locks, sizeof st.max_locks, "%s",
		         PQresultStatus(res) == PGRES_TUPLES_OK ? PQgetvalue(res, 0, 0)
		                                                : "unknown");
		PQclear(res);
	}
	st.t_connect = now() - st.t_start;
	st.phase_start = now();
	(void)dry_run;
	rc = archive_reader_run(r, true, 0, restore_event, &st);
	if (rc == -1)
		abort_restore(&st, archive_reader_error(r), EXIT_FAIL);
	if (rc != 0)
		abort_restore(&st, st.error ? st.error : "restore failed",
		              st.error ? st.code : EXIT_FAIL);
	/* The archive checked out: do the server's counts agree? */
	for (size_t i = 0; i < st.m->ntables; i++) {
		const struct ar_table *tb = &st.m->tables[i];
		if (st.selected[i] && st.loaded[i] != tb->rows) {
			char *msg = xasprintf("table %s.%s: the server loaded %" PRIu64
			                      " rows, the archive holds %" PRIu64,
			                      tb->schema, tb->name, st.loaded[i], tb->rows);
			abort_restore(&st, msg, EXIT_FAIL);
		}
	}
	t = now();
	if (st.truncate && (enable_triggers(&st) || restore_fks(&st)))
		abort_restore(&st, st.error, st.code);
	if (refresh_matviews(&st))
		abort_restore(&st, st.error, st.code);
	st.t_refresh = now() - t;
	t = now();
	if (run(&st, "cannot commit", "COMMIT"))
		abort_restore(&st, st.error, st.code);
	st.t_commit = now() - t;
	progress(&st, "restored %zu tables in %.1f s", st.m->ntables,
	         now() - st.t_start);
	print_report(&st, opt.data_only ? "data-only" : opt.clean ? "clean" : "restore");
	PQfinish(st.conn);
	free(st.selected);
	free(st.loaded);
	free(st.freeze);
	for (size_t i = 0; i < st.nfks; i++) {
		free(st.fks[i].table);
		free(st.fks[i].name);
		free(st.fks[i].def);
	}
	free(st.fks);
	for (size_t i = 0; i < st.ntriggers; i++) {
		free(st.triggers[i].table);
		free(st.triggers[i].name);
		free(st.triggers[i].def);
	}
	free(st.triggers);
}

/* ---- --check, --list ---- */

static int
count_event(void *ctx, const struct ar_event *ev)
{
	(void)ctx;
	(void)ev;
	return 0;
}

static void
check_archive(struct archive_reader *r, bool list)
{
	int rc = archive_reader_run(r, true, 0, count_event, NULL);
	const struct ar_manifest *m = archive_reader_manifest(r);
	struct ar_stats as;
	json_t *o;
	char *s;
	char *why = NULL;
	bool *sel;

	if (rc != 0) {
		if (!list) {
			o = json_pack("{s:b,s:s}", "ok", 0, "error", archive_reader_error(r));
			s = json_dumps(o, JSON_COMPACT);
			puts(s);
			free(s);
			json_decref(o);
			finish_stdout();
		}
		die(EXIT_FAIL, "%s", archive_reader_error(r));
	}
	sel = select_tables(m, &why);
	if (why)
		die(EXIT_FAIL, "%s", why);
	archive_reader_stats(r, &as);
	if (list) {
		for (size_t i = 0; i < m->ntables; i++) {
			const struct ar_table *t = &m->tables[i];
			char *q;
			if (!sel[i])
				continue;
			q = xasprintf("%s.%s", t->schema, t->name);
			o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:i}", "table", q,
			              "schema", t->schema, "name", t->name, "rows",
			              (json_int_t)t->rows, "bytes", (json_int_t)t->bytes,
			              "chunks", (json_int_t)t->chunks, "level", t->level);
			s = json_dumps(o, JSON_COMPACT);
			puts(s);
			free(s);
			free(q);
			json_decref(o);
		}
	} else {
		o = json_pack("{s:b,s:s,s:i,s:s,s:s,s:s,s:s,s:b,s:I,s:I,s:I,s:I,s:I}",
		              "ok", 1, "format", "strongbox", "version", m->version,
		              "created", m->created, "tool", m->tool, "database",
		              m->database, "server_version", m->server_version,
		              "data_only", m->data_only, "tables",
		              (json_int_t)m->ntables, "rows", (json_int_t)as.rows,
		              "bytes", (json_int_t)as.data_bytes, "members",
		              (json_int_t)as.members + 1, "input_bytes",
		              (json_int_t)as.input_bytes);
		s = json_dumps(o, JSON_COMPACT);
		puts(s);
		free(s);
		json_decref(o);
	}
	free(sel);
}

/* ---- --sql ---- */

struct sqlout {
	char *error; /* why the callback stopped, if it did */
	struct archive_reader *r;
	const struct ar_manifest *m;
	bool *selected;
	long copying;
};

static void
out_script(const char *text, size_t len)
{
	struct sql_script sc;

	sqlscript_split(text, len, &sc);
	for (size_t i = 0; i < sc.n; i++) {
		if (sqlscript_is_set(sc.stmts[i].text, "transaction_timeout"))
			continue;
		printf("%s\n", sc.stmts[i].text);
		if (sc.stmts[i].copy_data) {
			fwrite(sc.stmts[i].copy_data, 1, sc.stmts[i].copy_len, stdout);
			fputs("\\.\n", stdout);
		}
	}
	sqlscript_free(&sc);
}

static int
sql_event(void *ctx, const struct ar_event *ev)
{
	struct sqlout *so = ctx;
	char *s;

	if (ferror(stdout))
		return 1;
	switch (ev->type) {
	case AR_MANIFEST: {
		char *why;
		so->m = archive_reader_manifest(so->r);
		so->selected = select_tables(so->m, &why);
		if (why) {
			so->error = why;
			return 1;
		}
		printf("-- strongbox archive of database %s, made %s by %s\n"
		       "-- for psql: the transaction commits only if srestore "
		       "verified the whole archive\n"
		       "\\set ON_ERROR_STOP on\nBEGIN;\n",
		       so->m->database, so->m->created, so->m->tool);
		if (*so->m->encoding) {
			char *lit = pgconn_quote_literal(so->m->encoding);
			printf("SET client_encoding = %s;\n", lit);
			free(lit);
		}
		return 0;
	}
	case AR_PRE_DATA:
	case AR_POST_DATA:
		if (so->copying >= 0) {
			fputs("\\.\n", stdout);
			so->copying = -1;
		}
		out_script(ev->data, ev->len);
		return 0;
	case AR_CHUNK_BEGIN:
		if (!so->selected[ev->table] || so->copying == (long)ev->table)
			return 0;
		if (so->copying >= 0)
			fputs("\\.\n", stdout);
		s = copy_statement(&so->m->tables[ev->table], false);
		printf("%s;\n", s);
		free(s);
		so->copying = (long)ev->table;
		return 0;
	case AR_CHUNK_DATA:
		if (so->selected[ev->table])
			fwrite(ev->data, 1, ev->len, stdout);
		return 0;
	case AR_CHUNK_END:
		return 0;
	case AR_SEQUENCES: {
		size_t n;
		const struct ar_sequence *seq = archive_reader_sequences(so->r, &n);
		if (so->copying >= 0) {
			fputs("\\.\n", stdout);
			so->copying = -1;
		}
		for (size_t i = 0; i < n; i++) {
			char *q = qualified(seq[i].schema, seq[i].name);
			char *lit = pgconn_quote_literal(q);
			printf("SELECT pg_catalog.setval(%s, %lld, %s);\n", lit,
			       seq[i].last_value, seq[i].is_called ? "true" : "false");
			free(q);
			free(lit);
		}
		return 0;
	}
	case AR_TRAILER:
		if (so->copying >= 0)
			fputs("\\.\n", stdout);
		so->copying = -1;
		return 0;
	}
	return 0;
}

static void
print_sql(struct archive_reader *r)
{
	struct sqlout so = {.r = r, .copying = -1};
	int rc = archive_reader_run(r, true, 0, sql_event, &so);

	if (rc == -1) {
		/* No COMMIT: psql rolls the transaction back at the end. */
		fflush(stdout);
		die(EXIT_FAIL, "%s", archive_reader_error(r));
	}
	if (rc != 0 && so.error != NULL)
		die(EXIT_FAIL, "%s", so.error);
	if (rc != 0)
		die(EXIT_FAIL, "cannot write the script: %s", strerror(errno));
	/* pg_dump --schema-only leaves materialized views empty. */
	for (size_t i = 0; i < so.m->nmatviews; i++) {
		char *q = qualified(so.m->matviews[i].schema, so.m->matviews[i].name);
		printf("REFRESH MATERIALIZED VIEW %s;\n", q);
		free(q);
	}
	puts("COMMIT;");
	free(so.selected);
}

/* ---- --dry-run ---- */

static int
dry_event(void *ctx, const struct ar_event *ev)
{
	struct restore *st = ctx;

	if (ev->type == AR_MANIFEST) {
		char *why;
		st->m = archive_reader_manifest(st->r);
		st->selected = select_tables(st->m, &why);
		if (why)
			return stop(st, EXIT_FAIL, "%s", why);
	}
	return 0;
}

static void
dry_run(struct archive_reader *r)
{
	struct restore st = {.r = r, .copying = -1};
	const struct ar_manifest *m;
	bool *exists, *rel_r;
	char *problems = NULL;
	size_t np = 0;
	bool use_schema, truncate;
	int rc;
	json_t *o, *arr;
	char *s;

	st.conn = pgconn_connect(pgconn_source(opt.dbname));
	st.server_version = PQserverVersion(st.conn);
	rc = archive_reader_run(r, true, 0, dry_event, &st);
	if (rc == -1)
		abort_restore(&st, archive_reader_error(r), EXIT_FAIL);
	if (rc != 0)
		abort_restore(&st, st.error, st.code);
	m = st.m;
	if (m->data_only && !opt.data_only) {
		problems = xstrdup("the archive holds no schema (sdump --data-only): "
		                   "restore it with --data-only into an existing schema");
		np = 1;
	}
	use_schema = !opt.data_only && !(opt.clean && opt.npatterns > 0);
	truncate = !use_schema;
	if (run(&st, "cannot start the transaction", "BEGIN READ ONLY"))
		abort_restore(&st, st.error, st.code);
	exists = xcalloc(m->ntables + 1, sizeof *exists);
	rel_r = xcalloc(m->ntables + 1, sizeof *rel_r);
	{
		size_t n2 = 0;
		char *p2 = check_target(&st, truncate, exists, rel_r, &n2);
		if (st.error)
			abort_restore(&st, st.error, st.code);
		/* --clean replaces whatever is there: presence is no problem. */
		if (p2 && !(opt.clean && !truncate)) {
			char *line = problem_line(p2, n2);
			list_add(&problems, line);
			free(line);
			np += n2;
		}
		free(p2);
	}
	arr = json_array();
	for (size_t i = 0; i < m->ntables; i++) {
		const struct ar_table *t = &m->tables[i];
		const char *action;
		char *q;
		if (!st.selected[i])
			continue;
		if (truncate)
			action = "truncate and load";
		else if (exists[i])
			action = opt.clean ? "drop, create and load" : "exists: refused";
		else
			action = "create and load";
		q = xasprintf("%s.%s", t->schema, t->name);
		o = json_pack("{s:s,s:s,s:b,s:I,s:I}", "table", q, "action", action,
		              "exists", exists[i], "rows", (json_int_t)t->rows, "bytes",
		              (json_int_t)t->bytes);
		s = json_dumps(o, JSON_COMPACT);
		puts(s);
		free(s);
		json_decref(o);
		free(q);
	}
	json_decref(arr);
	o = json_pack("{s:b,s:b,s:s,s:s,s:I}", "dry_run", 1, "ok", problems == NULL,
	              "mode", opt.data_only ? "data-only" : opt.clean ? "clean" : "restore",
	              "problems", problems ? problems : "", "problem_count",
	              (json_int_t)np);
	s = json_dumps(o, JSON_COMPACT);
	puts(s);
	free(s);
	json_decref(o);
	PQclear(PQexec(st.conn, "ROLLBACK"));
	PQfinish(st.conn);
	st.conn = NULL;
	free(exists);
	free(rel_r);
	free(st.selected);
	if (problems) {
		finish_stdout();
		die(EXIT_FAIL, "the restore would fail: %s", problems);
	}
}

/* ---- pg_dump -Fc ---- */

static void
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno(EXIT_FAIL, "pg_restore stopped reading its input");
		p += n;
		len -= (size_t)n;
	}
}

static void
pg_restore_archive(const unsigned char *prefix, size_t plen)
{
	PGconn *conn = pgconn_connect(pgconn_source(opt.dbname));
	char **env = pgconn_child_env(conn);
	char *db = xstrdup(PQdb(conn));
	const char *argv[10];
	int argc = 0, pfd[2], status;
	uint64_t total = plen;
	double t0 = now();
	pid_t pid;
	char buf[1 << 16];
	json_t *o;
	char *s;

	PQfinish(conn);
	argv[argc++] = "pg_restore";
	argv[argc++] = "--single-transaction";
	argv[argc++] = "--exit-on-error";
	if (opt.clean) {
		argv[argc++] = "--clean";
		argv[argc++] = "--if-exists";
	}
	argv[argc++] = "-d";
	argv[argc++] = db;
	argv[argc] = NULL;
	if (pipe(pfd) < 0)
		die_errno(EXIT_FAIL, "cannot make a pipe");
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid < 0)
		die_errno(EXIT_FAIL, "cannot start pg_restore");
	if (pid == 0) {
		dup2(pfd[0], 0);
		close(pfd[0]);
		close(pfd[1]);
		/* stdout carries our report, not pg_restore's chatter. */
		dup2(2, 1);
		execvpe("pg_restore", (char *const *)argv, env);
		fprintf(stderr, "srestore: cannot run pg_restore: %s\n", strerror(errno));
		_exit(127);
	}
	close(pfd[0]);
	pgconn_free_env(env);
	progress(&(struct restore){.progress = opt.progress},
	         "a pg_dump archive: handing it to pg_restore --single-transaction");
	write_all(pfd[1], prefix, plen);
	for (;;) {
		ssize_t n = read(0, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno(EXIT_FAIL, "cannot read input");
		if (n == 0)
			break;
		total += (uint64_t)n;
		{
			const char *p = buf;
			size_t len = (size_t)n;
			bool broken = false;
			while (len > 0) {
				ssize_t w = write(pfd[1], p, len);
				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0) {
					broken = true;
					break;
				}
				p += w;
				len -= (size_t)w;
			}
			if (broken)
				break;
		}
	}
	close(pfd[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno(EXIT_FAIL, "cannot wait for pg_restore");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		die(EXIT_FAIL, "cannot run pg_restore (is it installed?)");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die(EXIT_FAIL, "pg_restore failed (%s %d): nothing was restored",
		    WIFEXITED(status) ? "exit" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	o = json_pack("{s:s,s:s,s:I,s:f}", "mode", opt.clean ? "clean" : "restore",
	              "format", "pg_dump", "bytes", (json_int_t)total, "seconds",
	              now() - t0);
	s = json_dumps(o, JSON_COMPACT);
	puts(s);
	free(s);
	json_decref(o);
	free(db);
}

int
main(int argc, char **argv)
{
	enum { OPT_CHECK = 256, OPT_LIST, OPT_DRY_RUN, OPT_SQL, OPT_VERSION };
	static const struct option longopts[] = {
		{"data-only", no_argument, NULL, 'a'},
		{"check", no_argument, NULL, OPT_CHECK},
		{"clean", no_argument, NULL, 'c'},
		{"dbname", required_argument, NULL, 'd'},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"help", no_argument, NULL, 'h'},
		{"list", no_argument, NULL, OPT_LIST},
		{"progress", no_argument, NULL, 'P'},
		{"sql", no_argument, NULL, OPT_SQL},
		{"table", required_argument, NULL, 't'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	unsigned char prefix[8];
	size_t plen = 0;
	struct archive_reader *r;
	int c, nmodes = 0;

	err_init(argv[0]);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "acd:hPt:", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			opt.data_only = true;
			break;
		case 'c':
			opt.clean = true;
			break;
		case 'd':
			opt.dbname = optarg;
			break;
		case 'h':
			usage(stdout);
			finish_stdout();
			return EXIT_OK;
		case 'P':
			opt.progress = true;
			break;
		case 't':
			if (*optarg == '\0')
				die_usage("-t needs a pattern");
			opt.patterns = xreallocarray(opt.patterns, opt.npatterns + 1,
			                             sizeof *opt.patterns);
			opt.patterns[opt.npatterns++] = optarg;
			break;
		case OPT_CHECK:
			opt.mode = M_CHECK;
			nmodes++;
			break;
		case OPT_LIST:
			opt.mode = M_LIST;
			nmodes++;
			break;
		case OPT_DRY_RUN:
			opt.mode = M_DRY_RUN;
			nmodes++;
			break;
		case OPT_SQL:
			opt.mode = M_SQL;
			nmodes++;
			break;
		case OPT_VERSION:
			print_version();
		default:
			die_bad_option("acd:hPt:", argv);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0)
		die_usage("unexpected operand \"%s\" (the archive is read on stdin)",
		          argv[0]);
	if (nmodes > 1)
		die_usage("--check, --list, --dry-run and --sql exclude each other");
	if (opt.clean && opt.data_only)
		die_usage("--clean and --data-only exclude each other");
	if ((opt.mode == M_CHECK || opt.mode == M_LIST || opt.mode == M_SQL) &&
	    (opt.clean || opt.data_only || opt.dbname))
		die_usage("--check, --list and --sql use no database");
	if (!opt.progress && isatty(2) && opt.mode == M_RESTORE)
		opt.progress = true;
	if (isatty(0))
		die_usage("the archive is read on stdin, which is a terminal");

	/* pg_dump -Fc archives start with "PGDMP". */
	while (plen < 5) {
		ssize_t n = read(0, prefix + plen, 5 - plen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno(EXIT_FAIL, "cannot read input");
		if (n == 0)
			break;
		plen += (size_t)n;
	}
	if (plen == 5 && memcmp(prefix, "PGDMP", 5) == 0) {
		if (opt.mode != M_RESTORE || opt.data_only || opt.npatterns)
			die(EXIT_FAIL, "a pg_dump archive can only be restored whole "
			               "(with or without --clean): use pg_restore for more");
		pg_restore_archive(prefix, plen);
		finish_stdout();
		return EXIT_OK;
	}

	r = archive_reader_new_fd(0, prefix, plen);
	switch (opt.mode) {
	case M_CHECK:
		check_archive(r, false);
		break;
	case M_LIST:
		check_archive(r, true);
		break;
	case M_SQL:
		print_sql(r);
		break;
	case M_DRY_RUN:
		dry_run(r);
		break;
	case M_RESTORE:
		restore(r, false);
		break;
	}
	archive_reader_free(r);
	free(opt.patterns);
	finish_stdout();
	return EXIT_OK;
}
