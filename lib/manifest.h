/*
 * manifest.h: the archive's metadata, the one definition of its format
 * (strongbox-archive(5)): the manifest (strongbox/manifest.json: what was
 * dumped, when, from which server, the tables in dependency order with
 * their columns) and the trailer (strongbox/trailer.json: per table its
 * rows, bytes, chunks and SHA-256, per member its size and SHA-256, the
 * end mark), and the format's name and version.  sdump builds both, the
 * archive reader parses both, supload --verify-archive looks at the
 * trailer, all through this file (jansson).
 */
#ifndef STRONGBOX_MANIFEST_H
#define STRONGBOX_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* The "format" and "version" of both members; a reader refuses others. */
#define MANIFEST_FORMAT_NAME    "strongbox"
#define MANIFEST_FORMAT_VERSION 1

struct manifest_name {
	char *schema;
	char *name;
};

struct manifest_column {
	char *name;
	char *type;
};

/* A table of the manifest. */
struct manifest_table {
	char *schema;
	char *name;
	char *dir; /* archive_names_table_dir(schema, name) */
	char kind; /* 'r', 'p' (a partition) */
	int level; /* foreign-key level, parents first */
	bool materialized_view;
	size_t ncolumns;
	struct manifest_column *columns;
	size_t nreferences;
	struct manifest_name *references;
	struct manifest_name partition_of; /* schema NULL: not a partition */
	/* What the archive reader counted of its data (0 when building). */
	uint64_t rows;
	uint64_t bytes;
	uint64_t chunks;
};

/* Tables whose foreign keys form a cycle. */
struct manifest_cycle {
	size_t ntables;
	struct manifest_name *tables;
};

struct manifest {
	int version;
	bool data_only;
	char *created; /* strings: "" when a parsed manifest has none */
	char *tool;
	char *server_version;
	long server_version_num;
	char *pg_dump_version; /* NULL when building: none (data only) */
	char *database;
	char *encoding;
	char *branch_id; /* NULL when building: none */
	char *compression;
	uint64_t chunk_size;
	long jobs;
	size_t ntable_patterns;
	char **table_patterns; /* -t, as given */
	size_t nexclude_patterns;
	char **exclude_patterns; /* -T */
	size_t ntables;
	struct manifest_table *tables; /* dependency order, parents first */
	size_t ncycles;
	struct manifest_cycle *cycles;
	size_t nmatviews;
	struct manifest_name *matviews;
	/*
	 * Hex SHA-256 of schema/pre-data.sql, which the reader checks before
	 * it hands the script out; NULL when building a data-only manifest,
	 * "" when a parsed one has none.
	 */
	char *pre_data_sha256;
	/* Private to manifest.c: a hash index of tables by schema and name. */
	size_t *index;
	size_t index_cap;
};

/*
 * The manifest member's JSON for m (format and version added).  A new
 * reference the caller owns; dies if jansson cannot build it.
 */
json_t *manifest_to_json(const struct manifest *m);

/*
 * Parses the manifest member's len bytes at buf.  Returns a new manifest
 * (free with manifest_free()), or NULL with why (one line, whylen bytes
 * at most) when it is not JSON, not of this format and version, or
 * malformed (a table listed twice included).
 */
struct manifest *manifest_parse(const char *buf, size_t len, char *why,
                                size_t whylen);

/* Frees a manifest that manifest_parse() returned (NULL is fine). */
void manifest_free(struct manifest *m);

/*
 * The index of the table of m with this schema and name, or (size_t)-1.
 * Constant time for a parsed manifest (a hash index).
 */
size_t manifest_find_table(const struct manifest *m, const char *schema,
                           const char *name);

/* A table's entry of the trailer. */
struct manifest_trailer_table {
	const char *schema; /* borrowed from the parsed JSON */
	const char *name;
	uint64_t rows;
	uint64_t bytes;
	uint64_t chunks;
	const char *sha256; /* 64 lowercase hex digits */
};

/* A member's entry of the trailer, in stream order. */
struct manifest_trailer_member {
	const char *name;
	uint64_t bytes;
	const char *sha256;
};

struct manifest_trailer {
	size_t ntables;
	struct manifest_trailer_table *tables;
	size_t nmembers;
	struct manifest_trailer_member *members;
	json_t *root; /* owns the strings */
};

/* One entry of the trailer's "tables"; a new reference. */
json_t *manifest_trailer_table(const char *schema, const char *name,
                               uint64_t rows, uint64_t bytes, uint64_t chunks,
                               const char *sha256);

/* One entry of the trailer's "members"; a new reference. */
json_t *manifest_trailer_member(const char *name, uint64_t bytes,
                                const char *sha256);

/*
 * The trailer member's JSON: complete, finished (RFC 3339), the tables'
 * and the members' entries (arrays of the two functions above, whose
 * references it takes).  A new reference the caller owns.
 */
json_t *manifest_trailer_to_json(const char *finished, json_t *tables,
                                 json_t *members);

/*
 * Parses the trailer member's len bytes at buf, strictly: a JSON object
 * of this format and version, complete, with well-formed "tables" and
 * "members".  Returns 0 and fills *t (free with
 * manifest_trailer_free()), or -1 with why.
 */
int manifest_trailer_parse(const char *buf, size_t len,
                           struct manifest_trailer *t, char *why,
                           size_t whylen);
void manifest_trailer_free(struct manifest_trailer *t);

/* A sequence of the sequences member (data/sequences.json). */
struct manifest_sequence {
	char *schema;
	char *name;
	long long last_value;
	bool is_called;
};

/* One entry of the sequences member; a new reference. */
json_t *manifest_sequence(const char *schema, const char *name,
                          long long last_value, bool is_called);

/*
 * The sequences member's JSON, {"sequences": [...]}, taking the reference
 * of the array of entries.  A new reference the caller owns.
 */
json_t *manifest_sequences_to_json(json_t *entries);

/*
 * Parses the sequences member.  Returns 0 and sets *seqs (*n of them,
 * free with manifest_sequences_free()), or -1 with why.
 */
int manifest_sequences_parse(const char *buf, size_t len,
                             struct manifest_sequence **seqs, size_t *n,
                             char *why, size_t whylen);
void manifest_sequences_free(struct manifest_sequence *seqs, size_t n);

/*
 * The shallow check of a trailer that supload --verify-archive makes, so
 * that it stays right while the format grows: a JSON object with "format"
 * "strongbox", a "tables" array and, when present, "complete" true.
 * Returns 0, or -1 with why.
 */
int manifest_trailer_check(const char *buf, size_t len, char *why,
                           size_t whylen);

#endif
