/* stagename.c: names and marks of srestore -j's databases; see stagename.h. */
#include "stagename.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "xalloc.h"

#define MARK_STAGING "strongbox staging database for "
#define MARK_REPLACED "strongbox replaced database of "

/* The first bytes of s, at most max, not cutting a UTF-8 character. */
static size_t
prefix_len(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

void
stagename_staging(const char *target, char out[STAGENAME_MAX + 1])
{
	uint32_t h = 2166136261u; /* FNV-1a */
	char suffix[32];
	size_t n;

	for (const unsigned char *p = (const unsigned char *)target; *p; p++)
		h = (h ^ *p) * 16777619u;
	snprintf(suffix, sizeof suffix, "_strongbox_%08x", (unsigned)h);
	n = prefix_len(target, STAGENAME_MAX - strlen(suffix));
	snprintf(out, STAGENAME_MAX + 1, "%.*s%s", (int)n, target, suffix);
}

void
stagename_old(const char *target, time_t t, unsigned n, char out[STAGENAME_MAX + 1])
{
	char suffix[48];
	struct tm tm;
	size_t len;

	gmtime_r(&t, &tm);
	len = strftime(suffix, sizeof suffix, "_old_%Y%m%d%H%M%S", &tm);
	if (n > 1)
		snprintf(suffix + len, sizeof suffix - len, "_%u", n);
	len = prefix_len(target, STAGENAME_MAX - strlen(suffix));
	snprintf(out, STAGENAME_MAX + 1, "%.*s%s", (int)len, target, suffix);
}

/* s is n digits (n > 0). */
static int
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

int
stagename_is_old(const char *target, const char *name)
{
	size_t len = strlen(name), end = len, stamp;

	/* "_N" (N from 2, no leading 0), then "_old_" and 14 digits. */
	while (end > 0 && name[end - 1] >= '0' && name[end - 1] <= '9')
		end--;
	if (end > 0 && name[end - 1] == '_' && len - end <= 2 && len > end &&
	    name[end] != '0' && strcmp(name + end, "1") != 0 && end >= 20 &&
	    strncmp(name + end - 20, "_old_", 5) == 0 && digits(name + end - 15, 14))
		stamp = end - 1;
	else
		stamp = len;
	if (stamp < 19 || strncmp(name + stamp - 19, "_old_", 5) != 0 ||
	    !digits(name + stamp - 14, 14))
		return 0;
	return prefix_len(target, STAGENAME_MAX - (len - (stamp - 19))) == stamp - 19 &&
	       strncmp(name, target, stamp - 19) == 0;
}

char *
stagename_marker(enum stagename_kind kind, const char *target)
{
	return xasprintf("%s%s", kind == STAGENAME_STAGING ? MARK_STAGING : MARK_REPLACED,
	                 target);
}

enum stagename_kind
stagename_parse_marker(const char *comment, char **target)
{
	*target = NULL;
	if (comment == NULL)
		return STAGENAME_NONE;
	if (strncmp(comment, MARK_STAGING, strlen(MARK_STAGING)) == 0 &&
	    comment[strlen(MARK_STAGING)] != '\0') {
		*target = xstrdup(comment + strlen(MARK_STAGING));
		return STAGENAME_STAGING;
	}
	if (strncmp(comment, MARK_REPLACED, strlen(MARK_REPLACED)) == 0 &&
	    comment[strlen(MARK_REPLACED)] != '\0') {
		*target = xstrdup(comment + strlen(MARK_REPLACED));
		return STAGENAME_REPLACED;
	}
	return STAGENAME_NONE;
}
