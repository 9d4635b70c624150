/*
 * put.h: what a put shares whichever target takes it (target.h): its
 * options, its result, the part limits of the S3 API (which the
 * directory put keeps too, so that an upload that works in a directory
 * works on S3), and the loop that reads the input into a buffer.  The
 * directory put (target.c) and the S3 put (s3put.c) both build on this
 * file; it builds on s3.h only, for the status and the cancellation.
 */
#ifndef STRONGBOX_PUT_H
#define STRONGBOX_PUT_H

#include <stddef.h>
#include <sys/types.h>

#include "s3.h"

#define PUT_MIN_PART  (5LL << 20)
#define PUT_MAX_PART  (5LL << 30)
#define PUT_MAX_PARTS 10000

struct put_opts {
	size_t part_size; /* >= PUT_MIN_PART */
	int concurrency;  /* parts in flight, >= 1 */
	/* Sees every input byte, in order, from the reading thread; or NULL. */
	void (*tap)(void *ctx, const void *data, size_t len);
	/*
	 * Asked once at the end of the input, before the object is made
	 * visible: returns 0 to go on, or -1 with why (one line) filled to
	 * abandon the put.  Or NULL.
	 */
	int (*accept)(void *ctx, char *why, size_t whylen);
	void *ctx;
	/*
	 * Where the bytes to store come from instead of the put's fd (an
	 * encryption, ageput.h): fills buf as put_fill() does, with its
	 * contract.  Or NULL.
	 */
	ssize_t (*fill)(void *fctx, char *buf, size_t want, int *eof,
		struct s3_status *st);
	void *fctx;
	/*
	 * The bytes stored are an age stream (encrypted here, or by
	 * --encrypted's caller): S3 parts go as UNSIGNED-PAYLOAD (s3.h).
	 */
	int sealed;
	/* Told the total read so far, now and then; or NULL. */
	void (*progress)(void *pctx, long long bytes);
	void *pctx;
};

struct put_result {
	long long bytes;
	char sha256[65]; /* hex SHA-256 of the whole input */
	char *etag;      /* malloc'ed, quotes removed */
	int parts;       /* 1 for a single PUT or a file */
};

/*
 * Reads from fd until want bytes are in buf or the input ends (then sets
 * *eof), retrying EINTR unless the put was cancelled (s3_cancel()).
 * Returns the bytes read, or -1 with st set ("cancelled", or the read
 * error).
 */
ssize_t put_fill(int fd, char *buf, size_t want, int *eof,
                 struct s3_status *st);

/*
 * The bytes to store: o->fill's, else put_fill() from fd.  Same return
 * and *eof as put_fill().
 */
ssize_t put_read(const struct put_opts *o, int fd, char *buf, size_t want,
	int *eof, struct s3_status *st);

#endif
