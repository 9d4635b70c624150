/* manifest.c: the manifest and the trailer; see manifest.h. */
#include "manifest.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_names.h"
#include "err.h"
#include "xalloc.h"

/* ---- building ---- */

static json_t *
name_json(const struct manifest_name *n)
{
	return json_pack("{s:s, s:s}", "schema", n->schema, "name", n->name);
}

static json_t *
strings_json(char *const *s, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(s[i]));
	return a;
}

json_t *
manifest_to_json(const struct manifest *m)
{
	json_t *j, *tabs = json_array(), *cycles = json_array(),
	           *mviews = json_array();

	for (size_t i = 0; i < m->ntables; i++) {
		const struct manifest_table *t = &m->tables[i];
		json_t *cols = json_array(), *refs = json_array(), *o;
		char kind[2] = {t->kind, '\0'};

		for (size_t k = 0; k < t->ncolumns; k++)
			json_array_append_new(
			        cols, json_pack("{s:s, s:s}", "name",
			                        t->columns[k].name, "type",
			                        t->columns[k].type));
		for (size_t k = 0; k < t->nreferences; k++)
			json_array_append_new(refs,
			                      name_json(&t->references[k]));
		o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:b}",
		              "schema", t->schema, "name", t->name, "dir",
		              t->dir, "kind", kind, "level", t->level,
		              "columns", cols, "references", refs,
		              "materialized_view", t->materialized_view);
		if (t->partition_of.schema != NULL)
			json_object_set_new(o, "partition_of",
			                    name_json(&t->partition_of));
		json_array_append_new(tabs, o);
	}
	for (size_t i = 0; i < m->ncycles; i++) {
		json_t *cyc = json_array();

		for (size_t k = 0; k < m->cycles[i].ntables; k++)
			json_array_append_new(
			        cyc, name_json(&m->cycles[i].tables[k]));
		json_array_append_new(cycles, cyc);
	}
	for (size_t i = 0; i < m->nmatviews; i++)
		json_array_append_new(mviews, name_json(&m->matviews[i]));

	j = json_pack("{s:s, s:i, s:s, s:s, s:s, s:I, s:s?, s:s, s:s, s:s?,"
	              " s:b, s:s, s:I, s:i, s:o, s:o, s:o, s:o, s:o}",
	              "format", MANIFEST_FORMAT_NAME, "version",
	              MANIFEST_FORMAT_VERSION, "created", m->created, "tool",
	              m->tool, "server_version", m->server_version,
	              "server_version_num", (json_int_t)m->server_version_num,
	              "pg_dump_version", m->pg_dump_version, "database",
	              m->database, "encoding", m->encoding, "branch_id",
	              m->branch_id, "data_only", m->data_only, "compression",
	              m->compression, "chunk_size", (json_int_t)m->chunk_size,
	              "jobs", (int)m->jobs, "table_patterns",
	              strings_json(m->table_patterns, m->ntable_patterns),
	              "exclude_patterns",
	              strings_json(m->exclude_patterns, m->nexclude_patterns),
	              "tables", tabs, "fk_cycles", cycles, "materialized_views",
	              mviews);
	if (j != NULL && m->pre_data_sha256 != NULL &&
	    json_object_set_new(j, "pre_data_sha256",
	                        json_string(m->pre_data_sha256)) < 0) {
		json_decref(j);
		j = NULL;
	}
	if (j == NULL)
		die(EXIT_FAIL, "cannot build the manifest");
	return j;
}

json_t *
manifest_trailer_table(const char *schema, const char *name, uint64_t rows,
                       uint64_t bytes, uint64_t chunks, const char *sha256)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:s}", "schema", schema,
	                 "name", name, "rows", (json_int_t)rows, "bytes",
	                 (json_int_t)bytes, "chunks", (json_int_t)chunks,
	                 "sha256", sha256);
}

json_t *
manifest_trailer_member(const char *name, uint64_t bytes, const char *sha256)
{
	return json_pack("{s:s, s:I, s:s}", "name", name, "bytes",
	                 (json_int_t)bytes, "sha256", sha256);
}

json_t *
manifest_trailer_to_json(const char *finished, json_t *tables, json_t *members)
{
	json_t *j =
	        json_pack("{s:s, s:i, s:b, s:s, s:o, s:o}", "format",
	                  MANIFEST_FORMAT_NAME, "version",
	                  MANIFEST_FORMAT_VERSION, "complete", 1, "finished",
	                  finished, "tables", tables, "members", members);

	if (j == NULL)
		die(EXIT_FAIL, "cannot build the trailer");
	return j;
}

/* ---- parsing ---- */

/* Why parsing stopped: the first error only, one line. */
struct why {
	char *buf;
	size_t len;
	int set;
};

static int fail(struct why *w, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static int
fail(struct why *w, const char *fmt, ...)
{
	va_list ap;

	if (w->set++)
		return -1;
	va_start(ap, fmt);
	vsnprintf(w->buf, w->len, fmt, ap);
	va_end(ap);
	for (char *p = w->buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return -1;
}

/* A string member of o, or NULL (absent, not a string, a NUL inside). */
static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return NULL;
	/* A string with a NUL in it is not a name. */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

static char *
jstrdup_opt(json_t *o, const char *key)
{
	const char *s = jstr(o, key);

	return xstrdup(s ? s : "");
}

static int
get_u64(json_t *o, const char *key, uint64_t *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return -1;
	*v = (uint64_t)json_integer_value(j);
	return 0;
}

static int
parse_name(struct why *w, json_t *o, struct manifest_name *n, const char *what)
{
	const char *s = jstr(o, "schema"), *t = jstr(o, "name");

	if (!json_is_object(o) || s == NULL || t == NULL || !*s || !*t)
		return fail(w, "bad manifest: %s needs \"schema\" and \"name\"",
		            what);
	n->schema = xstrdup(s);
	n->name = xstrdup(t);
	return 0;
}

static void
free_name(struct manifest_name *n)
{
	free(n->schema);
	free(n->name);
}

static int
check_format_version(struct why *w, json_t *root, const char *what)
{
	const char *fmt = jstr(root, "format");
	json_t *v = json_object_get(root, "version");

	if (fmt == NULL || strcmp(fmt, MANIFEST_FORMAT_NAME) != 0)
		return fail(w, "not a strongbox archive (%s format is %s%s%s)",
		            what, fmt ? "\"" : "", fmt ? fmt : "missing",
		            fmt ? "\"" : "");
	if (!json_is_integer(v))
		return fail(w, "bad %s: no format version", what);
	if (json_integer_value(v) != MANIFEST_FORMAT_VERSION)
		return fail(w,
		            "archive format version %" JSON_INTEGER_FORMAT
		            " is not supported (this %s reads version %d)",
		            json_integer_value(v), err_progname(),
		            MANIFEST_FORMAT_VERSION);
	return 0;
}

/* An array of strings, leniently: what is not a string is left out. */
static char **
parse_strings(json_t *a, size_t *n)
{
	char **s = xcalloc(json_array_size(a) + 1, sizeof *s);

	*n = 0;
	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *v = json_string_value(json_array_get(a, i));

		if (v != NULL)
			s[(*n)++] = xstrdup(v);
	}
	return s;
}

static int
parse_table(struct why *w, json_t *t, struct manifest_table *tt)
{
	const char *dir = jstr(t, "dir"), *kind = jstr(t, "kind");
	json_t *cols, *refs, *lv, *part;
	struct manifest_name nm;

	if (!json_is_object(t) || parse_name(w, t, &nm, "a table") < 0)
		return -1;
	tt->schema = nm.schema;
	tt->name = nm.name;
	if (dir == NULL || *dir == '\0' || strchr(dir, '/') != NULL)
		return fail(w, "bad manifest: table %s.%s has no valid \"dir\"",
		            tt->schema, tt->name);
	tt->dir = xstrdup(dir);
	{
		char *want = archive_names_table_dir(tt->schema, tt->name);
		int same = strcmp(want, dir) == 0;

		free(want);
		if (!same)
			return fail(
			        w,
			        "bad manifest: table %s.%s has the directory \"%s\", not its encoded name",
			        tt->schema, tt->name, dir);
	}
	tt->kind = kind && *kind ? kind[0] : 'r';
	lv = json_object_get(t, "level");
	if (lv != NULL && (!json_is_integer(lv) || json_integer_value(lv) < 0 ||
	                   json_integer_value(lv) > 1000000))
		return fail(w, "bad manifest: table %s.%s has a bad \"level\"",
		            tt->schema, tt->name);
	tt->level = lv ? (int)json_integer_value(lv) : 0;
	tt->materialized_view =
	        json_is_true(json_object_get(t, "materialized_view"));
	cols = json_object_get(t, "columns");
	if (!json_is_array(cols))
		return fail(w, "bad manifest: table %s.%s has no \"columns\"",
		            tt->schema, tt->name);
	tt->ncolumns = json_array_size(cols);
	tt->columns =
	        xcalloc(tt->ncolumns ? tt->ncolumns : 1, sizeof *tt->columns);
	for (size_t j = 0; j < tt->ncolumns; j++) {
		json_t *c = json_array_get(cols, j);
		const char *cn = jstr(c, "name"), *ct = jstr(c, "type");

		if (cn == NULL || *cn == '\0') {
			tt->ncolumns = j;
			return fail(
			        w,
			        "bad manifest: a column of %s.%s has no name",
			        tt->schema, tt->name);
		}
		tt->columns[j].name = xstrdup(cn);
		tt->columns[j].type = xstrdup(ct ? ct : "");
	}
	refs = json_object_get(t, "references");
	if (refs != NULL && !json_is_array(refs))
		return fail(
		        w,
		        "bad manifest: table %s.%s: \"references\" is not an array",
		        tt->schema, tt->name);
	tt->nreferences = json_array_size(refs);
	tt->references = xcalloc(tt->nreferences ? tt->nreferences : 1,
	                         sizeof *tt->references);
	for (size_t j = 0; j < tt->nreferences; j++)
		if (parse_name(w, json_array_get(refs, j), &tt->references[j],
		               "a reference") < 0) {
			tt->nreferences = j;
			return -1;
		}
	/* Informative only: taken when well-formed. */
	part = json_object_get(t, "partition_of");
	if (jstr(part, "schema") && jstr(part, "name")) {
		tt->partition_of.schema = xstrdup(jstr(part, "schema"));
		tt->partition_of.name = xstrdup(jstr(part, "name"));
	}
	return 0;
}

/* "fk_cycles", informative only: the well-formed names of each. */
static void
parse_cycles(json_t *a, struct manifest *m)
{
	m->ncycles = json_is_array(a) ? json_array_size(a) : 0;
	m->cycles = xcalloc(m->ncycles + 1, sizeof *m->cycles);
	for (size_t i = 0; i < m->ncycles; i++) {
		json_t *c = json_array_get(a, i);
		struct manifest_cycle *cy = &m->cycles[i];

		cy->tables =
		        xcalloc(json_array_size(c) + 1, sizeof *cy->tables);
		for (size_t k = 0; k < json_array_size(c); k++) {
			json_t *n = json_array_get(c, k);

			if (jstr(n, "schema") && jstr(n, "name")) {
				cy->tables[cy->ntables].schema =
				        xstrdup(jstr(n, "schema"));
				cy->tables[cy->ntables++].name =
				        xstrdup(jstr(n, "name"));
			}
		}
	}
}

/* FNV-1a over schema, a NUL, name. */
static size_t
name_hash(const char *schema, const char *name)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)schema; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h *= 1099511628211ULL;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 32));
}

/*
 * The hash index behind manifest_find_table(): open addressing, at most
 * half full, slots holding table index + 1.  Two tables of the same name
 * are refused.
 */
static int
build_index(struct why *w, struct manifest *m)
{
	size_t cap = 16;

	while (cap < 2 * m->ntables)
		cap *= 2;
	m->index = xcalloc(cap, sizeof *m->index);
	m->index_cap = cap;
	for (size_t i = 0; i < m->ntables; i++) {
		const struct manifest_table *t = &m->tables[i];
		size_t h = name_hash(t->schema, t->name) & (cap - 1);

		while (m->index[h] != 0) {
			const struct manifest_table *o = &m->tables[m->index[h] - 1];

			if (strcmp(o->schema, t->schema) == 0 &&
			    strcmp(o->name, t->name) == 0)
				return fail(w, "bad manifest: table %s.%s is listed twice",
				            t->schema, t->name);
			h = (h + 1) & (cap - 1);
		}
		m->index[h] = i + 1;
	}
	return 0;
}

struct manifest *
manifest_parse(const char *buf, size_t len, char *whybuf, size_t whylen)
{
	struct why w = {whybuf, whylen, 0};
	json_error_t jerr;
	json_t *root, *tables, *v;
	struct manifest *m = NULL;

	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		fail(&w,
		     "not a strongbox archive (manifest is not a JSON object: %s)",
		     root ? "not an object" : jerr.text);
		json_decref(root);
		return NULL;
	}
	if (check_format_version(&w, root, "manifest") < 0)
		goto out;
	m = xcalloc(1, sizeof *m);
	m->version = MANIFEST_FORMAT_VERSION;
	v = json_object_get(root, "data_only");
	if (v != NULL && !json_is_boolean(v) && !json_is_null(v)) {
		fail(&w, "bad manifest: \"data_only\" is not a boolean");
		goto out;
	}
	m->data_only = json_is_true(v);
	m->created = jstrdup_opt(root, "created");
	m->tool = jstrdup_opt(root, "tool");
	m->server_version = jstrdup_opt(root, "server_version");
	m->pg_dump_version = jstrdup_opt(root, "pg_dump_version");
	m->database = jstrdup_opt(root, "database");
	m->encoding = jstrdup_opt(root, "encoding");
	m->branch_id = jstrdup_opt(root, "branch_id");
	m->compression = jstrdup_opt(root, "compression");
	m->pre_data_sha256 = jstrdup_opt(root, "pre_data_sha256");
	v = json_object_get(root, "server_version_num");
	m->server_version_num =
	        json_is_integer(v) ? (long)json_integer_value(v) : 0;
	v = json_object_get(root, "jobs");
	m->jobs = json_is_integer(v) ? (long)json_integer_value(v) : 1;
	v = json_object_get(root, "chunk_size");
	if (v != NULL && (!json_is_integer(v) || json_integer_value(v) <= 0)) {
		fail(&w,
		     "bad manifest: \"chunk_size\" is not a positive integer");
		goto out;
	}
	m->chunk_size = v ? (uint64_t)json_integer_value(v) : 0;
	m->table_patterns = parse_strings(
	        json_object_get(root, "table_patterns"), &m->ntable_patterns);
	m->exclude_patterns =
	        parse_strings(json_object_get(root, "exclude_patterns"),
	                      &m->nexclude_patterns);
	parse_cycles(json_object_get(root, "fk_cycles"), m);

	tables = json_object_get(root, "tables");
	if (!json_is_array(tables)) {
		fail(&w, "bad manifest: no \"tables\" array");
		goto out;
	}
	m->ntables = json_array_size(tables);
	m->tables = xcalloc(m->ntables ? m->ntables : 1, sizeof *m->tables);
	for (size_t i = 0; i < m->ntables; i++)
		if (parse_table(&w, json_array_get(tables, i), &m->tables[i]) <
		    0) {
			m->ntables = i + 1;
			goto out;
		}
	v = json_object_get(root, "materialized_views");
	if (v != NULL && !json_is_array(v)) {
		fail(&w,
		     "bad manifest: \"materialized_views\" is not an array");
		goto out;
	}
	m->nmatviews = json_array_size(v);
	m->matviews =
	        xcalloc(m->nmatviews ? m->nmatviews : 1, sizeof *m->matviews);
	for (size_t i = 0; i < m->nmatviews; i++) {
		if (parse_name(&w, json_array_get(v, i), &m->matviews[i],
		               "a materialized view") < 0) {
			m->nmatviews = i;
			goto out;
		}
	}
	build_index(&w, m);
out:
	json_decref(root);
	if (w.set) {
		manifest_free(m);
		return NULL;
	}
	return m;
}

void
manifest_free(struct manifest *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->ntables; i++) {
		struct manifest_table *t = &m->tables[i];

		free(t->schema);
		free(t->name);
		free(t->dir);
		for (size_t j = 0; j < t->ncolumns; j++) {
			free(t->columns[j].name);
			free(t->columns[j].type);
		}
		free(t->columns);
		for (size_t j = 0; j < t->nreferences; j++)
			free_name(&t->references[j]);
		free(t->references);
		free_name(&t->partition_of);
	}
	free(m->tables);
	for (size_t i = 0; i < m->ncycles; i++) {
		for (size_t k = 0; k < m->cycles[i].ntables; k++)
			free_name(&m->cycles[i].tables[k]);
		free(m->cycles[i].tables);
	}
	free(m->cycles);
	for (size_t i = 0; i < m->nmatviews; i++)
		free_name(&m->matviews[i]);
	free(m->matviews);
	for (size_t i = 0; i < m->ntable_patterns; i++)
		free(m->table_patterns[i]);
	free(m->table_patterns);
	for (size_t i = 0; i < m->nexclude_patterns; i++)
		free(m->exclude_patterns[i]);
	free(m->exclude_patterns);
	free(m->created);
	free(m->tool);
	free(m->server_version);
	free(m->pg_dump_version);
	free(m->database);
	free(m->encoding);
	free(m->branch_id);
	free(m->compression);
	free(m->pre_data_sha256);
	free(m->index);
	free(m);
}

size_t
manifest_find_table(const struct manifest *m, const char *schema,
                    const char *name)
{
	if (m == NULL)
		return (size_t)-1;
	if (m->index == NULL) { /* a manifest not parsed (being built) */
		for (size_t i = 0; i < m->ntables; i++)
			if (strcmp(m->tables[i].schema, schema) == 0 &&
			    strcmp(m->tables[i].name, name) == 0)
				return i;
		return (size_t)-1;
	}
	for (size_t h = name_hash(schema, name) & (m->index_cap - 1);
	     m->index[h] != 0; h = (h + 1) & (m->index_cap - 1)) {
		const struct manifest_table *t = &m->tables[m->index[h] - 1];

		if (strcmp(t->schema, schema) == 0 && strcmp(t->name, name) == 0)
			return m->index[h] - 1;
	}
	return (size_t)-1;
}

int
manifest_trailer_parse(const char *buf, size_t len, struct manifest_trailer *t,
                       char *whybuf, size_t whylen)
{
	struct why w = {whybuf, whylen, 0};
	json_error_t jerr;
	json_t *root, *tables, *members;

	memset(t, 0, sizeof *t);
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	t->root = root;
	if (!json_is_object(root)) {
		fail(&w, "archive is corrupt (trailer is not a JSON object)");
		goto out;
	}
	if (check_format_version(&w, root, "trailer") < 0)
		goto out;
	if (!json_is_true(json_object_get(root, "complete"))) {
		fail(&w,
		     "archive is incomplete (the trailer does not say complete)");
		goto out;
	}
	tables = json_object_get(root, "tables");
	members = json_object_get(root, "members");
	if (!json_is_array(tables) || !json_is_array(members)) {
		fail(&w,
		     "archive is corrupt (trailer lacks \"tables\" or \"members\")");
		goto out;
	}
	t->tables = xcalloc(json_array_size(tables) + 1, sizeof *t->tables);
	for (size_t i = 0; i < json_array_size(tables); i++) {
		json_t *o = json_array_get(tables, i);
		struct manifest_trailer_table *tt = &t->tables[i];

		tt->schema = jstr(o, "schema");
		tt->name = jstr(o, "name");
		tt->sha256 = jstr(o, "sha256");
		if (tt->schema == NULL || tt->name == NULL ||
		    tt->sha256 == NULL || get_u64(o, "rows", &tt->rows) < 0 ||
		    get_u64(o, "bytes", &tt->bytes) < 0 ||
		    get_u64(o, "chunks", &tt->chunks) < 0) {
			fail(&w,
			     "archive is corrupt (a trailer table entry is malformed)");
			goto out;
		}
		t->ntables++;
	}
	t->members = xcalloc(json_array_size(members) + 1, sizeof *t->members);
	for (size_t i = 0; i < json_array_size(members); i++) {
		json_t *o = json_array_get(members, i);
		struct manifest_trailer_member *mm = &t->members[i];

		mm->name = jstr(o, "name");
		mm->sha256 = jstr(o, "sha256");
		if (mm->name == NULL || mm->sha256 == NULL ||
		    get_u64(o, "bytes", &mm->bytes) < 0) {
			fail(&w,
			     "archive is corrupt (a trailer member entry is malformed)");
			goto out;
		}
		t->nmembers++;
	}
out:
	if (w.set) {
		manifest_trailer_free(t);
		return -1;
	}
	return 0;
}

void
manifest_trailer_free(struct manifest_trailer *t)
{
	free(t->tables);
	free(t->members);
	json_decref(t->root);
	memset(t, 0, sizeof *t);
}

json_t *
manifest_sequence(const char *schema, const char *name, long long last_value,
                  bool is_called)
{
	return json_pack("{s:s, s:s, s:I, s:b}", "schema", schema, "name", name,
	                 "last_value", (json_int_t)last_value, "is_called",
	                 is_called);
}

json_t *
manifest_sequences_to_json(json_t *entries)
{
	return json_pack("{s:o}", "sequences", entries);
}

int
manifest_sequences_parse(const char *buf, size_t len,
                         struct manifest_sequence **seqs, size_t *n,
                         char *whybuf, size_t whylen)
{
	struct why w = {whybuf, whylen, 0};
	json_error_t jerr;
	json_t *root, *arr;
	struct manifest_sequence *sq;

	*seqs = NULL;
	*n = 0;
	root = json_loadb(buf, len, 0, &jerr);
	arr = json_object_get(root, "sequences");
	if (!json_is_array(arr)) {
		fail(&w, "bad %s: no \"sequences\" array",
		     ARCHIVE_MEMBER_SEQUENCES);
		goto out;
	}
	sq = *seqs = xcalloc(json_array_size(arr) + 1, sizeof *sq);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *s = json_array_get(arr, i);
		json_t *lv = json_object_get(s, "last_value");
		json_t *ic = json_object_get(s, "is_called");
		struct manifest_name nm;

		if (parse_name(&w, s, &nm, "a sequence") < 0)
			goto out;
		sq[i].schema = nm.schema;
		sq[i].name = nm.name;
		*n = i + 1;
		if (!json_is_integer(lv) || (ic && !json_is_boolean(ic))) {
			fail(&w,
			     "bad %s: sequence %s.%s has no integer last_value",
			     ARCHIVE_MEMBER_SEQUENCES, nm.schema, nm.name);
			goto out;
		}
		sq[i].last_value = json_integer_value(lv);
		sq[i].is_called = ic ? json_is_true(ic) : true;
	}
out:
	json_decref(root);
	return w.set ? -1 : 0;
}

void
manifest_sequences_free(struct manifest_sequence *seqs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(seqs[i].schema);
		free(seqs[i].name);
	}
	free(seqs);
}

int
manifest_trailer_check(const char *buf, size_t len, char *why, size_t whylen)
{
	json_error_t err;
	json_t *root = json_loadb(buf, len, 0, &err), *v;
	int ret = -1;

	if (!root) {
		snprintf(why, whylen, "%s is not JSON: %s (line %d)",
		         ARCHIVE_MEMBER_TRAILER, err.text, err.line);
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(why, whylen, "%s is not a JSON object",
		         ARCHIVE_MEMBER_TRAILER);
	} else if (!json_is_string(v = json_object_get(root, "format")) ||
	           strcmp(json_string_value(v), MANIFEST_FORMAT_NAME) != 0) {
		snprintf(why, whylen, "%s does not say \"format\": \"%s\"",
		         ARCHIVE_MEMBER_TRAILER, MANIFEST_FORMAT_NAME);
	} else if (!json_is_array(json_object_get(root, "tables"))) {
		snprintf(why, whylen, "%s has no \"tables\" array",
		         ARCHIVE_MEMBER_TRAILER);
	} else if ((v = json_object_get(root, "complete")) &&
	           !json_is_true(v)) {
		snprintf(why, whylen, "%s says the dump is not complete",
		         ARCHIVE_MEMBER_TRAILER);
	} else {
		ret = 0;
	}
	json_decref(root);
	return ret;
}
