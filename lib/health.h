/*
 * health.h: the health of a branch's backups from a listing (supload -l
 * lines, listing.h): how many, the newest and its age, the bytes; as one
 * JSON line or in Prometheus' text exposition format (node_exporter's
 * textfile collector).
 */
#ifndef STRONGBOX_HEALTH_H
#define STRONGBOX_HEALTH_H

#include <stdint.h>

#include "listing.h"

struct health {
	long long count, bytes;
	char *newest_key; /* malloc'ed; NULL while count is 0 */
	int64_t newest_time;
};

void health_init(struct health *h);

/*
 * Counts e.  The newest is the one taken last: by the time in its key
 * (timestamp.h, as sprune dates names; a wall-clock time in TZ), else by
 * the time it was stored; the greater key on a tie.
 */
void health_add(struct health *h, const struct listing_entry *e);

/* Hours from the newest backup to now (0 when there is none). */
double health_age_hours(const struct health *h, int64_t now);

/*
 * {"branch_id","count","newest_key","newest_time","age_hours",
 * "total_bytes"}: newest_time RFC 3339 in TZ, age_hours with two
 * decimals; the newest's fields are null when there is no backup.
 * Returns a malloc'ed line without "\n", or NULL when the key or branch
 * is not valid UTF-8.
 */
char *health_json(const struct health *h, const char *branch, int64_t now);

/*
 * The same as Prometheus gauges with HELP and TYPE lines and a branch
 * label: strongbox_backups, strongbox_backups_bytes and, when there is a
 * backup, strongbox_backup_newest_timestamp_seconds and
 * strongbox_backup_newest_age_seconds.  Returns a malloc'ed text ending
 * in "\n".
 */
char *health_prom(const struct health *h, const char *branch, int64_t now);

void health_free(struct health *h);

#endif
