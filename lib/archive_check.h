/*
 * archive_check.h: srestore's --check, --list and --list --roles, which
 * read a whole archive with no database and report on stdout as JSON
 * lines: the summary object, a line per table, or a line per role the
 * archive's ownership and privileges name.
 */
#ifndef STRONGBOX_ARCHIVE_CHECK_H
#define STRONGBOX_ARCHIVE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct archive_reader;

enum archive_check_mode {
	ARCHIVE_CHECK_SUMMARY, /* one object: ok, format, counts, roles */
	ARCHIVE_CHECK_TABLES,  /* a line per table (of patterns, if any) */
	ARCHIVE_CHECK_ROLES,   /* a line per role: owns, privileges */
};

/*
 * Runs r to its end, verifying every member, and prints what mode asks
 * for on stdout.  patterns (npatterns, may be 0) select the tables, as
 * srestore -t does.  sig_verified says whether r was made to require
 * signatures (the summary's "signatures" field).  A failed archive is
 * one line on stderr and exit 1 (after {"ok":false,"error":...} on stdout
 * in summary mode).  Returns only on success.
 */
void archive_check(struct archive_reader *r, enum archive_check_mode mode,
                   char *const *patterns, size_t npatterns, bool sig_verified);

#endif
