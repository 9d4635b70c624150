/*
 * stagename.h: the names srestore -j gives the databases it makes beside
 * the target NAME, and the comments that mark them as strongbox's, so
 * that a later run recognises the ones a killed run left behind.  The
 * staging database is NAME (cut to fit) followed by "_strongbox_" and 8 hex
 * digits of a hash of NAME; the replaced database is NAME (cut to fit)
 * followed by "_old_YYYYMMDDHHMMSS" (UTC), and "_N" (N from 2) when that
 * name is taken (two swaps in one second).  Names are at most 63 bytes,
 * PostgreSQL's limit, and never cut inside a UTF-8 character.  Pure.
 */
#ifndef STRONGBOX_STAGENAME_H
#define STRONGBOX_STAGENAME_H

#include <time.h>

#define STAGENAME_MAX 63

/* The staging database's name for target into out (64 bytes). */
void stagename_staging(const char *target, char out[STAGENAME_MAX + 1]);

/* The most names of replaced databases tried for one second. */
#define STAGENAME_OLD_TRIES 99

/*
 * The replaced database's name for target at time t into out (64 bytes):
 * the n-th for that second, n from 1 (no "_N") to STAGENAME_OLD_TRIES.
 */
void stagename_old(const char *target, time_t t, unsigned n,
                   char out[STAGENAME_MAX + 1]);

/*
 * Whether name is one that stagename_old() makes for target, at any time
 * and any n.  Returns 1 or 0.
 */
int stagename_is_old(const char *target, const char *name);

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
