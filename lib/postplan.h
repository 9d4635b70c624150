/*
 * postplan.h: how srestore -j runs a post-data script with several
 * sessions.  Each statement (as sqlscript.h splits it) falls in a phase,
 * run in this order: session settings (run by every session first),
 * indexes (in parallel: CREATE INDEX takes a SHARE lock, which does not
 * conflict with itself), primary keys, unique, exclusion and check
 * constraints (in parallel, never two on the same table at once), index
 * partitions attached (in order), foreign keys (in parallel, never two
 * sharing a table, so that their locks cannot deadlock), then everything
 * else (triggers, rules, policies, comments, statistics, refreshes) in
 * the script's order.  Pure string work.
 */
#ifndef STRONGBOX_POSTPLAN_H
#define STRONGBOX_POSTPLAN_H

enum postplan_phase {
	POSTPLAN_SETTING,    /* SET ..., SELECT pg_catalog.set_config(...) */
	POSTPLAN_INDEX,      /* CREATE [UNIQUE] INDEX */
	POSTPLAN_CONSTRAINT, /* ALTER TABLE ... ADD CONSTRAINT, not a foreign key */
	POSTPLAN_ATTACH,     /* ALTER INDEX ... ATTACH PARTITION */
	POSTPLAN_FOREIGN_KEY,/* ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY */
	POSTPLAN_OTHER       /* the rest, in order */
};
#define POSTPLAN_NPHASES 6

/*
 * The phase of stmt (one statement, as sqlscript_split() gives it).  For
 * POSTPLAN_CONSTRAINT and POSTPLAN_FOREIGN_KEY, *table is set to the
 * altered table's name as the script writes it (e.g. "public.bills" or
 * "s.\"Odd\"") and, for a foreign key, *ref to the referenced table's;
 * both malloc'ed (the caller frees) or NULL.  They serve as lock keys:
 * two statements sharing one must not run at once.
 */
enum postplan_phase postplan_classify(const char *stmt, char **table, char **ref);

/*
 * The table a CREATE [UNIQUE] INDEX statement indexes, as the script
 * writes it (as *table above), malloc'ed; NULL for any other statement or
 * one it cannot read.  Not a lock key (indexes of one table may be built
 * at once): it orders the work, a table's indexes before its constraints
 * and foreign keys, the largest tables' first.
 */
char *postplan_index_table(const char *stmt);

/* "indexes", "constraints", ... for reports. */
const char *postplan_phase_name(enum postplan_phase p);

#endif
