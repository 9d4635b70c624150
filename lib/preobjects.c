/* preobjects.c: the archive's pre-data objects in a target; see preobjects.h. */
#include "preobjects.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sqlscript.h"
#include "xalloc.h"

static const char *
kind_name(enum sql_object_kind k)
{
	switch (k) {
	case SQL_OBJ_TABLE:
	case SQL_OBJ_SEQUENCE:
	case SQL_OBJ_VIEW:
	case SQL_OBJ_MATVIEW:
		return "relation";
	case SQL_OBJ_TYPE:
	case SQL_OBJ_DOMAIN:
		return "type";
	case SQL_OBJ_FUNCTION:
		return "function";
	case SQL_OBJ_OPERATOR:
		return "operator";
	case SQL_OBJ_CAST:
		return "cast";
	case SQL_OBJ_COLLATION:
		return "collation";
	case SQL_OBJ_CONVERSION:
		return "conversion";
	case SQL_OBJ_TS_CONFIG:
		return "tsconfig";
	case SQL_OBJ_TS_DICT:
		return "tsdict";
	case SQL_OBJ_TS_PARSER:
		return "tsparser";
	case SQL_OBJ_TS_TEMPLATE:
		return "tstemplate";
	case SQL_OBJ_OPCLASS:
		return "opclass";
	case SQL_OBJ_OPFAMILY:
		return "opfamily";
	case SQL_OBJ_SERVER:
		return "server";
	case SQL_OBJ_FDW:
		return "fdw";
	default:
		return NULL; /* schemas, extensions, the rest */
	}
}

json_t *
preobjects_json(const char *text, size_t len, preobjects_skip_fn skip,
                void *ctx)
{
	struct sql_script sc;
	json_t *arr = json_array();

	sqlscript_split(text, len, &sc);
	for (size_t i = 0; i < sc.n; i++) {
		struct sql_object o;
		enum sql_object_kind k = sqlscript_object(sc.stmts[i].text, &o);
		const char *kind = kind_name(k);
		const char *schema = o.schema ? o.schema : "public";

		if (kind != NULL &&
		    !(skip && strcmp(kind, "relation") == 0 && skip(ctx, schema, o.name))) {
			json_t *a = json_array();

			for (size_t j = 0; j < o.nargs; j++)
				json_array_append_new(a, json_string(o.args[j]));
			json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:o}", "k", kind,
			                                     "s", schema, "n", o.name,
			                                     "a", a));
		}
		sqlscript_object_free(&o);
	}
	sqlscript_free(&sc);
	return arr;
}

/* One catalog per kind; the name in its schema, and what else identifies it. */
#define BY_NAME(kind, cat, nsp, name)                                         \
	" UNION ALL SELECT d.ord, 'pg_catalog." cat "'::pg_catalog.regclass, x.oid " \
	"FROM d JOIN pg_catalog." cat " x ON x." nsp " = d.ns AND x." name " = d.n " \
	"WHERE d.k = '" kind "'"

const char PREOBJECTS_FIND_SQL[] =
	"WITH d AS (SELECT j.ord - 1 AS ord, j.x->>'k' AS k, j.x->>'n' AS n, "
	"  j.x->'a' AS a, (SELECT oid FROM pg_catalog.pg_namespace "
	"    WHERE nspname = j.x->>'s') AS ns "
	"  FROM pg_catalog.json_array_elements($1::pg_catalog.json) "
	"  WITH ORDINALITY AS j(x, ord)), "
	"o AS ("
	"SELECT d.ord, 'pg_catalog.pg_class'::pg_catalog.regclass AS classid, "
	"  x.oid AS objid FROM d JOIN pg_catalog.pg_class x "
	"  ON x.relnamespace = d.ns AND x.relname = d.n "
	"  AND x.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') WHERE d.k = 'relation'"
	BY_NAME("type", "pg_type", "typnamespace", "typname")
	/* A function: the same name and argument types (proargtypes). */
	" UNION ALL SELECT d.ord, 'pg_catalog.pg_proc'::pg_catalog.regclass, x.oid "
	"FROM d JOIN pg_catalog.pg_proc x ON x.pronamespace = d.ns AND x.proname = d.n "
	"WHERE d.k = 'function' AND "
	"pg_catalog.array_to_string(x.proargtypes::pg_catalog.oid[], ',') = "
	"(SELECT coalesce(pg_catalog.string_agg(coalesce(pg_catalog.to_regtype(e.v)"
	"::pg_catalog.oid::pg_catalog.text, '-'), ',' ORDER BY e.i), '') "
	"FROM pg_catalog.json_array_elements_text(d.a) WITH ORDINALITY AS e(v, i))"
	" UNION ALL SELECT d.ord, 'pg_catalog.pg_operator'::pg_catalog.regclass, x.oid "
	"FROM d JOIN pg_catalog.pg_operator x ON x.oprnamespace = d.ns AND x.oprname = d.n "
	"WHERE d.k = 'operator' AND x.oprleft = CASE WHEN d.a->>0 = '' THEN "
	"0::pg_catalog.oid ELSE pg_catalog.to_regtype(d.a->>0)::pg_catalog.oid END "
	"AND x.oprright = CASE WHEN d.a->>1 = '' THEN 0::pg_catalog.oid "
	"ELSE pg_catalog.to_regtype(d.a->>1)::pg_catalog.oid END"
	" UNION ALL SELECT d.ord, 'pg_catalog.pg_cast'::pg_catalog.regclass, x.oid "
	"FROM d JOIN pg_catalog.pg_cast x "
	"ON x.castsource = pg_catalog.to_regtype(d.a->>0)::pg_catalog.oid "
	"AND x.casttarget = pg_catalog.to_regtype(d.a->>1)::pg_catalog.oid "
	"WHERE d.k = 'cast'"
	" UNION ALL SELECT d.ord, 'pg_catalog.pg_collation'::pg_catalog.regclass, x.oid "
	"FROM d JOIN pg_catalog.pg_collation x ON x.collnamespace = d.ns "
	"AND x.collname = d.n AND x.collencoding IN (-1, "
	"pg_catalog.pg_char_to_encoding(pg_catalog.getdatabaseencoding())) "
	"WHERE d.k = 'collation'"
	BY_NAME("conversion", "pg_conversion", "connamespace", "conname")
	BY_NAME("tsconfig", "pg_ts_config", "cfgnamespace", "cfgname")
	BY_NAME("tsdict", "pg_ts_dict", "dictnamespace", "dictname")
	BY_NAME("tsparser", "pg_ts_parser", "prsnamespace", "prsname")
	BY_NAME("tstemplate", "pg_ts_template", "tmplnamespace", "tmplname")
	BY_NAME("opclass", "pg_opclass", "opcnamespace", "opcname")
	" AND x.opcmethod = (SELECT oid FROM pg_catalog.pg_am WHERE amname = d.a->>0)"
	BY_NAME("opfamily", "pg_opfamily", "opfnamespace", "opfname")
	" AND x.opfmethod = (SELECT oid FROM pg_catalog.pg_am WHERE amname = d.a->>0)"
	" UNION ALL SELECT d.ord, 'pg_catalog.pg_foreign_server'::pg_catalog.regclass, "
	"x.oid FROM d JOIN pg_catalog.pg_foreign_server x ON x.srvname = d.n "
	"WHERE d.k = 'server'"
	" UNION ALL SELECT d.ord, "
	"'pg_catalog.pg_foreign_data_wrapper'::pg_catalog.regclass, x.oid FROM d "
	"JOIN pg_catalog.pg_foreign_data_wrapper x ON x.fdwname = d.n "
	"WHERE d.k = 'fdw') "
	"SELECT o.ord, o.classid::pg_catalog.oid, o.objid, "
	"pg_catalog.pg_describe_object(o.classid, o.objid, 0), i.type, i.identity "
	"FROM o CROSS JOIN LATERAL pg_catalog.pg_identify_object(o.classid, o.objid, 0) i "
	"ORDER BY o.ord";

#define CLASS(c) "'pg_catalog." c "'::pg_catalog.regclass"

/*
 * walk: the set, then every object that depends on one already walked
 * (not by extension membership).  up: from each walked object, the
 * object it is part of, step by step (an index, default, constraint,
 * trigger, rule, policy or statistics object belongs to its table or
 * domain; what was made as part of another, pg_depend's 'i', to that
 * one: row types, array types, multiranges, range constructors, identity
 * sequences; an owned sequence to its table).  (Toast tables have no
 * pg_depend rows: they are never walked.)
 * top: the last step.  Outside: a walked object whose top is not in the
 * set but depends on one whose top is (or an object of the set that is
 * part of one outside it), named (its part when that says more: a
 * constraint, a default, a trigger) with what it depends on.
 */
#define WALK_CTE \
	"WITH RECURSIVE s AS (SELECT * FROM ROWS FROM (" \
	"  pg_catalog.unnest($1::pg_catalog.oid[]), " \
	"  pg_catalog.unnest($2::pg_catalog.oid[])) AS s(classid, objid)), " \
	"walk(classid, objid, refclassid, refobjid, deptype) AS (" \
	"  SELECT classid, objid, classid, objid, NULL::pg_catalog.\"char\" FROM s " \
	"  UNION SELECT d.classid, d.objid, d.refclassid, d.refobjid, d.deptype " \
	"  FROM walk w JOIN pg_catalog.pg_depend d " \
	"  ON d.refclassid = w.classid AND d.refobjid = w.objid " \
	"  WHERE d.deptype NOT IN ('e', 'x') " \
	"  AND NOT (d.classid = d.refclassid AND d.objid = d.refobjid)), " \
	"up(classid, objid, c, o, depth) AS (" \
	"  SELECT DISTINCT classid, objid, classid, objid, 0 FROM walk " \
	"  UNION ALL SELECT u.classid, u.objid, p.c, p.o, u.depth + 1 FROM up u " \
	"  CROSS JOIN LATERAL (SELECT q.c, q.o FROM (" \
	"    SELECT 1 AS prio, " CLASS("pg_class") " AS c, x.indrelid AS o " \
	"      FROM pg_catalog.pg_index x WHERE u.c = " CLASS("pg_class") \
	"      AND x.indexrelid = u.o " \
	"    UNION ALL SELECT 1, " CLASS("pg_class") ", x.adrelid " \
	"      FROM pg_catalog.pg_attrdef x WHERE u.c = " CLASS("pg_attrdef") " AND x.oid = u.o " \
	"    UNION ALL SELECT 1, CASE WHEN x.conrelid <> 0 THEN " CLASS("pg_class") \
	"      ELSE " CLASS("pg_type") " END, CASE WHEN x.conrelid <> 0 THEN x.conrelid " \
	"      ELSE x.contypid END FROM pg_catalog.pg_constraint x " \
	"      WHERE u.c = " CLASS("pg_constraint") " AND x.oid = u.o " \
	"      AND (x.conrelid <> 0 OR x.contypid <> 0) " \
	"    UNION ALL SELECT 1, " CLASS("pg_class") ", x.tgrelid " \
	"      FROM pg_catalog.pg_trigger x WHERE u.c = " CLASS("pg_trigger") " AND x.oid = u.o " \
	"    UNION ALL SELECT 1, " CLASS("pg_class") ", x.ev_class " \
	"      FROM pg_catalog.pg_rewrite x WHERE u.c = " CLASS("pg_rewrite") " AND x.oid = u.o " \
	"    UNION ALL SELECT 1, " CLASS("pg_class") ", x.polrelid " \
	"      FROM pg_catalog.pg_policy x WHERE u.c = " CLASS("pg_policy") " AND x.oid = u.o " \
	"    UNION ALL SELECT 1, " CLASS("pg_class") ", x.stxrelid " \
	"      FROM pg_catalog.pg_statistic_ext x " \
	"      WHERE u.c = " CLASS("pg_statistic_ext") " AND x.oid = u.o " \
	"    UNION ALL SELECT 1, " CLASS("pg_opfamily") ", x.amopfamily " \
	"      FROM pg_catalog.pg_amop x WHERE u.c = " CLASS("pg_amop") " AND x.oid = u.o " \
	"    UNION ALL SELECT 1, " CLASS("pg_opfamily") ", x.amprocfamily " \
	"      FROM pg_catalog.pg_amproc x WHERE u.c = " CLASS("pg_amproc") " AND x.oid = u.o " \
	"    UNION ALL SELECT 1, " CLASS("pg_foreign_server") ", x.umserver " \
	"      FROM pg_catalog.pg_user_mapping x " \
	"      WHERE u.c = " CLASS("pg_user_mapping") " AND x.oid = u.o " \
	"    UNION ALL SELECT 1, " CLASS("pg_publication") ", x.prpubid " \
	"      FROM pg_catalog.pg_publication_rel x " \
	"      WHERE u.c = " CLASS("pg_publication_rel") " AND x.oid = u.o " \
	"    UNION ALL SELECT 2, d.refclassid, d.refobjid FROM pg_catalog.pg_depend d " \
	"      WHERE d.classid = u.c AND d.objid = u.o AND d.deptype = 'i' " \
	"      AND NOT (d.refclassid = d.classid AND d.refobjid = d.objid) " \
	"    UNION ALL SELECT 3, d.refclassid, d.refobjid FROM pg_catalog.pg_depend d " \
	"      JOIN pg_catalog.pg_class x ON x.oid = d.objid AND x.relkind = 'S' " \
	"      WHERE u.c = " CLASS("pg_class") " AND d.classid = u.c AND d.objid = u.o " \
	"      AND d.deptype = 'a' AND d.refclassid = " CLASS("pg_class") \
	"    ) q ORDER BY q.prio LIMIT 1) p " \
	"  WHERE u.depth < 16), " \
	"top AS (SELECT DISTINCT ON (classid, objid) classid, objid, c, o FROM up " \
	"  ORDER BY classid, objid, depth DESC) " \

const char PREOBJECTS_OUTSIDE_SQL[] =
	WALK_CTE
	"SELECT DISTINCT pg_catalog.pg_describe_object("
	"  CASE WHEN w.classid IN (" CLASS("pg_constraint") ", " CLASS("pg_attrdef")
	", " CLASS("pg_trigger") ", " CLASS("pg_policy") ") THEN w.classid ELSE t.c END, "
	"  CASE WHEN w.classid IN (" CLASS("pg_constraint") ", " CLASS("pg_attrdef")
	", " CLASS("pg_trigger") ", " CLASS("pg_policy") ") THEN w.objid ELSE t.o END, 0) "
	"  || ' (on ' || pg_catalog.pg_describe_object("
	"  CASE WHEN r.c = t.c AND r.o = t.o THEN w.refclassid ELSE r.c END, "
	"  CASE WHEN r.c = t.c AND r.o = t.o THEN w.refobjid ELSE r.o END, 0) || ')' "
	"FROM walk w JOIN top t ON t.classid = w.classid AND t.objid = w.objid "
	"JOIN top r ON r.classid = w.refclassid AND r.objid = w.refobjid "
	"WHERE NOT EXISTS (SELECT 1 FROM s WHERE s.classid = t.c AND s.objid = t.o) "
	"AND (EXISTS (SELECT 1 FROM s WHERE s.classid = r.c AND s.objid = r.o) "
	"  OR (w.classid = w.refclassid AND w.objid = w.refobjid)) "
	"ORDER BY 1";

/*
 * anc: each walked object's nearest object of the set, itself or the first
 * up its chain.  An edge: a normal dependency between two of them (an
 * auto or internal one goes away with the object it is on).
 */
const char PREOBJECTS_EDGES_SQL[] =
	WALK_CTE
	", anc AS (SELECT DISTINCT ON (u.classid, u.objid) u.classid, u.objid, u.c, u.o "
	"  FROM up u JOIN s ON s.classid = u.c AND s.objid = u.o "
	"  ORDER BY u.classid, u.objid, u.depth) "
	"SELECT DISTINCT a.c, a.o, b.c, b.o FROM walk w "
	"JOIN anc a ON a.classid = w.classid AND a.objid = w.objid "
	"JOIN anc b ON b.classid = w.refclassid AND b.objid = w.refobjid "
	"WHERE w.deptype = 'n' AND NOT (a.c = b.c AND a.o = b.o)";

char *
preobjects_drop_sql(const char *kind, const char *identity, bool cascade)
{
	static const char *const known[] = {
		"table", "view", "materialized view", "sequence", "foreign table",
		"type", "domain", "function", "procedure", "aggregate", "operator",
		"cast", "collation", "conversion", "text search configuration",
		"text search dictionary", "text search parser", "text search template",
		"operator class", "operator family", "server", "foreign-data wrapper"};
	char *what;
	size_t i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(kind, known[i]) == 0)
			break;
	if (i == sizeof known / sizeof known[0])
		return NULL;
	what = xstrdup(kind);
	for (char *c = what; *c; c++)
		*c = *c == '-' ? ' ' : (char)toupper((unsigned char)*c);
	{
		char *sql = xasprintf("DROP %s %s%s", what, identity,
		                      cascade ? " CASCADE" : "");
		free(what);
		return sql;
	}
}
