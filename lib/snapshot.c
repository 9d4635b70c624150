/* snapshot.c: the engine of sdump; see snapshot.h. */
#include "snapshot.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "archive_names.h"
#include "err.h"
#include "fklevels.h"
#include "manifest.h"
#include "namepattern.h"
#include "pgconn.h"
#include "pglock.h"
#include "sha256.h"
#include "xalloc.h"

typedef unsigned int oid_t;

/* A relation of the catalog that a pattern may select. */
struct rel {
	oid_t oid;
	char *schema, *name;
	char kind;        /* pg_class.relkind */
	int partition;    /* relispartition */
	oid_t *ancestors; /* partition ancestors, itself excluded */
	size_t nancestors;
	oid_t owner;      /* a sequence's owning table, or 0 */
	double pages;
	double size; /* pg_relation_size(), bytes */
	int selected;
};

/* A table whose rows are dumped. */
struct table {
	struct rel *rel;
	char *dir;
	char *copy_sql;
	json_t *columns;
	size_t *refs, nrefs;
	int level;
	size_t comp;
	oid_t parent; /* immediate partition parent, or 0 */
	char *from;   /* "schema"."name" */
	char *cols;   /* the quoted column list */
	int parts;    /* copied in this many TID ranges, concurrently */
	/* results, under mu: the parts of one table share them */
	pthread_mutex_t mu;
	struct sha256_ctx *sha;
	int parts_done;
	unsigned long long rows, bytes;
	unsigned long chunks;
	char sha_hex[65];
};


/* A connection that copies rows; workers[0] is the main one. */
struct worker {
	struct snapshot *s;
	PGconn *conn;
	int is_main;
	pthread_t thread;
};

/* One COPY: a whole table, or one of the TID ranges of a big one. */
struct item {
	size_t table;
	int part;
	double size; /* estimated bytes, biggest first */
};

struct snapshot {
	const struct snapshot_opts *o;
	PGresult *info_res; /* holds the strings of info */
	struct snapshot_info info;
	struct rel *rels;
	size_t nrels;
	struct table *tables;
	size_t ntables;
	struct worker *workers; /* o->jobs of them, unused ones NULL */
	struct archive_writer *writer; /* during snapshot_copy() */
	struct {
		pthread_mutex_t mu;
		struct item *items; /* this level's */
		size_t n, next;
	} work;
	atomic_ullong progress_rows, progress_bytes;
	atomic_uint progress_tables;
};

/* The settings every session of the dump runs with. */
static void
set_encoding(PGconn *c, const char *encoding)
{
	char *enc = pgconn_quote_literal(encoding);
	char *sql = xasprintf("SET client_encoding = %s", enc);

	pgconn_command(c, "cannot set the client encoding", sql);
	free(sql);
	free(enc);
}

/*
 * The settings every session of the dump runs with.  Rows travel in the
 * server's encoding (the manifest names it); the catalog is read in UTF-8
 * for the JSON members.
 */
static void
session_setup(PGconn *c, const char *encoding, long lock_timeout_ms)
{
	char *enc = pgconn_quote_literal(encoding);
	char *sql = xasprintf(
		"SET client_encoding = %s; SET DateStyle = ISO; "
		"SET IntervalStyle = postgres; SET extra_float_digits = 3; "
		"SET statement_timeout = 0; "
		"SET idle_in_transaction_session_timeout = 0; "
		"SET bytea_output = hex; SET row_security = off",
		enc);

	pgconn_command(c, "cannot set up the session", sql);
	pglock_set_timeout(c, lock_timeout_ms);
	free(sql);
	free(enc);
}

static int
cmp_oid(const void *a, const void *b)
{
	oid_t x = *(const oid_t *)a, y = *(const oid_t *)b;

	return (x > y) - (x < y);
}

static int
cmp_rel_oid(const void *a, const void *b)
{
	const struct rel *x = a, *y = b;

	return (x->oid > y->oid) - (x->oid < y->oid);
}

static struct rel *
find_rel(const struct snapshot *s, oid_t oid)
{
	struct rel key = {.oid = oid};

	return bsearch(&key, s->rels, s->nrels, sizeof *s->rels, cmp_rel_oid);
}

/* Parses "{1,2,3}" or "" into a malloc'ed array. */
static oid_t *
parse_oids(const char *s, size_t *n)
{
	oid_t *out = xcalloc(strlen(s) / 2 + 1, sizeof *out);
	size_t k = 0;

	while (*s) {
		if (*s >= '0' && *s <= '9') {
			out[k++] = (oid_t)strtoul(s, (char **)&s, 10);
		} else {
			s++;
		}
	}
	*n = k;
	return out;
}

static void
read_relations(struct snapshot *s, PGconn *c)
{
	PGresult *r = pgconn_exec(
		c, "cannot read the catalog",
		"SELECT c.oid, n.nspname, c.relname, c.relkind, c.relispartition,"
		" c.relpages, c.relpages::pg_catalog.float8 * 8192,"
		" CASE WHEN c.relispartition THEN (SELECT pg_catalog.array_agg(a.relid::pg_catalog.oid)"
		"   FROM pg_catalog.pg_partition_ancestors(c.oid) a"
		"   WHERE a.relid OPERATOR(pg_catalog.<>) c.oid) END,"
		" (SELECT d.refobjid FROM pg_catalog.pg_depend d"
		"   WHERE c.relkind OPERATOR(pg_catalog.=) 'S'"
		"   AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
		"   AND d.objid OPERATOR(pg_catalog.=) c.oid"
		"   AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
		"   AND d.deptype IN ('a', 'i') LIMIT 1)"
		" FROM pg_catalog.pg_class c"
		" JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
		" WHERE c.relkind IN ('r', 'p', 'm', 'S', 'v', 'f')"
		" AND c.relpersistence OPERATOR(pg_catalog.<>) 't'"
		" AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
		" AND n.nspname NOT LIKE 'pg\\_toast%'"
		" AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
		" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
		"   WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
		"   AND d.objid OPERATOR(pg_catalog.=) c.oid"
		"   AND d.deptype OPERATOR(pg_catalog.=) 'e')"
		" ORDER BY c.oid");

	s->nrels = (size_t)PQntuples(r);
	s->rels = xcalloc(s->nrels ? s->nrels : 1, sizeof *s->rels);
	for (size_t i = 0; i < s->nrels; i++) {
		struct rel *x = &s->rels[i];
		int row = (int)i;

		x->oid = (oid_t)strtoul(PQgetvalue(r, row, 0), NULL, 10);
		x->schema = xstrdup(PQgetvalue(r, row, 1));
		x->name = xstrdup(PQgetvalue(r, row, 2));
		x->kind = PQgetvalue(r, row, 3)[0];
		x->partition = PQgetvalue(r, row, 4)[0] == 't';
		x->pages = atof(PQgetvalue(r, row, 5));
		x->size = atof(PQgetvalue(r, row, 6));
		x->ancestors = parse_oids(PQgetvalue(r, row, 7), &x->nancestors);
		x->owner = (oid_t)strtoul(PQgetvalue(r, row, 8), NULL, 10);
	}
	PQclear(r);
}

/* The sorted oids matching any of patterns. */
static oid_t *
match_patterns(PGconn *c, char **patterns, size_t npatterns, size_t *n)
{
	oid_t *out = NULL;
	size_t k = 0, cap = 0;

	for (size_t i = 0; i < npatterns; i++) {
		char *sre = NULL, *nre = NULL;
		const char *params[2];
		PGresult *r;

		if (namepattern_parse(patterns[i], &sre, &nre) != 0)
			die_usage("invalid table pattern: '%s'", patterns[i]);
		params[0] = nre;
		params[1] = sre;
		r = pgconn_execv(
			c, "cannot match table patterns",
			sre ? "SELECT c.oid FROM pg_catalog.pg_class c"
			      " JOIN pg_catalog.pg_namespace n"
			      " ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
			      " WHERE c.relname OPERATOR(pg_catalog.~) $1"
			      " AND n.nspname OPERATOR(pg_catalog.~) $2"
			    : "SELECT c.oid FROM pg_catalog.pg_class c"
			      " WHERE c.relname OPERATOR(pg_catalog.~) $1"
			      " AND pg_catalog.pg_table_is_visible(c.oid)",
			sre ? 2 : 1, params);
		for (int j = 0; j < PQntuples(r); j++) {
			if (k == cap) {
				cap = cap ? 2 * cap : 64;
				out = xreallocarray(out, cap, sizeof *out);
			}
			out[k++] = (oid_t)strtoul(PQgetvalue(r, j, 0), NULL, 10);
		}
		PQclear(r);
		free(sre);
		free(nre);
	}
	if (k > 0)
		qsort(out, k, sizeof *out, cmp_oid);
	*n = k;
	return out;
}

static int
in_set(const oid_t *set, size_t n, oid_t oid)
{
	return n > 0 && bsearch(&oid, set, n, sizeof *set, cmp_oid) != NULL;
}

/* Whether x or one of its partition ancestors is in set. */
static int
rel_matches(const struct rel *x, const oid_t *set, size_t n)
{
	if (in_set(set, n, x->oid))
		return 1;
	for (size_t i = 0; i < x->nancestors; i++)
		if (in_set(set, n, x->ancestors[i]))
			return 1;
	return 0;
}

static void
select_relations(struct snapshot *s, PGconn *c)
{
	size_t ninc = 0, nexc = 0;
	oid_t *inc = match_patterns(c, s->o->include, s->o->ninclude, &ninc);
	oid_t *exc = match_patterns(c, s->o->exclude, s->o->nexclude, &nexc);
	int any = 0;

	for (size_t i = 0; i < s->nrels; i++) {
		struct rel *x = &s->rels[i];
		struct rel *owner = x->owner ? find_rel(s, x->owner) : NULL;

		if (x->owner && owner == NULL) {
			/* Owned by a table we never dump (an extension's). */
			x->selected = 0;
			continue;
		}
		if (owner != NULL) {
			x->selected = (s->o->ninclude == 0 ||
			               rel_matches(owner, inc, ninc)) &&
			              !rel_matches(owner, exc, nexc);
		} else {
			x->selected = (s->o->ninclude == 0 ||
			               rel_matches(x, inc, ninc)) &&
			              !rel_matches(x, exc, nexc);
		}
		if (x->selected && s->o->ninclude > 0 && rel_matches(x, inc, ninc))
			any = 1;
	}
	if (s->o->ninclude > 0 && !any)
		die(EXIT_FAIL, "no matching tables were found");
	free(inc);
	free(exc);
}

static int
cmp_table(const void *a, const void *b)
{
	const struct table *x = a, *y = b;
	int c;

	if (x->level != y->level)
		return x->level - y->level;
	c = strcmp(x->rel->schema, y->rel->schema);
	return c ? c : strcmp(x->rel->name, y->rel->name);
}

static char *
oid_array(const struct snapshot *s)
{
	size_t cap = s->ntables * 12 + 3, len = 0;
	char *a = xmalloc(cap);

	a[len++] = '{';
	for (size_t i = 0; i < s->ntables; i++)
		len += (size_t)snprintf(a + len, cap - len, "%s%u", i ? "," : "",
		                        s->tables[i].rel->oid);
	a[len++] = '}';
	a[len] = '\0';
	return a;
}

static struct table *
find_table(struct snapshot *s, oid_t oid)
{
	for (size_t i = 0; i < s->ntables; i++)
		if (s->tables[i].rel->oid == oid)
			return &s->tables[i];
	return NULL;
}

/* Columns (COPY lists) and foreign keys of the tables to dump. */
static void
read_tables(struct snapshot *s, PGconn *c)
{
	char *oids;
	PGresult *r;
	struct fk_edge *edges = NULL;
	size_t nedges = 0;
	int *level;
	size_t *comp;
	const char *params[1];

	for (size_t i = 0; i < s->nrels; i++)
		if (s->rels[i].selected && s->rels[i].kind == 'r')
			s->ntables++;
	s->tables = xcalloc(s->ntables ? s->ntables : 1, sizeof *s->tables);
	s->ntables = 0;
	for (size_t i = 0; i < s->nrels; i++)
		if (s->rels[i].selected && s->rels[i].kind == 'r') {
			struct table *t = &s->tables[s->ntables++];

			t->rel = &s->rels[i];
			t->columns = json_array();
			if (s->rels[i].nancestors > 0)
				t->parent = s->rels[i].ancestors[0];
		}
	if (s->ntables == 0)
		return;
	oids = oid_array(s);
	params[0] = oids;
	r = pgconn_execv(
		c, "cannot read the columns",
		"SELECT a.attrelid, a.attname,"
		" pg_catalog.format_type(a.atttypid, a.atttypmod)"
		" FROM pg_catalog.pg_attribute a"
		" WHERE a.attrelid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])"
		" AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped"
		" AND a.attgenerated OPERATOR(pg_catalog.=) ''"
		" ORDER BY a.attrelid, a.attnum",
		1, params);
	{
		struct table *t = NULL;

		for (int j = 0; j < PQntuples(r); j++) {
			oid_t oid = (oid_t)strtoul(PQgetvalue(r, j, 0), NULL, 10);

			if (t == NULL || t->rel->oid != oid)
				t = find_table(s, oid);
			json_array_append_new(
				t->columns,
				json_pack("{s:s, s:s}", "name", PQgetvalue(r, j, 1),
				          "type", PQgetvalue(r, j, 2)));
		}
	}
	PQclear(r);

	/* Foreign keys, the referenced side expanded to its leaf partitions. */
	r = pgconn_execv(
		c, "cannot read the foreign keys",
		"SELECT DISTINCT k.conrelid::pg_catalog.oid, COALESCE(l.relid::pg_catalog.oid, k.confrelid)"
		" FROM pg_catalog.pg_constraint k"
		" LEFT JOIN LATERAL (SELECT t.relid"
		"   FROM pg_catalog.pg_partition_tree(k.confrelid) t"
		"   WHERE t.isleaf) l ON true"
		" WHERE k.contype OPERATOR(pg_catalog.=) 'f'"
		" AND k.conrelid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])",
		1, params);
	edges = xcalloc((size_t)PQntuples(r) + 1, sizeof *edges);
	for (int j = 0; j < PQntuples(r); j++) {
		struct table *from = find_table(s,
			(oid_t)strtoul(PQgetvalue(r, j, 0), NULL, 10));
		struct table *to = find_table(s,
			(oid_t)strtoul(PQgetvalue(r, j, 1), NULL, 10));

		if (from == NULL || to == NULL || from == to)
			continue;
		edges[nedges].from = (size_t)(from - s->tables);
		edges[nedges].to = (size_t)(to - s->tables);
		nedges++;
	}
	PQclear(r);
	free(oids);

	level = xcalloc(s->ntables, sizeof *level);
	comp = xcalloc(s->ntables, sizeof *comp);
	fklevels_compute(s->ntables, edges, nedges, level, comp);
	for (size_t i = 0; i < s->ntables; i++) {
		s->tables[i].level = level[i];
		s->tables[i].comp = comp[i];
	}
	/* References are kept as oids until the tables are sorted. */
	for (size_t e = 0; e < nedges; e++) {
		struct table *t = &s->tables[edges[e].from];

		t->refs = xreallocarray(t->refs, t->nrefs + 1, sizeof *t->refs);
		t->refs[t->nrefs++] = s->tables[edges[e].to].rel->oid;
	}
	free(level);
	free(comp);
	free(edges);
	qsort(s->tables, s->ntables, sizeof *s->tables, cmp_table);

	for (size_t i = 0; i < s->ntables; i++) {
		struct table *t = &s->tables[i];
		char *qs = pgconn_quote_ident(t->rel->schema);
		char *qn = pgconn_quote_ident(t->rel->name);
		size_t cap = 64, len = 0;
		char *cols = xmalloc(cap);
		size_t k;
		json_t *col;

		cols[0] = '\0';
		json_array_foreach(t->columns, k, col) {
			char *q = pgconn_quote_ident(
				json_string_value(json_object_get(col, "name")));
			size_t need = len + strlen(q) + 3;

			if (need > cap) {
				cap = need * 2;
				cols = xreallocarray(cols, cap, 1);
			}
			len += (size_t)snprintf(cols + len, cap - len, "%s%s",
			                        k ? ", " : "", q);
			free(q);
		}
		/*
		 * COPY t TO copies t's own rows only, never its children's.  A
		 * table with no column (CREATE TABLE marker ()) can still hold
		 * rows: COPY without a list writes an empty line for each.
		 */
		if (len == 0)
			t->copy_sql = xasprintf("COPY %s.%s TO STDOUT", qs, qn);
		else
			t->copy_sql = xasprintf("COPY %s.%s (%s) TO STDOUT", qs,
			                        qn, cols);
		t->from = xasprintf("%s.%s", qs, qn);
		t->cols = cols;
		t->parts = 1;
		pthread_mutex_init(&t->mu, NULL);
		t->dir = archive_names_table_dir(t->rel->schema, t->rel->name);
		free(qs);
		free(qn);
	}
}

/*
 * ACCESS SHARE on every table to dump, one at a time, each within the
 * lock timeout: a table held by an open ALTER or TRUNCATE is named with
 * the sessions holding it (pglock.h), exit 75.  Returns NULL, or what
 * changed (malloc'ed) when a table no longer exists under its name (the
 * transaction is then aborted).
 */
static char *
lock_tables(struct snapshot *s, PGconn *c)
{
	for (size_t i = 0; i < s->ntables; i++) {
		const struct rel *x = s->tables[i].rel;

		if (pglock_table_if_exists(c, x->schema, x->name,
		                           "ACCESS SHARE") != 0)
			return xasprintf("table %s.%s was dropped or renamed",
			                 x->schema, x->name);
	}
	return NULL;
}

static void
refuse_large_objects(struct snapshot *s, PGconn *c)
{
	PGresult *r;
	long n;

	if (s->o->ninclude > 0)
		return; /* like pg_dump: -t dumps no large objects */
	r = pgconn_exec(c, "cannot read the catalog",
	                "SELECT pg_catalog.count(*) FROM"
	                " pg_catalog.pg_largeobject_metadata");
	n = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (n > 0)
		die(EXIT_FAIL,
		    "the database has %ld large objects, which %s does not "
		    "dump: store them in bytea columns, or select tables with -t",
		    n, err_progname());
}

static struct manifest_name
rel_name(const struct rel *x)
{
	return (struct manifest_name){x->schema, x->name};
}

json_t *
snapshot_manifest(const struct snapshot *s, const char *created,
                  const char *pgdump_version, const char *comp,
                  const char *pre_data_sha256)
{
	const char *branch = getenv("BRANCH_ID");
	char *tool = xasprintf("%s %s", err_progname(), STRONGBOX_VERSION);
	struct manifest m = {
		.data_only = s->o->data_only,
		.created = (char *)created,
		.tool = tool,
		.server_version = (char *)s->info.server_version,
		.server_version_num = s->info.server_num,
		.pg_dump_version = (char *)pgdump_version,
		.database = (char *)s->info.database,
		.encoding = (char *)s->info.encoding,
		.branch_id = branch && *branch ? (char *)branch : NULL,
		.compression = (char *)comp,
		.chunk_size = s->o->chunk_size,
		.jobs = s->o->jobs,
		.ntable_patterns = s->o->ninclude,
		.table_patterns = s->o->include,
		.nexclude_patterns = s->o->nexclude,
		.exclude_patterns = s->o->exclude,
		.ntables = s->ntables,
		.pre_data_sha256 = (char *)pre_data_sha256,
	};
	json_t *j;

	m.tables = xcalloc(s->ntables + 1, sizeof *m.tables);
	m.cycles = xcalloc(s->ntables + 1, sizeof *m.cycles);
	m.matviews = xcalloc(s->nrels + 1, sizeof *m.matviews);
	for (size_t i = 0; i < s->ntables; i++) {
		const struct table *t = &s->tables[i];
		struct manifest_table *mt = &m.tables[i];
		json_t *col;
		size_t k;

		mt->schema = t->rel->schema;
		mt->name = t->rel->name;
		mt->dir = t->dir;
		mt->kind = t->rel->partition ? 'p' : 'r';
		mt->level = t->level;
		mt->ncolumns = json_array_size(t->columns);
		mt->columns = xcalloc(mt->ncolumns + 1, sizeof *mt->columns);
		json_array_foreach(t->columns, k, col) {
			mt->columns[k].name = (char *)json_string_value(
				json_object_get(col, "name"));
			mt->columns[k].type = (char *)json_string_value(
				json_object_get(col, "type"));
		}
		mt->nreferences = t->nrefs;
		mt->references = xcalloc(t->nrefs + 1, sizeof *mt->references);
		for (k = 0; k < t->nrefs; k++)
			mt->references[k] = rel_name(find_rel(s, t->refs[k]));
		if (t->parent && find_rel(s, t->parent))
			mt->partition_of = rel_name(find_rel(s, t->parent));
	}
	/* Cycles: components with more than one table. */
	for (size_t i = 0; i < s->ntables; i++) {
		struct manifest_cycle *cyc = &m.cycles[m.ncycles];
		int first = 1;

		for (size_t k = 0; k < i && first; k++)
			if (s->tables[k].comp == s->tables[i].comp)
				first = 0;
		if (!first)
			continue;
		for (size_t k = i + 1; k < s->ntables; k++)
			if (s->tables[k].comp == s->tables[i].comp) {
				if (cyc->ntables == 0) {
					cyc->tables = xcalloc(s->ntables + 1,
					                      sizeof *cyc->tables);
					cyc->tables[cyc->ntables++] =
						rel_name(s->tables[i].rel);
				}
				cyc->tables[cyc->ntables++] = rel_name(s->tables[k].rel);
			}
		if (cyc->ntables > 0)
			m.ncycles++;
	}
	for (size_t i = 0; i < s->nrels; i++)
		if (s->rels[i].selected && s->rels[i].kind == 'm')
			m.matviews[m.nmatviews++] = rel_name(&s->rels[i]);

	j = manifest_to_json(&m);
	for (size_t i = 0; i < m.ntables; i++) {
		free(m.tables[i].columns);
		free(m.tables[i].references);
	}
	for (size_t i = 0; i < m.ncycles; i++)
		free(m.cycles[i].tables);
	free(m.tables);
	free(m.cycles);
	free(m.matviews);
	free(tool);
	return j;
}

/* ---- copying rows ---- */


/*
 * Chunk numbers, the table's checksum and the queue order are taken
 * together under the table's lock, so that the parts of a table copied
 * concurrently still give chunks in order and one checksum over them.
 */
static void
flush_chunk(struct snapshot *s, struct table *t, struct archive_buffer *b)
{
	char *name;

	pthread_mutex_lock(&t->mu);
	t->chunks++;
	t->bytes += b->len;
	sha256_update(t->sha, b->data, b->len);
	atomic_fetch_add(&s->progress_bytes, b->len);
	name = archive_names_chunk(t->dir, t->chunks);
	archive_writer_add_buffer(s->writer, name, b);
	pthread_mutex_unlock(&t->mu);
	free(name);
}

static void
die_copy(PGconn *c, PGresult *res, const struct table *t)
{
	char *msg = res ? pgconn_result_error(res) : xstrdup(pgconn_error(c));
	int code = pgconn_is_transient(c, res) ? EXIT_TEMPFAIL : EXIT_FAIL;

	die(code, "cannot copy %s.%s: %s", t->rel->schema, t->rel->name, msg);
}

/* The COPY of part p of t (TID ranges by block, the last one open). */
static char *
part_sql(const struct table *t, int p)
{
	unsigned long long blocks = (unsigned long long)(t->rel->size / 8192);
	unsigned long long lo = blocks * (unsigned)p / (unsigned)t->parts;
	unsigned long long hi = blocks * (unsigned)(p + 1) / (unsigned)t->parts;

	if (t->parts == 1)
		return xstrdup(t->copy_sql);
	if (p == 0)
		return xasprintf("COPY (SELECT %s FROM ONLY %s WHERE ctid < "
		                 "'(%llu,0)'::pg_catalog.tid) TO STDOUT",
		                 t->cols, t->from, hi);
	if (p == t->parts - 1)
		return xasprintf("COPY (SELECT %s FROM ONLY %s WHERE ctid >= "
		                 "'(%llu,0)'::pg_catalog.tid) TO STDOUT",
		                 t->cols, t->from, lo);
	return xasprintf("COPY (SELECT %s FROM ONLY %s WHERE ctid >= "
	                 "'(%llu,0)'::pg_catalog.tid AND ctid < "
	                 "'(%llu,0)'::pg_catalog.tid) TO STDOUT",
	                 t->cols, t->from, lo, hi);
}

static void
copy_part(struct worker *wk, struct table *t, int part)
{
	struct snapshot *s = wk->s;
	PGconn *c = wk->conn;
	struct archive_buffer *b;
	PGresult *res;
	char *row, *sql;
	unsigned long long rows = 0;
	int n;

	if (!wk->is_main) {
		/*
		 * The main session holds ACCESS SHARE already.  NOWAIT: if
		 * someone queued for an exclusive lock meanwhile, waiting here
		 * would deadlock with the main session, which waits for us.
		 */
		char *sql_lock = xasprintf(
			"LOCK TABLE %s IN ACCESS SHARE MODE NOWAIT", t->from);
		char *what = xasprintf("cannot lock %s.%s", t->rel->schema,
		                       t->rel->name);

		pgconn_command(c, what, sql_lock);
		free(what);
		free(sql_lock);
	}
	sql = part_sql(t, part);
	if (!PQsendQuery(c, sql))
		die_copy(c, NULL, t);
	free(sql);
	res = PQgetResult(c);
	if (PQresultStatus(res) != PGRES_COPY_OUT)
		die_copy(c, res, t);
	PQclear(res);
	b = archive_writer_buffer(s->writer);
	while ((n = PQgetCopyData(c, &row, 0)) > 0) {
		size_t len = (size_t)n;

		if (b->len > 0 && b->len + len > s->o->chunk_size) {
			flush_chunk(s, t, b);
			b = archive_writer_buffer(s->writer);
		}
		if (b->len + len > b->cap) {
			b->cap = b->len + len;
			b->data = xreallocarray(b->data, b->cap, 1);
		}
		memcpy(b->data + b->len, row, len);
		b->len += len;
		rows++;
		PQfreemem(row);
		if ((rows & 0xfff) == 0)
			atomic_fetch_add(&s->progress_rows, 0x1000);
	}
	if (n == -2)
		die_copy(c, NULL, t);
	res = PQgetResult(c);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		die_copy(c, res, t);
	PQclear(res);
	while ((res = PQgetResult(c)) != NULL)
		PQclear(res);
	if (b->len > 0)
		flush_chunk(s, t, b);
	else
		archive_writer_release(s->writer, b);
	atomic_fetch_add(&s->progress_rows, rows & 0xfff);
	pthread_mutex_lock(&t->mu);
	t->rows += rows;
	if (++t->parts_done == t->parts) {
		sha256_final(t->sha, t->sha_hex);
		t->sha = NULL;
		atomic_fetch_add(&s->progress_tables, 1);
	}
	pthread_mutex_unlock(&t->mu);
}

static void *
worker_run(void *arg)
{
	struct worker *wk = arg;
	struct snapshot *s = wk->s;

	for (;;) {
		struct item it;

		pthread_mutex_lock(&s->work.mu);
		if (s->work.next >= s->work.n) {
			pthread_mutex_unlock(&s->work.mu);
			break;
		}
		it = s->work.items[s->work.next++];
		pthread_mutex_unlock(&s->work.mu);
		copy_part(wk, &s->tables[it.table], it.part);
	}
	return NULL;
}

static int
cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	if (x->table != y->table)
		return (x->table > y->table) - (x->table < y->table);
	return x->part - y->part;
}

/*
 * Copies the tables level by level: every chunk of level k is queued before
 * any chunk of level k+1.  With several connections, a table bigger than
 * --split-size is copied in as many TID ranges as there are connections
 * (PostgreSQL 14 and later scan those ranges directly), and the biggest
 * items go first so that the connections finish together.
 */
void
snapshot_copy(struct snapshot *s, struct archive_writer *w)
{
	struct worker *workers = s->workers;
	int nworkers = s->o->jobs;
	int server_num = s->info.server_num;
	size_t i = 0;

	s->writer = w;
	set_encoding(s->workers[0].conn, s->info.encoding);
	while (nworkers > 1 && workers[nworkers - 1].conn == NULL)
		nworkers--;

	s->work.items = xcalloc(s->ntables * (size_t)nworkers + 1, sizeof *s->work.items);
	while (i < s->ntables) {
		size_t end = i;
		int nthreads;

		while (end < s->ntables && s->tables[end].level == s->tables[i].level)
			end++;
		s->work.n = 0;
		s->work.next = 0;
		for (size_t k = i; k < end; k++) {
			struct table *t = &s->tables[k];

			if (nworkers > 1 && server_num >= 140000 &&
			    t->rel->size >= (double)s->o->split_size &&
			    t->rel->size >= 2 * 8192.0)
				t->parts = nworkers;
			t->sha = sha256_new();
			for (int p = 0; p < t->parts; p++) {
				s->work.items[s->work.n].table = k;
				s->work.items[s->work.n].part = p;
				s->work.items[s->work.n].size = t->rel->size / t->parts;
				s->work.n++;
			}
		}
		/* One connection: the manifest's order; several: biggest first. */
		if (nworkers > 1)
			qsort(s->work.items, s->work.n, sizeof *s->work.items, cmp_item);
		nthreads = (size_t)nworkers < s->work.n ? nworkers : (int)s->work.n;
		if (nthreads <= 1) {
			worker_run(&workers[0]);
		} else {
			for (int k = 0; k < nthreads; k++)
				if (pthread_create(&workers[k].thread, NULL,
				                   worker_run, &workers[k]) != 0)
					die(EXIT_FAIL, "cannot start a thread");
			for (int k = 0; k < nthreads; k++)
				pthread_join(workers[k].thread, NULL);
		}
		i = end;
	}
	free(s->work.items);
	s->work.items = NULL;
	s->writer = NULL;
}


/* ---- sequences ---- */

json_t *
snapshot_sequences(struct snapshot *s)
{
	json_t *seqs = json_array();
	size_t i = 0;

	/* Read live, in batches: values may be ahead of the snapshot. */
	while (i < s->nrels) {
		size_t cap = 256, len = 0, batch = 0;
		char *sql = xmalloc(cap);
		size_t idx[200];
		PGresult *r;

		sql[0] = '\0';
		for (; i < s->nrels && batch < 200; i++) {
			char *qs, *qn;
			size_t need;

			if (!s->rels[i].selected || s->rels[i].kind != 'S')
				continue;
			qs = pgconn_quote_ident(s->rels[i].schema);
			qn = pgconn_quote_ident(s->rels[i].name);
			need = len + strlen(qs) + strlen(qn) + 96;
			if (need > cap) {
				cap = need * 2;
				sql = xreallocarray(sql, cap, 1);
			}
			len += (size_t)snprintf(
				sql + len, cap - len,
				"%sSELECT %zu, last_value, is_called FROM %s.%s",
				batch ? " UNION ALL " : "", batch, qs, qn);
			idx[batch++] = i;
			free(qs);
			free(qn);
		}
		if (batch == 0) {
			free(sql);
			break;
		}
		r = pgconn_exec(s->workers[0].conn, "cannot read the sequences", sql);
		for (int j = 0; j < PQntuples(r); j++) {
			struct rel *x = &s->rels[idx[atoi(PQgetvalue(r, j, 0))]];

			json_array_append_new(
				seqs,
				manifest_sequence(x->schema, x->name,
				                  atoll(PQgetvalue(r, j, 1)),
				                  PQgetvalue(r, j, 2)[0] == 't'));
		}
		PQclear(r);
		free(sql);
	}
	return manifest_sequences_to_json(seqs);
}

/* ---- pg_dump ---- */

char **
snapshot_pgdump_argv(const struct snapshot *s, const char *path,
                     const char *section)
{
	size_t n = 0, cap = s->nrels + 8;
	char **argv = xcalloc(cap, sizeof *argv);

	argv[n++] = xstrdup(path);
	argv[n++] = xstrdup("--schema-only");
	argv[n++] = xasprintf("--section=%s", section);
	argv[n++] = xasprintf("--snapshot=%s", s->info.id);
	argv[n++] = xstrdup("--no-password");
	argv[n++] = xasprintf("--lock-wait-timeout=%ld", s->o->lock_timeout_ms);
	/* Exactly the relations selected (or not), as pg_dump patterns. */
	if (s->o->ninclude > 0 || s->o->nexclude > 0)
		for (size_t i = 0; i < s->nrels; i++) {
			struct rel *x = &s->rels[i];
			char *p;

			if ((s->o->ninclude > 0) != x->selected)
				continue;
			p = namepattern_exact(x->schema, x->name);
			argv[n++] = xasprintf("%s%s",
			                      s->o->ninclude > 0 ? "--table="
			                                       : "--exclude-table=",
			                      p);
			free(p);
		}
	argv[n] = NULL;
	return argv;
}

void
snapshot_free_argv(char **argv)
{
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}


struct snapshot *
snapshot_begin(const struct snapshot_opts *o)
{
	struct snapshot *s = xcalloc(1, sizeof *s);
	PGconn *c;
	PGresult *info;

	s->o = o;
	pthread_mutex_init(&s->work.mu, NULL);
	s->workers = xcalloc((size_t)o->jobs, sizeof *s->workers);
	for (int k = 0; k < o->jobs; k++)
		s->workers[k].s = s;
	c = pgconn_connect(pgconn_source(o->conninfo));
	s->workers[0].conn = c;
	s->workers[0].is_main = 1;
	pgconn_command(c, "cannot start the snapshot",
	               "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
	info = pgconn_exec(c, "cannot export the snapshot",
	                   "SELECT pg_catalog.pg_export_snapshot(),"
	                   " pg_catalog.current_setting('server_version'),"
	                   " pg_catalog.current_setting('server_version_num'),"
	                   " pg_catalog.current_database(),"
	                   " pg_catalog.current_setting('server_encoding')");
	s->info_res = info;
	s->info.id = PQgetvalue(info, 0, 0);
	s->info.server_version = PQgetvalue(info, 0, 1);
	s->info.server_num = atoi(PQgetvalue(info, 0, 2));
	s->info.database = PQgetvalue(info, 0, 3);
	s->info.encoding = PQgetvalue(info, 0, 4);
	session_setup(c, "UTF8", o->lock_timeout_ms);
	read_relations(s, c);
	select_relations(s, c);
	read_tables(s, c);
	refuse_large_objects(s, c);
	return s;
}

/*
 * Whether a table to dump is still the one the snapshot saw, and each
 * table's size (for the schedule of the copy).  Under the snapshot
 * pg_class and pg_attribute show what it saw; to_regclass(),
 * pg_relation_filenode() and pg_identify_object() read the catalog as of
 * now.  A table dropped, or renamed with another created in its name (the
 * lock then went to the other one); a TRUNCATE or a rewrite (ALTER TABLE
 * ... TYPE, VACUUM FULL) that would have the snapshot read an empty new
 * file; a column dropped or renamed, which COPY would no longer find, or
 * dropped and added again, which COPY would read empty: each is found.
 * Returns what changed in the first such table (malloc'ed), or NULL.
 */
static char *
check_tables(struct snapshot *s, PGconn *c)
{
	char *arr = oid_array(s), *out = NULL;
	const char *params[1] = {arr};
	PGresult *r;

	if (s->ntables == 0) {
		free(arr);
		return NULL;
	}
	r = pgconn_execv(c, "cannot read the catalog",
	                 "SELECT c.oid, n.nspname, c.relname,"
	                 " CASE WHEN pg_catalog.to_regclass(pg_catalog.format("
	                 "   '%I.%I', n.nspname, c.relname))"
	                 "   IS DISTINCT FROM c.oid"
	                 "  THEN 'was dropped or renamed'"
	                 "  WHEN c.relfilenode IS DISTINCT FROM"
	                 "   pg_catalog.pg_relation_filenode(c.oid)"
	                 "  THEN 'was emptied or rewritten'"
	                 "  WHEN EXISTS (SELECT FROM pg_catalog.pg_attribute a"
	                 "   WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid"
	                 "   AND a.attnum OPERATOR(pg_catalog.>) 0"
	                 "   AND NOT a.attisdropped"
	                 "   AND (pg_catalog.pg_identify_object("
	                 "     'pg_catalog.pg_class'::pg_catalog.regclass,"
	                 "     c.oid, a.attnum)).identity"
	                 "    IS DISTINCT FROM pg_catalog.format('%I.%I.%I',"
	                 "     n.nspname, c.relname, a.attname))"
	                 "  THEN 'had a column dropped or renamed' END,"
	                 " CASE WHEN pg_catalog.to_regclass(pg_catalog.format("
	                 "   '%I.%I', n.nspname, c.relname))"
	                 "   OPERATOR(pg_catalog.=) c.oid"
	                 "  THEN pg_catalog.pg_relation_size(c.oid) END"
	                 " FROM pg_catalog.pg_class c"
	                 " JOIN pg_catalog.pg_namespace n"
	                 " ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
	                 " WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])",
	                 1, params);
	for (int row = 0; row < PQntuples(r); row++) {
		struct rel *x = find_rel(s, (oid_t)strtoul(PQgetvalue(r, row, 0),
		                                           NULL, 10));
		if (!PQgetisnull(r, row, 3) && out == NULL)
			out = xasprintf("table %s.%s %s", PQgetvalue(r, row, 1),
			                PQgetvalue(r, row, 2),
			                PQgetvalue(r, row, 3));
		if (x != NULL && !PQgetisnull(r, row, 4))
			x->size = atof(PQgetvalue(r, row, 4));
	}
	PQclear(r);
	free(arr);
	return out;
}

void
snapshot_die_locked(struct snapshot *s, const char *relation)
{
	pglock_die_relation(s->workers[0].conn, relation);
}

char *
snapshot_changed(struct snapshot *s)
{
	return check_tables(s, s->workers[0].conn);
}

int
snapshot_lock(struct snapshot *s, char **changed)
{
	PGconn *c = s->workers[0].conn;

	if ((*changed = lock_tables(s, c)) == NULL)
		*changed = check_tables(s, c);
	return *changed != NULL ? -1 : 0;
}

const struct snapshot_info *
snapshot_info(const struct snapshot *s)
{
	return &s->info;
}

char **
snapshot_child_env(const struct snapshot *s)
{
	return pgconn_child_env(s->workers[0].conn);
}

void
snapshot_join(struct snapshot *s)
{
	char *sql = xasprintf("SET TRANSACTION SNAPSHOT '%s'", s->info.id);

	for (int k = 1; k < s->o->jobs && (size_t)k < s->ntables; k++) {
		PGconn *c = pgconn_connect(pgconn_source(s->o->conninfo));

		s->workers[k].conn = c;
		pgconn_command(c, "cannot start the snapshot",
		               "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
		pgconn_command(c, "cannot join the snapshot", sql);
		session_setup(c, s->info.encoding, s->o->lock_timeout_ms);
	}
	free(sql);
}

json_t *
snapshot_trailer_tables(const struct snapshot *s)
{
	json_t *ttabs = json_array();

	for (size_t i = 0; i < s->ntables; i++) {
		const struct table *t = &s->tables[i];

		json_array_append_new(
			ttabs, manifest_trailer_table(t->rel->schema, t->rel->name,
			                              t->rows, t->bytes, t->chunks,
			                              t->sha_hex));
	}
	return ttabs;
}

void
snapshot_progress(struct snapshot *s, unsigned *done, size_t *ntables,
                  unsigned long long *rows, unsigned long long *bytes)
{
	*done = atomic_load(&s->progress_tables);
	*ntables = s->ntables;
	*rows = atomic_load(&s->progress_rows);
	*bytes = atomic_load(&s->progress_bytes);
}

void
snapshot_end(struct snapshot *s)
{
	for (int k = 0; k < s->o->jobs; k++)
		if (s->workers[k].conn) {
			PQclear(PQexec(s->workers[k].conn, "COMMIT"));
			pgconn_close(s->workers[k].conn);
		}
	PQclear(s->info_res);
	for (size_t i = 0; i < s->ntables; i++) {
		struct table *t = &s->tables[i];

		free(t->dir);
		free(t->copy_sql);
		json_decref(t->columns);
		free(t->refs);
		free(t->from);
		free(t->cols);
		pthread_mutex_destroy(&t->mu);
	}
	free(s->tables);
	for (size_t i = 0; i < s->nrels; i++) {
		free(s->rels[i].schema);
		free(s->rels[i].name);
		free(s->rels[i].ancestors);
	}
	free(s->rels);
	free(s->workers);
	pthread_mutex_destroy(&s->work.mu);
	free(s);
}
