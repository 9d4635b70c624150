/* minisign.c: see minisign.h.  Formats as minisign 0.11 writes them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "err.h"
#include "keyfile.h"
#include "minisign.h"
#include "xalloc.h"

#define SIGALG_LEGACY "Ed"
#define SIGALG_HASHED "ED"
#define UNTRUSTED "untrusted comment: "
#define TRUSTED "trusted comment: "
#define SECKEY_LEN (2 + 2 + 2 + 32 + 8 + 8 + MINISIGN_KEYID + 64 + 32)

static void __attribute__((format(printf, 3, 4)))
setwhy(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* Decodes padded base64 s[0..n) into exactly want bytes; 0 or -1. */
static int
b64_exact(const char *s, size_t n, unsigned char *out, size_t want)
{
	unsigned char *buf;
	int got, pad = 0, ok;

	if (n == 0 || n % 4 || n / 4 * 3 > want + 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/' ||
		    (c == '=' && i >= n - 2)))
			return -1;
	}
	pad = (s[n - 1] == '=') + (s[n - 2] == '=');
	if (s[n - 2] == '=' && s[n - 1] != '=')
		return -1;
	buf = xmalloc(n / 4 * 3 + 1);
	got = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
	ok = got >= 0 && (size_t)(got - pad) == want;
	if (ok)
		memcpy(out, buf, want);
	OPENSSL_cleanse(buf, n / 4 * 3 + 1);
	free(buf);
	return ok ? 0 : -1;
}

static char *
b64(const unsigned char *in, size_t n)
{
	char *out = xmalloc((n + 2) / 3 * 4 + 1);

	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	return out;
}

void
minisign_keyid_hex(const unsigned char keyid[MINISIGN_KEYID], char out[17])
{
	/* minisign prints the id as a little-endian number */
	for (int i = 0; i < MINISIGN_KEYID; i++)
		sprintf(out + 2 * i, "%02X", keyid[MINISIGN_KEYID - 1 - i]);
}

/*
 * Splits text into at most max lines (CR LF or LF ends, a missing last
 * newline allowed) in place: returns the count.
 */
static size_t
split_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;
	char *p = text;

	while (*p && n < max) {
		char *e = p + strcspn(p, "\n");
		int more = *e == '\n';
		lines[n++] = p;
		if (e > p && e[-1] == '\r')
			e[-1] = '\0';
		*e = '\0';
		p = more ? e + 1 : e;
	}
	return n;
}

int
minisign_pub_parse(const char *text, struct minisign_pub *pk, char *why,
	size_t whylen)
{
	char *copy = xstrdup(text), *lines[3];
	const char *key;
	unsigned char raw[2 + MINISIGN_KEYID + 32];
	size_t n = split_lines(copy, lines, 3);
	int ret = -1;

	if (n >= 2 && strncmp(lines[0], UNTRUSTED, strlen(UNTRUSTED)) == 0)
		key = lines[1];
	else if (n >= 1)
		key = lines[0];
	else
		key = "";
	if (b64_exact(key, strlen(key), raw, sizeof raw) < 0 ||
	    memcmp(raw, SIGALG_LEGACY, 2) != 0) {
		setwhy(why, whylen, "not a minisign public key");
		goto out;
	}
	memcpy(pk->keyid, raw + 2, MINISIGN_KEYID);
	memcpy(pk->pk, raw + 2 + MINISIGN_KEYID, 32);
	ret = 0;
out:
	free(copy);
	return ret;
}

int
minisign_pub_read(const char *path, struct minisign_pub *pk, char *why,
	size_t whylen)
{
	char *text, w[200];
	int r;

	if (keyfile_read(path, 0, &text, why, whylen) < 0)
		return -1;
	r = minisign_pub_parse(text, pk, w, sizeof w);
	if (r < 0)
		setwhy(why, whylen, "\"%s\": %s", path, w);
	free(text);
	return r;
}

int
minisign_checksum_supported(void)
{
	EVP_MD *md = EVP_MD_fetch(NULL, "BLAKE2B-512", NULL);
	const OSSL_PARAM *settable = md ? EVP_MD_settable_ctx_params(md) :
		NULL;
	int ok = settable && OSSL_PARAM_locate_const(settable,
		OSSL_DIGEST_PARAM_SIZE) != NULL;

	EVP_MD_free(md);
	return ok;
}

/* BLAKE2b with a 32-byte output, where OpenSSL has it (3.2+). */
static int
blake2b256(const void *data, size_t len, unsigned char out[32])
{
	EVP_MD *md = EVP_MD_fetch(NULL, "BLAKE2B-512", NULL);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t size = 32;
	OSSL_PARAM p[2] = {
		OSSL_PARAM_construct_size_t(OSSL_DIGEST_PARAM_SIZE, &size),
		OSSL_PARAM_construct_end(),
	};
	int ok = md && c && EVP_DigestInit_ex2(c, md, p) == 1 &&
		EVP_MD_CTX_get_size(c) == 32 &&
		EVP_DigestUpdate(c, data, len) == 1 &&
		EVP_DigestFinal_ex(c, out, NULL) == 1;

	EVP_MD_CTX_free(c);
	EVP_MD_free(md);
	return ok ? 0 : -1;
}

static int
blake2b512(const void *data, size_t len, unsigned char out[64])
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_blake2b512(), NULL) == 1 &&
		n == 64 ? 0 : -1;
}

static int
ed25519_public(const unsigned char seed[32], unsigned char pk[32])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
		seed, 32);
	size_t len = 32;
	int ok = k && EVP_PKEY_get_raw_public_key(k, pk, &len) == 1 &&
		len == 32;

	EVP_PKEY_free(k);
	return ok ? 0 : -1;
}

static int
ed25519_sign(const unsigned char seed[32], const void *msg, size_t len,
	unsigned char sig[64])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
		seed, 32);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t siglen = 64;
	int ok = k && c && EVP_DigestSignInit(c, NULL, NULL, NULL, k) == 1 &&
		EVP_DigestSign(c, sig, &siglen, msg, len) == 1 && siglen == 64;

	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
	return ok ? 0 : -1;
}

static int
ed25519_verify(const unsigned char pk[32], const void *msg, size_t len,
	const unsigned char sig[64])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk,
		32);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = k && c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, k) == 1 &&
		EVP_DigestVerify(c, sig, 64, msg, len) == 1;

	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
	return ok ? 0 : -1;
}

int
minisign_sec_parse(const char *text, struct minisign_sec *sk, char *why,
	size_t whylen)
{
	char *copy = xstrdup(text), *lines[3];
	unsigned char raw[SECKEY_LEN], pk[32];
	const unsigned char *p = raw;
	size_t n = split_lines(copy, lines, 3);
	int ret = -1;

	if (n < 2 || strncmp(lines[0], UNTRUSTED, strlen(UNTRUSTED)) != 0 ||
	    b64_exact(lines[1], strlen(lines[1]), raw, sizeof raw) < 0 ||
	    memcmp(raw, SIGALG_LEGACY, 2) != 0) {
		setwhy(why, whylen, "not a minisign secret key");
		goto out;
	}
	if (memcmp(raw + 2, "\0\0", 2) != 0) {
		setwhy(why, whylen, "a password-protected minisign secret key: "
			"make one with minisign -G -W, or remove the password "
			"with minisign -C -W");
		goto out;
	}
	if (memcmp(raw + 4, "B2", 2) != 0) {
		setwhy(why, whylen, "a minisign secret key with an unknown "
			"checksum");
		goto out;
	}
	p = raw + 2 + 2 + 2 + 32 + 8 + 8;
	memcpy(sk->keyid, p, MINISIGN_KEYID);
	memcpy(sk->seed, p + MINISIGN_KEYID, 32);
	memcpy(sk->pk, p + MINISIGN_KEYID + 32, 32);
	if (minisign_checksum_supported()) {
		unsigned char in[2 + MINISIGN_KEYID + 64], sum[32];
		memcpy(in, raw, 2);
		memcpy(in + 2, p, MINISIGN_KEYID + 64);
		if (blake2b256(in, sizeof in, sum) < 0 ||
		    CRYPTO_memcmp(sum, p + MINISIGN_KEYID + 64, 32) != 0) {
			OPENSSL_cleanse(in, sizeof in);
			setwhy(why, whylen, "the minisign secret key's checksum "
				"does not match: the file is damaged");
			goto out;
		}
		OPENSSL_cleanse(in, sizeof in);
	}
	/* Without the checksum, the halves must agree. */
	if (ed25519_public(sk->seed, pk) < 0 ||
	    CRYPTO_memcmp(pk, sk->pk, 32) != 0) {
		setwhy(why, whylen, "the minisign secret key is damaged (its "
			"halves disagree)");
		goto out;
	}
	ret = 0;
out:
	OPENSSL_cleanse(raw, sizeof raw);
	OPENSSL_cleanse(copy, strlen(text));
	free(copy);
	if (ret < 0)
		OPENSSL_cleanse(sk, sizeof *sk);
	return ret;
}

int
minisign_sec_read(const char *path, struct minisign_sec *sk, char *why,
	size_t whylen)
{
	char *text, w[200];
	int r;

	if (keyfile_read(path, 1, &text, why, whylen) < 0)
		return -1;
	r = minisign_sec_parse(text, sk, w, sizeof w);
	if (r < 0)
		setwhy(why, whylen, "\"%s\": %s", path, w);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	return r;
}

/* path, else $var when set and not empty, else NULL. */
static const char *
key_path(const char *path, const char *var)
{
	const char *v = var ? getenv(var) : NULL;

	return path ? path : v && *v ? v : NULL;
}

struct minisign_sec *
minisign_sec_load(const char *path, const char *var)
{
	struct minisign_sec *sk;
	char why[512];

	if ((path = key_path(path, var)) == NULL)
		return NULL;
	sk = xmalloc(sizeof *sk);
	if (minisign_sec_read(path, sk, why, sizeof why) < 0)
		die(EXIT_FAIL, "cannot use the signing key: %s", why);
	return sk;
}

void
minisign_sec_free(struct minisign_sec *sk)
{
	if (sk == NULL)
		return;
	OPENSSL_cleanse(sk, sizeof *sk);
	free(sk);
}

struct minisign_pub *
minisign_pub_load(const char *path, const char *var)
{
	struct minisign_pub *pk;
	char why[512];

	if ((path = key_path(path, var)) == NULL)
		return NULL;
	pk = xmalloc(sizeof *pk);
	if (minisign_pub_read(path, pk, why, sizeof why) < 0)
		die(EXIT_FAIL, "cannot use the verification key: %s", why);
	return pk;
}

void
minisign_sec_public(const struct minisign_sec *sk, struct minisign_pub *pk)
{
	memcpy(pk->keyid, sk->keyid, MINISIGN_KEYID);
	memcpy(pk->pk, sk->pk, 32);
}

char *
minisign_sign(const struct minisign_sec *sk, const void *msg, size_t len,
	const char *trusted_comment)
{
	unsigned char hash[64], line[2 + MINISIGN_KEYID + 64], global[64];
	size_t tclen = strlen(trusted_comment);
	unsigned char *gmsg;
	char *l2, *l4, *out = NULL;

	if (strchr(trusted_comment, '\n') || blake2b512(msg, len, hash) < 0)
		return NULL;
	memcpy(line, SIGALG_HASHED, 2);
	memcpy(line + 2, sk->keyid, MINISIGN_KEYID);
	if (ed25519_sign(sk->seed, hash, sizeof hash, line + 10) < 0)
		return NULL;
	gmsg = xmalloc(64 + tclen);
	memcpy(gmsg, line + 10, 64);
	memcpy(gmsg + 64, trusted_comment, tclen);
	if (ed25519_sign(sk->seed, gmsg, 64 + tclen, global) == 0) {
		l2 = b64(line, sizeof line);
		l4 = b64(global, sizeof global);
		out = xasprintf(UNTRUSTED "signature from strongbox "
			"(minisign format)\n%s\n" TRUSTED "%s\n%s\n", l2,
			trusted_comment, l4);
		free(l2);
		free(l4);
	}
	free(gmsg);
	return out;
}

int
minisign_verify(const struct minisign_pub *pk, const void *msg, size_t len,
	const char *sig, size_t siglen, char **comment, char *why,
	size_t whylen)
{
	char *copy = xstrndup(sig, siglen), *lines[5];
	unsigned char line[2 + MINISIGN_KEYID + 64], global[64], hash[64];
	unsigned char *gmsg = NULL;
	const char *tc;
	int has_nul = strlen(copy) != siglen, ret = -1;
	size_t n = split_lines(copy, lines, 5), tclen;

	if (has_nul || n < 4 ||
	    strncmp(lines[0], UNTRUSTED, strlen(UNTRUSTED)) != 0 ||
	    strncmp(lines[2], TRUSTED, strlen(TRUSTED)) != 0 ||
	    b64_exact(lines[1], strlen(lines[1]), line, sizeof line) < 0 ||
	    b64_exact(lines[3], strlen(lines[3]), global, sizeof global) < 0 ||
	    (n == 5 && *lines[4])) {
		setwhy(why, whylen, "not a minisign signature");
		goto out;
	}
	if (memcmp(line, SIGALG_HASHED, 2) != 0 &&
	    memcmp(line, SIGALG_LEGACY, 2) != 0) {
		setwhy(why, whylen, "a minisign signature of an unknown kind");
		goto out;
	}
	if (memcmp(line + 2, pk->keyid, MINISIGN_KEYID) != 0) {
		char got[17], want[17];
		minisign_keyid_hex(line + 2, got);
		minisign_keyid_hex(pk->keyid, want);
		setwhy(why, whylen, "signed by another key (key id %s, not %s)",
			got, want);
		goto out;
	}
	if (memcmp(line, SIGALG_HASHED, 2) == 0) {
		if (blake2b512(msg, len, hash) < 0 ||
		    ed25519_verify(pk->pk, hash, sizeof hash, line + 10) < 0) {
			setwhy(why, whylen, "the signature does not match: the "
				"signed content was changed");
			goto out;
		}
	} else if (ed25519_verify(pk->pk, msg, len, line + 10) < 0) {
		setwhy(why, whylen, "the signature does not match: the signed "
			"content was changed");
		goto out;
	}
	tc = lines[2] + strlen(TRUSTED);
	tclen = strlen(tc);
	gmsg = xmalloc(64 + tclen);
	memcpy(gmsg, line + 10, 64);
	memcpy(gmsg + 64, tc, tclen);
	if (ed25519_verify(pk->pk, gmsg, 64 + tclen, global) < 0) {
		setwhy(why, whylen, "the trusted comment's signature does not "
			"match");
		goto out;
	}
	if (comment)
		*comment = xstrdup(tc);
	ret = 0;
out:
	free(gmsg);
	free(copy);
	return ret;
}
