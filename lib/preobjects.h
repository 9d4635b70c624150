/*
 * preobjects.h: the objects an archive's pre-data section creates, found
 * in a target database, and what outside them depends on them: what
 * srestore --dry-run and --clean need to know before a restore.  This
 * file owns the description of those objects (pure string work over
 * sqlscript.h) and the catalog queries that find them; the caller runs
 * the queries on its own session (search_path empty, so that the server
 * writes every name qualified).
 */
#ifndef STRONGBOX_PREOBJECTS_H
#define STRONGBOX_PREOBJECTS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * Filter for preobjects_json(): true to leave out the relation
 * schema.name (e.g. a table that another check covers).
 */
typedef bool (*preobjects_skip_fn)(void *ctx, const char *schema,
                                   const char *name);

/*
 * The objects the len bytes of pre-data text create, in the order of
 * their statements, as a JSON array (the caller owns it) of
 * {"k": kind, "s": schema, "n": name, "a": [identity...]}, kind being
 * relation, type, function, operator, cast, collation, conversion,
 * tsconfig, tsdict, tsparser, tstemplate, opclass, opfamily, server or
 * fdw; "a" as sqlscript_object()'s args.  Schemas and extensions are left
 * out (pg_dump creates an extension IF NOT EXISTS, and a schema that
 * exists is kept), and relations for which skip (may be NULL) says so.
 */
json_t *preobjects_json(const char *text, size_t len, preobjects_skip_fn skip,
                        void *ctx);

/*
 * PREOBJECTS_FIND_SQL, with $1 the JSON of preobjects_json(): one row per
 * object of it that the target holds, in the order of the array:
 * (0) its index in the array, (1) classid and (2) objid (as pg_depend
 * names objects), (3) its description ("function public.f(integer)"),
 * (4) its kind and (5) identity as pg_identify_object() gives them.
 * A function is found only with the same argument types, an operator with
 * the same operand types, a cast with the same source and target.
 */
extern const char PREOBJECTS_FIND_SQL[];

/*
 * PREOBJECTS_OUTSIDE_SQL, with $1 and $2 the classids and objids of a set
 * of objects (oid[] text): one row per object outside the set that
 * depends on one of its objects, directly or through others (a view over
 * a view, a column of the set's type, a foreign key to one of its tables,
 * a partition of one of its tables, a default or check calling one of its
 * functions), named with what it depends on:
 * "view public.my_report (on view public.v)".  What belongs to an object
 * of the set (its columns, defaults, constraints, indexes, triggers,
 * rules, row and array types, owned sequences) is part of it.  No rows:
 * dropping the set with CASCADE drops the set and its parts, nothing else.
 */
extern const char PREOBJECTS_OUTSIDE_SQL[];

/*
 * PREOBJECTS_EDGES_SQL, with $1 and $2 as for PREOBJECTS_OUTSIDE_SQL (a
 * set that passed it): the order in which the set can be dropped one by
 * one without CASCADE, as rows (classid, objid, refclassid, refobjid):
 * the first object of the set (or what of it depends, such as its
 * default or foreign key) depends on the second, so must be dropped
 * first.  Cycles are possible (a table whose default calls a function
 * over its row type).
 */
extern const char PREOBJECTS_EDGES_SQL[];

/*
 * The DROP statement for an object of PREOBJECTS_FIND_SQL, from its kind
 * and identity (columns 4 and 5), with CASCADE when cascade (only for a
 * set that passed PREOBJECTS_OUTSIDE_SQL).  Malloc'ed; NULL for a kind it
 * does not know.
 */
char *preobjects_drop_sql(const char *kind, const char *identity, bool cascade);

#endif
