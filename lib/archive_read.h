/*
 * archive_read.h: the streaming reader of a strongbox archive (version 1,
 * strongbox-archive(5)).  It owns everything a reader must check: the
 * container (tar, compression detected by libarchive, read as a stream
 * with no seeking), member names and their order, the manifest, every
 * member's and every table's bytes, rows, chunks and SHA-256 against the
 * trailer, and that nothing follows the trailer.
 *
 * The reader hands its caller events in stream order (manifest, pre-data
 * script, chunk data for table X in blocks as they arrive, sequences,
 * post-data script, trailer verified).  Memory stays bounded: chunk data
 * is never held whole, only the SQL and JSON members are (64 MiB each at
 * most; a larger one is refused).
 *
 * No archive content that could run reaches the caller unchecked: the
 * pre-data script only once its SHA-256 matched the manifest's
 * "pre_data_sha256", the post-data script only after the trailer verified
 * every member, both only if sqlguard.h finds nothing it refuses; a chunk
 * block only if no line of the chunk so far starts with "\." (which COPY
 * text output never writes, and which would end a COPY early in psql).
 *
 * In threaded mode a reader thread decompresses, hashes and parses while
 * the calling thread handles the events (e.g. streams COPY data to a
 * server), with a bounded queue between them, so the two overlap.
 */
#ifndef STRONGBOX_ARCHIVE_READ_H
#define STRONGBOX_ARCHIVE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

enum archive_reader_event_type {
	ARCHIVE_READER_MANIFEST,    /* the manifest was read and checked */
	ARCHIVE_READER_PRE_DATA,    /* data/len: the pre-data script, NUL-terminated */
	ARCHIVE_READER_CHUNK_BEGIN, /* table: index into manifest tables; chunk: number */
	ARCHIVE_READER_CHUNK_DATA,  /* table; data/len: the next bytes of the chunk */
	ARCHIVE_READER_CHUNK_END,   /* table; chunk; rows: rows in this chunk */
	ARCHIVE_READER_SEQUENCES,   /* archive_reader_sequences() is now valid */
	ARCHIVE_READER_POST_DATA,   /* data/len: the post-data script, NUL-terminated;
	                   held back until the trailer verified every member */
	ARCHIVE_READER_TRAILER      /* the trailer checked out, nothing followed it */
};

struct archive_reader_event {
	enum archive_reader_event_type type;
	size_t table;
	uint64_t chunk;
	uint64_t rows;
	const char *data; /* valid until the callback returns */
	size_t len;
};

/*
 * Called for each event.  Returns 0 to go on; anything else stops the
 * reading and archive_reader_run() returns that value.
 */
typedef int (*archive_reader_callback)(void *ctx, const struct archive_reader_event *ev);

struct archive_reader;

/*
 * A reader of the archive on fd, which is read as a stream.  prefix holds
 * len bytes the caller already read from fd (e.g. to look for another
 * format's magic): they come first.  Both are borrowed until
 * archive_reader_free().  A read waiting on fd gives up within 200 ms
 * of SIGINT or SIGTERM (cancel.h), or of the callback stopping a threaded
 * run: the archive is then unreadable ("cancelled"), so that a stalled
 * pipe never holds up a cancelled run.
 */
struct archive_reader *archive_reader_new_fd(int fd, const void *prefix,
                                           size_t len);

/* A reader of the len bytes at buf (borrowed), for tests and fuzzing. */
struct archive_reader *archive_reader_new_memory(const void *buf, size_t len);

/*
 * Reads the whole archive, calling cb for each event.  threaded: a reader
 * thread does the reading, decompressing and hashing, queue_bytes (0: a
 * default of 8 MiB) bounding what is queued for cb.  Returns 0 when the
 * archive was read to its end and verified (ARCHIVE_READER_TRAILER was delivered), -1
 * when the archive is bad or unreadable (archive_reader_error() says why in
 * one line), or the nonzero value cb returned.  Call once per reader.
 */
int archive_reader_run(struct archive_reader *r, bool threaded,
                     size_t queue_bytes, archive_reader_callback cb, void *ctx);

struct minisign_pub;

/*
 * Makes r demand minisign signatures by pk (copied): the manifest's member
 * strongbox/manifest.json.minisig right after it, checked before
 * ARCHIVE_READER_MANIFEST is delivered (so nothing of the archive is acted on
 * unsigned), and the trailer's, checked before ARCHIVE_READER_TRAILER.  An unsigned
 * archive, another key or a bad signature makes archive_reader_run()
 * fail.  Without it, signature members are accepted in their places and
 * not checked.  Call before archive_reader_run().
 */
void archive_reader_require_signatures(struct archive_reader *r,
                                       const struct minisign_pub *pk);

/*
 * Makes r accept a manifest without "pre_data_sha256" (an archive made
 * before strongbox 0.2), with one warning on stderr: its pre-data is then
 * delivered unverified, screened by lib/sqlguard only.  For --check and
 * --list, which run nothing, and for a restore the user asked for by name
 * (srestore --legacy-pre-data).  Ignored when signatures are required: a
 * signed archive always carries the digest.  Call before
 * archive_reader_run().
 */
void archive_reader_allow_undigested_pre_data(struct archive_reader *r);

/* How many signature members were read (and, if required, verified). */
int archive_reader_signatures(const struct archive_reader *r);

/* Why archive_reader_run() returned -1: one line, no program name. */
const char *archive_reader_error(const struct archive_reader *r);

/* The manifest, valid from ARCHIVE_READER_MANIFEST on until archive_reader_free(). */
const struct manifest *archive_reader_manifest(const struct archive_reader *r);

/* The sequences, valid from ARCHIVE_READER_SEQUENCES on until archive_reader_free(). */
const struct manifest_sequence *archive_reader_sequences(const struct archive_reader *r,
                                                size_t *n);

/* Totals over what was read so far: members, and bytes of input. */
struct archive_reader_stats {
	uint64_t members;
	uint64_t rows;
	uint64_t data_bytes;     /* uncompressed chunk bytes */
	uint64_t input_bytes;    /* bytes read from the fd (compressed) */
	double reader_cpu;       /* CPU seconds of the reading thread */
	double reader_wait;      /* seconds it waited for queue space */
	double consumer_wait;    /* seconds the caller waited for events */
};
void archive_reader_stats(const struct archive_reader *r, struct archive_reader_stats *st);

/* Frees the reader, its manifest and sequences. */
void archive_reader_free(struct archive_reader *r);

#endif
