/*
 * Unit tests of lib/health.c: backup health from a listing, as JSON and
 * in Prometheus text format.
 */
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "listing.h"
#include "tap.h"

/* Adds the supload -l line to h. */
static void
add(struct health *h, const char *line)
{
	struct listing_entry e;
	const char *why = NULL;

	if (listing_parse(line, strlen(line), &e, &why) == 0)
		health_add(h, &e);
	else
		ok(0, "a listing line: %s", why);
}

static void
test_health(void)
{
	struct health h;
	char *s;

	health_init(&h);
	s = health_json(&h, "b", 0);
	is_str(s, "{\"branch_id\":\"b\",\"count\":0,\"newest_key\":null,"
	       "\"newest_time\":null,\"age_hours\":null,\"total_bytes\":0}",
	       "health of nothing");
	free(s);
	s = health_prom(&h, "b", 0);
	ok(strstr(s, "strongbox_backups{branch=\"b\"} 0\n") &&
	   !strstr(s, "newest"), "prom of nothing has no newest");
	free(s);
	add(&h, "b/x_2\t10\t2026-02-17T16:30:00Z");
	add(&h, "b/x_3\t20\t2026-02-17T16:30:00Z");
	add(&h, "b/x_1\t5000000000\t2026-02-16T16:30:00Z");
	/* Stored last, but taken before: the key's time wins. */
	add(&h, "b/x_20260210_220000\t0\t2026-02-17T18:00:00Z");
	s = health_json(&h, "b", 1771345800 + 9000);
	is_str(s, "{\"branch_id\":\"b\",\"count\":4,\"newest_key\":\"b/x_3\","
	       "\"newest_time\":\"2026-02-17T22:00:00+05:30\",\"age_hours\":2.50,"
	       "\"total_bytes\":5000000030}",
	       "health: newest by the key's time, else stored time, then key; age, bytes");
	free(s);
	s = health_prom(&h, "a\"b\\c\n", 1771345800 + 9000);
	is_str(s,
	       "# HELP strongbox_backups Backups in the listing.\n"
	       "# TYPE strongbox_backups gauge\n"
	       "strongbox_backups{branch=\"a\\\"b\\\\c\\n\"} 4\n"
	       "# HELP strongbox_backups_bytes Total size of the backups in the listing, in bytes.\n"
	       "# TYPE strongbox_backups_bytes gauge\n"
	       "strongbox_backups_bytes{branch=\"a\\\"b\\\\c\\n\"} 5000000030\n"
	       "# HELP strongbox_backup_newest_timestamp_seconds When the newest backup was stored, in seconds since the epoch.\n"
	       "# TYPE strongbox_backup_newest_timestamp_seconds gauge\n"
	       "strongbox_backup_newest_timestamp_seconds{branch=\"a\\\"b\\\\c\\n\"} 1771345800\n"
	       "# HELP strongbox_backup_newest_age_seconds Age of the newest backup, in seconds.\n"
	       "# TYPE strongbox_backup_newest_age_seconds gauge\n"
	       "strongbox_backup_newest_age_seconds{branch=\"a\\\"b\\\\c\\n\"} 9000\n",
	       "prometheus text, label escaped");
	free(s);
	health_free(&h);
}


int
main(void)
{
	/* The newest backup's time is written in the branch's zone. */
	setenv("TZ", "Asia/Kolkata", 1);
	test_health();
	return done_testing();
}
