/* timestamp.c: timestamps in backup names; see timestamp.h. */
#include "timestamp.h"

#include "caltime.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads k digits at s[i]; -1 unless all k are there. */
static int
digits(const char *s, size_t n, size_t i, int k)
{
	int v = 0;

	if (i + (size_t)k > n)
		return -1;
	for (int j = 0; j < k; j++) {
		if (!is_digit(s[i + j]))
			return -1;
		v = v * 10 + (s[i + j] - '0');
	}
	return v;
}

static int
at(const char *s, size_t n, size_t i, char c)
{
	return i < n && s[i] == c;
}

static int
valid(const struct timestamp_stamp *st)
{
	return st->year >= 1 && st->mon >= 1 && st->mon <= 12 &&
	       st->mday >= 1 &&
	       st->mday <= caltime_days_in_month(st->year, st->mon) &&
	       st->hour <= 23 && st->min <= 59 && st->sec <= 59 &&
	       st->offset > -24 * 3600 && st->offset < 24 * 3600;
}

/* Reads ".fff" (any number of digits) at *i into nsec. */
static void
fraction(const char *s, size_t n, size_t *i, long *nsec)
{
	long scale = 100000000;

	if (!(at(s, n, *i, '.') || at(s, n, *i, ',')) || *i + 1 >= n ||
	    !is_digit(s[*i + 1]))
		return;
	for ((*i)++; *i < n && is_digit(s[*i]); (*i)++) {
		*nsec += (s[*i] - '0') * scale;
		scale /= 10;
	}
}

/* Reads "Z", "+HH", "+HHMM" or "+HH:MM" at *i, if there. */
static void
zone(const char *s, size_t n, size_t *i, struct timestamp_stamp *st)
{
	int sign, hh, mm = 0;
	size_t j = *i;

	if (at(s, n, j, 'Z') || at(s, n, j, 'z')) {
		st->has_offset = 1;
		st->offset = 0;
		*i = j + 1;
		return;
	}
	if (!at(s, n, j, '+') && !at(s, n, j, '-'))
		return;
	sign = s[j] == '-' ? -1 : 1;
	if ((hh = digits(s, n, j + 1, 2)) < 0)
		return;
	j += 3;
	if (at(s, n, j, ':') && digits(s, n, j + 1, 2) >= 0) {
		mm = digits(s, n, j + 1, 2);
		j += 3;
	} else if (digits(s, n, j, 2) >= 0) {
		mm = digits(s, n, j, 2);
		j += 2;
	}
	if (j < n && is_digit(s[j]))
		return; /* "+1234567": not an offset */
	st->has_offset = 1;
	st->offset = sign * (hh * 3600L + mm * 60L);
	*i = j;
}

/* Tries each form at s[i]; returns the end of the match or 0. */
static size_t
match_at(const char *s, size_t n, size_t i, struct timestamp_stamp *st)
{
	size_t j;

	*st = (struct timestamp_stamp){.start = i};
	if ((st->year = digits(s, n, i, 4)) < 0)
		return 0;
	if (digits(s, n, i + 4, 4) >= 0) {
		/* YYYYMMDD_HHMMSS or YYYYMMDDTHHMMSS */
		if (!(at(s, n, i + 8, '_') || at(s, n, i + 8, 'T')))
			return 0;
		st->mon = digits(s, n, i + 4, 2);
		st->mday = digits(s, n, i + 6, 2);
		st->hour = digits(s, n, i + 9, 2);
		st->min = digits(s, n, i + 11, 2);
		st->sec = digits(s, n, i + 13, 2);
		if (st->hour < 0 || st->min < 0 || st->sec < 0)
			return 0;
		/* ISO 8601 basic format in UTC; no +hhmm: "-01" is a part. */
		if (at(s, n, i + 15, 'Z')) {
			st->has_offset = 1;
			return i + 16;
		}
		return i + 15;
	}
	if (!at(s, n, i + 4, '-') || !at(s, n, i + 7, '-'))
		return 0;
	st->mon = digits(s, n, i + 5, 2);
	st->mday = digits(s, n, i + 8, 2);
	if (st->mon < 0 || st->mday < 0)
		return 0;
	j = i + 10;
	if ((at(s, n, j, 'T') || at(s, n, j, 't') || at(s, n, j, ' ')) &&
	    digits(s, n, j + 1, 2) >= 0) {
		int hh = digits(s, n, j + 1, 2);
		char sep = j + 3 < n ? s[j + 3] : 0;

		if (sep == '-' && s[j] != ' ' && digits(s, n, j + 4, 2) >= 0 &&
		    at(s, n, j + 6, '-') && digits(s, n, j + 7, 2) >= 0) {
			/* YYYY-MM-DDTHH-MM-SS[.fff][Z] */
			st->hour = hh;
			st->min = digits(s, n, j + 4, 2);
			st->sec = digits(s, n, j + 7, 2);
			j += 9;
			fraction(s, n, &j, &st->nsec);
			if (at(s, n, j, 'Z')) {
				st->has_offset = 1;
				j++;
			}
			return j;
		}
		if (sep == ':' && digits(s, n, j + 4, 2) >= 0) {
			/* ISO 8601 with colons, offset optional */
			st->hour = hh;
			st->min = digits(s, n, j + 4, 2);
			j += 6;
			if (at(s, n, j, ':') && digits(s, n, j + 1, 2) >= 0) {
				st->sec = digits(s, n, j + 1, 2);
				j += 3;
				fraction(s, n, &j, &st->nsec);
			}
			zone(s, n, &j, st);
			return j;
		}
	}
	return j; /* YYYY-MM-DD */
}

int
timestamp_find(const char *s, size_t n, struct timestamp_stamp *st)
{
	for (size_t i = 0; i + 10 <= n; i++) {
		size_t end;

		if (!is_digit(s[i]) || (i > 0 && is_digit(s[i - 1])))
			continue;
		end = match_at(s, n, i, st);
		if (end == 0 || (end < n && is_digit(s[end])) || !valid(st))
			continue;
		st->len = end - st->start;
		return 1;
	}
	return 0;
}

size_t
timestamp_dated_span(const char *s, size_t n)
{
	size_t tab1 = n, tab2 = n, tabs = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\t')
			continue;
		if (tabs == 0)
			tab1 = i;
		else if (tabs == 1)
			tab2 = i;
		tabs++;
	}
	if (tabs != 2 || tab2 == tab1 + 1)
		return n;
	for (size_t i = tab1 + 1; i < tab2; i++)
		if (!is_digit(s[i]))
			return n;
	return tab1;
}

int64_t
timestamp_to_utc(const struct timestamp_stamp *st, long *nsec)
{
	struct caltime_fields f = {st->year, st->mon, st->mday,
	                       st->hour, st->min, st->sec};

	*nsec = st->nsec;
	if (st->has_offset)
		return caltime_days_from_civil(st->year, st->mon, st->mday) * 86400 +
		       st->hour * 3600L + st->min * 60L + st->sec - st->offset;
	return caltime_from_local(&f);
}
