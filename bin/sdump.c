/*
 * sdump: writes one consistent snapshot of a PostgreSQL database to stdout
 * as a strongbox archive (strongbox-archive(5)): a REPEATABLE READ, READ
 * ONLY transaction exports its snapshot and locks the tables to dump;
 * pg_dump writes the schema from that snapshot; rows come through COPY on
 * one or more connections sharing it, in chunks, tables in foreign-key
 * order; a trailer with every checksum ends the stream only when all went
 * well.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <openssl/crypto.h>

#include "archive_names.h"
#include "archive_write.h"
#include "err.h"
#include "fklevels.h"
#include "namepattern.h"
#include "pgconn.h"
#include "pgdump.h"
#include "xalloc.h"

#define DEFAULT_CHUNK_SIZE (4u << 20)
#define MAX_JOBS 64
#define DEFAULT_SPLIT_SIZE (64u << 20)

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

static struct {
	const char *conninfo;
	struct archive_compression comp;
	char **include, **exclude;
	size_t ninclude, nexclude;
	int jobs;
	size_t chunk_size;
	int data_only;
	int progress;
	size_t split_size;
} opt;

static struct rel *rels;
static size_t nrels;
static struct table *tables;
static size_t ntables;
static struct archive_writer *writer;
static unsigned long long written_total; /* once writer is closed */
static char snapshot[128];

static atomic_ullong progress_rows, progress_bytes;
static atomic_uint progress_tables;

static void
usage(void)
{
	printf("usage: sdump [-d CONNINFO|URL] [-Z zstd[:LEVEL]|gzip[:LEVEL]|none]\n"
	       "             [-t PATTERN]... [-T PATTERN]... [-j JOBS]\n"
	       "             [--chunk-size BYTES] [--split-size BYTES] [--data-only]\n"
	       "             [--progress]\n"
	       "\n"
	       "Writes one consistent snapshot of a PostgreSQL database to stdout\n"
	       "as a strongbox archive.\n"
	       "\n"
	       "  -d, --dbname CONNINFO    conninfo or URL (default $DATABASE_URL, then PG*)\n"
	       "  -Z, --compress METHOD    zstd (default, level 3), zstd:LEVEL (1-19),\n"
	       "                           gzip, gzip:LEVEL (1-9), or none\n"
	       "  -t, --table PATTERN      dump only matching tables (repeatable)\n"
	       "  -T, --exclude-table PATTERN  skip matching tables (repeatable)\n"
	       "  -j, --jobs N             copy tables over N connections (default 1)\n"
	       "      --chunk-size BYTES   rows per archive member, at most (default 4M)\n"
	       "      --split-size BYTES   with -j, copy bigger tables in parts (default 64M)\n"
	       "  -a, --data-only          rows and sequences only, no schema\n"
	       "      --progress           report progress on stderr\n"
	       "  -h, --help               this help\n"
	       "      --version            the version\n");
}

static size_t
parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		die_usage("invalid size: '%s'", s);
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end == 'i' && end[-1] != *s)
		end++;
	if ((*end == 'B' || *end == 'b') && end[1] == '\0')
		end++;
	if (*end != '\0' || v == 0 || v > (1ull << 30))
		die_usage("invalid size: '%s' (1 byte to 1G)", s);
	return (size_t)v;
}

static char *
rfc3339(time_t t)
{
	struct tm tm;
	char buf[64];
	size_t n;

	localtime_r(&t, &tm);
	n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
	/* +0530 -> +05:30 */
	if (n >= 5) {
		memmove(buf + n - 1, buf + n - 2, 3);
		buf[n - 2] = ':';
	}
	return xstrdup(buf);
}

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
session_setup(PGconn *c, const char *encoding)
{
	char *enc = pgconn_quote_literal(encoding);
	char *sql = xasprintf(
		"SET client_encoding = %s; SET DateStyle = ISO; "
		"SET IntervalStyle = postgres; SET extra_float_digits = 3; "
		"SET statement_timeout = 0; SET lock_timeout = 0; "
		"SET idle_in_transaction_session_timeout = 0; "
		"SET bytea_output = hex; SET row_security = off",
		enc);

	pgconn_command(c, "cannot set up the session", sql);
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
find_rel(oid_t oid)
{
	struct rel key = {.oid = oid};

	return bsearch(&key, rels, nrels, sizeof *rels, cmp_rel_oid);
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
read_relations(PGconn *c)
{
	PGresult *r = pgconn_exec(
		c, "cannot read the catalog",
		"SELECT c.oid, n.nspname, c.relname, c.relkind, c.relispartition,"
		" c.relpages, pg_catalog.pg_relation_size(c.oid),"
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

	nrels = (size_t)PQntuples(r);
	rels = xcalloc(nrels ? nrels : 1, sizeof *rels);
	for (size_t i = 0; i < nrels; i++) {
		struct rel *x = &rels[i];
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
select_relations(PGconn *c)
{
	size_t ninc = 0, nexc = 0;
	oid_t *inc = match_patterns(c, opt.include, opt.ninclude, &ninc);
	oid_t *exc = match_patterns(c, opt.exclude, opt.nexclude, &nexc);
	int any = 0;

	for (size_t i = 0; i < nrels; i++) {
		struct rel *x = &rels[i];
		struct rel *owner = x->owner ? find_rel(x->owner) : NULL;

		if (x->owner && owner == NULL) {
			/* Owned by a table we never dump (an extension's). */
			x->selected = 0;
			continue;
		}
		if (owner != NULL) {
			x->selected = (opt.ninclude == 0 ||
			               rel_matches(owner, inc, ninc)) &&
			              !rel_matches(owner, exc, nexc);
		} else {
			x->selected = (opt.ninclude == 0 ||
			               rel_matches(x, inc, ninc)) &&
			              !rel_matches(x, exc, nexc);
		}
		if (x->selected && opt.ninclude > 0 && rel_matches(x, inc, ninc))
			any = 1;
	}
	if (opt.ninclude > 0 && !any)
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
oid_array(void)
{
	size_t cap = ntables * 12 + 3, len = 0;
	char *s = xmalloc(cap);

	s[len++] = '{';
	for (size_t i = 0; i < ntables; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%u", i ? "," : "",
		                        tables[i].rel->oid);
	s[len++] = '}';
	s[len] = '\0';
	return s;
}

static struct table *
find_table(oid_t oid)
{
	for (size_t i = 0; i < ntables; i++)
		if (tables[i].rel->oid == oid)
			return &tables[i];
	return NULL;
}

/* Columns (COPY lists) and foreign keys of the tables to dump. */
static void
read_tables(PGconn *c)
{
	char *oids;
	PGresult *r;
	struct fk_edge *edges = NULL;
	size_t nedges = 0;
	int *level;
	size_t *comp;
	const char *params[1];

	for (size_t i = 0; i < nrels; i++)
		if (rels[i].selected && rels[i].kind == 'r')
			ntables++;
	tables = xcalloc(ntables ? ntables : 1, sizeof *tables);
	ntables = 0;
	for (size_t i = 0; i < nrels; i++)
		if (rels[i].selected && rels[i].kind == 'r') {
			struct table *t = &tables[ntables++];

			t->rel = &rels[i];
			t->columns = json_array();
			if (rels[i].nancestors > 0)
				t->parent = rels[i].ancestors[0];
		}
	if (ntables == 0)
		return;
	oids = oid_array();
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
				t = find_table(oid);
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
		struct table *from = find_table(
			(oid_t)strtoul(PQgetvalue(r, j, 0), NULL, 10));
		struct table *to = find_table(
			(oid_t)strtoul(PQgetvalue(r, j, 1), NULL, 10));

		if (from == NULL || to == NULL || from == to)
			continue;
		edges[nedges].from = (size_t)(from - tables);
		edges[nedges].to = (size_t)(to - tables);
		nedges++;
	}
	PQclear(r);
	free(oids);

	level = xcalloc(ntables, sizeof *level);
	comp = xcalloc(ntables, sizeof *comp);
	fklevels_compute(ntables, edges, nedges, level, comp);
	for (size_t i = 0; i < ntables; i++) {
		tables[i].level = level[i];
		tables[i].comp = comp[i];
	}
	/* References are kept as oids until the tables are sorted. */
	for (size_t e = 0; e < nedges; e++) {
		struct table *t = &tables[edges[e].from];

		t->refs = xreallocarray(t->refs, t->nrefs + 1, sizeof *t->refs);
		t->refs[t->nrefs++] = tables[edges[e].to].rel->oid;
	}
	free(level);
	free(comp);
	free(edges);
	qsort(tables, ntables, sizeof *tables, cmp_table);

	for (size_t i = 0; i < ntables; i++) {
		struct table *t = &tables[i];
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
		/* COPY t TO copies t's own rows only, never its children's. */
		t->copy_sql = xasprintf("COPY %s.%s (%s) TO STDOUT", qs, qn, cols);
		t->from = xasprintf("%s.%s", qs, qn);
		t->cols = cols;
		t->parts = 1;
		pthread_mutex_init(&t->mu, NULL);
		t->dir = archive_names_table_dir(t->rel->schema, t->rel->name);
		free(qs);
		free(qn);
	}
}

static void
lock_tables(PGconn *c)
{
	size_t cap = 64, len = 0;
	char *sql;

	if (ntables == 0)
		return;
	sql = xmalloc(cap);
	len = (size_t)snprintf(sql, cap, "LOCK TABLE ");
	for (size_t i = 0; i < ntables; i++) {
		char *qs = pgconn_quote_ident(tables[i].rel->schema);
		char *qn = pgconn_quote_ident(tables[i].rel->name);
		size_t need = len + strlen(qs) + strlen(qn) + 64;

		if (need > cap) {
			cap = need * 2;
			sql = xreallocarray(sql, cap, 1);
		}
		len += (size_t)snprintf(sql + len, cap - len, "%s%s.%s",
		                        i ? ", " : "", qs, qn);
		free(qs);
		free(qn);
	}
	snprintf(sql + len, cap - len, " IN ACCESS SHARE MODE");
	pgconn_command(c, "cannot lock the tables to dump", sql);
	free(sql);
}

static void
refuse_large_objects(PGconn *c)
{
	PGresult *r;
	long n;

	if (opt.ninclude > 0)
		return; /* like pg_dump: -t dumps no large objects */
	r = pgconn_exec(c, "cannot read the catalog",
	                "SELECT pg_catalog.count(*) FROM"
	                " pg_catalog.pg_largeobject_metadata");
	n = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (n > 0)
		die(EXIT_FAIL,
		    "the database has %ld large objects, which sdump does not "
		    "dump: store them in bytea columns, or select tables with -t",
		    n);
}

static json_t *
table_ref(const struct rel *x)
{
	return json_pack("{s:s, s:s}", "schema", x->schema, "name", x->name);
}

static json_t *
build_manifest(const char *created, PGresult *info, const char *pgdump_version)
{
	json_t *m, *tabs = json_array(), *cycles = json_array(),
	           *mviews = json_array(), *inc = json_array(),
	           *exc = json_array();
	const char *branch = getenv("BRANCH_ID");
	char *comp = archive_writer_compression_name(&opt.comp);
	char *tool = xasprintf("%s %s", err_progname(), STRONGBOX_VERSION);

	for (size_t i = 0; i < opt.ninclude; i++)
		json_array_append_new(inc, json_string(opt.include[i]));
	for (size_t i = 0; i < opt.nexclude; i++)
		json_array_append_new(exc, json_string(opt.exclude[i]));
	for (size_t i = 0; i < ntables; i++) {
		struct table *t = &tables[i];
		json_t *refs = json_array(), *o;

		for (size_t k = 0; k < t->nrefs; k++)
			json_array_append_new(refs, table_ref(find_rel(t->refs[k])));
		o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:O, s:o, s:b}", "schema",
		              t->rel->schema, "name", t->rel->name, "dir", t->dir,
		              "kind", t->rel->partition ? "p" : "r", "level",
		              t->level, "columns", t->columns, "references", refs,
		              "materialized_view", 0);
		if (t->parent && find_rel(t->parent))
			json_object_set_new(o, "partition_of",
			                    table_ref(find_rel(t->parent)));
		json_array_append_new(tabs, o);
	}
	/* Cycles: components with more than one table. */
	for (size_t i = 0; i < ntables; i++) {
		json_t *cyc = NULL;
		int first = 1;

		for (size_t k = 0; k < i && first; k++)
			if (tables[k].comp == tables[i].comp)
				first = 0;
		if (!first)
			continue;
		for (size_t k = i + 1; k < ntables; k++)
			if (tables[k].comp == tables[i].comp) {
				if (cyc == NULL) {
					cyc = json_array();
					json_array_append_new(cyc,
					                      table_ref(tables[i].rel));
				}
				json_array_append_new(cyc, table_ref(tables[k].rel));
			}
		if (cyc)
			json_array_append_new(cycles, cyc);
	}
	for (size_t i = 0; i < nrels; i++)
		if (rels[i].selected && rels[i].kind == 'm')
			json_array_append_new(mviews, table_ref(&rels[i]));

	m = json_pack("{s:s, s:i, s:s, s:s, s:s, s:I, s:s?, s:s, s:s, s:s?,"
	              " s:b, s:s, s:I, s:i, s:o, s:o, s:o, s:o, s:o}",
	              "format", ARCHIVE_FORMAT_NAME, "version",
	              ARCHIVE_FORMAT_VERSION, "created", created, "tool", tool,
	              "server_version", PQgetvalue(info, 0, 1),
	              "server_version_num",
	              (json_int_t)atoll(PQgetvalue(info, 0, 2)),
	              "pg_dump_version", pgdump_version, "database",
	              PQgetvalue(info, 0, 3), "encoding", PQgetvalue(info, 0, 4),
	              "branch_id", branch && *branch ? branch : NULL,
	              "data_only", opt.data_only, "compression", comp,
	              "chunk_size", (json_int_t)opt.chunk_size, "jobs", opt.jobs,
	              "table_patterns", inc, "exclude_patterns", exc, "tables",
	              tabs, "fk_cycles", cycles, "materialized_views", mviews);
	if (m == NULL)
		die(EXIT_FAIL, "cannot build the manifest");
	free(comp);
	free(tool);
	return m;
}

static void
add_json(const char *name, json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(1));
	size_t len;

	if (s == NULL)
		die(EXIT_FAIL, "cannot write %s: out of memory", name);
	len = strlen(s);
	s[len] = '\n';
	archive_writer_add(writer, name, s, len + 1);
	free(s);
}

/* ---- copying rows ---- */

struct worker {
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

static struct {
	pthread_mutex_t mu;
	struct item *items; /* this level's */
	size_t n, next;
} work = {.mu = PTHREAD_MUTEX_INITIALIZER};

/*
 * Chunk numbers, the table's checksum and the queue order are taken
 * together under the table's lock, so that the parts of a table copied
 * concurrently still give chunks in order and one checksum over them.
 */
static void
flush_chunk(struct table *t, struct archive_buffer *b)
{
	char *name;

	pthread_mutex_lock(&t->mu);
	t->chunks++;
	t->bytes += b->len;
	sha256_update(t->sha, b->data, b->len);
	atomic_fetch_add(&progress_bytes, b->len);
	name = archive_names_chunk(t->dir, t->chunks);
	archive_writer_add_buffer(writer, name, b);
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
	b = archive_writer_buffer(writer);
	while ((n = PQgetCopyData(c, &row, 0)) > 0) {
		size_t len = (size_t)n;

		if (b->len > 0 && b->len + len > opt.chunk_size) {
			flush_chunk(t, b);
			b = archive_writer_buffer(writer);
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
			atomic_fetch_add(&progress_rows, 0x1000);
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
		flush_chunk(t, b);
	else
		archive_writer_release(writer, b);
	atomic_fetch_add(&progress_rows, rows & 0xfff);
	pthread_mutex_lock(&t->mu);
	t->rows += rows;
	if (++t->parts_done == t->parts) {
		sha256_final(t->sha, t->sha_hex);
		t->sha = NULL;
		atomic_fetch_add(&progress_tables, 1);
	}
	pthread_mutex_unlock(&t->mu);
}

static void *
worker_run(void *arg)
{
	struct worker *wk = arg;

	for (;;) {
		struct item it;

		pthread_mutex_lock(&work.mu);
		if (work.next >= work.n) {
			pthread_mutex_unlock(&work.mu);
			break;
		}
		it = work.items[work.next++];
		pthread_mutex_unlock(&work.mu);
		copy_part(wk, &tables[it.table], it.part);
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
static void
copy_all(struct worker *workers, int nworkers, int server_num)
{
	size_t i = 0;

	work.items = xcalloc(ntables * (size_t)nworkers + 1, sizeof *work.items);
	while (i < ntables) {
		size_t end = i;
		int nthreads;

		while (end < ntables && tables[end].level == tables[i].level)
			end++;
		work.n = 0;
		work.next = 0;
		for (size_t k = i; k < end; k++) {
			struct table *t = &tables[k];

			if (nworkers > 1 && server_num >= 140000 &&
			    t->rel->size >= (double)opt.split_size &&
			    t->rel->size >= 2 * 8192.0)
				t->parts = nworkers;
			t->sha = sha256_new();
			for (int p = 0; p < t->parts; p++) {
				work.items[work.n].table = k;
				work.items[work.n].part = p;
				work.items[work.n].size = t->rel->size / t->parts;
				work.n++;
			}
		}
		/* One connection: the manifest's order; several: biggest first. */
		if (nworkers > 1)
			qsort(work.items, work.n, sizeof *work.items, cmp_item);
		nthreads = (size_t)nworkers < work.n ? nworkers : (int)work.n;
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
	free(work.items);
}

/* ---- progress ---- */

static struct {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	int tty;
	struct timespec start;
} prog = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static double
elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - prog.start.tv_sec) +
	       (double)(now.tv_nsec - prog.start.tv_nsec) / 1e9;
}

static void
print_progress(int last)
{
	double s = elapsed();
	double mib = (double)atomic_load(&progress_bytes) / 1048576.0;
	double out = (double)(writer ? archive_writer_bytes_out(writer)
	                             : written_total) /
	             1048576.0;

	fprintf(stderr,
	        "%s%s: %u/%zu tables, %llu rows, %.1f MiB read, %.1f MiB "
	        "written, %.1f MiB/s%s",
	        prog.tty ? "\r" : "", err_progname(),
	        atomic_load(&progress_tables), ntables,
	        atomic_load(&progress_rows), mib, out, s > 0 ? mib / s : 0.0,
	        prog.tty && !last ? "\033[K" : "\n");
	fflush(stderr);
}

static void *
progress_run(void *arg)
{
	pthread_mutex_lock(&prog.mu);
	while (!prog.stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&prog.cv, &prog.mu, &until);
		if (!prog.stop)
			print_progress(0);
	}
	pthread_mutex_unlock(&prog.mu);
	return NULL;
}

static void
progress_start(void)
{
	prog.tty = isatty(2);
	if (!opt.progress)
		return;
	if (pthread_create(&prog.thread, NULL, progress_run, NULL) != 0)
		die(EXIT_FAIL, "cannot start a thread");
}

/* Stops the reports; the last one comes after the writer closed. */
static void
progress_stop(void)
{
	if (!opt.progress)
		return;
	pthread_mutex_lock(&prog.mu);
	prog.stop = 1;
	pthread_cond_signal(&prog.cv);
	pthread_mutex_unlock(&prog.mu);
	pthread_join(prog.thread, NULL);
}

static void
progress_last(void)
{
	if (opt.progress)
		print_progress(1);
}

/* ---- sequences ---- */

static json_t *
read_sequences(PGconn *c)
{
	json_t *seqs = json_array();
	size_t i = 0;

	/* Read live, in batches: values may be ahead of the snapshot. */
	while (i < nrels) {
		size_t cap = 256, len = 0, batch = 0;
		char *sql = xmalloc(cap);
		size_t idx[200];
		PGresult *r;

		sql[0] = '\0';
		for (; i < nrels && batch < 200; i++) {
			char *qs, *qn;
			size_t need;

			if (!rels[i].selected || rels[i].kind != 'S')
				continue;
			qs = pgconn_quote_ident(rels[i].schema);
			qn = pgconn_quote_ident(rels[i].name);
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
		r = pgconn_exec(c, "cannot read the sequences", sql);
		for (int j = 0; j < PQntuples(r); j++) {
			struct rel *x = &rels[idx[atoi(PQgetvalue(r, j, 0))]];

			json_array_append_new(
				seqs,
				json_pack("{s:s, s:s, s:I, s:b}", "schema", x->schema,
				          "name", x->name, "last_value",
				          (json_int_t)atoll(PQgetvalue(r, j, 1)),
				          "is_called", PQgetvalue(r, j, 2)[0] == 't'));
		}
		PQclear(r);
		free(sql);
	}
	return json_pack("{s:o}", "sequences", seqs);
}

/* ---- pg_dump ---- */

static char **
pgdump_argv(const char *path, const char *section)
{
	size_t n = 0, cap = nrels + 8;
	char **argv = xcalloc(cap, sizeof *argv);

	argv[n++] = xstrdup(path);
	argv[n++] = xstrdup("--schema-only");
	argv[n++] = xasprintf("--section=%s", section);
	argv[n++] = xasprintf("--snapshot=%s", snapshot);
	argv[n++] = xstrdup("--no-password");
	/* Exactly the relations selected (or not), as pg_dump patterns. */
	if (opt.ninclude > 0 || opt.nexclude > 0)
		for (size_t i = 0; i < nrels; i++) {
			struct rel *x = &rels[i];
			char *p;

			if ((opt.ninclude > 0) != x->selected)
				continue;
			p = namepattern_exact(x->schema, x->name);
			argv[n++] = xasprintf("%s%s",
			                      opt.ninclude > 0 ? "--table="
			                                       : "--exclude-table=",
			                      p);
			free(p);
		}
	argv[n] = NULL;
	return argv;
}

static void
free_argv(char **argv)
{
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

int
main(int argc, char **argv)
{
	enum { OPT_CHUNK = 256, OPT_PROGRESS, OPT_SPLIT, OPT_VERSION };
	static const struct option longopts[] = {
		{"chunk-size", required_argument, NULL, OPT_CHUNK},
		{"compress", required_argument, NULL, 'Z'},
		{"data-only", no_argument, NULL, 'a'},
		{"dbname", required_argument, NULL, 'd'},
		{"exclude-table", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{"jobs", required_argument, NULL, 'j'},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"split-size", required_argument, NULL, OPT_SPLIT},
		{"table", required_argument, NULL, 't'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	PGconn *main_conn;
	PGresult *info;
	struct worker *workers;
	char **env = NULL, *pgdump = NULL, *pgdump_version = NULL;
	struct pgdump_child pre, post;
	time_t start = time(NULL);
	char *created;
	json_t *manifest, *trailer, *ttabs;
	int c;

	err_init(argv[0]);
	/*
	 * A failure in one thread exits the process while others may be
	 * hashing: OpenSSL must not tear itself down under them at exit.
	 */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	opt.comp.kind = ARCHIVE_COMPRESS_ZSTD;
	opt.jobs = 1;
	opt.chunk_size = DEFAULT_CHUNK_SIZE;
	opt.split_size = DEFAULT_SPLIT_SIZE;
	opt.include = xcalloc((size_t)argc, sizeof *opt.include);
	opt.exclude = xcalloc((size_t)argc, sizeof *opt.exclude);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ad:hj:T:t:Z:", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'a':
			opt.data_only = 1;
			break;
		case 'd':
			opt.conninfo = optarg;
			break;
		case 'h':
			usage();
			finish_stdout();
			return EXIT_OK;
		case 'j': {
			char *end;
			long j;

			errno = 0;
			j = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || j < 1 || j > MAX_JOBS)
				die_usage("invalid number of jobs: '%s' (1-%d)",
				          optarg, MAX_JOBS);
			opt.jobs = (int)j;
			break;
		}
		case 'T':
			opt.exclude[opt.nexclude++] = optarg;
			break;
		case 't':
			opt.include[opt.ninclude++] = optarg;
			break;
		case 'Z':
			if (archive_writer_parse_compression(optarg, &opt.comp))
				die_usage("invalid compression: '%s' (zstd[:1-19], "
				          "gzip[:1-9] or none)",
				          optarg);
			break;
		case OPT_CHUNK:
			opt.chunk_size = parse_size(optarg);
			break;
		case OPT_PROGRESS:
			opt.progress = 1;
			break;
		case OPT_SPLIT:
			opt.split_size = parse_size(optarg);
			break;
		case OPT_VERSION:
			print_version();
		default:
			die_bad_option("ad:hj:T:t:Z:", argv);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0)
		die_usage("unexpected argument: '%s'", argv[0]);
	for (size_t i = 0; i < opt.ninclude + opt.nexclude; i++) {
		const char *p = i < opt.ninclude ? opt.include[i]
		                                 : opt.exclude[i - opt.ninclude];
		char *s = NULL, *n = NULL;

		if (namepattern_parse(p, &s, &n) != 0)
			die_usage("invalid table pattern: '%s'", p);
		free(s);
		free(n);
	}
	if (isatty(STDOUT_FILENO))
		die_usage("refusing to write an archive to a terminal: redirect "
		          "standard output to a file or a pipe");
	if (isatty(STDERR_FILENO))
		opt.progress = 1;
	/* A closed stdout must fail the dump, as EPIPE, not kill it silently. */
	signal(SIGPIPE, SIG_IGN);

	main_conn = pgconn_connect(pgconn_source(opt.conninfo));
	pgconn_command(main_conn, "cannot start the snapshot",
	               "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
	info = pgconn_exec(main_conn, "cannot export the snapshot",
	                   "SELECT pg_catalog.pg_export_snapshot(),"
	                   " pg_catalog.current_setting('server_version'),"
	                   " pg_catalog.current_setting('server_version_num'),"
	                   " pg_catalog.current_database(),"
	                   " pg_catalog.current_setting('server_encoding')");
	snprintf(snapshot, sizeof snapshot, "%s", PQgetvalue(info, 0, 0));
	session_setup(main_conn, "UTF8");
	read_relations(main_conn);
	select_relations(main_conn);
	read_tables(main_conn);
	lock_tables(main_conn);
	refuse_large_objects(main_conn);

	if (!opt.data_only) {
		char **a;

		env = pgconn_child_env(main_conn);
		pgdump = pgdump_find("pg_dump", atoi(PQgetvalue(info, 0, 2)), env,
		                     &pgdump_version);
		a = pgdump_argv(pgdump, "pre-data");
		pgdump_start(&pre, "pg_dump --section=pre-data", a, env);
		free_argv(a);
		a = pgdump_argv(pgdump, "post-data");
		pgdump_start(&post, "pg_dump --section=post-data", a, env);
		free_argv(a);
	}

	/* The other connections join the exported snapshot. */
	workers = xcalloc((size_t)opt.jobs, sizeof *workers);
	workers[0].conn = main_conn;
	workers[0].is_main = 1;
	for (int k = 1; k < opt.jobs && (size_t)k < ntables; k++) {
		char *sql = xasprintf("SET TRANSACTION SNAPSHOT '%s'", snapshot);

		workers[k].conn = pgconn_connect(pgconn_source(opt.conninfo));
		pgconn_command(workers[k].conn, "cannot start the snapshot",
		               "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
		pgconn_command(workers[k].conn, "cannot join the snapshot", sql);
		session_setup(workers[k].conn, PQgetvalue(info, 0, 4));
		free(sql);
	}

	created = rfc3339(start);
	/*
	 * zstd compresses on two worker threads of its own (1 MiB jobs, a
	 * few MiB of memory) beside the writer thread and the COPY readers.
	 * Two buffers more than readers keep the writer busy.
	 */
	writer = archive_writer_open(STDOUT_FILENO, &opt.comp, 2, start,
	                             opt.chunk_size, opt.jobs + 2);
	manifest = build_manifest(created, info, pgdump_version);
	add_json(ARCHIVE_MEMBER_MANIFEST, manifest);
	if (!opt.data_only) {
		size_t len = pgdump_wait(&pre);

		archive_writer_add_file(writer, ARCHIVE_MEMBER_PRE_DATA, pre.out,
		                        len);
		fclose(pre.out);
	}

	set_encoding(main_conn, PQgetvalue(info, 0, 4));
	clock_gettime(CLOCK_MONOTONIC, &prog.start);
	progress_start();
	{
		int nw = opt.jobs;

		while (nw > 1 && workers[nw - 1].conn == NULL)
			nw--;
		copy_all(workers, nw, atoi(PQgetvalue(info, 0, 2)));
	}
	{
		json_t *seqs = read_sequences(main_conn);

		add_json(ARCHIVE_MEMBER_SEQUENCES, seqs);
		json_decref(seqs);
	}
	if (!opt.data_only) {
		size_t len = pgdump_wait(&post);

		archive_writer_add_file(writer, ARCHIVE_MEMBER_POST_DATA, post.out,
		                        len);
		fclose(post.out);
	}

	ttabs = json_array();
	for (size_t i = 0; i < ntables; i++) {
		struct table *t = &tables[i];

		json_array_append_new(
			ttabs, json_pack("{s:s, s:s, s:I, s:I, s:I, s:s}", "schema",
			                 t->rel->schema, "name", t->rel->name, "rows",
			                 (json_int_t)t->rows, "bytes",
			                 (json_int_t)t->bytes, "chunks",
			                 (json_int_t)t->chunks, "sha256", t->sha_hex));
	}
	{
		char *finished = rfc3339(time(NULL));

		trailer = json_pack("{s:s, s:i, s:b, s:s, s:o, s:o}", "format",
		                    ARCHIVE_FORMAT_NAME, "version",
		                    ARCHIVE_FORMAT_VERSION, "complete", 1,
		                    "finished", finished, "tables", ttabs, "members",
		                    archive_writer_members(writer));
		free(finished);
	}
	/* Everything before it succeeded: the trailer marks the end. */
	add_json(ARCHIVE_MEMBER_TRAILER, trailer);
	progress_stop();
	written_total = archive_writer_close(writer);
	writer = NULL;
	progress_last();

	for (int k = 0; k < opt.jobs; k++)
		if (workers[k].conn) {
			PQclear(PQexec(workers[k].conn, "COMMIT"));
			PQfinish(workers[k].conn);
		}
	PQclear(info);
	json_decref(manifest);
	json_decref(trailer);
	pgconn_free_env(env);
	free(pgdump);
	free(pgdump_version);
	free(created);
	free(workers);
	finish_stdout();
	return EXIT_OK;
}
