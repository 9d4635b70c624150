/*
 * duration.h: the DURATION of --lock-timeout, the same in every tool that
 * takes locks (sdump, srestore, spurge): a whole number followed by "ms",
 * "s" or "min", a bare number being seconds ("500ms", "30s", "2min", "45").
 * The default is DURATION_LOCK_TIMEOUT_DEFAULT.
 */
#ifndef STRONGBOX_DURATION_H
#define STRONGBOX_DURATION_H

/* The default --lock-timeout, as text and in milliseconds. */
#define DURATION_LOCK_TIMEOUT_DEFAULT "30s"
#define DURATION_LOCK_TIMEOUT_DEFAULT_MS 30000L

/* The largest duration accepted: PostgreSQL's lock_timeout is an int. */
#define DURATION_MAX_MS 2147483647L

/*
 * Parses s as above into *ms (milliseconds).  Returns 0 on success, -1
 * when s is not a duration, is zero, or is longer than DURATION_MAX_MS
 * (*ms is then left alone).
 */
int duration_parse(const char *s, long *ms);

/*
 * duration_parse() for the argument of option (e.g. "--lock-timeout"):
 * returns the milliseconds, or on error prints one line naming the option
 * and the accepted forms, and exits 2.
 */
long duration_option(const char *option, const char *s);

/*
 * Writes ms the way a user would write it ("30s", "500ms", "2min", "90s")
 * into buf of size n (16 bytes are enough); returns buf.
 */
char *duration_format(long ms, char *buf, unsigned long n);

#endif
