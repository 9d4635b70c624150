/* archive_check.c: --check, --list and --list --roles; see archive_check.h. */
#include "archive_check.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "archive_read.h"
#include "err.h"
#include "jsonline.h"
#include "manifest.h"
#include "restore.h"
#include "sqlscript.h"
#include "xalloc.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
count_event(void *ctx, const struct archive_reader_event *ev)
{
	if (ev->type == ARCHIVE_READER_PRE_DATA || ev->type == ARCHIVE_READER_POST_DATA)
		sqlscript_count_roles(ctx, ev->data, ev->len);
	return 0;
}

void
archive_check(struct archive_reader *r, enum archive_check_mode mode,
              char *const *patterns, size_t npatterns, bool sig_verified)
{
	bool list = mode != ARCHIVE_CHECK_SUMMARY;
	bool list_roles = mode == ARCHIVE_CHECK_ROLES;
	struct sqlscript_role_count rs = {0};
	int rc = archive_reader_run(r, true, 0, count_event, &rs);
	const struct manifest *m = archive_reader_manifest(r);
	json_t *roles = json_array();
	struct archive_reader_stats as;
	json_t *o;
	char *why = NULL;
	bool *sel;

	if (rc != 0) {
		if (!list) {
			jsonline_put(json_pack("{s:b,s:s}", "ok", 0, "error",
			                       archive_reader_error(r)));
			finish_stdout();
		}
		die(EXIT_FAIL, "%s", archive_reader_error(r));
	}
	sel = restore_select(m, patterns, npatterns, &why);
	if (why)
		die(EXIT_FAIL, "%s", why);
	archive_reader_stats(r, &as);
	{
		/* Sorted, with the counts following their names. */
		size_t *idx = xcalloc(rs.n + 1, sizeof *idx);
		char **sorted = xcalloc(rs.n + 1, sizeof *sorted);

		if (rs.n > 0) /* rs.names is NULL when no role is named */
			memcpy(sorted, rs.names, rs.n * sizeof *sorted);
		qsort(sorted, rs.n, sizeof *sorted, cmp_str);
		for (size_t i = 0; i < rs.n; i++)
			for (size_t j = 0; j < rs.n; j++)
				if (rs.names[j] == sorted[i])
					idx[i] = j;
		for (size_t i = 0; i < rs.n; i++) {
			size_t j = idx[i];

			json_array_append_new(roles, json_string(rs.names[j]));
			if (list_roles)
				jsonline_put(json_pack("{s:s,s:I,s:I}", "role", rs.names[j],
				                       "owns", (json_int_t)rs.owns[j],
				                       "privileges",
				                       (json_int_t)rs.grants[j]));
		}
		free(idx);
		free(sorted);
	}
	if (list_roles) {
		/* done above */
	} else if (list) {
		for (size_t i = 0; i < m->ntables; i++) {
			const struct manifest_table *t = &m->tables[i];
			char *q;
			if (!sel[i])
				continue;
			q = xasprintf("%s.%s", t->schema, t->name);
			o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:i}", "table", q,
			              "schema", t->schema, "name", t->name, "rows",
			              (json_int_t)t->rows, "bytes", (json_int_t)t->bytes,
			              "chunks", (json_int_t)t->chunks, "level", t->level);
			jsonline_put(o);
			free(q);
		}
	} else {
		o = json_pack("{s:b,s:s,s:i,s:s,s:s,s:s,s:s,s:b,s:I,s:I,s:I,s:I,s:I,s:s,s:O}",
		              "ok", 1, "format", "strongbox", "version", m->version,
		              "created", m->created, "tool", m->tool, "database",
		              m->database, "server_version", m->server_version,
		              "data_only", m->data_only, "tables",
		              (json_int_t)m->ntables, "rows", (json_int_t)as.rows,
		              "bytes", (json_int_t)as.data_bytes, "members",
		              (json_int_t)as.members + 1, "input_bytes",
		              (json_int_t)as.input_bytes, "signatures",
		              sig_verified ? "verified"
		              : archive_reader_signatures(r) ? "not checked" : "none",
		              "roles", roles);
		jsonline_put(o);
	}
	json_decref(roles);
	sqlscript_role_count_free(&rs);
	free(sel);
}

