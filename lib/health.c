/* health.c: backup health from a listing; see health.h. */
#include "health.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "branchday.h"
#include "err.h"
#include "jsonline.h"
#include "timestamp.h"
#include "xalloc.h"

void
health_init(struct health *h)
{
	memset(h, 0, sizeof *h);
}

/* When the backup was taken: the time in its key, else when it was stored. */
static int64_t
taken(const struct listing_entry *e)
{
	struct timestamp_stamp st;
	long nsec;

	if (timestamp_find(e->key, e->key_len, &st))
		return timestamp_to_utc(&st, &nsec);
	return e->time;
}

void
health_add(struct health *h, const struct listing_entry *e)
{
	int64_t t = taken(e);
	int newer = h->count == 0 || t > h->newest_time;

	if (!newer && t == h->newest_time) {
		size_t n = strlen(h->newest_key);
		int c = memcmp(e->key, h->newest_key, n < e->key_len ? n : e->key_len);

		newer = c > 0 || (c == 0 && e->key_len > n);
	}
	h->count++;
	h->bytes += e->size;
	if (newer) {
		free(h->newest_key);
		h->newest_key = xstrndup(e->key, e->key_len);
		h->newest_time = t;
	}
}

double
health_age_hours(const struct health *h, int64_t now)
{
	return h->count ? (double)(now - h->newest_time) / 3600.0 : 0;
}

char *
health_json(const struct health *h, const char *branch, int64_t now)
{
	struct jsonline j;
	char t[BRANCHDAY_TIME_LEN], age[64];
	char *out = NULL;

	jsonline_init(&j);
	if (jsonline_str(&j, "branch_id", branch) < 0)
		goto out;
	jsonline_int(&j, "count", h->count);
	if (h->count) {
		branchday_rfc3339(h->newest_time, t);
		snprintf(age, sizeof age, "%.2f", health_age_hours(h, now));
		if (jsonline_str(&j, "newest_key", h->newest_key) < 0)
			goto out;
		jsonline_str(&j, "newest_time", t);
		jsonline_raw(&j, "age_hours", age);
	} else {
		jsonline_null(&j, "newest_key");
		jsonline_null(&j, "newest_time");
		jsonline_null(&j, "age_hours");
	}
	jsonline_int(&j, "total_bytes", h->bytes);
	out = xstrdup(jsonline_end(&j));
out:
	jsonline_free(&j);
	return out;
}

/* A label value with \, " and newline escaped, as the format wants. */
static char *
label(const char *s)
{
	char *out = xmalloc(2 * strlen(s) + 1), *p = out;

	for (; *s; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n')
			*p++ = '\\';
		*p++ = *s == '\n' ? 'n' : *s;
	}
	*p = '\0';
	return out;
}

static void
gauge(FILE *fp, const char *name, const char *help, const char *branch,
      long long v)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s gauge\n%s{branch=\"%s\"} %lld\n",
	        name, help, name, name, branch, v);
}

char *
health_prom(const struct health *h, const char *branch, int64_t now)
{
	char *b = label(branch), *out = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&out, &n);

	if (fp == NULL)
		die(EXIT_FAIL, "out of memory");
	gauge(fp, "strongbox_backups", "Backups in the listing.", b, h->count);
	gauge(fp, "strongbox_backups_bytes",
	      "Total size of the backups in the listing, in bytes.", b, h->bytes);
	if (h->count) {
		gauge(fp, "strongbox_backup_newest_timestamp_seconds",
		      "When the newest backup was stored, in seconds since the epoch.",
		      b, (long long)h->newest_time);
		gauge(fp, "strongbox_backup_newest_age_seconds",
		      "Age of the newest backup, in seconds.", b,
		      (long long)(now - h->newest_time));
	}
	if (fclose(fp) != 0 || out == NULL)
		die(EXIT_FAIL, "out of memory");
	free(b);
	return out;
}

void
health_free(struct health *h)
{
	free(h->newest_key);
	h->newest_key = NULL;
}
