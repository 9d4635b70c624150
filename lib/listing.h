/*
 * listing.h: the lines of `supload -l` (key TAB size TAB time, the time in
 * RFC 3339), as smetrics --health and --missing read them.
 */
#ifndef STRONGBOX_LISTING_H
#define STRONGBOX_LISTING_H

#include <stddef.h>
#include <stdint.h>

struct listing_entry {
	const char *key; /* points into the line; not NUL-terminated */
	size_t key_len;
	long long size;  /* bytes */
	int64_t time;    /* seconds since the epoch */
};

/*
 * Parses line[0, n): the key is everything before the last two tabs (so
 * that a key may hold a tab), the size decimal digits, the time RFC 3339
 * with Z or an offset.  Returns 0 and fills *e, or -1 and sets *why to a
 * static reason ("not key TAB size TAB time", "bad size", "bad time",
 * "empty key").
 */
int listing_parse(const char *line, size_t n, struct listing_entry *e,
                  const char **why);

/*
 * The day a metrics key names: a key whose last component is
 * YYYY-MM-DD.json (a real date).  Returns 0 and sets *day (a caltime.h day
 * number), or -1 for another key.
 */
int listing_metrics_day(const char *key, size_t n, int64_t *day);

#endif
