/*
 * archive_names.h: the member names of a strongbox archive (version 1, see
 * strongbox-archive(5)), shared by the writer (sdump) and the readers
 * (srestore, supload): the fixed members, the table directory encoding and
 * chunk numbering.  Pure string work, no I/O.
 *
 * A table directory is "<schema>.<table>" where each identifier is
 * percent-encoded: every byte that is not [A-Za-z0-9_-] becomes %XX
 * (uppercase hex), so the one unencoded '.' separates schema from table.
 */
#ifndef STRONGBOX_ARCHIVE_NAMES_H
#define STRONGBOX_ARCHIVE_NAMES_H

#include <stddef.h>

#define ARCHIVE_MEMBER_MANIFEST "strongbox/manifest.json"
#define ARCHIVE_MEMBER_PRE_DATA "schema/pre-data.sql"
#define ARCHIVE_MEMBER_SEQUENCES "data/sequences.json"
#define ARCHIVE_MEMBER_POST_DATA "schema/post-data.sql"
#define ARCHIVE_MEMBER_TRAILER "strongbox/trailer.json"
/* minisign signatures (minisign.h), each right after the member it signs */
#define ARCHIVE_SIG_SUFFIX ".minisig"
#define ARCHIVE_MEMBER_MANIFEST_SIG "strongbox/manifest.json.minisig"
#define ARCHIVE_MEMBER_TRAILER_SIG "strongbox/trailer.json.minisig"

enum archive_member_kind {
	ARCHIVE_MEMBER_UNKNOWN = 0, /* not a name of the format */
	ARCHIVE_MEMBER_IS_MANIFEST,
	ARCHIVE_MEMBER_IS_PRE_DATA,
	ARCHIVE_MEMBER_IS_CHUNK, /* data/<dir>/<NNNNNN>.copy */
	ARCHIVE_MEMBER_IS_SEQUENCES,
	ARCHIVE_MEMBER_IS_POST_DATA,
	ARCHIVE_MEMBER_IS_TRAILER,
	ARCHIVE_MEMBER_IS_MANIFEST_SIG,
	ARCHIVE_MEMBER_IS_TRAILER_SIG
};

/*
 * Percent-encodes one identifier as above.  Returns a malloc'ed string the
 * caller frees.
 */
char *archive_names_encode(const char *ident);

/*
 * Decodes the len bytes at enc, which must be a canonical encoding (only
 * [A-Za-z0-9_-] and %XX with uppercase hex, where XX is a byte that needed
 * encoding, and not NUL).  Returns a malloc'ed string, or NULL when enc is
 * not canonical.
 */
char *archive_names_decode(const char *enc, size_t len);

/* "<enc(schema)>.<enc(table)>"; malloc'ed, the caller frees. */
char *archive_names_table_dir(const char *schema, const char *table);

/*
 * Splits a table directory into its decoded schema and table (malloc'ed,
 * the caller frees both).  Returns 0, or -1 when dir is not a canonical
 * directory name (then *schema and *table are untouched).
 */
int archive_names_split_dir(const char *dir, char **schema, char **table);

/*
 * "data/<dir>/<NNNNNN>.copy" for the 1-based chunk number n (6 digits at
 * least, zero-padded).  Malloc'ed, the caller frees.
 */
char *archive_names_chunk(const char *dir, unsigned long n);

/*
 * What name is.  For a chunk, sets *dir (malloc'ed, the caller frees; may
 * be NULL to ignore) and *chunk (may be NULL) to its directory and number;
 * a chunk name must be canonical (number >= 1, formatted as
 * archive_names_chunk() does, directory canonical), or it is unknown.
 */
enum archive_member_kind archive_names_classify(const char *name, char **dir,
                                                unsigned long *chunk);

#endif
