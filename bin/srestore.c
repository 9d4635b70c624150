/*
 * srestore: restores a strongbox archive read on stdin into a PostgreSQL
 * database in one transaction (schema, rows, sequences, indexes and
 * constraints), committing only once every checksum and row count of the
 * archive checked out; any failure rolls back and leaves the target as it
 * was.  It can also verify an archive with no database (--check), list it
 * (--list), say what a restore would do (--dry-run), print it as a psql
 * script (--sql), and hands a pg_dump -Fc archive to pg_restore.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "archive_read.h"
#include "cancel.h"
#include "duration.h"
#include "err.h"
#include "fdio.h"
#include "monotime.h"
#include "minisign.h"
#include "pgconn.h"
#include "pgopts.h"
#include "restore.h"
#include "sqlscript.h"
#include "xalloc.h"

enum mode { M_RESTORE, M_CHECK, M_LIST, M_LIST_ROLES, M_DRY_RUN, M_SQL };

/* One compact line; seconds print as rounded (monotime_ms()). */
#define REPORT_JSON (JSON_COMPACT | JSON_REAL_PRECISION(MONOTIME_JSON_PRECISION))

static struct restore_opts opt;
static enum mode mode;
static struct minisign_pub *verify_key; /* --verify-key, or NULL */

static void
usage(FILE *fp)
{
	fprintf(fp,
	        "usage: srestore [-d CONNINFO|URL|DBNAME] [-h HOST] [-p PORT] [-U USER]\n"
	        "                [--clean | --data-only] [-O] [-x] [--role ROLE]\n"
	        "                [-t PATTERN]... [--lock-timeout DURATION] [--progress]\n"
	        "                [--verify-key PUBFILE] [DBNAME] < ARCHIVE\n"
	        "       srestore --check | --list [--roles] | --sql [-t PATTERN]... < ARCHIVE\n"
	        "       srestore --dry-run [-d CONNINFO|URL|DBNAME] [--clean | --data-only]\n"
	        "                [-t PATTERN]... [DBNAME] < ARCHIVE\n"
	        "\n"
	        "Restores a strongbox archive (or a pg_dump -Fc archive) read on stdin,\n"
	        "in one transaction that commits only once the archive checked out.\n"
	        "\n"
	        "  -d, --dbname=CONNINFO  conninfo, URL or database name (default:\n"
	        "                         $DATABASE_URL, then PG*)\n"
	        "  -h, --host=HOST        server host or socket directory\n"
	        "  -p, --port=PORT        server port\n"
	        "  -U, --username=USER    user name\n"
	        "  -c, --clean            replace the archive's objects where they exist\n"
	        "  -a, --data-only        rows only, into an existing schema (truncated)\n"
	        "  -O, --no-owner         skip ownership: objects belong to the restoring user\n"
	        "  -x, --no-acl           skip privileges (GRANT, REVOKE)\n"
	        "      --role=ROLE        SET ROLE ROLE before restoring\n"
	        "  -t, --table=PATTERN    only the tables matching PATTERN (repeatable)\n"
	        "      --check            verify the archive, no database; JSON summary\n"
	        "      --list             the archive's tables as JSON lines\n"
	        "      --list --roles     the roles its ownership and privileges name\n"
	        "      --dry-run          check that the restore would work, change nothing\n"
	        "      --sql              the archive as a plain SQL script for psql\n"
	        "      --lock-timeout=DURATION  wait at most this long for a lock\n"
	        "                         (ms, s or min; default 30s)\n"
	        "  -P, --progress         progress on stderr (default when it is a tty)\n"
	        "      --verify-key PUBFILE  accept only archives signed with this\n"
	        "                         minisign key (default $BACKUP_SIGN_PUBKEY)\n"
	        "  -?, --help             this help\n"
	        "      --version          the version\n");
}

/*
 * pg_restore takes the archive as its operand; srestore takes a database
 * name there, as pg_dump.  An operand that is a file, a path or an
 * archive's name is the habit of pg_restore: a usage error, not a
 * connection to a database of that name.
 */
static bool
looks_like_a_file(const char *s)
{
	static const char *const ext[] = {".sdump", ".dump", ".backup", ".tar",
	                                  ".zst", ".gz", ".sql"};
	size_t n = strlen(s);

	if (strchr(s, '/') || access(s, F_OK) == 0)
		return true;
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcmp(s + n - e, ext[i]) == 0)
			return true;
	}
	return false;
}

/* Prints o as one compact JSON line on stdout and drops it. */
static void
put_json(json_t *o)
{
	char *s = json_dumps(o, REPORT_JSON);

	if (s == NULL)
		die(EXIT_FAIL, "cannot write the report: out of memory");
	puts(s);
	free(s);
	json_decref(o);
}

/* ---- --check, --list ---- */

/* The roles the archive's ownership and privilege statements name. */
struct roles {
	char **names;
	size_t n;
	size_t *owns, *grants; /* statements naming each, per kind */
};

static void
roles_scan(struct roles *rs, const char *text, size_t len)
{
	struct sql_script sc;

	sqlscript_split(text, len, &sc);
	for (size_t i = 0; i < sc.n; i++) {
		char **names = NULL;
		size_t n = 0;
		enum sql_role_use use = sqlscript_roles(sc.stmts[i].text, &names, &n);

		for (size_t k = 0; k < n; k++) {
			size_t j;

			for (j = 0; j < rs->n && strcmp(rs->names[j], names[k]); j++)
				;
			if (j == rs->n) {
				rs->names = xreallocarray(rs->names, rs->n + 1,
				                          sizeof *rs->names);
				rs->owns = xreallocarray(rs->owns, rs->n + 1,
				                         sizeof *rs->owns);
				rs->grants = xreallocarray(rs->grants, rs->n + 1,
				                           sizeof *rs->grants);
				rs->names[j] = names[k];
				rs->owns[j] = rs->grants[j] = 0;
				rs->n++;
			} else {
				free(names[k]);
			}
			if (use == SQL_ROLES_OWNER)
				rs->owns[j]++;
			else
				rs->grants[j]++;
		}
		free(names);
	}
	sqlscript_free(&sc);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
count_event(void *ctx, const struct archive_reader_event *ev)
{
	if (ev->type == ARCHIVE_READER_PRE_DATA || ev->type == ARCHIVE_READER_POST_DATA)
		roles_scan(ctx, ev->data, ev->len);
	return 0;
}

static void
check_archive(struct archive_reader *r, bool list, bool list_roles)
{
	struct roles rs = {0};
	int rc = archive_reader_run(r, true, 0, count_event, &rs);
	const struct manifest *m = archive_reader_manifest(r);
	json_t *roles = json_array();
	struct archive_reader_stats as;
	json_t *o;
	char *s;
	char *why = NULL;
	bool *sel;

	if (rc != 0) {
		if (!list) {
			o = json_pack("{s:b,s:s}", "ok", 0, "error", archive_reader_error(r));
			s = json_dumps(o, REPORT_JSON);
			puts(s);
			free(s);
			json_decref(o);
			finish_stdout();
		}
		die(EXIT_FAIL, "%s", archive_reader_error(r));
	}
	sel = restore_select(m, opt.patterns, opt.npatterns, &why);
	if (why)
		die(EXIT_FAIL, "%s", why);
	archive_reader_stats(r, &as);
	{
		/* Sorted, with the counts following their names. */
		size_t *idx = xcalloc(rs.n + 1, sizeof *idx);
		char **sorted = xcalloc(rs.n + 1, sizeof *sorted);

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
				put_json(json_pack("{s:s,s:I,s:I}", "role", rs.names[j],
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
			s = json_dumps(o, REPORT_JSON);
			puts(s);
			free(s);
			free(q);
			json_decref(o);
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
		              verify_key ? "verified"
		              : archive_reader_signatures(r) ? "not checked" : "none",
		              "roles", roles);
		s = json_dumps(o, REPORT_JSON);
		puts(s);
		free(s);
		json_decref(o);
	}
	json_decref(roles);
	for (size_t i = 0; i < rs.n; i++)
		free(rs.names[i]);
	free(rs.names);
	free(rs.owns);
	free(rs.grants);
	free(sel);
}

/* ---- --sql ---- */

struct sqlout {
	char *error; /* why the callback stopped, if it did */
	char key[33]; /* of \restrict, random */
	struct archive_reader *r;
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
		so->selected = restore_select(so->m, opt.patterns, opt.npatterns, &why);
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

static void
print_sql(struct archive_reader *r)
{
	struct sqlout so = {.r = r, .copying = -1};
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

int
main(int argc, char **argv)
{
	enum {
		OPT_CHECK = 256, OPT_LIST, OPT_DRY_RUN, OPT_SQL, OPT_VERIFY_KEY,
		OPT_VERSION, OPT_HELP, OPT_LOCK_TIMEOUT, OPT_NO_OWNER, OPT_NO_ACL,
		OPT_ROLE, OPT_ROLES
	};
	static const char optstring[] = "?acO" PGOPTS_SHORT "Pt:x";
	static const struct option longopts[] = {
		PGOPTS_LONG,
		{"data-only", no_argument, NULL, 'a'},
		{"check", no_argument, NULL, OPT_CHECK},
		{"clean", no_argument, NULL, 'c'},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"help", no_argument, NULL, OPT_HELP},
		{"list", no_argument, NULL, OPT_LIST},
		{"lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT},
		{"no-acl", no_argument, NULL, 'x'},
		{"no-owner", no_argument, NULL, 'O'},
		{"no-privileges", no_argument, NULL, 'x'},
		{"role", required_argument, NULL, OPT_ROLE},
		{"roles", no_argument, NULL, OPT_ROLES},
		{"progress", no_argument, NULL, 'P'},
		{"sql", no_argument, NULL, OPT_SQL},
		{"table", required_argument, NULL, 't'},
		{"verify-key", required_argument, NULL, OPT_VERIFY_KEY},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	unsigned char prefix[8];
	size_t plen = 0;
	struct archive_reader *r;
	const char *key_path = NULL;
	struct pgopts conn = {0};
	char *conninfo = NULL;
	bool list_roles = false;
	int c, nmodes = 0;

	err_init(argv[0]);
	opt.lock_timeout_ms = DURATION_LOCK_TIMEOUT_DEFAULT_MS;
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		if (pgopts_option(&conn, c, optarg))
			continue;
		switch (c) {
		case 'a':
			opt.data_only = true;
			break;
		case 'c':
			opt.clean = true;
			break;
		case OPT_HELP:
			usage(stdout);
			finish_stdout();
			return EXIT_OK;
		case OPT_LOCK_TIMEOUT:
			opt.lock_timeout_ms =
				duration_option("--lock-timeout", optarg);
			break;
		case 'x':
		case OPT_NO_ACL:
			opt.no_acl = true;
			break;
		case 'O':
		case OPT_NO_OWNER:
			opt.no_owner = true;
			break;
		case OPT_ROLE:
			if (*optarg == '\0')
				die_usage("--role needs a role name");
			opt.role = optarg;
			break;
		case OPT_ROLES:
			list_roles = true;
			break;
		case 'P':
			opt.progress = true;
			break;
		case 't':
			if (*optarg == '\0')
				die_usage("-t needs a pattern");
			opt.patterns = xreallocarray(opt.patterns, opt.npatterns + 1,
			                             sizeof *opt.patterns);
			opt.patterns[opt.npatterns++] = optarg;
			break;
		case OPT_CHECK:
			mode = M_CHECK;
			nmodes++;
			break;
		case OPT_LIST:
			mode = M_LIST;
			nmodes++;
			break;
		case OPT_DRY_RUN:
			mode = M_DRY_RUN;
			nmodes++;
			break;
		case OPT_SQL:
			mode = M_SQL;
			nmodes++;
			break;
		case OPT_VERIFY_KEY:
			key_path = optarg;
			break;
		case OPT_VERSION:
			print_version();
		default:
			if (pgopts_is_help(c, argv)) {
				usage(stdout);
				finish_stdout();
				return EXIT_OK;
			}
			die_bad_option(optstring, argv);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		die_usage("unexpected operand \"%s\" (the archive is read on stdin)",
		          argv[1]);
	/* pg_restore's operand is the archive; ours is the database. */
	if (argc == 1 && looks_like_a_file(argv[0]))
		die_usage("unexpected operand \"%s\": the archive is read on "
		          "stdin (srestore < FILE), the operand is a database name",
		          argv[0]);
	/* The operand is the database; a password leaves argv here. */
	pgopts_finish(&conn, argc, argv);
	if (nmodes > 1)
		die_usage("--check, --list, --dry-run and --sql exclude each other");
	if (opt.clean && opt.data_only)
		die_usage("--clean and --data-only exclude each other");
	if (list_roles && mode != M_LIST)
		die_usage("--roles goes with --list");
	if (mode == M_LIST && list_roles)
		mode = M_LIST_ROLES;
	if ((mode == M_CHECK || mode == M_LIST || mode == M_LIST_ROLES || mode == M_SQL) &&
	    (opt.clean || opt.data_only || conn.dbname || conn.host ||
	     conn.port || conn.user || opt.no_owner || opt.no_acl || opt.role))
		die_usage("--check, --list and --sql use no database");
	if (!opt.progress && isatty(2) && mode == M_RESTORE)
		opt.progress = true;
	if (isatty(0))
		die_usage("the archive is read on stdin, which is a terminal");
	if (key_path == NULL && getenv("BACKUP_SIGN_PUBKEY") &&
	    *getenv("BACKUP_SIGN_PUBKEY"))
		key_path = getenv("BACKUP_SIGN_PUBKEY");
	if (key_path) {
		char why[512];

		verify_key = xmalloc(sizeof *verify_key);
		if (minisign_pub_read(key_path, verify_key, why, sizeof why) < 0)
			die(EXIT_FAIL, "cannot use the verification key: %s", why);
	}
	cancel_init();
	if (mode == M_RESTORE || mode == M_DRY_RUN) {
		conninfo = pgopts_conninfo(&conn);
		opt.conninfo = conninfo;
	}

	/* pg_dump -Fc archives start with "PGDMP". */
	{
		ssize_t n = fdio_read_full(0, prefix, 5);

		if (n < 0)
			die_errno(EXIT_FAIL, "cannot read input");
		plen = (size_t)n;
	}
	/* age files start "age-encryption.org/" (armored: "-----BEGIN"). */
	if (plen == 5 && (memcmp(prefix, "age-e", 5) == 0 ||
	    memcmp(prefix, "-----", 5) == 0))
		die(EXIT_FAIL, "the archive is encrypted (age): decrypt it on "
		               "the way: supload -g KEY --identity FILE | srestore, "
		               "or age -d -i FILE | srestore");
	if (plen == 5 && memcmp(prefix, "PGDMP", 5) == 0) {
		if (verify_key)
			die(EXIT_FAIL, "a pg_dump archive carries no signature: "
			               "refused, a signature is required");
		if (mode != M_RESTORE || opt.data_only || opt.npatterns)
			die(EXIT_FAIL, "a pg_dump archive can only be restored whole "
			               "(with or without --clean): use pg_restore for more");
		put_json(restore_pg_dump(&opt, 0, prefix, plen));
		finish_stdout();
		return EXIT_OK;
	}

	r = archive_reader_new_fd(0, prefix, plen);
	if (verify_key)
		archive_reader_require_signatures(r, verify_key);
	switch (mode) {
	case M_CHECK:
		check_archive(r, false, false);
		break;
	case M_LIST:
		check_archive(r, true, false);
		break;
	case M_LIST_ROLES:
		check_archive(r, true, true);
		break;
	case M_SQL:
		print_sql(r);
		break;
	case M_DRY_RUN: {
		json_t *lines = json_array(), *line;
		size_t i;
		char *problems = restore_dry_run(r, &opt, lines);

		json_array_foreach(lines, i, line)
			put_json(json_incref(line));
		json_decref(lines);
		if (problems) {
			finish_stdout();
			die(EXIT_FAIL, "the restore would fail: %s", problems);
		}
		break;
	}
	case M_RESTORE:
		put_json(restore_run(r, &opt));
		break;
	}
	archive_reader_free(r);
	free(opt.patterns);
	pgopts_free(conninfo);
	free(conn.dbname_copy);
	finish_stdout();
	return EXIT_OK;
}
