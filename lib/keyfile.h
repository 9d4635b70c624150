/*
 * keyfile.h: reads the small text files keys live in (age identities and
 * recipients, minisign keys), refusing a secret one that others may read,
 * as ssh does with its private keys.
 */
#ifndef STRONGBOX_KEYFILE_H
#define STRONGBOX_KEYFILE_H

#include <stddef.h>

#define KEYFILE_MAX (1 << 20)

/*
 * Reads the whole file at path (at most KEYFILE_MAX bytes, no NUL byte)
 * into a malloc'ed NUL-terminated string *text.  With secret set the file
 * must be a regular file with no group or other permission bits (chmod
 * 600).  Returns 0, or -1 with why (one line, no content of the file)
 * filled.  The caller wipes (OPENSSL_cleanse) and frees a secret text.
 */
int keyfile_read(const char *path, int secret, char **text, char *why,
	size_t whylen);

#endif
