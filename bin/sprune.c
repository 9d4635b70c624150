/*
 * sprune: reads backup names (or `supload -l` lines) on stdin, finds the
 * time in each, and prints the lines to delete under a keep policy with
 * restic's semantics (retention.h).  Lines it cannot date are never printed.
 *
 *   supload -l "$BRANCH_ID/backups/" | sprune --keep-daily 7 | supload -d
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "branchday.h"
#include "err.h"
#include "lineio.h"
#include "retention.h"
#include "timestamp.h"
#include "xalloc.h"

#define NO_ITEM UINT32_MAX
/* Lines named one by one on stderr before a count of the rest. */
#define MAX_NAMED 10

enum output { OUT_DELETE, OUT_KEPT, OUT_EXPLAIN };

/* A line of input, kept to be printed unchanged. */
struct line {
	uint64_t off;  /* into the text arena */
	uint32_t len;
	uint32_t item; /* its backup, or NO_ITEM when it has no date */
};

/* Where the timestamp is in a dated line: the series key is the rest. */
struct stamp_pos {
	uint32_t line;
	uint32_t start, end; /* the timestamp's text */
	uint32_t span;       /* the dated part: the whole line or the key */
};

static struct {
	char *text;
	size_t text_len, text_cap;
	struct line *lines;
	size_t nlines, lines_cap;
	struct retention_item *items;
	struct stamp_pos *pos;
	uint32_t *group; /* series of each item */
	size_t nitems, items_cap;
	size_t ngroups;
} in;

enum {
	OPT_ALLOW_EMPTY = 256,
	OPT_EXPLAIN,
	OPT_GROUP,
	OPT_KEEP_DAILY,
	OPT_KEEP_HOURLY,
	OPT_KEEP_LAST,
	OPT_KEEP_MONTHLY,
	OPT_KEEP_WEEKLY,
	OPT_KEEP_WITHIN,
	OPT_KEEP_WITHIN_DAILY,
	OPT_KEEP_WITHIN_HOURLY,
	OPT_KEEP_WITHIN_MONTHLY,
	OPT_KEEP_WITHIN_WEEKLY,
	OPT_KEEP_WITHIN_YEARLY,
	OPT_KEEP_YEARLY,
	OPT_KEPT,
	OPT_NOW,
	OPT_OLDEST,
	OPT_VERSION
};

static const struct option longopts[] = {
	{"allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY},
	{"explain", no_argument, NULL, OPT_EXPLAIN},
	{"group", no_argument, NULL, OPT_GROUP},
	{"help", no_argument, NULL, 'h'},
	{"keep-daily", required_argument, NULL, OPT_KEEP_DAILY},
	{"keep-hourly", required_argument, NULL, OPT_KEEP_HOURLY},
	{"keep-last", required_argument, NULL, OPT_KEEP_LAST},
	{"keep-monthly", required_argument, NULL, OPT_KEEP_MONTHLY},
	{"keep-weekly", required_argument, NULL, OPT_KEEP_WEEKLY},
	{"keep-within", required_argument, NULL, OPT_KEEP_WITHIN},
	{"keep-within-daily", required_argument, NULL, OPT_KEEP_WITHIN_DAILY},
	{"keep-within-hourly", required_argument, NULL, OPT_KEEP_WITHIN_HOURLY},
	{"keep-within-monthly", required_argument, NULL,
	 OPT_KEEP_WITHIN_MONTHLY},
	{"keep-within-weekly", required_argument, NULL, OPT_KEEP_WITHIN_WEEKLY},
	{"keep-within-yearly", required_argument, NULL, OPT_KEEP_WITHIN_YEARLY},
	{"keep-yearly", required_argument, NULL, OPT_KEEP_YEARLY},
	{"kept", no_argument, NULL, OPT_KEPT},
	{"now", required_argument, NULL, OPT_NOW},
	{"oldest", no_argument, NULL, OPT_OLDEST},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static void
usage(void)
{
	printf("usage: sprune [--keep-last N] [--keep-hourly N] [--keep-daily N]\n"
	       "              [--keep-weekly N] [--keep-monthly N] [--keep-yearly N]\n"
	       "              [--keep-within DURATION]\n"
	       "              [--keep-within-hourly|daily|weekly|monthly|yearly DURATION]\n"
	       "              [--now TIME] [--kept | --explain] [--oldest] [--group]\n"
	       "              [--allow-empty] < names\n"
	       "\n"
	       "Prints the lines of stdin to delete under the policy; N is a number or\n"
	       "'unlimited', DURATION like 7d, 90d or 1y2m3d4h (m is a month).\n"
	       "\n"
	       "  --keep-last N           the N newest backups\n"
	       "  --keep-hourly N         the newest backup of each of the N newest hours\n"
	       "  --keep-daily N          ... days\n"
	       "  --keep-weekly N         ... ISO weeks\n"
	       "  --keep-monthly N        ... months\n"
	       "  --keep-yearly N         ... years\n"
	       "  --keep-within DURATION  every backup younger than DURATION\n"
	       "  --keep-within-daily DURATION (hourly, weekly, monthly, yearly)\n"
	       "                          the newest of each day younger than DURATION\n"
	       "  --now TIME              count ages from TIME, not the newest backup\n"
	       "  --kept                  print the kept lines instead\n"
	       "  --explain               print every line with its verdict and reasons\n"
	       "  --oldest                keep the first backup of each bucket\n"
	       "  --group                 prune each series of names on its own\n"
	       "  --allow-empty           allow deleting every backup of a series\n"
	       "  -h, --help              this help\n"
	       "      --version           the version\n");
}

static const char *
line_text(const struct line *l)
{
	return in.text + l->off;
}

static void
count_arg(const char *opt, const char *arg, long *n)
{
	if (retention_parse_count(arg, n) != 0)
		die_usage("%s wants a number or 'unlimited', not \"%s\"", opt,
		            arg);
}

static void
duration_arg(const char *opt, const char *arg, struct retention_duration *d)
{
	if (retention_parse_duration(arg, d) != 0)
		die_usage("%s wants a duration like 7d or 1y2m3d4h, not \"%s\"",
		            opt, arg);
}

static struct retention_time
parse_now(const char *arg)
{
	struct timestamp_stamp st;
	struct retention_time t;
	size_t n = strlen(arg);

	if (!timestamp_find(arg, n, &st) || st.start != 0 || st.len != n)
		die_usage("--now wants a time like 2026-02-17T22:00:05+05:30 or "
		            "20260217_220005, not \"%s\"", arg);
	t.sec = timestamp_to_utc(&st, &t.nsec);
	return t;
}

/* Reads stdin into the arena and dates every line. */
static void
read_input(void)
{
	struct lineio lr;
	char *s;
	ssize_t n;
	unsigned long undated = 0;

	lineio_init(&lr, stdin);
	while ((n = lineio_next(&lr, &s)) >= 0) {
		struct line *l;
		struct timestamp_stamp st;
		size_t span;

		if ((size_t)n >= UINT32_MAX || in.nlines >= UINT32_MAX - 1)
			die(EXIT_FAIL, "line %lu: input too large", lr.lineno);
		if (in.text_len + n + 1 > in.text_cap) {
			in.text_cap = (in.text_len + n + 1) * 3 / 2 + 4096;
			in.text = xreallocarray(in.text, in.text_cap, 1);
		}
		if (in.nlines == in.lines_cap) {
			in.lines_cap = in.lines_cap ? in.lines_cap * 2 : 4096;
			in.lines = xreallocarray(in.lines, in.lines_cap,
			                         sizeof *in.lines);
		}
		l = &in.lines[in.nlines++];
		l->off = in.text_len;
		l->len = (uint32_t)n;
		l->item = NO_ITEM;
		memcpy(in.text + in.text_len, s, n);
		in.text[in.text_len + n] = '\0';
		in.text_len += n + 1;

		span = timestamp_dated_span(s, n);
		if (!timestamp_find(s, span, &st)) {
			if (n > 0 && ++undated <= MAX_NAMED) {
				char *p = lineio_printable(s, n, 200);
				warnmsg("line %lu: no timestamp in \"%s\", left alone",
				        lr.lineno, p);
				free(p);
			}
			continue;
		}
		if (in.nitems == in.items_cap) {
			in.items_cap = in.items_cap ? in.items_cap * 2 : 4096;
			in.items = xreallocarray(in.items, in.items_cap,
			                         sizeof *in.items);
			in.pos = xreallocarray(in.pos, in.items_cap,
			                       sizeof *in.pos);
		}
		{
			long nsec;
			int64_t sec = timestamp_to_utc(&st, &nsec);

			retention_item_init(&in.items[in.nitems], sec, nsec);
		}
		in.pos[in.nitems] = (struct stamp_pos){
			(uint32_t)(in.nlines - 1), (uint32_t)st.start,
			(uint32_t)(st.start + st.len), (uint32_t)span};
		l->item = (uint32_t)in.nitems++;
	}
	lineio_free(&lr);
	if (undated > MAX_NAMED)
		warnmsg("%lu more lines without a timestamp, left alone",
		        undated - MAX_NAMED);
}

/*
 * Two keys of a dated line: its series (the dated part without the
 * timestamp, --group) and its name (the whole dated part: a name listed
 * twice is one backup).
 */
enum key_kind { KEY_SERIES, KEY_NAME };

static uint64_t
key_hash(const struct stamp_pos *p, enum key_kind kind)
{
	const char *s = line_text(&in.lines[p->line]);
	uint64_t h = 1469598103934665603ULL;

	for (uint32_t i = 0; i < p->span; i++) {
		if (kind == KEY_SERIES && i == p->start) {
			i = p->end - 1;
			h = (h ^ 0xff) * 1099511628211ULL;
			continue;
		}
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	}
	return h;
}

static int
same_key(const struct stamp_pos *a, const struct stamp_pos *b,
         enum key_kind kind)
{
	const char *sa = line_text(&in.lines[a->line]);
	const char *sb = line_text(&in.lines[b->line]);

	if (kind == KEY_NAME)
		return a->span == b->span && memcmp(sa, sb, a->span) == 0;
	return a->start == b->start && a->span - a->end == b->span - b->end &&
	       memcmp(sa, sb, a->start) == 0 &&
	       memcmp(sa + a->end, sb + b->end, a->span - a->end) == 0;
}

/*
 * Sets first[i] to the first item with the same key as item i (i itself
 * when it is the first) and returns how many different keys there are.
 */
static size_t
first_of_kind(enum key_kind kind, uint32_t *first)
{
	/* One 8-byte slot per entry: a probe touches one cache line. */
	struct slot {
		uint32_t item; /* item + 1; 0 is empty */
		uint32_t hash;
	};
	size_t cap = 1024, used = 0, mask;
	struct slot *table;
	uint32_t *hashes;

	/* Sized once (at most half full), so that slots can be prefetched. */
	while (cap < in.nitems * 2)
		cap *= 2;
	mask = cap - 1;
	table = xcalloc(cap, sizeof *table);
	hashes = xreallocarray(NULL, in.nitems ? in.nitems : 1, sizeof *hashes);
	for (size_t i = 0; i < in.nitems; i++) {
		uint64_t h64 = key_hash(&in.pos[i], kind);

		hashes[i] = (uint32_t)(h64 ^ (h64 >> 32));
	}
	for (size_t i = 0; i < in.nitems; i++) {
		uint32_t h = hashes[i];
		size_t k = h & mask;

		if (i + 16 < in.nitems)
			__builtin_prefetch(&table[hashes[i + 16] & mask]);
		while (table[k].item &&
		       !(table[k].hash == h &&
		         same_key(&in.pos[table[k].item - 1], &in.pos[i], kind)))
			k = (k + 1) & mask;
		if (table[k].item) {
			first[i] = table[k].item - 1;
			continue;
		}
		table[k] = (struct slot){(uint32_t)i + 1, h};
		first[i] = (uint32_t)i;
		used++;
	}
	free(table);
	free(hashes);
	return used;
}

/*
 * 1 when the input is sorted by time (as ls and supload -l list names) with
 * no time twice: then no name is listed twice either, and the search for
 * duplicates can be skipped.
 */
static int
all_times_differ(void)
{
	int up = 1, down = 1;

	for (size_t i = 1; i < in.nitems && (up || down); i++) {
		const struct retention_item *a = &in.items[i - 1];
		const struct retention_item *b = &in.items[i];

		if (a->sec == b->sec && a->nsec == b->nsec)
			return 0;
		if (a->sec > b->sec || (a->sec == b->sec && a->nsec > b->nsec))
			up = 0;
		else
			down = 0;
	}
	return up || down;
}

/* Assigns each item its series (all one series without --group). */
static void
assign_groups(int grouped)
{
	in.group = xreallocarray(NULL, in.nitems ? in.nitems : 1,
	                         sizeof *in.group);
	in.ngroups = 0;
	if (!grouped) {
		memset(in.group, 0, in.nitems * sizeof *in.group);
		in.ngroups = in.nitems ? 1 : 0;
		return;
	}
	first_of_kind(KEY_SERIES, in.group);
	/* Number the series in order of first appearance. */
	for (size_t i = 0; i < in.nitems; i++)
		in.group[i] = in.group[i] == i ? (uint32_t)in.ngroups++
		                               : in.group[in.group[i]];
}

/* "branch-a_*.sdump": a series named by a member, its time as '*'. */
static char *
series_name(const struct stamp_pos *p)
{
	const char *s = line_text(&in.lines[p->line]);
	char *a = lineio_printable(s, p->start, 200);
	char *b = lineio_printable(s + p->end, p->span - p->end, 200);
	char *name = xasprintf("%s*%s", a, b);

	free(a);
	free(b);
	return name;
}

int
main(int argc, char *argv[])
{
	struct retention_policy policy = {0};
	struct retention_time now, *ref = NULL;
	enum output output = OUT_DELETE;
	int grouped = 0, allow_empty = 0, explain = 0, kept_only = 0, ch;
	size_t *first, *fill, refused = 0, refused_group = 0, future = 0;
	uint32_t *idx, *same;
	char *zone_error;

	err_init(argv[0]);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_ALLOW_EMPTY: allow_empty = 1; break;
		case OPT_EXPLAIN: explain = 1; break;
		case OPT_GROUP: grouped = 1; break;
		case 'h': usage(); finish_stdout(); return EXIT_OK;
		case OPT_KEEP_DAILY:
			count_arg("--keep-daily", optarg, &policy.keep[RET_DAILY]);
			break;
		case OPT_KEEP_HOURLY:
			count_arg("--keep-hourly", optarg,
			          &policy.keep[RET_HOURLY]);
			break;
		case OPT_KEEP_LAST:
			count_arg("--keep-last", optarg, &policy.keep[RET_LAST]);
			break;
		case OPT_KEEP_MONTHLY:
			count_arg("--keep-monthly", optarg,
			          &policy.keep[RET_MONTHLY]);
			break;
		case OPT_KEEP_WEEKLY:
			count_arg("--keep-weekly", optarg,
			          &policy.keep[RET_WEEKLY]);
			break;
		case OPT_KEEP_YEARLY:
			count_arg("--keep-yearly", optarg,
			          &policy.keep[RET_YEARLY]);
			break;
		case OPT_KEEP_WITHIN:
			duration_arg("--keep-within", optarg, &policy.within);
			break;
		case OPT_KEEP_WITHIN_HOURLY:
			duration_arg("--keep-within-hourly", optarg,
			             &policy.within_rule[RET_HOURLY]);
			break;
		case OPT_KEEP_WITHIN_DAILY:
			duration_arg("--keep-within-daily", optarg,
			             &policy.within_rule[RET_DAILY]);
			break;
		case OPT_KEEP_WITHIN_WEEKLY:
			duration_arg("--keep-within-weekly", optarg,
			             &policy.within_rule[RET_WEEKLY]);
			break;
		case OPT_KEEP_WITHIN_MONTHLY:
			duration_arg("--keep-within-monthly", optarg,
			             &policy.within_rule[RET_MONTHLY]);
			break;
		case OPT_KEEP_WITHIN_YEARLY:
			duration_arg("--keep-within-yearly", optarg,
			             &policy.within_rule[RET_YEARLY]);
			break;
		case OPT_KEPT: kept_only = 1; break;
		case OPT_NOW:
			now = parse_now(optarg);
			ref = &now;
			break;
		case OPT_OLDEST: policy.oldest = 1; break;
		case OPT_VERSION: print_version();
		default:
			die_bad_option(":h", argv);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0)
		die_usage("unexpected operand \"%s\": names come on stdin",
		            argv[0]);
	if (kept_only && explain)
		die_usage("--kept and --explain cannot be combined");
	if (retention_policy_empty(&policy))
		die_usage("no policy: give at least one --keep-* option with a "
		            "count or duration above zero");
	/* Names and days are read on TZ's calendar, which must be a zone. */
	if ((zone_error = branchday_zone_error()) != NULL)
		die(EXIT_FAIL, "%s", zone_error);
	output = explain ? OUT_EXPLAIN : kept_only ? OUT_KEPT : OUT_DELETE;
	if (!ref) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		now = (struct retention_time){ts.tv_sec, ts.tv_nsec};
	}

	read_input();
	assign_groups(grouped);
	/* A name listed twice is one backup: later copies share its fate. */
	same = NULL;
	if (!all_times_differ()) {
		same = xreallocarray(NULL, in.nitems, sizeof *same);
		if (first_of_kind(KEY_NAME, same) == in.nitems) {
			free(same);
			same = NULL;
		}
	}

	/* Each series' items, in input order, one after the other. */
	first = xcalloc(in.ngroups + 1, sizeof *first);
	fill = xcalloc(in.ngroups + 1, sizeof *fill);
	idx = xreallocarray(NULL, in.nitems ? in.nitems : 1, sizeof *idx);
	for (size_t i = 0; i < in.nitems; i++)
		if (!same || same[i] == i)
			first[in.group[i] + 1]++;
	for (size_t g = 0; g < in.ngroups; g++)
		first[g + 1] += first[g];
	memcpy(fill, first, (in.ngroups + 1) * sizeof *fill);
	for (size_t i = 0; i < in.nitems; i++)
		if (!same || same[i] == i)
			idx[fill[in.group[i]]++] = (uint32_t)i;
	for (size_t g = 0; g < in.ngroups; g++) {
		size_t n = first[g + 1] - first[g];

		if (retention_apply(in.items, idx + first[g], n, &policy, &now,
		                    ref) == 0 && n > 0) {
			if (refused++ == 0)
				refused_group = g;
		}
	}
	if (same)
		for (size_t i = 0; i < in.nitems; i++)
			in.items[i].reasons = in.items[same[i]].reasons;
	if (refused && !allow_empty) {
		char *name = series_name(&in.pos[idx[first[refused_group]]]);

		die(EXIT_FAIL,
		    "refusing to delete all %zu backups of \"%s\"%s: none is "
		    "kept by the policy (--allow-empty allows it)",
		    first[refused_group + 1] - first[refused_group], name,
		    refused > 1 ? " and other series" : "");
	}

	for (size_t i = 0; i < in.nitems; i++) {
		if (in.items[i].reasons & RET_WHY_FUTURE &&
		    ++future <= MAX_NAMED) {
			const struct line *l = &in.lines[in.pos[i].line];
			char *p = lineio_printable(line_text(l), l->len, 200);

			warnmsg("line %u: \"%s\" is in the future, kept",
			        in.pos[i].line + 1, p);
			free(p);
		}
	}
	if (future > MAX_NAMED)
		warnmsg("%zu more lines in the future, kept", future - MAX_NAMED);

	for (size_t k = 0; k < in.nlines; k++) {
		const struct line *l = &in.lines[k];
		uint32_t why = l->item == NO_ITEM ? 0 : in.items[l->item].reasons;
		char buf[512];

		switch (output) {
		case OUT_DELETE:
			if (l->item == NO_ITEM || why ||
			    (same && same[l->item] != l->item))
				continue;
			break;
		case OUT_KEPT:
			if (l->item == NO_ITEM || !why ||
			    (same && same[l->item] != l->item))
				continue;
			break;
		case OUT_EXPLAIN:
			if (l->len == 0)
				continue;
			if (l->item == NO_ITEM) {
				fputs("ignore  no timestamp\t", stdout);
			} else if (why) {
				retention_explain(why, &policy, buf, sizeof buf);
				printf("keep  %s\t", buf);
			} else {
				fputs("delete  no rule keeps it\t", stdout);
			}
			break;
		}
		fwrite(line_text(l), 1, l->len, stdout);
		putchar('\n');
	}
	finish_stdout();
	free(first);
	free(fill);
	free(idx);
	free(same);
	return EXIT_OK;
}
