/*
 * agepipe.h: an age filter (age.h) run in a thread of its own between a
 * file descriptor and a pipe, so that code that moves bytes between file
 * descriptors (target_put, target_get) encrypts or decrypts on the way
 * with bounded memory.  supload's put and get use it.
 */
#ifndef STRONGBOX_AGEPIPE_H
#define STRONGBOX_AGEPIPE_H

#include <stddef.h>

#include "age.h"

struct agepipe;

/*
 * Starts encrypting what in_fd holds, to its end, for the n recipients
 * (copied).  *out_fd is the read end of a pipe that carries the age file;
 * the caller reads it to its end, then calls agepipe_finish() (or closes
 * it, on failure, so that the thread ends).  tap, if not NULL, sees every
 * plaintext byte in order, from the thread.  Dies (exit 1) if it cannot
 * make the pipe or the thread.
 */
struct agepipe *agepipe_encrypt(int in_fd, const struct age_recipient *r,
	size_t n, void (*tap)(void *ctx, const void *data, size_t len),
	void *ctx, int *out_fd);

/*
 * Starts decrypting, with the n identities (copied), what is written to
 * *in_fd (the write end of a pipe) and writes the plaintext to out_fd.
 * Nothing reaches out_fd before the header opened with an identity.  An
 * input that does not start like an age file is copied as it is.  The
 * caller closes *in_fd when done writing, then calls agepipe_finish().
 */
struct agepipe *agepipe_decrypt(int out_fd, const struct age_identity *ids,
	size_t n, int *in_fd);

/*
 * Waits for the thread and frees p.  Returns 0, or -1 with why filled
 * with the filter's failure (one line, e.g. "no identity matches any
 * recipient").  For an encryption, the plaintext's length and hex SHA-256
 * go to *bytes and sha256 (65 bytes) when not NULL.  For a decryption,
 * *was_encrypted (if not NULL) tells whether the input was an age file.
 */
int agepipe_finish(struct agepipe *p, long long *bytes, char *sha256,
	int *was_encrypted, char *why, size_t whylen);

/*
 * 1 when the pipe's thread has failed already (so that a write error on
 * the pipe is its consequence, not the cause).
 */
int agepipe_failed(struct agepipe *p);

#endif
