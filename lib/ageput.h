/*
 * ageput.h: an age encryption (age.h) as the source of a put (put.h):
 * the plaintext is read from a file descriptor a chunk (64 KiB) at a time
 * and each chunk is encrypted straight into the put's own buffer, in the
 * put's reading thread: no thread, pipe or copy in between, so that
 * encryption costs little more than ChaCha20-Poly1305 itself.  It also
 * counts the plaintext and takes its SHA-256 (the report's "sha256"), and
 * shows it to a tap (supload --verify-archive's probe).
 */
#ifndef STRONGBOX_AGEPUT_H
#define STRONGBOX_AGEPUT_H

#include <stddef.h>
#include <sys/types.h>

#include "age.h"
#include "put.h"

struct ageput;

/*
 * Starts encrypting what fd holds, to its end, for the n recipients: the
 * header is made now and handed out first.  tap, if not NULL, sees every
 * plaintext byte in order.  Returns the source (free with ageput_free()),
 * or NULL with why filled (OpenSSL failed).
 */
struct ageput *ageput_new(int fd, const struct age_recipient *r, size_t n,
	void (*tap)(void *ctx, const void *data, size_t len), void *ctx,
	char *why, size_t whylen);

/*
 * The put_opts.fill of an encrypted put (a is the struct ageput *):
 * writes the next bytes of the age file to buf, up to want, as
 * put_fill() reads an input: returns the bytes written (want unless the
 * age file ended, then *eof is set), or -1 with st set ("cancelled",
 * the read error, or OpenSSL's failure).
 */
ssize_t ageput_fill(void *a, char *buf, size_t want, int *eof,
	struct s3_status *st);

/*
 * Once the age file was handed out to its end: the plaintext's length to
 * *bytes and its hex SHA-256 to sha256 (65 bytes).  Returns 0, or -1 with
 * why filled if the file did not end (a put that stopped early).
 */
int ageput_finish(struct ageput *a, long long *bytes, char sha256[65],
	char *why, size_t whylen);

/* Wipes the plaintext and keys it holds and frees a (NULL is fine). */
void ageput_free(struct ageput *a);

#endif
