/*
 * bech32.h: the Bech32 encoding (BIP 173) as age uses it for its keys:
 * "age1…" recipients and "AGE-SECRET-KEY-1…" identities.  Like age, and
 * unlike BIP 173, no 90-character limit.  Pure string work, no I/O.
 */
#ifndef STRONGBOX_BECH32_H
#define STRONGBOX_BECH32_H

#include <stddef.h>

/*
 * Encodes len bytes of data under the human-readable part hrp (lowercase
 * ASCII, as given) into out, NUL-terminated, lowercase unless upper is
 * set.  Returns 0, or -1 when out (outlen bytes) is too small.
 */
int bech32_encode(const char *hrp, const unsigned char *data, size_t len,
	int upper, char *out, size_t outlen);

/*
 * Decodes s: checks the character set, one case throughout, the checksum,
 * that its human-readable part equals hrp (compared without case) and
 * that the padding bits are zero.  Writes at most maxlen bytes to data
 * and their count to *len.  Returns 0, or -1 with *why set to a static
 * message.
 */
int bech32_decode(const char *s, const char *hrp, unsigned char *data,
	size_t maxlen, size_t *len, const char **why);

#endif
