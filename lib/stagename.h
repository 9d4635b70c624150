/*
 * stagename.h: the names srestore -j gives the databases it makes beside
 * the target NAME, and the comments that mark them as strongbox's, so
 * that a later run recognises the ones a killed run left behind.  The
 * staging database is NAME (cut to fit) followed by "_strongbox_" and 8 hex
 * digits of a hash of NAME; the replaced database is NAME (cut to fit)
 * followed by "_old_YYYYMMDDHHMMSS" (UTC).  Names are at most 63 bytes,
 * PostgreSQL's limit, and never cut inside a UTF-8 character.  Pure.
 */
#ifndef STRONGBOX_STAGENAME_H
#define STRONGBOX_STAGENAME_H

#include <time.h>

#define STAGENAME_MAX 63

/* The staging database's name for target into out (64 bytes). */
void stagename_staging(const char *target, char out[STAGENAME_MAX + 1]);

/* The replaced database's name for target at time t into out (64 bytes). */
void stagename_old(const char *target, time_t t, char out[STAGENAME_MAX + 1]);

enum stagename_kind {
	STAGENAME_NONE = 0,
	STAGENAME_STAGING, /* being built; dropped by any failure */
	STAGENAME_REPLACED /* the old database after a swap, to be dropped */
};

/* The comment marking a database of this kind for target; malloc'ed. */
char *stagename_marker(enum stagename_kind kind, const char *target);

/*
 * The kind of a database whose comment is comment (NULL: none), and the
 * target it was made for (*target malloc'ed, or NULL for STAGENAME_NONE).
 */
enum stagename_kind stagename_parse_marker(const char *comment, char **target);

#endif
