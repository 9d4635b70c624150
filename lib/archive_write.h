/*
 * archive_write.h: the writing end of a strongbox archive (version 1, see
 * strongbox-archive(5)): a pax tar stream made by libarchive, compressed
 * as a whole with zstd (libzstd, optionally on worker threads with 1 MiB
 * jobs), gzip (libarchive) or nothing, written to a file descriptor.
 *
 * Members are handed over whole (their size must be known for the tar
 * header) and written by a writer thread, so that compressing and writing
 * overlap with whatever produces the next member (COPY).  The writer keeps
 * each member's size and SHA-256 for the trailer.  Buffers for members come
 * from a bounded pool (archive_writer_buffer()), which bounds memory and
 * makes fast producers wait for the writer.
 *
 * Every function may be called from any thread.  A write error (a full
 * disk, a closed pipe) prints one line and exits 1 from whichever thread
 * meets it: the stream then has no trailer.
 */
#ifndef STRONGBOX_ARCHIVE_WRITE_H
#define STRONGBOX_ARCHIVE_WRITE_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

enum archive_compression_kind {
	ARCHIVE_COMPRESS_ZSTD,
	ARCHIVE_COMPRESS_GZIP,
	ARCHIVE_COMPRESS_NONE
};

struct archive_compression {
	enum archive_compression_kind kind;
	int level; /* 0: the default (zstd 3, gzip 6) */
};

/*
 * Parses "zstd", "zstd:LEVEL" (1-19), "gzip", "gzip:LEVEL" (1-9) or
 * "none" into *c.  Returns 0, or -1 for anything else.
 */
int archive_writer_parse_compression(const char *spec,
                                     struct archive_compression *c);

/*
 * The canonical spelling of c for the manifest: "zstd:3", "gzip:6",
 * "none".  Malloc'ed, the caller frees.
 */
char *archive_writer_compression_name(const struct archive_compression *c);

/* A buffer a producer fills and hands to archive_writer_add_buffer(). */
struct archive_buffer {
	char *data;
	size_t len; /* bytes used */
	size_t cap; /* bytes allocated */
};

struct archive_writer;

/*
 * Starts an archive on fd (not closed by the writer).  mtime is every
 * member's time.  threads > 0 lets zstd compress with that many worker
 * threads (each costs a few MiB).  buffer_size is the usual capacity of a pool buffer and nbuffers
 * the number of them (the pool never holds more than nbuffers buffers).
 * Dies (exit 1) if libarchive refuses the settings.
 */
struct archive_writer *archive_writer_open(int fd,
                                           const struct archive_compression *c,
                                           int threads, time_t mtime,
                                           size_t buffer_size, int nbuffers);

/*
 * Takes a buffer from the pool, empty, with at least the pool's capacity;
 * waits while all are in use.  Give it back with archive_writer_add_buffer()
 * or archive_writer_release().
 */
struct archive_buffer *archive_writer_buffer(struct archive_writer *w);

/* Returns an unused buffer to the pool. */
void archive_writer_release(struct archive_writer *w, struct archive_buffer *b);

/*
 * Queues member name (copied) with the bytes of b, which the writer owns
 * from now on and returns to the pool once written.  Members are written in
 * the order they are queued.
 */
void archive_writer_add_buffer(struct archive_writer *w, const char *name,
                               struct archive_buffer *b);

/* Queues member name with a copy of len bytes at data. */
void archive_writer_add(struct archive_writer *w, const char *name,
                        const void *data, size_t len);

/*
 * Writes member name from the len bytes that fp holds from its start (a
 * temporary file), after everything queued before it.  fp is not closed.
 * Dies if fp holds fewer bytes.
 */
void archive_writer_add_file(struct archive_writer *w, const char *name,
                             FILE *fp, size_t len);

/*
 * Waits until every queued member is written, then returns the list of
 * members written so far as a new JSON array of {"name","bytes","sha256"}
 * (the caller owns the reference).
 */
json_t *archive_writer_members(struct archive_writer *w);

/*
 * Bytes written to fd so far (compressed), for progress reports.
 */
unsigned long long archive_writer_bytes_out(struct archive_writer *w);

/*
 * Writes everything queued, ends the tar stream and the compression, and
 * frees w.  Returns the bytes written to fd in all.  Dies on any write
 * error.
 */
unsigned long long archive_writer_close(struct archive_writer *w);

#endif
