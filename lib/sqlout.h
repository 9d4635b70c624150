/*
 * sqlout.h: a strongbox archive as a plain SQL script for psql
 * (srestore --sql), in one transaction that commits only if the whole
 * archive verified: psql runs nothing but SQL between a \restrict with a
 * random key and its \unrestrict, archive strings appear only as JSON
 * strings in comments, and setval() and post-data come only once the
 * trailer vouched for everything.
 */
#ifndef STRONGBOX_SQLOUT_H
#define STRONGBOX_SQLOUT_H

#include <stddef.h>

#include "archive_read.h"

/*
 * Reads the archive r and writes the script to stdout, with the rows of
 * the tables the patterns select (restore_select()).  When the archive is
 * bad or stdout fails, dies (exit 1) with what was written ending in no
 * COMMIT, so that psql rolls it back.
 */
void sqlout_print(struct archive_reader *r, char *const *patterns,
                  size_t npatterns);

#endif
