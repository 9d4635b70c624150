/*
 * sha256.h: SHA-256 over OpenSSL's EVP, the one digest of the archive's
 * checksums (members, tables) and of every upload's report.  The
 * algorithm is fetched once per process, not on every start.
 *
 * A context is used by one thread at a time; contexts are independent.
 * OpenSSL failing (out of memory) prints one line and exits 1.
 */
#ifndef STRONGBOX_SHA256_H
#define STRONGBOX_SHA256_H

#include <stddef.h>
#include <stdio.h>

struct sha256_ctx;

/* A new digest, started.  Never NULL; free with sha256_free(). */
struct sha256_ctx *sha256_new(void);

/* Starts the digest of ctx over, forgetting what it was fed. */
void sha256_reset(struct sha256_ctx *ctx);

/* Feeds len bytes at data to the digest. */
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);

/*
 * Ends the digest: writes its 32 bytes to out.  ctx may then be
 * sha256_reset() or freed.
 */
void sha256_digest(struct sha256_ctx *ctx, unsigned char out[32]);

/* Frees ctx (NULL is fine). */
void sha256_free(struct sha256_ctx *ctx);

/*
 * Ends the digest, writes it as 64 lowercase hex digits and a NUL to hex,
 * and frees ctx.
 */
void sha256_final(struct sha256_ctx *ctx, char hex[65]);

/* The 32 bytes d as 64 lowercase hex digits and a NUL. */
void sha256_hex(const unsigned char d[32], char hex[65]);

/*
 * The hex SHA-256 of the first len bytes of fp (a temporary file, e.g. a
 * child's output), into hex; fp is left at its start.  Dies on a read
 * error or a shorter file, naming what (e.g. "pg_dump's output").
 */
void sha256_file(FILE *fp, size_t len, const char *what, char hex[65]);

#endif
