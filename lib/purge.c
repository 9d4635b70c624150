/* purge.c: spurge's work on the database; see purge.h. */
#include "purge.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pgconn.h"
#include "pglock.h"
#include "cancel.h"
#include "xalloc.h"

/* The column of the temporary tables that holds a row's ctid. */
#define CTID_COL "\"strongbox$ctid\""

static const char tables_sql[] =
	"SELECT n.nspname, c.relname, c.oid, "
	"  EXISTS (SELECT 1 FROM pg_depend d "
	"          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid "
	"            AND d.deptype = 'e'), c.relkind "
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
	"  AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' "
	"ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"";

static const char fks_sql[] =
	"SELECT con.oid, con.conname, con.conrelid, con.confrelid, "
	"  ca.attname, pa.attname "
	"FROM pg_constraint con "
	"CROSS JOIN LATERAL unnest(con.conkey, con.confkey) "
	"  WITH ORDINALITY AS k(c, p, o) "
	"JOIN pg_attribute ca ON ca.attrelid = con.conrelid AND ca.attnum = k.c "
	"JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = k.p "
	"WHERE con.contype = 'f' AND con.conparentid = 0 "
	"ORDER BY con.conrelid, con.conname COLLATE \"C\", con.oid, k.o";

/* The table of oid, or -1. */
static long
find_oid(char **oids, size_t n, const char *oid)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(oids[i], oid) == 0)
			return (long)i;
	return -1;
}

void
purge_catalog_read(PGconn *conn, struct purge_catalog *cat)
{
	PGresult *res = pgconn_exec(conn, "cannot read the catalog", tables_sql);
	int n = PQntuples(res);
	char *last = NULL;

	memset(cat, 0, sizeof *cat);
	cat->ntables = (size_t)n;
	cat->tables = xcalloc((size_t)n + 1, sizeof *cat->tables);
	cat->oids = xcalloc((size_t)n + 1, sizeof *cat->oids);
	cat->partitioned = xcalloc((size_t)n + 1, sizeof *cat->partitioned);
	for (int i = 0; i < n; i++) {
		cat->tables[i].schema = xstrdup(PQgetvalue(res, i, 0));
		cat->tables[i].name = xstrdup(PQgetvalue(res, i, 1));
		cat->oids[i] = xstrdup(PQgetvalue(res, i, 2));
		cat->tables[i].extension = PQgetvalue(res, i, 3)[0] == 't';
		cat->partitioned[i] = PQgetvalue(res, i, 4)[0] == 'p';
	}
	PQclear(res);

	res = pgconn_exec(conn, "cannot read the foreign keys", fks_sql);
	n = PQntuples(res);
	cat->fks = xcalloc((size_t)n + 1, sizeof *cat->fks);
	cat->planfks = xcalloc((size_t)n + 1, sizeof *cat->planfks);
	for (int r = 0; r < n; r++) {
		const char *oid = PQgetvalue(res, r, 0);
		long child = find_oid(cat->oids, cat->ntables, PQgetvalue(res, r, 2));
		long parent = find_oid(cat->oids, cat->ntables, PQgetvalue(res, r, 3));
		struct purge_fkcols *f;

		if (child < 0 || parent < 0)
			continue;
		if (last == NULL || strcmp(last, oid) != 0) {
			free(last);
			last = xstrdup(oid);
			f = &cat->fks[cat->nfks++];
			f->name = xstrdup(PQgetvalue(res, r, 1));
			f->child = (size_t)child;
			f->parent = (size_t)parent;
		}
		f = &cat->fks[cat->nfks - 1];
		f->ccols = xreallocarray(f->ccols, f->ncols + 1, sizeof *f->ccols);
		f->pcols = xreallocarray(f->pcols, f->ncols + 1, sizeof *f->pcols);
		f->ccols[f->ncols] = xstrdup(PQgetvalue(res, r, 4));
		f->pcols[f->ncols] = xstrdup(PQgetvalue(res, r, 5));
		f->ncols++;
	}
	free(last);
	PQclear(res);
	for (size_t e = 0; e < cat->nfks; e++) {
		cat->planfks[e].name = cat->fks[e].name;
		cat->planfks[e].child = cat->fks[e].child;
		cat->planfks[e].parent = cat->fks[e].parent;
	}
}

void
purge_catalog_free(struct purge_catalog *cat)
{
	for (size_t i = 0; i < cat->ntables; i++) {
		free((char *)cat->tables[i].schema);
		free((char *)cat->tables[i].name);
		free(cat->oids[i]);
	}
	free(cat->oids);
	free(cat->partitioned);
	for (size_t e = 0; e < cat->nfks; e++) {
		for (size_t c = 0; c < cat->fks[e].ncols; c++) {
			free(cat->fks[e].ccols[c]);
			free(cat->fks[e].pcols[c]);
		}
		free(cat->fks[e].ccols);
		free(cat->fks[e].pcols);
		free(cat->fks[e].name);
	}
	free(cat->fks);
	free(cat->planfks);
	free(cat->tables);
	memset(cat, 0, sizeof *cat);
}

/* "schema"."name" of table i, quoted; malloc'ed. */
static char *
qualified(const struct purge_catalog *cat, size_t i)
{
	return pgconn_quote_qualified(cat->tables[i].schema,
	                              cat->tables[i].name);
}

char *
purge_check_datecols(PGconn *conn, const struct purge_catalog *cat,
                     const struct purgeconf *conf,
                     const struct purgeplan *plan)
{
	for (size_t i = 0; i < cat->ntables; i++) {
		long k = plan->conf[i];
		const struct purgeconf_table *ct;
		const char *params[2];
		PGresult *res;
		char *why = NULL;

		if (k < 0 || conf->tables[k].datecol == NULL)
			continue;
		ct = &conf->tables[k];
		params[0] = cat->oids[i];
		params[1] = ct->datecol;
		res = pgconn_execv(conn, "cannot read the date columns",
		                   "SELECT t.typcategory, "
		                   "  format_type(a.atttypid, a.atttypmod) "
		                   "FROM pg_attribute a "
		                   "JOIN pg_type t ON t.oid = a.atttypid "
		                   "WHERE a.attrelid = $1::oid AND a.attname = $2 "
		                   "  AND a.attnum > 0 AND NOT a.attisdropped",
		                   2, params);
		if (PQntuples(res) == 0 || PQgetvalue(res, 0, 0)[0] != 'D') {
			char *t = purgeconf_display(ct->schema, ct->name);
			char *c = purgeconf_display("public", ct->datecol);
			if (PQntuples(res) == 0)
				why = xasprintf("table %s has no column %s "
				                "(purge-tables.conf line %d)",
				                t, c, ct->line);
			else
				why = xasprintf("column %s of table %s is %s, not a "
				                "date or time (purge-tables.conf line %d)",
				                c, t, PQgetvalue(res, 0, 1), ct->line);
			free(t);
			free(c);
		}
		PQclear(res);
		if (why)
			return why;
	}
	return NULL;
}

void
purge_lock(PGconn *conn, const struct purge_catalog *cat,
           const struct purgeplan *plan, const char *mode,
           bool referencing_too)
{
	for (size_t k = 0; k < plan->norder; k++) {
		size_t i = plan->order[k];
		pglock_table(conn, cat->tables[i].schema, cat->tables[i].name, mode);
	}
	if (!referencing_too)
		return;
	for (size_t i = 0; i < cat->ntables; i++) {
		bool refs = false;

		if (plan->fate[i] == PURGEPLAN_PURGE)
			continue;
		for (size_t e = 0; e < cat->nfks && !refs; e++)
			refs = cat->fks[e].child == i &&
			       plan->fate[cat->fks[e].parent] == PURGEPLAN_PURGE;
		if (refs)
			pglock_table(conn, cat->tables[i].schema,
			             cat->tables[i].name, "SHARE");
	}
}

static uint64_t
count_sql(PGconn *conn, const char *what, const char *sql)
{
	PGresult *res = pgconn_exec(conn, what, sql);
	uint64_t n = strtoull(PQgetvalue(res, 0, 0), NULL, 10);

	PQclear(res);
	return n;
}

void
purge_count(PGconn *conn, const struct purge_catalog *cat,
            const struct purgeplan *plan, uint64_t *rows)
{
	for (size_t k = 0; k < plan->norder; k++) {
		char *q = qualified(cat, plan->order[k]);
		char *sql = xasprintf("SELECT count(*) FROM %s", q);
		char *what = xasprintf("cannot count the rows of %s", q);

		rows[k] = count_sql(conn, what, sql);
		free(what);
		free(sql);
		free(q);
	}
}

void
purge_truncate(PGconn *conn, const struct purge_catalog *cat,
               const struct purgeplan *plan, bool restart_identity)
{
	size_t cap = 64, len;
	char *sql;

	if (plan->norder == 0)
		return;
	sql = xmalloc(cap);
	len = (size_t)snprintf(sql, cap, "TRUNCATE ");
	for (size_t k = 0; k < plan->norder; k++) {
		char *q = qualified(cat, plan->order[k]);
		size_t need = len + strlen(q) + 32;
		if (need > cap) {
			cap = need * 2;
			sql = xreallocarray(sql, cap, 1);
		}
		len += (size_t)snprintf(sql + len, cap - len, "%s%s", k ? ", " : "", q);
		free(q);
	}
	snprintf(sql + len, cap - len, "%s",
	         restart_identity ? " RESTART IDENTITY" : "");
	pgconn_command(conn, "cannot truncate the tables", sql);
	free(sql);
}

/* ---- --before ---- */

/* A growing SQL text. */
struct sb {
	char *s;
	size_t len, cap;
};

static void
sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	char *piece;
	size_t n;

	va_start(ap, fmt);
	piece = xvasprintf(fmt, ap);
	va_end(ap);
	n = strlen(piece);
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, piece, n + 1);
	b->len += n;
	free(piece);
}

/* Position in plan->order of table i, or -1 when it is not purged. */
static long
order_of(const struct purgeplan *plan, size_t i)
{
	for (size_t k = 0; k < plan->norder; k++)
		if (plan->order[k] == i)
			return (long)k;
	return -1;
}

/* Does "a = b" hold for every column pair of fk e (aliases x: child, y). */
static void
sb_join(struct sb *b, const struct purge_fkcols *f, const char *child_alias,
        const char *parent_alias)
{
	for (size_t c = 0; c < f->ncols; c++) {
		char *cc = pgconn_quote_ident(f->ccols[c]);
		char *pc = pgconn_quote_ident(f->pcols[c]);
		sb_add(b, "%s%s.%s = %s.%s", c ? " AND " : "", child_alias, cc,
		       parent_alias, pc);
		free(cc);
		free(pc);
	}
}

struct before {
	PGconn *conn;
	const struct purge_catalog *cat;
	const struct purgeconf *conf;
	const struct purgeplan *plan;
	char *date_lit;
	char **keycols; /* per order position: ", col, col" (quoted) */
	uint64_t *spared; /* per order position: rows spared so far */
};

static const char *
datecol(const struct before *st, size_t i)
{
	long k = st->plan->conf[i];

	return k >= 0 ? st->conf->tables[k].datecol : NULL;
}

/*
 * One SELECT of the rows of table order[k] meeting cond, without those
 * spared already (after the first pass), into b.
 */
static void
sb_select(struct before *st, struct sb *b, size_t k, const char *q, int pass)
{
	sb_add(b, "SELECT t.ctid%s FROM ONLY %s t WHERE ", st->keycols[k], q);
	if (pass > 0)
		sb_add(b, "NOT EXISTS (SELECT 1 FROM strongbox_s_%zu s "
		          "WHERE s." CTID_COL " = t.ctid) AND ",
		       k);
}

/*
 * Fills strongbox_d_K with the rows of table order[k] to delete: by its date
 * column, or else those that reference a row to delete of a purged parent
 * (one SELECT per foreign key, joined by UNION, so that each EXISTS stays
 * a semi-join).
 */
static void
propagate(struct before *st, size_t k, int pass)
{
	size_t i = st->plan->order[k];
	const char *dc = datecol(st, i);
	struct sb b = {0};
	char *q = qualified(st->cat, i);
	bool any = false;

	if (pass > 0) {
		char *t = xasprintf("TRUNCATE strongbox_d_%zu", k);
		pgconn_command(st->conn, "cannot plan the purge", t);
		free(t);
	}
	sb_add(&b, "INSERT INTO strongbox_d_%zu ", k);
	if (dc != NULL) {
		char *c = pgconn_quote_ident(dc);
		sb_select(st, &b, k, q, pass);
		sb_add(&b, "t.%s < %s::date", c, st->date_lit);
		free(c);
		any = true;
	} else {
		for (size_t e = 0; e < st->cat->nfks; e++) {
			const struct purge_fkcols *f = &st->cat->fks[e];
			long pk;

			if (f->child != i || f->parent == i)
				continue;
			pk = order_of(st->plan, f->parent);
			if (pk < 0)
				continue;
			if (any)
				sb_add(&b, " UNION ");
			sb_select(st, &b, k, q, pass);
			sb_add(&b, "EXISTS (SELECT 1 FROM strongbox_d_%ld p WHERE ", pk);
			sb_join(&b, f, "t", "p");
			sb_add(&b, ")");
			any = true;
		}
	}
	if (any) {
		pgconn_command(st->conn, "cannot plan the purge", b.s);
		free(b.s);
		b.s = xasprintf("ANALYZE strongbox_d_%zu", k);
		pgconn_command(st->conn, "cannot plan the purge", b.s);
	}
	free(b.s);
	free(q);
}

/*
 * Moves the rows of strongbox_d_K that a staying row references to
 * strongbox_s_K, one foreign key at a time; returns how many moved.  A key
 * from a purged child without a date column is skipped while nothing of
 * that child is spared: each of its rows that references a row to delete
 * is one to delete itself.
 */
static uint64_t
spare(struct before *st, size_t k)
{
	size_t i = st->plan->order[k];
	uint64_t n = 0;

	for (size_t e = 0; e < st->cat->nfks; e++) {
		const struct purge_fkcols *f = &st->cat->fks[e];
		struct sb b = {0};
		PGresult *res;
		char *rq;
		long rk;

		if (f->parent != i)
			continue;
		rk = order_of(st->plan, f->child);
		if (rk >= 0 && f->child != i && datecol(st, f->child) == NULL &&
		    st->spared[rk] == 0)
			continue;
		rq = qualified(st->cat, f->child);
		sb_add(&b, "WITH sp AS (DELETE FROM strongbox_d_%zu d WHERE "
		           "EXISTS (SELECT 1 FROM %s r WHERE ", k, rq);
		sb_join(&b, f, "r", "d");
		if (rk >= 0)
			sb_add(&b, " AND NOT EXISTS (SELECT 1 FROM strongbox_d_%ld x "
			           "WHERE x." CTID_COL " = r.ctid)",
			       rk);
		sb_add(&b, ") RETURNING d." CTID_COL ") INSERT INTO strongbox_s_%zu "
		           "SELECT * FROM sp",
		       k);
		res = pgconn_exec(st->conn, "cannot plan the purge", b.s);
		n += strtoull(PQcmdTuples(res), NULL, 10);
		PQclear(res);
		free(b.s);
		free(rq);
	}
	st->spared[k] += n;
	return n;
}

/* True when a purged table without a date column references table i. */
static bool
feeds_children(const struct before *st, size_t i)
{
	for (size_t e = 0; e < st->cat->nfks; e++) {
		const struct purge_fkcols *f = &st->cat->fks[e];
		if (f->parent == i && order_of(st->plan, f->child) >= 0 &&
		    datecol(st, f->child) == NULL)
			return true;
	}
	return false;
}

/* Runs sql; returns 0, or -1 with *why set to the server's message. */
static int
try_sql(PGconn *conn, const char *sql, int nparams, const char *const *params,
        const char *what, char **why)
{
	PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(res);

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		PQclear(res);
		return 0;
	}
	if (pgconn_is_transient(conn, res)) {
		char *m = pgconn_result_error(res);
		PQclear(res);
		die(EXIT_TEMPFAIL, "%s: %s", what, m);
	}
	{
		char *m = pgconn_result_error(res);
		*why = xasprintf("%s: %s", what, m);
		free(m);
	}
	PQclear(res);
	return -1;
}

int
purge_before_plan(PGconn *conn, const struct purge_catalog *cat,
                  const struct purgeconf *conf, const struct purgeplan *plan,
                  const char *date, const char *tz, uint64_t *doomed,
                  uint64_t *spared, char **why)
{
	struct before st = {conn, cat, conf, plan, NULL, NULL, NULL};
	const char *params[1];
	int pass;

	*why = NULL;
	for (size_t k = 0; k < plan->norder; k++)
		if (cat->partitioned[plan->order[k]]) {
			char *t = purgeconf_display(cat->tables[plan->order[k]].schema,
			                            cat->tables[plan->order[k]].name);
			*why = xasprintf("--before cannot tell the rows of the "
			                 "partitioned table %s apart: purge it "
			                 "without --before, or keep it",
			                 t);
			free(t);
			return -1;
		}
	if (tz != NULL && *tz != '\0') {
		char *lit, *sql;
		int rc;
		if (*tz == ':')
			tz++;
		lit = pgconn_quote_literal(tz);
		sql = xasprintf("SET LOCAL TIME ZONE %s", lit);
		rc = try_sql(conn, sql, 0, NULL, "TZ", why);
		free(sql);
		free(lit);
		if (rc < 0)
			return -1;
	}
	params[0] = date;
	if (try_sql(conn, "SELECT $1::date", 1, params, "--before", why) < 0)
		return -1;
	st.date_lit = pgconn_quote_literal(date);
	st.spared = xcalloc(plan->norder + 1, sizeof *st.spared);

	/* The temporary tables: ctid and the columns children reference. */
	st.keycols = xcalloc(plan->norder + 1, sizeof *st.keycols);
	for (size_t k = 0; k < plan->norder; k++) {
		size_t i = plan->order[k];
		struct sb cols = {0};
		char **seen = NULL;
		size_t nseen = 0;
		char *q = qualified(cat, i), *sql;

		sb_add(&cols, "%s", "");
		for (size_t e = 0; e < cat->nfks; e++) {
			const struct purge_fkcols *f = &cat->fks[e];
			if (f->parent != i)
				continue;
			for (size_t c = 0; c < f->ncols; c++) {
				bool dup = false;
				for (size_t s = 0; s < nseen && !dup; s++)
					dup = strcmp(seen[s], f->pcols[c]) == 0;
				if (dup)
					continue;
				seen = xreallocarray(seen, nseen + 1, sizeof *seen);
				seen[nseen++] = f->pcols[c];
				{
					char *qc = pgconn_quote_ident(f->pcols[c]);
					sb_add(&cols, ", t.%s", qc);
					free(qc);
				}
			}
		}
		free(seen);
		st.keycols[k] = cols.s;
		sql = xasprintf("CREATE TEMP TABLE strongbox_d_%zu ON COMMIT DROP AS "
		                "SELECT t.ctid AS " CTID_COL "%s FROM %s t WITH NO DATA; "
		                "CREATE TEMP TABLE strongbox_s_%zu (" CTID_COL " tid) "
		                "ON COMMIT DROP",
		                k, cols.s, q, k);
		pgconn_command(conn, "cannot plan the purge", sql);
		free(sql);
		free(q);
	}

	/* Until no row is spared that other rows were deleted through. */
	for (pass = 0;; pass++) {
		bool again = false;

		cancel_check();
		for (size_t k = plan->norder; k-- > 0;)
			propagate(&st, k, pass);
		for (size_t k = 0; k < plan->norder; k++)
			if (spare(&st, k) > 0 && feeds_children(&st, plan->order[k]))
				again = true;
		if (!again)
			break;
	}

	for (size_t k = 0; k < plan->norder; k++) {
		char *sql = xasprintf("SELECT (SELECT count(*) FROM strongbox_d_%zu), "
		                      "(SELECT count(*) FROM strongbox_s_%zu)",
		                      k, k);
		PGresult *res = pgconn_exec(conn, "cannot plan the purge", sql);
		doomed[k] = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
		spared[k] = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
		PQclear(res);
		free(sql);
		free(st.keycols[k]);
	}
	free(st.keycols);
	free(st.spared);
	free(st.date_lit);
	return 0;
}

void
purge_before_delete(PGconn *conn, const struct purge_catalog *cat,
                    const struct purgeplan *plan, uint64_t *deleted)
{
	for (size_t k = 0; k < plan->norder; k++) {
		char *q = qualified(cat, plan->order[k]);
		char *sql = xasprintf("DELETE FROM ONLY %s WHERE ctid = ANY (ARRAY("
		                      "SELECT " CTID_COL " FROM strongbox_d_%zu))",
		                      q, k);
		char *what = xasprintf("cannot delete from %s", q);
		PGresult *res = pgconn_exec(conn, what, sql);

		deleted[k] = strtoull(PQcmdTuples(res), NULL, 10);
		PQclear(res);
		free(what);
		free(sql);
		free(q);
	}
}
