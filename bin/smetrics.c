/*
 * smetrics: the daily metrics JSON of a branch (the seed "Centralized
 * Backups & Metrics Push"), the days missing from the bucket, the health
 * of the backups, and the integrity checks of the database.
 *
 *   smetrics --date yesterday | supload "$BRANCH_ID/metrics/$(date -d yesterday +%F).json"
 *   supload -l "$BRANCH_ID/metrics/" | smetrics --missing 14
 *   supload -l "$BRANCH_ID/backups/" | smetrics --health --max-age 26
 *   smetrics --checks /usr/local/share/strongbox/salon-checks.sql
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "branchday.h"
#include "checkfile.h"
#include "err.h"
#include "number.h"
#include "health.h"
#include "lineio.h"
#include "listing.h"
#include "metrics.h"
#include "cancel.h"
#include "pgconn.h"
#include "pgopts.h"
#include "readfile.h"
#include "timestamp.h"
#include "xalloc.h"

#define QUERY_NAME "salon-metrics.sql"
/* --missing looks back at most ten years. */
#define MAX_MISSING 3660
/* --from/--to span at most a hundred years. */
#define MAX_DAYS 36525

enum mode { MODE_METRICS, MODE_MISSING, MODE_HEALTH, MODE_CHECKS };

static struct {
	enum mode mode;
	struct pgopts conn;
	const char *query, *checks;
	const char *date, *from, *to;
	long missing;
	int today, prom;
	double max_age; /* hours; < 0 when not given */
	long long min_count;
	int64_t now;
} opt;

static void
usage(void)
{
	printf("usage: smetrics [-d CONNINFO] [-h HOST] [-p PORT] [-U USER] [--query FILE]\n"
	       "                [--date DAY | --from DAY --to DAY] [--now TIME] [DBNAME]\n"
	       "       smetrics --missing N [--today] [--now TIME] < listing\n"
	       "       smetrics --health [--max-age HOURS] [--min-count N] [--prom] [--now TIME]\n"
	       "                < listing\n"
	       "       smetrics [-d CONNINFO] [-h HOST] [-p PORT] [-U USER] --checks FILE [DBNAME]\n"
	       "\n"
	       "Prints the metrics JSON of each day (one object a line), the days the\n"
	       "metrics listing misses, the health of the backups listed, or the result\n"
	       "of integrity checks.  DAY is YYYY-MM-DD, today or yesterday in TZ.\n"
	       "\n"
	       "  -d, --dbname CONNINFO  the database (else DATABASE_URL, else PG*)\n"
	       "  -h, --host HOST        the server's host\n"
	       "  -p, --port PORT        the server's port\n"
	       "  -U, --username USER    the user to connect as\n"
	       "      --query FILE       the metrics query (default: the shipped " QUERY_NAME ")\n"
	       "      --date DAY         one day (default: today)\n"
	       "      --from DAY         the first day of a range\n"
	       "      --to DAY           the last day of a range\n"
	       "      --missing N        the days of the last N without a metrics object\n"
	       "      --today            with --missing: up to today, not yesterday\n"
	       "      --health           count, newest and bytes of the backups listed\n"
	       "      --max-age HOURS    with --health: exit 1 if the newest is older\n"
	       "      --min-count N      with --health: exit 1 if there are fewer\n"
	       "      --prom             with --health: Prometheus text format\n"
	       "      --checks FILE      run the named checks of FILE\n"
	       "      --now TIME         take TIME as the current time\n"
	       "  -?, --help             this help\n"
	       "      --version          the version\n");
}

static int64_t
parse_now(const char *arg)
{
	struct timestamp_stamp st;
	size_t n = strlen(arg);
	long nsec;

	if (!timestamp_find(arg, n, &st) || st.start != 0 || st.len != n)
		die_usage("--now wants a time like 2026-02-17T22:00:05+05:30, not "
		          "\"%s\"", arg);
	return timestamp_to_utc(&st, &nsec);
}

static int64_t
parse_day(const char *optname, const char *arg)
{
	int64_t d;

	if (branchday_parse(arg, opt.now, &d) < 0)
		die_usage("%s wants a day (YYYY-MM-DD, today or yesterday), not "
		          "\"%s\"", optname, arg);
	return d;
}

static double
parse_hours(const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < 0)
		die_usage("--max-age wants a number of hours, not \"%s\"", arg);
	return v;
}

/*
 * The shipped query: $STRONGBOX_SHARE, else share/strongbox beside the
 * program's directory (an installed tree or the source tree), else the
 * compiled-in data directory.
 */
static char *
default_query(void)
{
	const char *share = getenv("STRONGBOX_SHARE");
	char exe[PATH_MAX];
	ssize_t n;

	if (share && *share)
		return xasprintf("%s/%s", share, QUERY_NAME);
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		char *slash, *p;

		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			p = xasprintf("%s/../share/strongbox/%s", exe, QUERY_NAME);
			if (access(p, R_OK) == 0)
				return p;
			free(p);
		}
	}
	return xstrdup(STRONGBOX_DATADIR "/" QUERY_NAME);
}

/* Connects as the options say, watched for SIGINT and SIGTERM. */
static PGconn *
connect_db(void)
{
	char *conninfo = pgopts_conninfo(&opt.conn);
	PGconn *conn;

	cancel_init();
	conn = pgconn_connect(conninfo);
	pgopts_free(conninfo);
	cancel_watch(conn);
	return conn;
}

static void
disconnect(PGconn *conn)
{
	cancel_unwatch(conn);
	pgconn_finish(conn);
}

static const char *
env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

/* Reads a supload -l listing from stdin, calling fn on each entry. */
static void
read_listing(void (*fn)(const struct listing_entry *, void *), void *ctx)
{
	struct lineio lr;
	struct listing_entry e;
	const char *why;
	char *line;
	ssize_t n;

	if (isatty(STDIN_FILENO))
		die_usage("reads a listing (supload -l) on standard input");
	lineio_init(&lr, stdin);
	while ((n = lineio_next(&lr, &line)) >= 0) {
		if (n == 0)
			continue;
		if (listing_parse(line, (size_t)n, &e, &why) < 0) {
			char *p = lineio_printable(line, (size_t)n, 80);

			die(EXIT_FAIL, "line %lu of the listing: %s: \"%s\"",
			    lr.lineno, why, p);
		}
		fn(&e, ctx);
	}
	lineio_free(&lr);
}

struct missing {
	int64_t first, last;
	unsigned char *have;
};

static void
note_metrics_day(const struct listing_entry *e, void *ctx)
{
	struct missing *m = ctx;
	int64_t d;

	if (listing_metrics_day(e->key, e->key_len, &d) == 0 && d >= m->first &&
	    d <= m->last)
		m->have[d - m->first] = 1;
}

static int
do_missing(void)
{
	struct missing m;
	char day[BRANCHDAY_DATE_LEN];

	m.last = branchday_of(opt.now) - !opt.today;
	m.first = m.last - opt.missing + 1;
	m.have = xcalloc((size_t)opt.missing + 1, 1);
	read_listing(note_metrics_day, &m);
	for (int64_t d = m.first; d <= m.last; d++)
		if (!m.have[d - m.first]) {
			branchday_format(d, day);
			puts(day);
		}
	free(m.have);
	return EXIT_OK;
}

static void
note_backup(const struct listing_entry *e, void *ctx)
{
	health_add(ctx, e);
}

static int
do_health(void)
{
	const char *branch = env_or("BRANCH_ID", "default");
	struct health h;
	int rc = EXIT_OK;
	char *out;

	health_init(&h);
	read_listing(note_backup, &h);
	out = opt.prom ? health_prom(&h, branch, opt.now)
	               : health_json(&h, branch, opt.now);
	if (out == NULL)
		die(EXIT_FAIL, "a key or BRANCH_ID is not valid UTF-8");
	fputs(out, stdout);
	if (!opt.prom)
		putchar('\n');
	free(out);
	if (opt.max_age >= 0) {
		if (h.count == 0) {
			warnmsg("no backup in the listing");
			rc = EXIT_FAIL;
		} else if (health_age_hours(&h, opt.now) > opt.max_age) {
			warnmsg("the newest backup, %s, is %.1f hours old (over "
			        "--max-age %g)", h.newest_key,
			        health_age_hours(&h, opt.now), opt.max_age);
			rc = EXIT_FAIL;
		}
	}
	if (opt.min_count > 0 && h.count < opt.min_count) {
		warnmsg("%lld backups in the listing, fewer than --min-count %lld",
		        h.count, opt.min_count);
		rc = EXIT_FAIL;
	}
	health_free(&h);
	return rc;
}

static int
do_checks(void)
{
	struct checkfile cf;
	char why[512], *err, *zone;
	size_t len;
	char *text = readfile(opt.checks, &len, &err);
	PGconn *conn;
	int bad;

	if (text == NULL)
		die(EXIT_FAIL, "%s", err);
	if (checkfile_parse(text, len, &cf, why, sizeof why) < 0)
		die(EXIT_FAIL, "%s: %s", opt.checks, why);
	free(text);
	zone = branchday_zone("");
	conn = connect_db();
	bad = metrics_checks(conn, zone, &cf, stdout);
	disconnect(conn);
	free(zone);
	if (bad > 0)
		warnmsg("%d of %zu checks found violations", bad, cf.n);
	checkfile_free(&cf);
	return bad ? EXIT_FAIL : EXIT_OK;
}

static int
do_metrics(void)
{
	struct metrics_head head;
	int64_t from, to;
	char *path = opt.query ? xstrdup(opt.query) : default_query();
	char *sql, *err, *zone;
	size_t len;
	PGconn *conn;

	if (opt.from || opt.to) {
		if (!opt.from || !opt.to)
			die_usage("--from and --to go together");
		if (opt.date)
			die_usage("--date or --from/--to, not both");
		from = parse_day("--from", opt.from);
		to = parse_day("--to", opt.to);
		if (from > to)
			die_usage("--from %s is after --to %s", opt.from, opt.to);
		if (to - from >= MAX_DAYS)
			die_usage("--from to --to spans over %d days", MAX_DAYS);
	} else {
		from = to = parse_day("--date", opt.date ? opt.date : "today");
	}
	if ((sql = readfile(path, &len, &err)) == NULL)
		die(EXIT_FAIL, "%s", err);
	if (memchr(sql, '\0', len) != NULL)
		die(EXIT_FAIL, "%s holds a NUL byte: not an SQL file", path);
	zone = branchday_zone("");
	head.branch_id = env_or("BRANCH_ID", "default");
	head.branch_name = env_or("BRANCH_NAME", NULL);
	head.currency = env_or("CURRENCY", "INR");
	head.now = opt.now;
	conn = connect_db();
	metrics_write(conn, sql, zone, from, to, &head, stdout);
	disconnect(conn);
	free(zone);
	free(sql);
	free(path);
	return EXIT_OK;
}

static void
set_mode(enum mode m)
{
	if (opt.mode != MODE_METRICS && opt.mode != m)
		die_usage("--missing, --health and --checks go one at a time");
	opt.mode = m;
}

int
main(int argc, char **argv)
{
	enum {
		OPT_CHECKS = 256, OPT_DATE, OPT_FROM, OPT_HEALTH, OPT_MAX_AGE,
		OPT_MIN_COUNT, OPT_MISSING, OPT_NOW, OPT_PROM, OPT_QUERY, OPT_TO,
		OPT_TODAY
	};
	static const char optstring[] = "?" PGOPTS_SHORT;
	static const struct option longopts[] = {
		PGOPTS_LONG,
		{"checks", required_argument, NULL, OPT_CHECKS},
		{"date", required_argument, NULL, OPT_DATE},
		{"from", required_argument, NULL, OPT_FROM},
		{"health", no_argument, NULL, OPT_HEALTH},
		{"max-age", required_argument, NULL, OPT_MAX_AGE},
		{"min-count", required_argument, NULL, OPT_MIN_COUNT},
		{"missing", required_argument, NULL, OPT_MISSING},
		{"now", required_argument, NULL, OPT_NOW},
		{"prom", no_argument, NULL, OPT_PROM},
		{"query", required_argument, NULL, OPT_QUERY},
		{"to", required_argument, NULL, OPT_TO},
		{"today", no_argument, NULL, OPT_TODAY},
		{NULL, 0, NULL, 0},
	};
	const char *now_arg = NULL;
	int c, rc = EXIT_OK, conn_given = 0;

	err_init(argv[0]);
	opt.max_age = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		if (pgopts_option(&opt.conn, c, optarg)) {
			conn_given = 1;
			continue;
		}
		switch (c) {
		case OPT_CHECKS:
			set_mode(MODE_CHECKS);
			opt.checks = optarg;
			break;
		case OPT_DATE:
			opt.date = optarg;
			break;
		case OPT_FROM:
			opt.from = optarg;
			break;
		case OPT_HEALTH:
			set_mode(MODE_HEALTH);
			break;
		case OPT_MAX_AGE:
			opt.max_age = parse_hours(optarg);
			break;
		case OPT_MIN_COUNT:
			opt.min_count = number_option("--min-count", optarg, 0, LLONG_MAX);
			break;
		case OPT_MISSING:
			set_mode(MODE_MISSING);
			opt.missing = (long)number_option("--missing", optarg, 0, MAX_MISSING);
			if (opt.missing < 1)
				die_usage("--missing wants 1 day or more");
			break;
		case OPT_NOW:
			now_arg = optarg;
			break;
		case OPT_PROM:
			opt.prom = 1;
			break;
		case OPT_QUERY:
			opt.query = optarg;
			break;
		case OPT_TO:
			opt.to = optarg;
			break;
		case OPT_TODAY:
			opt.today = 1;
			break;
		default:
			pgopts_default(c, argv, optstring, usage);
		}
	}
	argc -= optind;
	argv += optind;
	conn_given |= argc > 0;
	pgopts_finish(&opt.conn, argc, argv);
	opt.now = now_arg ? parse_now(now_arg) : (int64_t)time(NULL);
	if (opt.mode != MODE_METRICS && (opt.date || opt.from || opt.to || opt.query))
		die_usage("--date, --from, --to and --query go with the metrics, "
		          "not --missing, --health or --checks");
	if (opt.today && opt.mode != MODE_MISSING)
		die_usage("--today goes with --missing");
	if ((opt.prom || opt.max_age >= 0 || opt.min_count) &&
	    opt.mode != MODE_HEALTH)
		die_usage("--prom, --max-age and --min-count go with --health");
	if (conn_given && (opt.mode == MODE_MISSING || opt.mode == MODE_HEALTH))
		die_usage("--missing and --health read a listing, not the database");

	{
		char *why = branchday_zone_error();
		if (why != NULL)
			die(EXIT_FAIL, "%s", why);
	}

	switch (opt.mode) {
	case MODE_METRICS:
		rc = do_metrics();
		break;
	case MODE_MISSING:
		rc = do_missing();
		break;
	case MODE_HEALTH:
		rc = do_health();
		break;
	case MODE_CHECKS:
		rc = do_checks();
		break;
	}
	finish_stdout();
	return rc;
}
