/*
 * minisign.h: Ed25519 keys and signatures in minisign's formats, so that
 * `minisign -V` checks what strongbox signs and strongbox reads the keys
 * `minisign -G -W` makes (an unencrypted secret key).  Ed25519 and
 * BLAKE2b-512 are OpenSSL's.
 *
 * Signatures are minisign's default, prehashed kind ("ED"): Ed25519 over
 * BLAKE2b-512 of the message, then a global signature over that signature
 * and the trusted comment.  The legacy kind ("Ed", Ed25519 over the whole
 * message) is accepted when verifying, as minisign does.
 *
 * A secret key file carries a BLAKE2b-256 checksum of the key.  OpenSSL
 * 3.0 has BLAKE2b only with a 512-bit output, and BLAKE2b-256 is not a
 * truncation of it: the checksum is verified only when the OpenSSL at
 * hand lets BLAKE2b's output size be set (3.2 and later); otherwise the
 * key is checked by deriving its public half and comparing it with the
 * one stored beside it.
 */
#ifndef STRONGBOX_MINISIGN_H
#define STRONGBOX_MINISIGN_H

#include <stddef.h>

#define MINISIGN_KEYID 8

struct minisign_pub {
	unsigned char keyid[MINISIGN_KEYID];
	unsigned char pk[32];
};

struct minisign_sec {
	unsigned char keyid[MINISIGN_KEYID];
	unsigned char seed[32]; /* the Ed25519 private key */
	unsigned char pk[32];
};

/*
 * Parses a public key: the text of a minisign.pub file (an "untrusted
 * comment:" line then the base64 key) or the base64 key alone.  Returns
 * 0, or -1 with why (one line) filled.
 */
int minisign_pub_parse(const char *text, struct minisign_pub *pk, char *why,
	size_t whylen);

/* Reads and parses a public key file.  Returns 0, or -1 with why. */
int minisign_pub_read(const char *path, struct minisign_pub *pk, char *why,
	size_t whylen);

/*
 * Parses the text of an unencrypted minisign secret key file.  An
 * encrypted one (made without -W) is refused with a line that says so.
 * Returns 0, or -1 with why (never the key).
 */
int minisign_sec_parse(const char *text, struct minisign_sec *sk, char *why,
	size_t whylen);

/*
 * Reads a secret key file, which must be a regular file readable by its
 * owner only (mode 0600 or stricter), then parses it.  Returns 0, or -1
 * with why.
 */
int minisign_sec_read(const char *path, struct minisign_sec *sk, char *why,
	size_t whylen);

/*
 * The key a tool signs with: the secret key file path, else the one the
 * environment variable var names (when var is not NULL and the variable
 * is set and not empty), read by minisign_sec_read().  Returns NULL when
 * neither names a file.  A key that cannot be used is one line, "cannot
 * use the signing key: why", and exit 1.  Free it with
 * minisign_sec_free().
 */
struct minisign_sec *minisign_sec_load(const char *path, const char *var);

/* Wipes and frees a key from minisign_sec_load(); NULL is allowed. */
void minisign_sec_free(struct minisign_sec *sk);

/*
 * The same for the public key a tool verifies with, read by
 * minisign_pub_read(): "cannot use the verification key: why", exit 1.
 * Free it with free().
 */
struct minisign_pub *minisign_pub_load(const char *path, const char *var);

/* The public key of sk. */
void minisign_sec_public(const struct minisign_sec *sk,
	struct minisign_pub *pk);

/* 1 when this OpenSSL can compute BLAKE2b-256 (secret key checksums). */
int minisign_checksum_supported(void);

/*
 * Signs len bytes of msg: returns the malloc'ed text of a .minisig file
 * (four lines, the trusted comment as given, which must hold no newline),
 * or NULL when OpenSSL failed.
 */
char *minisign_sign(const struct minisign_sec *sk, const void *msg,
	size_t len, const char *trusted_comment);

/*
 * Verifies the .minisig text sig (siglen bytes) for msg with pk: the key
 * id, the signature of the message and the global signature of the
 * trusted comment.  Returns 0, or -1 with why ("signed by another key
 * (key id …)", "the signature does not match", "not a minisign
 * signature").  On success *comment, if not NULL, is the malloc'ed
 * trusted comment.
 */
int minisign_verify(const struct minisign_pub *pk, const void *msg,
	size_t len, const char *sig, size_t siglen, char **comment, char *why,
	size_t whylen);

/* The key id as minisign prints it: 16 uppercase hex digits. */
void minisign_keyid_hex(const unsigned char keyid[MINISIGN_KEYID],
	char out[17]);

#endif
