/*
 * spurge: deletes a database's transactional data and keeps its master
 * data, by the table classes of purge-tables.conf: previewed (--dry-run),
 * confirmed by the phrase DELETE ALL DATA typed on the terminal (or --yes),
 * refused when a kept table references a purged one, and done in one
 * transaction (TRUNCATE of the set, or with --before the DELETE of old
 * rows, children first) that any error, a lost connection or SIGINT rolls
 * back.  --all empties every table but [keep] and extensions' (the reset
 * of share/strongbox/reset.sh).  A JSON report goes to stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caltime.h"
#include "cancel.h"
#include "confirm.h"
#include "duration.h"
#include "err.h"
#include "pgconn.h"
#include "pglock.h"
#include "pgopts.h"
#include "purge.h"
#include "purgeconf.h"
#include "purgeplan.h"
#include "xalloc.h"

#ifndef STRONGBOX_SYSCONFDIR
#define STRONGBOX_SYSCONFDIR "/usr/local/etc/strongbox"
#endif
#ifndef STRONGBOX_DATADIR
#define STRONGBOX_DATADIR "/usr/local/share/strongbox"
#endif

#define PHRASE "DELETE ALL DATA"
#define COUNTDOWN 5

static struct {
	const char *config;
	unsigned classes;
	bool class_given, keep_audit, dry_run, yes, ignore_missing;
	bool restart_identity, backup_first, all;
	const char *before;
	long lock_timeout_ms;
} opt;

static void
usage(void)
{
	printf("usage: spurge [-d CONNINFO|URL|DBNAME] [-h HOST] [-p PORT] [-U USER]\n"
	       "              [-c FILE] [--class NAME]... [--keep-audit-logs]\n"
	       "              [--before DATE] [--dry-run | --yes] [--ignore-missing]\n"
	       "              [--restart-identity] [--backup-first]\n"
	       "              [--lock-timeout DURATION] [DBNAME]\n"
	       "       spurge --all [connection options] [-c FILE] [--dry-run | --yes]\n"
	       "              [--restart-identity] [--backup-first] [--lock-timeout DURATION]\n"
	       "\n"
	       "Deletes transactional data and keeps master data, by the table classes\n"
	       "of purge-tables.conf, in one transaction, after the phrase " PHRASE "\n"
	       "is typed on the terminal.  A JSON report goes to stdout.\n"
	       "\n"
	       "  -d, --dbname CONNINFO    conninfo, URL or database name (default\n"
	       "                           $DATABASE_URL, then PG*)\n"
	       "  -h, --host HOST          server host or socket directory\n"
	       "  -p, --port PORT          server port\n"
	       "  -U, --username USER      user name\n"
	       "  -c, --config FILE        table classes (default\n"
	       "                           " STRONGBOX_SYSCONFDIR "/purge-tables.conf)\n"
	       "      --class NAME         purge only this class (repeatable; default\n"
	       "                           transactional and audit)\n"
	       "      --keep-audit-logs    do not purge the audit class\n"
	       "      --before DATE        only rows older than DATE (YYYY-MM-DD, in TZ)\n"
	       "                           and the rows that belong to them\n"
	       "      --all                every table but [keep] and extensions'\n"
	       "  -n, --dry-run            counts on stderr, JSON on stdout, no change\n"
	       "  -y, --yes                no confirmation (cron)\n"
	       "      --ignore-missing     go on when a configured table does not exist\n"
	       "      --restart-identity   restart the purged tables' sequences\n"
	       "      --backup-first       run nightly-backup.sh first; stop if it fails\n"
	       "      --lock-timeout DURATION  wait at most this long for a lock\n"
	       "                           (ms, s or min; default 30s)\n"
	       "  -?, --help               this help\n"
	       "      --version            the version\n");
}

/* DATE must be YYYY-MM-DD, a real day. */
static bool
valid_date(const char *s)
{
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= caltime_days_in_month(y, m);
}

/* 1234567 -> "1,234,567", in a static buffer. */
static const char *
thousands(uint64_t n)
{
	static char out[40];
	char digits[24];
	int len = snprintf(digits, sizeof digits, "%" PRIu64, n), o = 0;

	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

struct run {
	struct purgeconf conf;
	struct purge_catalog cat;
	struct purgeplan plan;
	uint64_t *rows, *spared;
};

static const char *
class_of(const struct run *r, size_t i)
{
	long k = r->plan.conf[i];

	return k >= 0 ? purgeconf_class_name(r->conf.tables[k].cls) : NULL;
}

static void
run_free(struct run *r)
{
	purgeplan_free(&r->plan);
	purge_catalog_free(&r->cat);
	purgeconf_free(&r->conf);
	free(r->rows);
	free(r->spared);
}

/* The seed's preview: one line per table, then the total. */
static void
preview(const struct run *r)
{
	uint64_t total = 0;

	if (opt.before)
		fprintf(stderr, "The following records, older than %s in the time "
		                "zone %s, will be PERMANENTLY DELETED:\n\n",
		        opt.before, getenv("TZ") && *getenv("TZ") ? getenv("TZ")
		                                                 : "of the server");
	else
		fprintf(stderr, "The following records will be PERMANENTLY "
		                "DELETED:\n\n");
	for (size_t k = 0; k < r->plan.norder; k++) {
		size_t i = r->plan.order[k];
		char *name = purgeconf_display(r->cat.tables[i].schema,
		                               r->cat.tables[i].name);
		fprintf(stderr, "  \u2022 %s: %s records", name, thousands(r->rows[k]));
		if (opt.before && r->spared[k] > 0)
			fprintf(stderr, " (%s spared: still referenced)",
			        thousands(r->spared[k]));
		fputc('\n', stderr);
		total += r->rows[k];
		free(name);
	}
	fprintf(stderr, "\n  TOTAL: %s records will be deleted\n", thousands(total));
	fflush(stderr);
}

/* The JSON report, one line on stdout. */
static void
report(const struct run *r, bool dry_run)
{
	json_t *o = json_object(), *tables = json_array();
	uint64_t total = 0, spared = 0;

	json_object_set_new(o, "dry_run", json_boolean(dry_run));
	json_object_set_new(o, "all", json_boolean(opt.all));
	if (opt.before)
		json_object_set_new(o, "before", json_string(opt.before));
	for (size_t k = 0; k < r->plan.norder; k++) {
		size_t i = r->plan.order[k];
		const char *cls = class_of(r, i);
		json_t *t = json_object();

		json_object_set_new(t, "schema", json_string(r->cat.tables[i].schema));
		json_object_set_new(t, "table", json_string(r->cat.tables[i].name));
		json_object_set_new(t, "class", cls ? json_string(cls) : json_null());
		json_object_set_new(t, "rows", json_integer((json_int_t)r->rows[k]));
		if (opt.before)
			json_object_set_new(t, "spared",
			                    json_integer((json_int_t)r->spared[k]));
		json_array_append_new(tables, t);
		total += r->rows[k];
		spared += r->spared[k];
	}
	json_object_set_new(o, "tables", tables);
	json_object_set_new(o, "total", json_integer((json_int_t)total));
	if (opt.before)
		json_object_set_new(o, "spared", json_integer((json_int_t)spared));
	if (json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 ||
	    putchar('\n') == EOF)
		die_errno(EXIT_FAIL, "cannot write the report");
	json_decref(o);
}

/* Counts (or with --before decides) what the purge takes, in conn's
 * transaction. */
static void
measure(PGconn *conn, struct run *r)
{
	if (opt.before) {
		char *why;
		if (purge_before_plan(conn, &r->cat, &r->conf, &r->plan, opt.before,
		                      getenv("TZ"), r->rows, r->spared, &why) < 0)
			die(EXIT_FAIL, "%s", why);
	} else {
		purge_count(conn, &r->cat, &r->plan, r->rows);
	}
}

/* Runs nightly-backup.sh with conn's settings; dies if it fails. */
static void
backup_first(PGconn *conn)
{
	const char *dir = getenv("STRONGBOX_DATADIR");
	char *script = xasprintf("%s/nightly-backup.sh",
	                         dir && *dir ? dir : STRONGBOX_DATADIR);
	char **env = pgconn_child_env(conn);
	pid_t pid;
	int st;

	/* The child reaches the database spurge reached, by PG* alone. */
	for (size_t i = 0, j = 0;; i++) {
		if (env[i] == NULL || strncmp(env[i], "DATABASE_URL=", 13) != 0)
			env[j++] = env[i];
		else
			free(env[i]);
		if (env[i] == NULL)
			break;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die_errno(EXIT_FAIL, "cannot run %s", script);
	if (pid == 0) {
		/* Its report is not ours: stdout carries spurge's JSON. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execve("/bin/sh", (char *[]){"sh", script, NULL}, env);
		fprintf(stderr, "%s: cannot run %s: %s\n", err_progname(), script,
		        strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die_errno(EXIT_FAIL, "cannot wait for %s", script);
	pgconn_free_env(env);
	cancel_check();
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		die(code == EXIT_TEMPFAIL ? EXIT_TEMPFAIL : EXIT_FAIL,
		    "the backup failed (%s exited %d): nothing purged", script, code);
	}
	free(script);
}

/* Names unclassified tables; stops on a missing one or a broken key. */
static void
check_plan(const struct run *r)
{
	const struct purgeplan *p = &r->plan;

	for (size_t i = 0; i < r->cat.ntables && !opt.all; i++)
		if (p->fate[i] == PURGEPLAN_UNCLASSIFIED) {
			char *n = purgeconf_display(r->cat.tables[i].schema,
			                            r->cat.tables[i].name);
			warnmsg("table %s is in no class of %s: left alone", n,
			        opt.config);
			free(n);
		}
	for (size_t m = 0; m < p->nmissing; m++) {
		const struct purgeconf_table *t = &r->conf.tables[p->missing[m]];
		char *n = purgeconf_display(t->schema, t->name);
		if (opt.ignore_missing)
			warnmsg("table %s (%s line %d) does not exist: ignored", n,
			        opt.config, t->line);
		else
			die(EXIT_FAIL,
			    "table %s (%s line %d) does not exist: nothing purged "
			    "(--ignore-missing to go on)",
			    n, opt.config, t->line);
		free(n);
	}
	if (p->refused >= 0) {
		const struct purge_fkcols *f = &r->cat.fks[p->refused];
		char *c = purgeconf_display(r->cat.tables[f->child].schema,
		                            r->cat.tables[f->child].name);
		char *par = purgeconf_display(r->cat.tables[f->parent].schema,
		                              r->cat.tables[f->parent].name);
		char *k = purgeconf_display("public", f->name);
		die(EXIT_FAIL,
		    "kept table %s references purged table %s (foreign key %s): "
		    "nothing purged; add %s to a purged class of %s",
		    c, par, k, c, opt.config);
	}
}

int
main(int argc, char **argv)
{
	enum {
		OPT_ALL = 256, OPT_BACKUP, OPT_BEFORE, OPT_CLASS,
		OPT_IGNORE_MISSING, OPT_KEEP_AUDIT, OPT_LOCK_TIMEOUT,
		OPT_RESTART
	};
	static const char optstring[] = "?c:ny" PGOPTS_SHORT;
	static const struct option longopts[] = {
		PGOPTS_LONG,
		{"all", no_argument, NULL, OPT_ALL},
		{"backup-first", no_argument, NULL, OPT_BACKUP},
		{"before", required_argument, NULL, OPT_BEFORE},
		{"class", required_argument, NULL, OPT_CLASS},
		{"config", required_argument, NULL, 'c'},
		{"dry-run", no_argument, NULL, 'n'},
		{"ignore-missing", no_argument, NULL, OPT_IGNORE_MISSING},
		{"keep-audit-logs", no_argument, NULL, OPT_KEEP_AUDIT},
		{"lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT},
		{"restart-identity", no_argument, NULL, OPT_RESTART},
		{"yes", no_argument, NULL, 'y'},
		{NULL, 0, NULL, 0},
	};
	struct pgopts conn_opts = {0};
	struct run r;
	char *conninfo, *why;
	PGconn *conn;
	int c, tty = -1;

	err_init(argv[0]);
	opt.lock_timeout_ms = DURATION_LOCK_TIMEOUT_DEFAULT_MS;
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		if (pgopts_option(&conn_opts, c, optarg))
			continue;
		switch (c) {
		case 'c':
			opt.config = optarg;
			break;
		case 'n':
			opt.dry_run = true;
			break;
		case 'y':
			opt.yes = true;
			break;
		case OPT_ALL:
			opt.all = true;
			break;
		case OPT_BACKUP:
			opt.backup_first = true;
			break;
		case OPT_BEFORE:
			if (!valid_date(optarg))
				die_usage("--before wants a date as YYYY-MM-DD, not '%s'",
				          optarg);
			opt.before = optarg;
			break;
		case OPT_CLASS: {
			int cls = purgeconf_class_from_name(optarg);
			if (cls < 0)
				die_usage("unknown class '%s' (master, transactional, "
				          "audit)", optarg);
			if (cls == PURGE_KEEP)
				die_usage("the class keep is never purged");
			opt.classes |= 1u << cls;
			opt.class_given = true;
			break;
		}
		case OPT_IGNORE_MISSING:
			opt.ignore_missing = true;
			break;
		case OPT_KEEP_AUDIT:
			opt.keep_audit = true;
			break;
		case OPT_LOCK_TIMEOUT:
			opt.lock_timeout_ms = duration_option("--lock-timeout", optarg);
			break;
		case OPT_RESTART:
			opt.restart_identity = true;
			break;
		default:
			pgopts_default(c, argv, optstring, usage);
		}
	}
	argc -= optind;
	argv += optind;
	pgopts_finish(&conn_opts, argc, argv);
	if (opt.all && (opt.class_given || opt.keep_audit || opt.before))
		die_usage("--all purges every table: it takes no --class, "
		          "--keep-audit-logs or --before");
	if (opt.before && opt.restart_identity)
		die_usage("--before deletes rows: --restart-identity would "
		          "reuse the kept rows' numbers");
	if (opt.dry_run && opt.yes)
		die_usage("--dry-run deletes nothing: it needs no --yes");
	if (!opt.class_given)
		opt.classes = PURGEPLAN_DEFAULT_CLASSES;
	if (opt.keep_audit)
		opt.classes &= ~(1u << PURGE_AUDIT);
	if (opt.config == NULL)
		opt.config = STRONGBOX_SYSCONFDIR "/purge-tables.conf";

	/* A person must confirm: find the terminal before anything else. */
	if (!opt.dry_run && !opt.yes) {
		tty = confirm_open();
		if (tty < 0)
			die(EXIT_FAIL, "no terminal to type %s on: nothing purged "
			               "(--yes purges without confirmation)",
			    PHRASE);
	}
	memset(&r, 0, sizeof r);
	if (purgeconf_load(opt.config, &r.conf, &why) < 0)
		die(EXIT_FAIL, "%s", why);

	cancel_init();
	conninfo = pgopts_conninfo(&conn_opts);
	pgopts_clear(&conn_opts);
	conn = pgconn_connect(conninfo);
	pgopts_free(conninfo);
	cancel_watch(conn);
	pglock_set_timeout(conn, opt.lock_timeout_ms);

	purge_catalog_read(conn, &r.cat);
	purgeplan_make(&r.conf, r.cat.tables, r.cat.ntables, r.cat.planfks,
	               r.cat.nfks,
	               &(struct purgeplan_opts){opt.classes, opt.all,
	                                        opt.before != NULL},
	               &r.plan);
	check_plan(&r);
	if ((why = purge_check_datecols(conn, &r.cat, &r.conf, &r.plan)) != NULL)
		die(EXIT_FAIL, "%s", why);
	r.rows = xcalloc(r.plan.norder + 1, sizeof *r.rows);
	r.spared = xcalloc(r.plan.norder + 1, sizeof *r.spared);

	/* The preview: one snapshot, no lock stronger than ACCESS SHARE. */
	if (opt.dry_run || !opt.yes) {
		pgconn_command(conn, "cannot start the preview",
		               "BEGIN ISOLATION LEVEL REPEATABLE READ");
		measure(conn, &r);
		pgconn_command(conn, "cannot end the preview", "ROLLBACK");
		preview(&r);
		if (opt.dry_run) {
			report(&r, true);
			finish_stdout();
			pgconn_finish(conn);
			run_free(&r);
			return EXIT_OK;
		}
		switch (confirm_phrase(tty, "\nType " PHRASE " to confirm: ", PHRASE)) {
		case 1:
			break;
		case 0:
			die(EXIT_FAIL, "not confirmed: nothing purged");
		default:
			cancel_check();
			die(EXIT_FAIL, "cancelled");
		}
		if (opt.all &&
		    confirm_countdown(tty, "Every table but [keep] goes in ",
		                      COUNTDOWN) < 0) {
			cancel_check();
			die(EXIT_FAIL, "cancelled");
		}
		close(tty);
	}
	if (opt.backup_first)
		backup_first(conn);

	/* The purge: one transaction, the set locked, then emptied. */
	pgconn_command(conn, "cannot start the purge", "BEGIN");
	if (opt.before) {
		uint64_t *deleted = xcalloc(r.plan.norder + 1, sizeof *deleted);
		purge_lock(conn, &r.cat, &r.plan, "EXCLUSIVE", true);
		measure(conn, &r);
		purge_before_delete(conn, &r.cat, &r.plan, deleted);
		for (size_t k = 0; k < r.plan.norder; k++)
			if (deleted[k] != r.rows[k])
				die(EXIT_FAIL, "deleted %" PRIu64 " rows where %" PRIu64
				               " were planned: rolled back",
				    deleted[k], r.rows[k]);
		free(deleted);
	} else {
		purge_lock(conn, &r.cat, &r.plan, "ACCESS EXCLUSIVE", false);
		purge_count(conn, &r.cat, &r.plan, r.rows);
		purge_truncate(conn, &r.cat, &r.plan, opt.restart_identity);
	}
	cancel_check();
	pgconn_command(conn, "cannot commit the purge", "COMMIT");
	report(&r, false);
	finish_stdout();
	cancel_unwatch(conn);
	pgconn_finish(conn);
	run_free(&r);
	return EXIT_OK;
}
