/* listing.c: supload -l lines; see listing.h. */
#include "listing.h"

#include <string.h>

#include "branchday.h"
#include "timestamp.h"

static const char *
last_tab(const char *s, size_t n)
{
	while (n > 0)
		if (s[--n] == '\t')
			return s + n;
	return NULL;
}

int
listing_parse(const char *line, size_t n, struct listing_entry *e,
              const char **why)
{
	const char *t2 = last_tab(line, n), *t1, *p;
	struct timestamp_stamp st;
	size_t tlen;
	long nsec;

	t1 = t2 ? last_tab(line, (size_t)(t2 - line)) : NULL;
	if (t1 == NULL || memchr(line, '\0', n) != NULL) {
		*why = "not key TAB size TAB time";
		return -1;
	}
	if (t1 == line) {
		*why = "empty key";
		return -1;
	}
	e->key = line;
	e->key_len = (size_t)(t1 - line);
	e->size = 0;
	if (t2 - t1 < 2 || t2 - t1 > 19) {
		*why = "bad size";
		return -1;
	}
	for (p = t1 + 1; p < t2; p++) {
		if (*p < '0' || *p > '9') {
			*why = "bad size";
			return -1;
		}
		e->size = e->size * 10 + (*p - '0');
	}
	p = t2 + 1;
	tlen = (size_t)(line + n - p);
	if (!timestamp_find(p, tlen, &st) || st.start != 0 || st.len != tlen ||
	    !st.has_offset) {
		*why = "bad time";
		return -1;
	}
	e->time = timestamp_to_utc(&st, &nsec);
	return 0;
}

int
listing_metrics_day(const char *key, size_t n, int64_t *day)
{
	static const char suffix[] = ".json";
	size_t sl = sizeof suffix - 1;
	char date[11];

	if (n < 10 + sl || memcmp(key + n - sl, suffix, sl) != 0)
		return -1;
	if (n > 10 + sl && key[n - sl - 11] != '/')
		return -1;
	memcpy(date, key + n - sl - 10, 10);
	date[10] = '\0';
	return branchday_parse(date, 0, day);
}
