/*
 * purge.h: spurge's work on the database, every libpq call of it: reading
 * the tables and foreign keys, checking the configured date columns,
 * counting rows, locking, TRUNCATE of the purged set, and --before's
 * DELETE of old rows with their children, sparing the rows that kept rows
 * still reference.  What to purge is decided by purgeplan.h; the caller
 * runs the transaction (BEGIN, COMMIT) with pgconn_command().  Every name
 * reaches SQL quoted (pgconn_quote_ident()).  Failures exit as
 * pgconn_exec() does (a lock timeout: pglock_die(), exit 75).
 */
#ifndef STRONGBOX_PURGE_H
#define STRONGBOX_PURGE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "purgeconf.h"
#include "purgeplan.h"

/* A foreign key with its columns, child.ccols[i] = parent.pcols[i]. */
struct purge_fkcols {
	char *name;
	size_t child, parent;
	size_t ncols;
	char **ccols, **pcols;
};

/* The tables of the database's non-system schemas, and their foreign keys. */
struct purge_catalog {
	struct purgeplan_table *tables; /* sorted by schema, name; owned */
	size_t ntables;
	struct purge_fkcols *fks;
	struct purgeplan_fk *planfks;   /* the same keys, for purgeplan_make() */
	size_t nfks;
	char **oids;                    /* per table, as text */
	bool *partitioned;              /* per table: relkind 'p' */
};

/*
 * Reads into cat (free with purge_catalog_free()) the ordinary and
 * partitioned tables (not partitions) of every schema but pg_catalog,
 * information_schema and the toast and temporary ones, whether each
 * belongs to an extension, and the foreign keys between them.
 */
void purge_catalog_read(PGconn *conn, struct purge_catalog *cat);
void purge_catalog_free(struct purge_catalog *cat);

/*
 * Checks the date column that conf names for each table of the database:
 * it must exist and be of a date or time type.  Returns NULL, or a
 * malloc'ed one-line message naming the table, the column and the config
 * line.
 */
char *purge_check_datecols(PGconn *conn, const struct purge_catalog *cat,
                           const struct purgeconf *conf,
                           const struct purgeplan *plan);

/*
 * Locks the purged tables of plan, in plan order, in mode (e.g. "ACCESS
 * EXCLUSIVE"), with pglock_table().  With --before, also the tables that
 * are not purged but reference a purged one, in SHARE mode, so that no
 * new reference appears while the rows to spare are decided.
 */
void purge_lock(PGconn *conn, const struct purge_catalog *cat,
                const struct purgeplan *plan, const char *mode,
                bool referencing_too);

/*
 * rows[k] = count(*) of the k-th table of plan->order (rows has
 * plan->norder entries).
 */
void purge_count(PGconn *conn, const struct purge_catalog *cat,
                 const struct purgeplan *plan, uint64_t *rows);

/*
 * TRUNCATE of the purged tables of plan in one statement (RESTART
 * IDENTITY when restart_identity); nothing outside the set is touched
 * (no CASCADE: purgeplan refused a set that other tables reference).
 */
void purge_truncate(PGconn *conn, const struct purge_catalog *cat,
                    const struct purgeplan *plan, bool restart_identity);

/*
 * --before DATE: sets the session's time zone to tz when not NULL (the
 * branch's calendar; a leading ':' is ignored), then decides, in
 * temporary tables of this transaction, the rows to delete: in a table
 * whose date column conf names, the rows with that column before DATE
 * (midnight in the time zone); in a table without one, the rows that
 * reference, through a foreign key, a row to delete of a purged parent.
 * A row that a row staying (of any table) references is spared, and so
 * on until nothing changes.  doomed[k] and spared[k] get the counts for
 * the k-th table of plan->order.  Rows are told apart by ctid, so a
 * partitioned table is refused (its partitions share ctids) and a table
 * with inheritance children is read ONLY.  Returns 0, or -1 with *why set
 * (malloc'ed) when date or tz is refused by the server or a purged table
 * is partitioned.
 */
int purge_before_plan(PGconn *conn, const struct purge_catalog *cat,
                      const struct purgeconf *conf,
                      const struct purgeplan *plan, const char *date,
                      const char *tz, uint64_t *doomed, uint64_t *spared,
                      char **why);

/*
 * Deletes the rows purge_before_plan() decided, children first;
 * deleted[k] gets the rows deleted from the k-th table of plan->order.
 */
void purge_before_delete(PGconn *conn, const struct purge_catalog *cat,
                         const struct purgeplan *plan, uint64_t *deleted);

#endif
