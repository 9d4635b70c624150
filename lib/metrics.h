/*
 * metrics.h: smetrics' work on the database: the metrics query of a range
 * of days and the integrity checks, each run in one READ ONLY snapshot
 * (REPEATABLE READ), written as JSON lines.  This file and metrics.c own
 * smetrics' libpq calls; the JSON forms come from pgjson.h.
 */
#ifndef STRONGBOX_METRICS_H
#define STRONGBOX_METRICS_H

#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>

#include "checkfile.h"

/* The keys smetrics writes before the query's fields. */
struct metrics_head {
	const char *branch_id;
	const char *branch_name; /* NULL: the query's branch_name column, if
	                            any and not NULL, else branch_id */
	const char *currency;
	int64_t now;             /* generated_at; is_final is now >= the
	                            start of the next day in TZ */
};

/*
 * Runs sql with $1 the day from and $2 the day to (date, inclusive) and $3
 * zone (text), with the session's TimeZone set to zone and DateStyle ISO,
 * and writes one line a day, in order, to out:
 *
 *   {"schema_version":1,"branch_id","branch_name","summary_date",
 *    "generated_at","is_final","currency", then the query's columns}
 *
 * The query must return each day of the range exactly once, in a date (or
 * text) column summary_date; a column branch_name is used as described
 * above and not repeated.  Every line is built before the first is
 * written.  A query of the wrong shape, an unsupported column type, NaN or
 * Infinity: one line naming the column or day, exit 1; a failure of the
 * server exits 75 or 1 (pgconn.h).  Days are caltime.h day numbers.
 */
void metrics_write(PGconn *conn, const char *sql, const char *zone,
                   int64_t from, int64_t to, const struct metrics_head *h,
                   FILE *out);

/*
 * Runs each check of cf in one READ ONLY snapshot, in the time zone zone
 * (so that current_date is the branch's), and writes one line a
 * check to out, in the file's order: {"name","violations","sample"}, the
 * sample being up to 10 of the rows as JSON objects (types without a JSON
 * form as the server's text).  Returns how many checks found violations.
 * A check that fails on the server: one line naming it, exit 1 (75 when
 * the server went away).
 */
int metrics_checks(PGconn *conn, const char *zone, const struct checkfile *cf,
                   FILE *out);

#endif
