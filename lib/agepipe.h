/*
 * agepipe.h: an age decryption (age.h) run in a thread of its own between
 * a pipe and a file descriptor, so that code that writes to a file
 * descriptor (target_get) decrypts on the way with bounded memory.
 * supload's get uses it.  (A put encrypts in its own reading thread:
 * ageput.h.)
 */
#ifndef STRONGBOX_AGEPIPE_H
#define STRONGBOX_AGEPIPE_H

#include <stddef.h>

#include "age.h"

struct agepipe;

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
 * recipient").  *was_encrypted (if not NULL) tells whether the input was
 * an age file.
 */
int agepipe_finish(struct agepipe *p, int *was_encrypted, char *why,
	size_t whylen);

/*
 * 1 when the pipe's thread has failed already (so that a write error on
 * the pipe is its consequence, not the cause).
 */
int agepipe_failed(struct agepipe *p);

#endif
