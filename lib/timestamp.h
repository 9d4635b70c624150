/*
 * timestamp.h: finding the time a backup name was taken, wherever it is in a
 * line (sprune's input: `ls` output, `supload -l` listings).
 *
 * Recognised, each not preceded or followed by another digit:
 *   YYYYMMDD_HHMMSS  YYYYMMDDTHHMMSS[Z]       (date +%Y%m%d_%H%M%S)
 *   YYYY-MM-DDTHH-MM-SS[.fff][Z]              (file-name-safe ISO 8601)
 *   YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH[:MM]]   (ISO 8601, RFC 3339; T or space)
 *   YYYY-MM-DD                                (midnight)
 * A time without Z or an offset is a wall-clock time in TZ.  The first
 * position that holds a valid date and time wins; a match that is not a real
 * date (20261341_000000) is passed over for later ones.
 */
#ifndef STRONGBOX_TIMESTAMP_H
#define STRONGBOX_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

struct timestamp_stamp {
	size_t start, len; /* the timestamp's text is s[start, start + len) */
	int year, mon, mday, hour, min, sec;
	long nsec;
	int has_offset; /* the text gave Z or an offset */
	long offset;    /* then: seconds east of UTC */
};

/*
 * Finds the first valid timestamp in s[0, n) (NUL bytes allowed).  Returns 1
 * and fills *st, or returns 0 when there is none.
 */
int timestamp_find(const char *s, size_t n, struct timestamp_stamp *st);

/*
 * The part of a line that dates it: for a `supload -l` line (key TAB size
 * TAB time) the length of the key, else n.
 */
size_t timestamp_dated_span(const char *s, size_t n);

/*
 * The UTC time of a stamp: by its offset, or read in TZ (caltime.h).
 * Sets *nsec to the fraction of a second.
 */
int64_t timestamp_to_utc(const struct timestamp_stamp *st, long *nsec);

#endif
