/* sqlout.c: an archive as a psql script; see sqlout.h. */
#include "sqlout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "err.h"
#include "pgconn.h"
#include "restore.h"
#include "sqlscript.h"
#include "xalloc.h"

struct sqlout {
	char *error; /* why the callback stopped, if it did */
	char key[33]; /* of \restrict, random */
	struct archive_reader *r;
	char *const *patterns;
	size_t npatterns;
	const struct manifest *m;
	bool *selected;
	long copying;
};

/* A random key of n - 1 letters and digits, as pg_dump makes. */
static void
restrict_key(char *key, size_t n)
{
	static const char alnum[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[64];

	if (n > sizeof rnd || RAND_bytes(rnd, (int)n) != 1)
		die(EXIT_FAIL, "cannot make a random key");
	for (size_t i = 0; i + 1 < n; i++)
		key[i] = alnum[rnd[i] % (sizeof alnum - 1)];
	key[n - 1] = '\0';
}

/*
 * An archive string in a "--" comment: as a JSON string, so that a
 * newline or carriage return (which would end the comment) is escaped.
 */
static void
comment_string(const char *s)
{
	json_t *j = json_string(s);
	char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

	fputs(out ? out : "\"?\"", stdout);
	free(out);
	json_decref(j);
}

static void
out_script(const char *text, size_t len)
{
	struct sql_script sc;

	sqlscript_split(text, len, &sc);
	for (size_t i = 0; i < sc.n; i++) {
		if (sqlscript_is_set(sc.stmts[i].text, "transaction_timeout"))
			continue;
		printf("%s\n", sc.stmts[i].text);
		if (sc.stmts[i].copy_data) {
			fwrite(sc.stmts[i].copy_data, 1, sc.stmts[i].copy_len, stdout);
			fputs("\\.\n", stdout);
		}
	}
	sqlscript_free(&sc);
}

static int
sql_event(void *ctx, const struct archive_reader_event *ev)
{
	struct sqlout *so = ctx;
	char *s;

	if (ferror(stdout))
		return 1;
	switch (ev->type) {
	case ARCHIVE_READER_MANIFEST: {
		char *why;
		so->m = archive_reader_manifest(so->r);
		so->selected = restore_select(so->m, so->patterns, so->npatterns, &why);
		if (why) {
			so->error = why;
			return 1;
		}
		/*
		 * psql runs nothing but SQL from here to \unrestrict (issued
		 * only once srestore verified the archive): no meta-command
		 * an archive string could smuggle in.  Archive strings appear
		 * only as JSON strings inside comments, newlines escaped.
		 */
		printf("\\set ON_ERROR_STOP on\n\\restrict %s\n", so->key);
		printf("-- strongbox archive of database ");
		comment_string(so->m->database);
		printf(", made ");
		comment_string(so->m->created);
		printf(" by ");
		comment_string(so->m->tool);
		printf("\n-- for psql: the transaction commits only if %s "
		       "verified the whole archive\nBEGIN;\n",
		       err_progname());
		if (*so->m->encoding) {
			char *lit = pgconn_quote_literal(so->m->encoding);
			printf("SET client_encoding = %s;\n", lit);
			free(lit);
		}
		return 0;
	}
	case ARCHIVE_READER_PRE_DATA:
	case ARCHIVE_READER_POST_DATA:
		if (so->copying >= 0) {
			fputs("\\.\n", stdout);
			so->copying = -1;
		}
		out_script(ev->data, ev->len);
		return 0;
	case ARCHIVE_READER_CHUNK_BEGIN:
		if (!so->selected[ev->table] || so->copying == (long)ev->table)
			return 0;
		if (so->copying >= 0)
			fputs("\\.\n", stdout);
		s = restore_copy_statement(&so->m->tables[ev->table], false);
		printf("%s;\n", s);
		free(s);
		so->copying = (long)ev->table;
		return 0;
	case ARCHIVE_READER_CHUNK_DATA:
		if (so->selected[ev->table])
			fwrite(ev->data, 1, ev->len, stdout);
		return 0;
	case ARCHIVE_READER_CHUNK_END:
		return 0;
	case ARCHIVE_READER_SEQUENCES:
		if (so->copying >= 0) {
			fputs("\\.\n", stdout);
			so->copying = -1;
		}
		return 0;
	case ARCHIVE_READER_TRAILER: {
		/*
		 * setval() is not undone by ROLLBACK: it waits for the
		 * trailer, as post-data does (the reader holds it back).
		 */
		size_t n;
		const struct manifest_sequence *seq = archive_reader_sequences(so->r, &n);
		if (so->copying >= 0)
			fputs("\\.\n", stdout);
		so->copying = -1;
		for (size_t i = 0; i < n; i++) {
			char *q = pgconn_quote_qualified(seq[i].schema, seq[i].name);
			char *lit = pgconn_quote_literal(q);
			printf("SELECT pg_catalog.setval(%s, %lld, %s);\n", lit,
			       seq[i].last_value, seq[i].is_called ? "true" : "false");
			free(q);
			free(lit);
		}
		return 0;
	}
	}
	return 0;
}

void
sqlout_print(struct archive_reader *r, char *const *patterns,
             size_t npatterns)
{
	struct sqlout so = {.r = r, .patterns = patterns,
	                    .npatterns = npatterns, .copying = -1};
	int rc;

	restrict_key(so.key, sizeof so.key);
	rc = archive_reader_run(r, true, 0, sql_event, &so);

	if (rc == -1) {
		/* No COMMIT: psql rolls the transaction back at the end. */
		fflush(stdout);
		die(EXIT_FAIL, "%s", archive_reader_error(r));
	}
	if (rc != 0 && so.error != NULL)
		die(EXIT_FAIL, "%s", so.error);
	if (rc != 0)
		die(EXIT_FAIL, "cannot write the script: %s", strerror(errno));
	/* pg_dump --schema-only leaves materialized views empty. */
	for (size_t i = 0; i < so.m->nmatviews; i++) {
		char *q = pgconn_quote_qualified(so.m->matviews[i].schema, so.m->matviews[i].name);
		printf("REFRESH MATERIALIZED VIEW %s;\n", q);
		free(q);
	}
	printf("COMMIT;\n\\unrestrict %s\n", so.key);
	free(so.selected);
}

