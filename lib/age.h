/*
 * age.h: the age file format, age-encryption.org/v1 (C2SP), X25519
 * recipients only: "age1…" recipients and "AGE-SECRET-KEY-1…" identities
 * (Bech32), the header (X25519 stanzas, HMAC-SHA-256 MAC), and the payload
 * as STREAM: 64 KiB chunks of ChaCha20-Poly1305, the last one flagged.
 * Every primitive is OpenSSL 3's (X25519, HKDF-SHA256, HMAC-SHA256,
 * ChaCha20-Poly1305, RAND_bytes).  A file this writes opens with `age -d`,
 * and this opens what `age -r` writes (not armored, not scrypt).
 *
 * Encryption and decryption are streaming filters with bounded memory: the
 * caller pushes bytes in with *_update() and the filter hands its output
 * to a write callback, at most one chunk held (plus the header when
 * decrypting, at most AGE_MAX_HEADER bytes).
 */
#ifndef STRONGBOX_AGE_H
#define STRONGBOX_AGE_H

#include <stddef.h>

#define AGE_CHUNK 65536
#define AGE_TAG 16 /* each chunk's Poly1305 tag */
#define AGE_MAX_HEADER (1 << 20)
#define AGE_MAGIC "age-encryption.org/v1\n"
#define AGE_KEY_STRLEN 100 /* room for either key's text, NUL included */

struct age_recipient {
	unsigned char pk[32]; /* X25519 public key */
};

struct age_identity {
	unsigned char sk[32]; /* X25519 secret key */
	unsigned char pk[32]; /* its public key */
};

/*
 * Parses an "age1…" recipient.  Returns 0, or -1 with why (one line,
 * naming the problem, not the key) filled.
 */
int age_recipient_parse(const char *s, struct age_recipient *r, char *why,
	size_t whylen);

/* Writes r as "age1…" into out (AGE_KEY_STRLEN bytes). */
void age_recipient_format(const struct age_recipient *r, char *out);

/*
 * Parses an "AGE-SECRET-KEY-1…" identity and computes its public key.
 * Returns 0, or -1 with why filled (never showing the key).
 */
int age_identity_parse(const char *s, struct age_identity *id, char *why,
	size_t whylen);

/*
 * Parses the text of a recipients file (recipients) or an identity file
 * (identities), as age(1) reads them: one key a line, '#' comments and
 * blank lines ignored, surrounding white space trimmed.  Appends to the
 * malloc'ed array *v of *n elements (the caller frees it; identities
 * should be wiped with OPENSSL_cleanse first).  Returns the number added
 * (at least 1), or -1 with why filled ("line 3: …"); a file with no key
 * is an error.
 */
int age_recipients_parse_text(const char *text, struct age_recipient **v,
	size_t *n, char *why, size_t whylen);
int age_identities_parse_text(const char *text, struct age_identity **v,
	size_t *n, char *why, size_t whylen);

/*
 * Makes a new identity from the system's random generator; its text, if
 * out is not NULL, goes there (AGE_KEY_STRLEN bytes).  For tests.
 */
void age_identity_generate(struct age_identity *id, char *out);

/* Writes id as "AGE-SECRET-KEY-1…" into out (AGE_KEY_STRLEN bytes). */
void age_identity_format(const struct age_identity *id, char *out);

/* Where the filters send their output: returns 0, or -1 to stop. */
typedef int (*age_write_fn)(void *ctx, const void *data, size_t len);

struct age_enc;

/*
 * Starts an encryption to n >= 1 recipients: makes a fresh file key,
 * writes the header and the payload nonce through w.  Returns the filter,
 * or NULL with why filled (the write failed, or OpenSSL did).
 */
struct age_enc *age_enc_new(const struct age_recipient *r, size_t n,
	age_write_fn w, void *ctx, char *why, size_t whylen);

/* Encrypts len more bytes.  Returns 0, or -1 with age_enc_error(). */
int age_enc_update(struct age_enc *e, const void *data, size_t len);

/* Writes the final chunk.  Returns 0, or -1 with age_enc_error(). */
int age_enc_final(struct age_enc *e);

/*
 * Encrypts one whole chunk of the payload, the caller holding the
 * plaintext (instead of age_enc_update() and age_enc_final(), which copy
 * it into e; the two ways do not mix in one stream): n bytes at in, n ==
 * AGE_CHUNK unless last, n == 0 only for the last chunk of an empty
 * payload.  Writes n + AGE_TAG bytes to out (not overlapping in), not
 * through the write function.  Returns 0, or -1 with age_enc_error().
 */
int age_enc_chunk(struct age_enc *e, const void *in, size_t n, int last,
	void *out);

/* The last failure, one line. */
const char *age_enc_error(const struct age_enc *e);

/* Wipes the keys and frees e (NULL is fine). */
void age_enc_free(struct age_enc *e);

struct age_dec;

/*
 * Starts a decryption with n identities (copied).  The filter reads the
 * header first and writes nothing until a stanza opened with one of them
 * and the header's MAC checked; then each chunk is written once its tag
 * verified, the last one only at age_dec_final().
 */
struct age_dec *age_dec_new(const struct age_identity *ids, size_t n,
	age_write_fn w, void *ctx);

/*
 * Decrypts len more bytes.  Returns 0, or -1 with age_dec_error():
 * "not an age file", "no identity matches any recipient", "the header's
 * MAC does not match", a chunk that does not authenticate, data after the
 * final chunk, a write that failed.
 */
int age_dec_update(struct age_dec *d, const void *data, size_t len);

/*
 * Ends the input: checks and writes the final chunk.  Returns 0, or -1
 * with age_dec_error() (a truncated file is an error).
 */
int age_dec_final(struct age_dec *d);

const char *age_dec_error(const struct age_dec *d);

/* 1 once the header was read and opened. */
int age_dec_header_done(const struct age_dec *d);

/* Wipes the keys and frees d (NULL is fine). */
void age_dec_free(struct age_dec *d);

/* 1 when the len bytes at p start like an age file (binary or armored). */
int age_looks_encrypted(const void *p, size_t len);

#endif
