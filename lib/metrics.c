/* metrics.c: the metrics query and the integrity checks; see metrics.h. */
#include "metrics.h"

#include <stdlib.h>
#include <string.h>

#include "branchday.h"
#include "err.h"
#include "jsonline.h"
#include "pgconn.h"
#include "pgjson.h"
#include "xalloc.h"


/* Keys of the head, which a query column may not repeat. */
static const char *const head_keys[] = {
	"schema_version", "branch_id", "generated_at", "is_final", "currency",
};

static void
begin_snapshot(PGconn *conn, const char *zone)
{
	const char *params[1] = {zone};

	/* JSON is UTF-8, whatever the database's encoding. */
	if (PQsetClientEncoding(conn, "UTF8") != 0)
		die(pgconn_is_transient(conn, NULL) ? EXIT_TEMPFAIL : EXIT_FAIL,
		    "cannot use UTF-8 as the client encoding: %s",
		    pgconn_error(conn));
	pgconn_command(conn, "cannot start a transaction",
	               "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
	PQclear(pgconn_exec1(conn, "cannot use the time zone",
	                     "SELECT set_config('TimeZone', $1, true), "
	                     "set_config('DateStyle', 'ISO, YMD', true)",
	                     params[0]));
}

/* The SQL name of type oid, for a message (malloc'ed). */
static char *
type_name(PGconn *conn, Oid oid)
{
	char num[16];
	PGresult *res;
	char *name;

	snprintf(num, sizeof num, "%u", (unsigned)oid);
	res = pgconn_exec1(conn, "cannot read the catalog",
	                   "SELECT format_type($1::oid, NULL)", num);
	name = xstrdup(PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)
	                       ? PQgetvalue(res, 0, 0)
	                       : num);
	PQclear(res);
	return name;
}

/*
 * Dies naming column c of res when its type has no JSON form, after
 * clearing res: nothing refers to it once the type's name is read.
 */
static void
check_column_type(PGconn *conn, PGresult *res, int c)
{
	char *t, *name;

	if (pgjson_supported(PQftype(res, c)))
		return;
	t = type_name(conn, PQftype(res, c));
	name = xstrdup(PQfname(res, c));
	PQclear(res);
	die(EXIT_FAIL, "the metrics query's column \"%s\" is of type %s, which "
	    "has no JSON form here: cast it to bigint, numeric, boolean or text",
	    name, t);
}

void
metrics_write(PGconn *conn, const char *sql, const char *zone, int64_t from,
              int64_t to, const struct metrics_head *h, FILE *out)
{
	static const Oid types[3] = {PGJSON_DATE, PGJSON_DATE, PGJSON_TEXT};
	char d0[BRANCHDAY_DATE_LEN], d1[BRANCHDAY_DATE_LEN];
	char gen[BRANCHDAY_TIME_LEN], day[BRANCHDAY_DATE_LEN];
	const char *params[3] = {d0, d1, zone};
	size_t ndays = (size_t)(to - from + 1);
	int *row_of = xmalloc(ndays * sizeof *row_of);
	int date_col = -1, name_col = -1, ncols, nrows;
	PGresult *res;

	branchday_format(from, d0);
	branchday_format(to, d1);
	branchday_rfc3339(h->now, gen);
	begin_snapshot(conn, zone);
	res = pgconn_exec_typed(conn, "the metrics query failed", sql, 3, types,
	                        params);
	pgconn_command(conn, "cannot end the transaction", "COMMIT");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		die(EXIT_FAIL, "the metrics query returns no rows: it is not a "
		    "SELECT");
	ncols = PQnfields(res);
	nrows = PQntuples(res);
	for (int c = 0; c < ncols; c++) {
		const char *name = PQfname(res, c);

		for (int k = 0; k < c; k++)
			if (strcmp(PQfname(res, k), name) == 0)
				die(EXIT_FAIL, "the metrics query returns two columns "
				    "\"%s\"", name);
		for (size_t k = 0; k < sizeof head_keys / sizeof *head_keys; k++)
			if (strcmp(head_keys[k], name) == 0)
				die(EXIT_FAIL, "the metrics query's column \"%s\" "
				    "repeats a key %s writes itself", name,
				    err_progname());
		if (strcmp(name, "summary_date") == 0)
			date_col = c;
		else if (strcmp(name, "branch_name") == 0)
			name_col = c;
	}
	if (date_col < 0)
		die(EXIT_FAIL, "the metrics query has no column summary_date");
	for (int c = 0; c < ncols; c++)
		if (c != date_col && c != name_col)
			check_column_type(conn, res, c);
	if (nrows == 0)
		die(EXIT_FAIL, "the metrics query returned no row for %s to %s", d0,
		    d1);

	/* Each day of the range once. */
	for (size_t i = 0; i < ndays; i++)
		row_of[i] = -1;
	for (int r = 0; r < nrows; r++) {
		const char *v = PQgetvalue(res, r, date_col);
		int64_t d;

		if (PQgetisnull(res, r, date_col) || strlen(v) != 10 ||
		    branchday_parse(v, 0, &d) < 0)
			die(EXIT_FAIL, "the metrics query returned a summary_date "
			    "that is not a date: \"%.40s\"",
			    PQgetisnull(res, r, date_col) ? "NULL" : v);
		if (d < from || d > to)
			die(EXIT_FAIL, "the metrics query returned %s, outside "
			    "%s to %s", v, d0, d1);
		if (row_of[d - from] >= 0)
			die(EXIT_FAIL, "the metrics query returned %s twice", v);
		row_of[d - from] = r;
	}
	for (size_t i = 0; i < ndays; i++)
		if (row_of[i] < 0) {
			branchday_format(from + (int64_t)i, day);
			die(EXIT_FAIL, "the metrics query returned no row for %s "
			    "(%d rows for %zu days)", day, nrows, ndays);
		}

	/* Build every line, then write. */
	char **lines = xcalloc(ndays, sizeof *lines);
	for (size_t i = 0; i < ndays; i++) {
		int r = row_of[i];
		int64_t d = from + (int64_t)i;
		const char *bname = h->branch_name, *why;
		struct jsonline j;

		if (bname == NULL && name_col >= 0 && !PQgetisnull(res, r, name_col))
			bname = PQgetvalue(res, r, name_col);
		if (bname == NULL)
			bname = h->branch_id;
		branchday_format(d, day);
		jsonline_init(&j);
		jsonline_int(&j, "schema_version", 1);
		if (jsonline_str(&j, "branch_id", h->branch_id) < 0)
			die(EXIT_FAIL, "BRANCH_ID is not valid UTF-8");
		if (jsonline_str(&j, "branch_name", bname) < 0)
			die(EXIT_FAIL, "the branch name is not valid UTF-8");
		jsonline_str(&j, "summary_date", day);
		jsonline_str(&j, "generated_at", gen);
		jsonline_bool(&j, "is_final", h->now >= branchday_start(d + 1));
		if (jsonline_str(&j, "currency", h->currency) < 0)
			die(EXIT_FAIL, "CURRENCY is not valid UTF-8");
		for (int c = 0; c < ncols; c++) {
			if (c == date_col || c == name_col)
				continue;
			if (pgjson_add(&j, PQfname(res, c), PQftype(res, c),
			               PQgetisnull(res, r, c) ? NULL
			                                      : PQgetvalue(res, r, c),
			               PGJSON_STRICT, &why) < 0)
				die(EXIT_FAIL, "the metrics query's column \"%s\" %s "
				    "on %s", PQfname(res, c), why, day);
		}
		lines[i] = xstrdup(jsonline_end(&j));
		jsonline_free(&j);
	}
	PQclear(res);
	for (size_t i = 0; i < ndays; i++) {
		fputs(lines[i], out);
		fputc('\n', out);
		free(lines[i]);
	}
	free(lines);
	free(row_of);
}

/* The rows of res as JSON objects in an array "sample". */
static void
add_sample(struct jsonline *j, const PGresult *res)
{
	const char *why;

	jsonline_open(j, "sample", '[');
	for (int r = 0; r < PQntuples(res); r++) {
		jsonline_open(j, NULL, '{');
		for (int c = 0; c < PQnfields(res); c++) {
			const char *v = PQgetisnull(res, r, c) ? NULL
			                                       : PQgetvalue(res, r, c);

			if (pgjson_add(j, PQfname(res, c), PQftype(res, c), v,
			               PGJSON_LENIENT, &why) < 0)
				jsonline_str(j, PQfname(res, c), "(not UTF-8)");
		}
		jsonline_close(j, '}');
	}
	jsonline_close(j, ']');
}

int
metrics_checks(PGconn *conn, const char *zone, const struct checkfile *cf,
               FILE *out)
{
	char **lines = xcalloc(cf->n ? cf->n : 1, sizeof *lines);
	int failed = 0;

	begin_snapshot(conn, zone);
	for (size_t i = 0; i < cf->n; i++) {
		const struct check *c = &cf->checks[i];
		char *what = xasprintf("check \"%s\" failed", c->name);
		char *declare = xasprintf("DECLARE strongbox_check NO SCROLL CURSOR "
		                          "FOR %s\n", c->sql);
		struct jsonline j;
		PGresult *sample, *rest;
		long long n;

		pgconn_command(conn, what, declare);
		sample = pgconn_exec(conn, what, "FETCH 10 FROM strongbox_check");
		rest = pgconn_exec(conn, what, "MOVE FORWARD ALL IN strongbox_check");
		n = PQntuples(sample) + atoll(PQcmdTuples(rest));
		PQclear(rest);
		pgconn_command(conn, what, "CLOSE strongbox_check");
		jsonline_init(&j);
		jsonline_str(&j, "name", c->name);
		jsonline_int(&j, "violations", n);
		add_sample(&j, sample);
		PQclear(sample);
		lines[i] = xstrdup(jsonline_end(&j));
		jsonline_free(&j);
		failed += n > 0;
		free(declare);
		free(what);
	}
	pgconn_command(conn, "cannot end the transaction", "COMMIT");
	for (size_t i = 0; i < cf->n; i++) {
		fputs(lines[i], out);
		fputc('\n', out);
		free(lines[i]);
	}
	free(lines);
	return failed;
}
