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


#include "archive_check.h"
#include "archive_read.h"
#include "cancel.h"
#include "confirm.h"
#include "duration.h"
#include "err.h"
#include "number.h"
#include "fdio.h"
#include "jsonline.h"
#include "minisign.h"
#include "pgconn.h"
#include "pgopts.h"
#include "prestore.h"
#include "restore.h"
#include "sqlout.h"
#include "sqlscript.h"
#include "xalloc.h"

enum mode { M_RESTORE, M_CHECK, M_LIST, M_LIST_ROLES, M_DRY_RUN, M_SQL };

static struct restore_opts opt;
static struct prestore_opts popt = {.ro = &opt};
static enum mode mode;
static struct minisign_pub *verify_key; /* --verify-key, or NULL */

static void
usage(void)
{
	printf("usage: srestore [-d CONNINFO|URL|DBNAME] [-h HOST] [-p PORT] [-U USER]\n"
	       "                [--clean | --data-only] [-O] [-x] [--role ROLE]\n"
	       "                [-t PATTERN]... [--lock-timeout DURATION] [--progress]\n"
	       "                [--verify-key PUBFILE] [--legacy-pre-data] [DBNAME] < ARCHIVE\n"
	       "       srestore -j N [-d CONNINFO|URL|DBNAME] [-h HOST] [-p PORT] [-U USER]\n"
	       "                [--clean] [-O] [-x] [--role ROLE] [--keep-old]\n"
	       "                [--lock-timeout DURATION] [--force-disconnect [--yes]]\n"
	       "                [--progress] [--verify-key PUBFILE] [DBNAME] < ARCHIVE\n"
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
	       "  -j, --jobs=N           N sessions into a staging database, swapped in\n"
	       "      --keep-old         -j: keep the replaced database under a dated name\n"
	       "      --lock-timeout=DURATION  -j: wait this long for sessions connected\n"
	       "                         to the database (default 30s)\n"
	       "      --force-disconnect -j: terminate them instead (asks, unless --yes)\n"
	       "      --yes              confirm --force-disconnect without asking\n"
	       "      --check            verify the archive, no database; JSON summary\n"
	       "      --list             the archive's tables as JSON lines\n"
	       "      --list --roles     the roles its ownership and privileges name\n"
	       "      --dry-run          check that the restore would work, change nothing\n"
	       "      --sql              the archive as a plain SQL script for psql\n"
	       "      --lock-timeout=DURATION  wait at most this long for a lock\n"
	       "                         (ms, s or min; default 30s)\n"
	       "  -P, --progress         progress on stderr (default when it is a tty)\n"
	       "  -v, --verbose          pg_restore's own lines, for a pg_dump archive\n"
	       "      --verify-key PUBFILE  accept only archives signed with this\n"
	       "                         minisign key (default $BACKUP_SIGN_PUBKEY)\n"
	       "      --legacy-pre-data  accept an archive made before strongbox 0.2,\n"
	       "                         whose pre-data no digest covers\n"
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

/* A terminal to confirm on: 0, else -1. */
static int
confirm_open_check(void)
{
	int fd = confirm_open();

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/*
 * --force-disconnect without --yes: the user types the database's name on
 * the terminal (stdin carries the archive).
 */
static void
confirm_disconnect(void)
{
	char *db = pgconn_dbname(pgconn_source(opt.conninfo));
	const char *want = db ? db : "yes";
	char *prompt;
	int fd = confirm_open(), ok;

	if (fd < 0)
		die_usage("--force-disconnect needs --yes when no terminal can confirm it");
	prompt = xasprintf("%s: sessions still connected to the database at the "
	                   "swap will be terminated.\nType %s%s%s to confirm: ",
	                   err_progname(), db ? "its name (" : "", want,
	                   db ? ")" : "");
	ok = confirm_phrase(fd, prompt, want);
	close(fd);
	free(prompt);
	cancel_check();
	if (ok != 1)
		die(EXIT_FAIL, "--force-disconnect not confirmed: nothing was done");
	free(db);
}

int
main(int argc, char **argv)
{
	enum {
		OPT_CHECK = 256, OPT_LIST, OPT_DRY_RUN, OPT_SQL, OPT_VERIFY_KEY,
		OPT_LOCK_TIMEOUT, OPT_NO_OWNER, OPT_NO_ACL,
		OPT_ROLE, OPT_ROLES, OPT_KEEP_OLD, OPT_FORCE, OPT_YES, OPT_LEGACY_PRE_DATA
	};
	static const char optstring[] = "?acO" PGOPTS_SHORT "j:Pt:vx";
	static const struct option longopts[] = {
		PGOPTS_LONG,
		{"data-only", no_argument, NULL, 'a'},
		{"check", no_argument, NULL, OPT_CHECK},
		{"clean", no_argument, NULL, 'c'},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"force-disconnect", no_argument, NULL, OPT_FORCE},
		{"jobs", required_argument, NULL, 'j'},
		{"keep-old", no_argument, NULL, OPT_KEEP_OLD},
		{"legacy-pre-data", no_argument, NULL, OPT_LEGACY_PRE_DATA},
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
		{"verbose", no_argument, NULL, 'v'},
		{"verify-key", required_argument, NULL, OPT_VERIFY_KEY},
		{"yes", no_argument, NULL, OPT_YES},
		{NULL, 0, NULL, 0},
	};
	unsigned char prefix[8];
	size_t plen = 0;
	struct archive_reader *r;
	const char *key_path = NULL;
	bool legacy_pre_data = false;
	struct pgopts conn = {0};
	char *conninfo = NULL;
	bool list_roles = false;
	int c, nmodes = 0;
	bool yes = false;

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
		case OPT_LOCK_TIMEOUT:
			opt.lock_timeout_ms =
				duration_option("--lock-timeout", optarg);
			break;
		case 'v':
			opt.verbose = true;
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
		case 'j':
			popt.jobs = (int)number_option("-j", optarg, 1,
			                                 PRESTORE_MAX_JOBS);
			break;
		case 'P':
			opt.progress = true;
			break;
		case OPT_KEEP_OLD:
			popt.keep_old = true;
			break;
		case OPT_FORCE:
			popt.force_disconnect = true;
			break;
		case OPT_YES:
			yes = true;
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
		case OPT_LEGACY_PRE_DATA:
			legacy_pre_data = true;
			break;
		default:
			pgopts_default(c, argv, optstring, usage);
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
	if (popt.jobs && (opt.data_only || opt.npatterns))
		die_usage("-j restores whole archives: not with --data-only or -t");
	if (popt.jobs && mode != M_RESTORE)
		die_usage("-j is for a restore, not --check, --list, --dry-run or --sql");
	if (!popt.jobs && (popt.keep_old || popt.force_disconnect))
		die_usage("--keep-old and --force-disconnect go with -j");
	if (yes && !popt.force_disconnect)
		die_usage("--yes confirms --force-disconnect, which is not given");
	if (popt.force_disconnect && !yes && confirm_open_check() < 0)
		die_usage("--force-disconnect needs --yes when no terminal can confirm it");
	if (!opt.progress && isatty(2) && mode == M_RESTORE)
		opt.progress = true;
	if (isatty(0))
		die_usage("the archive is read on stdin, which is a terminal");
	verify_key = minisign_pub_load(key_path, "BACKUP_SIGN_PUBKEY");
	cancel_init();
	if (mode == M_RESTORE || mode == M_DRY_RUN) {
		conninfo = pgopts_conninfo(&conn);
		opt.conninfo = conninfo;
	}
	if (popt.force_disconnect && !yes)
		confirm_disconnect();

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
		if (popt.jobs)
			die(EXIT_FAIL, "-j restores strongbox archives: use pg_restore -j "
			               "for a pg_dump archive");
		if (mode != M_RESTORE || opt.data_only || opt.npatterns)
			die(EXIT_FAIL, "a pg_dump archive can only be restored whole "
			               "(with or without --clean): use pg_restore for more");
		jsonline_put(restore_pg_dump(&opt, 0, prefix, plen));
		finish_stdout();
		return EXIT_OK;
	}

	r = archive_reader_new_fd(0, prefix, plen);
	if (verify_key)
		archive_reader_require_signatures(r, verify_key);
	/* --check and --list run nothing: an old archive may be looked at. */
	if (legacy_pre_data || mode == M_CHECK || mode == M_LIST ||
	    mode == M_LIST_ROLES)
		archive_reader_allow_undigested_pre_data(r);
	switch (mode) {
	case M_CHECK:
		archive_check(r, ARCHIVE_CHECK_SUMMARY, opt.patterns, opt.npatterns,
		              verify_key != NULL);
		break;
	case M_LIST:
		archive_check(r, ARCHIVE_CHECK_TABLES, opt.patterns, opt.npatterns,
		              verify_key != NULL);
		break;
	case M_LIST_ROLES:
		archive_check(r, ARCHIVE_CHECK_ROLES, opt.patterns, opt.npatterns,
		              verify_key != NULL);
		break;
	case M_SQL:
		sqlout_print(r, opt.patterns, opt.npatterns);
		break;
	case M_DRY_RUN: {
		json_t *lines = json_array(), *line;
		size_t i;
		char *problems = restore_dry_run(r, &opt, lines);

		json_array_foreach(lines, i, line)
			jsonline_put(json_incref(line));
		json_decref(lines);
		if (problems) {
			finish_stdout();
			die(EXIT_FAIL, "the restore would fail: %s", problems);
		}
		break;
	}
	case M_RESTORE:
		if (popt.jobs) {
			jsonline_put(prestore_run(r, &popt));
		} else {
			jsonline_put(restore_run(r, &opt));
		}
		break;
	}
	archive_reader_free(r);
	free(opt.patterns);
	pgopts_free(conninfo);
	pgopts_clear(&conn);
	finish_stdout();
	return EXIT_OK;
}
