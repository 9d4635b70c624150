/* sha256.c: SHA-256 over OpenSSL EVP; see sha256.h. */
#include "sha256.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "err.h"
#include "xalloc.h"

struct sha256_ctx {
	EVP_MD_CTX *md;
};

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_fetch(void)
{
	/* Fetched once: an implicit fetch on every init costs a lookup. */
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

struct sha256_ctx *
sha256_new(void)
{
	struct sha256_ctx *c = xmalloc(sizeof *c);

	pthread_once(&sha256_once, sha256_fetch);
	c->md = EVP_MD_CTX_new();
	if (c->md == NULL || sha256_md == NULL)
		die(EXIT_FAIL, "cannot start a SHA-256 digest (OpenSSL)");
	sha256_reset(c);
	return c;
}

void
sha256_reset(struct sha256_ctx *ctx)
{
	if (EVP_DigestInit_ex(ctx->md, sha256_md, NULL) != 1)
		die(EXIT_FAIL, "cannot start a SHA-256 digest (OpenSSL)");
}

void
sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	if (len > 0 && EVP_DigestUpdate(ctx->md, data, len) != 1)
		die(EXIT_FAIL, "SHA-256 digest failed (OpenSSL)");
}

void
sha256_digest(struct sha256_ctx *ctx, unsigned char out[32])
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(ctx->md, out, &n) != 1 || n != 32)
		die(EXIT_FAIL, "SHA-256 digest failed (OpenSSL)");
}

void
sha256_free(struct sha256_ctx *ctx)
{
	if (ctx == NULL)
		return;
	EVP_MD_CTX_free(ctx->md);
	free(ctx);
}

void
sha256_hex(const unsigned char d[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = '\0';
}

void
sha256_final(struct sha256_ctx *ctx, char hex[65])
{
	unsigned char d[32];

	sha256_digest(ctx, d);
	sha256_hex(d, hex);
	sha256_free(ctx);
}

void
sha256_file(FILE *fp, size_t len, const char *what, char hex[65])
{
	struct sha256_ctx *ctx = sha256_new();
	char buf[65536];

	rewind(fp);
	while (len > 0) {
		size_t n = fread(buf, 1, len < sizeof buf ? len : sizeof buf, fp);
		if (n == 0)
			die(EXIT_FAIL, "cannot read %s back: %s", what,
			    ferror(fp) ? strerror(errno)
			               : "it is shorter than written");
		sha256_update(ctx, buf, n);
		len -= n;
	}
	sha256_final(ctx, hex);
	rewind(fp);
}
