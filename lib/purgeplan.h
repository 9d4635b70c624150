/*
 * purgeplan.h: what spurge purges, decided from purge-tables.conf (see
 * purgeconf.h) and the tables and foreign keys of the database, before any
 * row is touched: each table's fate, the configured tables the database
 * lacks, the foreign key that forbids the purge, and the order of the
 * purged tables, children before parents.  Pure logic: the catalog comes
 * in as arrays (lib/purge.c reads it).
 */
#ifndef STRONGBOX_PURGEPLAN_H
#define STRONGBOX_PURGEPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "purgeconf.h"

/* A table of the database. */
struct purgeplan_table {
	const char *schema, *name;
	bool extension; /* belongs to an extension (pg_depend 'e') */
};

/* A foreign key: child.(columns) references parent.(columns). */
struct purgeplan_fk {
	const char *name;     /* the constraint */
	size_t child, parent; /* indexes into the tables */
};

enum purgeplan_fate {
	PURGEPLAN_KEEP,         /* in a kept class, or [keep] */
	PURGEPLAN_PURGE,        /* its rows go */
	PURGEPLAN_UNCLASSIFIED, /* in no class: left alone, named on stderr */
	PURGEPLAN_EXTENSION     /* an extension's, in no class: left alone */
};

/* What to purge. */
struct purgeplan_opts {
	unsigned classes; /* bit (1u << class) per purged class */
	bool all;         /* every table but [keep] and extensions' */
	bool before;      /* --before: kept rows may reference purged tables */
};

struct purgeplan {
	enum purgeplan_fate *fate; /* per table */
	long *conf;                /* per table: index in the config, or -1 */
	size_t *order;             /* purged tables, children first */
	size_t norder;
	size_t *missing;           /* config indexes the database lacks */
	size_t nmissing;
	long refused;              /* index of the forbidding fk, or -1 */
};

/* The default classes: transactional and audit. */
#define PURGEPLAN_DEFAULT_CLASSES                                            \
	((1u << PURGE_TRANSACTIONAL) | (1u << PURGE_AUDIT))

/*
 * Decides the plan for the n tables and nfk foreign keys under conf and o
 * into plan (free with purgeplan_free()).  A table is purged when its
 * class is in o->classes (never [keep]), or with o->all when it is neither
 * in [keep] nor an extension's.  plan->refused is the first foreign key
 * from a table that is not purged to one that is (a TRUNCATE would break
 * it); with o->before none is refused (the referenced rows are spared).
 * plan->order lists the purged tables deepest child first (foreign-key
 * levels as fklevels.h computes them, self-references ignored), in table
 * order within a level.
 */
void purgeplan_make(const struct purgeconf *conf,
                    const struct purgeplan_table *tables, size_t n,
                    const struct purgeplan_fk *fks, size_t nfk,
                    const struct purgeplan_opts *o, struct purgeplan *plan);

/* Frees what plan holds. */
void purgeplan_free(struct purgeplan *plan);

#endif
