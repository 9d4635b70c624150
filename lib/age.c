/*
 * age.c: see age.h.  The rules quoted in comments are C2SP's
 * (c2sp.org/age); the primitives are OpenSSL's.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "age.h"
#include "bech32.h"
#include "xalloc.h"

#define RECIPIENT_HRP "age"
#define IDENTITY_HRP "age-secret-key-"
#define X25519_INFO "age-encryption.org/v1/X25519"
#define TAG AGE_TAG
#define ENC_CHUNK (AGE_CHUNK + TAG)

static void __attribute__((format(printf, 3, 4)))
setwhy(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* Standard base64 without padding (RFC 4648 section 4, '=' removed). */
static void
b64_raw(const unsigned char *in, size_t n, char *out)
{
	int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);

	while (len > 0 && out[len - 1] == '=')
		out[--len] = '\0';
}

static int
is_b64char(int c)
{
	return isalnum((unsigned char)c) || c == '+' || c == '/';
}

/*
 * Decodes the unpadded base64 s[0..n) into out (at most max bytes): every
 * character of the alphabet, no '=', and canonical (the unused bits zero),
 * as the spec demands of decoders.  Returns the length, or -1.
 */
static long
b64_decode_canonical(const char *s, size_t n, unsigned char *out, size_t max)
{
	size_t padded = (n + 3) / 4 * 4, dlen;
	char *tmp, *again;
	unsigned char *buf;
	long ret = -1;
	int got;

	if (n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!is_b64char(s[i]))
			return -1;
	dlen = n * 3 / 4;
	if (dlen > max)
		return -1;
	if (n == 0)
		return 0;
	tmp = xmalloc(padded + 1);
	memcpy(tmp, s, n);
	memset(tmp + n, '=', padded - n);
	tmp[padded] = '\0';
	buf = xmalloc(padded / 4 * 3 + 1);
	got = EVP_DecodeBlock(buf, (unsigned char *)tmp, (int)padded);
	if (got >= 0 && (size_t)got >= dlen) {
		again = xmalloc(padded + 1);
		b64_raw(buf, dlen, again);
		if (strlen(again) == n && memcmp(again, s, n) == 0) {
			memcpy(out, buf, dlen);
			ret = (long)dlen;
		}
		free(again);
	}
	OPENSSL_cleanse(buf, padded / 4 * 3 + 1);
	free(buf);
	free(tmp);
	return ret;
}

/* HKDF-SHA-256 with 32 bytes of output; an empty salt is HashLen zeros. */
static int
hkdf32(const unsigned char *ikm, size_t ikmlen, const unsigned char *salt,
	size_t saltlen, const char *info, unsigned char out[32])
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *kc = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM p[5], *q = p;
	int ok;

	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
		(char *)"SHA256", 0);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
		(void *)ikm, ikmlen);
	if (saltlen)
		*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
			(void *)salt, saltlen);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
		(void *)info, strlen(info));
	*q = OSSL_PARAM_construct_end();
	ok = kc && EVP_KDF_derive(kc, out, 32, p) == 1;
	EVP_KDF_CTX_free(kc);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

static int
hmac_sha256(const unsigned char key[32], const void *data, size_t len,
	unsigned char out[32])
{
	size_t outlen = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, 32, data, len,
		out, 32, &outlen) || outlen != 32)
		return -1;
	return 0;
}

/* X25519(sk, peer); fails (as the spec demands) on an all-zero result. */
static int
x25519(const unsigned char sk[32], const unsigned char peer[32],
	unsigned char out[32])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk,
		32);
	EVP_PKEY *p = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer,
		32);
	EVP_PKEY_CTX *c = k ? EVP_PKEY_CTX_new(k, NULL) : NULL;
	static const unsigned char zero[32];
	size_t len = 32;
	int ok;

	ok = c && p && EVP_PKEY_derive_init(c) == 1 &&
		EVP_PKEY_derive_set_peer_ex(c, p, 0) == 1 &&
		EVP_PKEY_derive(c, out, &len) == 1 && len == 32 &&
		CRYPTO_memcmp(out, zero, 32) != 0;
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(p);
	EVP_PKEY_free(k);
	return ok ? 0 : -1;
}

static int
x25519_public(const unsigned char sk[32], unsigned char pk[32])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk,
		32);
	size_t len = 32;
	int ok = k && EVP_PKEY_get_raw_public_key(k, pk, &len) == 1 &&
		len == 32;

	EVP_PKEY_free(k);
	return ok ? 0 : -1;
}

/* One ChaCha20-Poly1305 operation on ctx with key (or the key already set). */
static int
aead(EVP_CIPHER_CTX *c, int enc, const unsigned char *key,
	const unsigned char nonce[12], const unsigned char *in, size_t n,
	unsigned char *out)
{
	int len = 0, fin = 0;

	if (enc) {
		if (EVP_EncryptInit_ex(c, key ? EVP_chacha20_poly1305() : NULL,
			NULL, key, nonce) != 1 ||
		    EVP_EncryptUpdate(c, out, &len, in, (int)n) != 1 ||
		    EVP_EncryptFinal_ex(c, out + len, &fin) != 1 ||
		    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, TAG,
			out + n) != 1)
			return -1;
		return 0;
	}
	if (n < TAG)
		return -1;
	n -= TAG;
	if (EVP_DecryptInit_ex(c, key ? EVP_chacha20_poly1305() : NULL, NULL,
		key, nonce) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, TAG,
		(void *)(in + n)) != 1 ||
	    EVP_DecryptUpdate(c, out, &len, in, (int)n) != 1 ||
	    EVP_DecryptFinal_ex(c, out + len, &fin) != 1)
		return -1;
	return 0;
}

/* One-shot AEAD with a fresh context (the stanzas' file key wrapping). */
static int
aead_once(int enc, const unsigned char key[32], const unsigned char *in,
	size_t n, unsigned char *out)
{
	static const unsigned char zero_nonce[12];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int r = c ? aead(c, enc, key, zero_nonce, in, n, out) : -1;

	EVP_CIPHER_CTX_free(c);
	return r;
}

int
age_recipient_parse(const char *s, struct age_recipient *r, char *why,
	size_t whylen)
{
	const char *w;
	size_t len;

	if (strncmp(s, "age1", 4) != 0 && strncmp(s, "AGE1", 4) != 0) {
		setwhy(why, whylen, "not an age recipient (they start with "
			"age1)");
		return -1;
	}
	if (bech32_decode(s, RECIPIENT_HRP, r->pk, sizeof r->pk, &len,
		&w) < 0) {
		setwhy(why, whylen, "not an age recipient: %s", w);
		return -1;
	}
	if (len != 32) {
		setwhy(why, whylen, "not an X25519 age recipient (%zu bytes, "
			"not 32)", len);
		return -1;
	}
	return 0;
}

void
age_recipient_format(const struct age_recipient *r, char *out)
{
	bech32_encode(RECIPIENT_HRP, r->pk, 32, 0, out, AGE_KEY_STRLEN);
}

int
age_identity_parse(const char *s, struct age_identity *id, char *why,
	size_t whylen)
{
	const char *w;
	size_t len = 0;
	int r = 0;

	if (strncasecmp(s, "AGE-SECRET-KEY-1", 16) != 0) {
		setwhy(why, whylen, "not an age identity (they start with "
			"AGE-SECRET-KEY-1)");
		return -1;
	}
	if (bech32_decode(s, IDENTITY_HRP, id->sk, sizeof id->sk, &len,
		&w) < 0) {
		setwhy(why, whylen, "not an age identity: %s", w);
		r = -1;
	} else if (len != 32) {
		setwhy(why, whylen, "not an X25519 age identity");
		r = -1;
	} else if (x25519_public(id->sk, id->pk) < 0) {
		setwhy(why, whylen, "OpenSSL cannot use the X25519 identity");
		r = -1;
	}
	if (r < 0)
		OPENSSL_cleanse(id, sizeof *id);
	return r;
}

void
age_identity_format(const struct age_identity *id, char *out)
{
	bech32_encode(IDENTITY_HRP, id->sk, 32, 1, out, AGE_KEY_STRLEN);
}

void
age_identity_generate(struct age_identity *id, char *out)
{
	if (RAND_bytes(id->sk, 32) != 1 || x25519_public(id->sk, id->pk) < 0)
		abort();
	if (out)
		age_identity_format(id, out);
}

/*
 * Calls each(line, lineno, arg) for each key line of text: trimmed,
 * comments and blank lines skipped.  Stops at the first -1.
 */
static int
for_each_key_line(const char *text, int (*each)(const char *, unsigned long,
	void *), void *arg)
{
	unsigned long lineno = 0;
	const char *p = text;

	while (*p) {
		const char *e = strchr(p, '\n'), *b = p;
		size_t n;
		char *line;
		int r;

		if (!e)
			e = p + strlen(p);
		lineno++;
		p = *e ? e + 1 : e;
		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		n = (size_t)(e - b);
		if (n == 0 || *b == '#')
			continue;
		line = xstrndup(b, n);
		r = each(line, lineno, arg);
		OPENSSL_cleanse(line, n);
		free(line);
		if (r < 0)
			return -1;
	}
	return 0;
}

struct key_list {
	void **v;
	size_t *n, elem, added;
	char *why;
	size_t whylen;
	int identities;
};

static int
add_key(const char *line, unsigned long lineno, void *arg)
{
	struct key_list *k = arg;
	char w[160];
	unsigned char *slot;
	int r;

	*k->v = xreallocarray(*k->v, *k->n + 1, k->elem);
	slot = (unsigned char *)*k->v + *k->n * k->elem;
	if (k->identities) {
		r = age_identity_parse(line, (struct age_identity *)slot, w,
			sizeof w);
	} else if (strncmp(line, "ssh-", 4) == 0) {
		snprintf(w, sizeof w, "an ssh key: only age1... recipients "
			"are supported");
		r = -1;
	} else {
		r = age_recipient_parse(line, (struct age_recipient *)slot, w,
			sizeof w);
	}
	if (r < 0) {
		setwhy(k->why, k->whylen, "line %lu: %s", lineno, w);
		return -1;
	}
	(*k->n)++;
	k->added++;
	return 0;
}

static int
parse_key_text(const char *text, void **v, size_t *n, size_t elem,
	int identities, char *why, size_t whylen)
{
	struct key_list k = {v, n, elem, 0, why, whylen, identities};

	if (for_each_key_line(text, add_key, &k) < 0)
		return -1;
	if (!k.added) {
		setwhy(why, whylen, identities ? "no identity in it" :
			"no recipient in it");
		return -1;
	}
	return (int)k.added;
}

int
age_recipients_parse_text(const char *text, struct age_recipient **v,
	size_t *n, char *why, size_t whylen)
{
	return parse_key_text(text, (void **)v, n, sizeof **v, 0, why, whylen);
}

int
age_identities_parse_text(const char *text, struct age_identity **v,
	size_t *n, char *why, size_t whylen)
{
	return parse_key_text(text, (void **)v, n, sizeof **v, 1, why, whylen);
}

/* The STREAM nonce: an 11-byte big-endian counter and the last flag. */
static int
nonce_next(unsigned char nonce[12])
{
	for (int i = 10; i >= 0; i--)
		if (++nonce[i] != 0)
			return 0;
	return -1; /* 2^88 chunks: never */
}

static unsigned long long
nonce_counter(const unsigned char nonce[12])
{
	unsigned long long v = 0;

	for (int i = 3; i < 11; i++)
		v = v << 8 | nonce[i];
	return v;
}

struct age_enc {
	age_write_fn w;
	void *ctx;
	EVP_CIPHER_CTX *c;
	unsigned char key[32];
	unsigned char nonce[12];
	unsigned char *buf; /* AGE_CHUNK bytes of plaintext */
	size_t have;
	unsigned char *out; /* ENC_CHUNK */
	int failed, finished;
	char err[256];
};

/* Appends "-> X25519 share\nbody\n" for recipient r and file key fk. */
static int
x25519_stanza(const struct age_recipient *r, const unsigned char fk[16],
	char *out)
{
	unsigned char esk[32], share[32], shared[32], salt[64], wrap[32];
	unsigned char body[16 + TAG];
	char s64[48], b64[48];
	int ret = -1;

	if (RAND_bytes(esk, 32) != 1 || x25519_public(esk, share) < 0 ||
	    x25519(esk, r->pk, shared) < 0)
		goto out;
	memcpy(salt, share, 32);
	memcpy(salt + 32, r->pk, 32);
	if (hkdf32(shared, 32, salt, 64, X25519_INFO, wrap) < 0 ||
	    aead_once(1, wrap, fk, 16, body) < 0)
		goto out;
	b64_raw(share, 32, s64);
	b64_raw(body, sizeof body, b64);
	sprintf(out, "-> X25519 %s\n%s\n", s64, b64);
	ret = 0;
out:
	OPENSSL_cleanse(esk, sizeof esk);
	OPENSSL_cleanse(shared, sizeof shared);
	OPENSSL_cleanse(wrap, sizeof wrap);
	return ret;
}

struct age_enc *
age_enc_new(const struct age_recipient *r, size_t n, age_write_fn w,
	void *ctx, char *why, size_t whylen)
{
	struct age_enc *e;
	unsigned char fk[16], mackey[32], mac[32], pnonce[16];
	char *hdr, mac64[48];
	size_t hlen;
	const size_t per = 128; /* one X25519 stanza's text, with room */

	if (n == 0) {
		setwhy(why, whylen, "no recipient");
		return NULL;
	}
	e = xcalloc(1, sizeof *e);
	e->w = w;
	e->ctx = ctx;
	e->buf = xmalloc(AGE_CHUNK);
	e->out = xmalloc(ENC_CHUNK);
	e->c = EVP_CIPHER_CTX_new();
	hdr = xmalloc(sizeof AGE_MAGIC + n * per + 64);
	strcpy(hdr, AGE_MAGIC);
	hlen = strlen(hdr);
	if (!e->c || RAND_bytes(fk, 16) != 1 || RAND_bytes(pnonce, 16) != 1)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (x25519_stanza(&r[i], fk, hdr + hlen) < 0)
			goto fail;
		hlen += strlen(hdr + hlen);
	}
	memcpy(hdr + hlen, "---", 3);
	hlen += 3;
	if (hkdf32(fk, 16, NULL, 0, "header", mackey) < 0 ||
	    hmac_sha256(mackey, hdr, hlen, mac) < 0 ||
	    hkdf32(fk, 16, pnonce, 16, "payload", e->key) < 0 ||
	    EVP_EncryptInit_ex(e->c, EVP_chacha20_poly1305(), NULL, e->key,
		NULL) != 1)
		goto fail;
	b64_raw(mac, 32, mac64);
	hlen += (size_t)sprintf(hdr + hlen, " %s\n", mac64);
	memcpy(hdr + hlen, pnonce, 16);
	hlen += 16;
	if (w(ctx, hdr, hlen) < 0) {
		setwhy(why, whylen, "cannot write the age header");
		goto fail_quiet;
	}
	OPENSSL_cleanse(fk, sizeof fk);
	OPENSSL_cleanse(mackey, sizeof mackey);
	free(hdr);
	return e;
fail:
	setwhy(why, whylen, "OpenSSL failed to make the age header");
fail_quiet:
	OPENSSL_cleanse(fk, sizeof fk);
	OPENSSL_cleanse(mackey, sizeof mackey);
	free(hdr);
	age_enc_free(e);
	return NULL;
}

static int
enc_fail(struct age_enc *e, const char *msg)
{
	e->failed = 1;
	snprintf(e->err, sizeof e->err, "%s", msg);
	return -1;
}

static int
enc_chunk(struct age_enc *e, int last)
{
	e->nonce[11] = last ? 1 : 0;
	if (aead(e->c, 1, NULL, e->nonce, e->buf, e->have, e->out) < 0)
		return enc_fail(e, "OpenSSL failed to encrypt a chunk");
	if (e->w(e->ctx, e->out, e->have + TAG) < 0)
		return enc_fail(e, "cannot write the encrypted stream");
	if (nonce_next(e->nonce) < 0)
		return enc_fail(e, "too many chunks");
	e->have = 0;
	return 0;
}

int
age_enc_update(struct age_enc *e, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (e->failed || e->finished)
		return e->failed ? -1 : enc_fail(e, "write after the end");
	while (len) {
		size_t take;

		/* A full chunk is the last one unless more input comes. */
		if (e->have == AGE_CHUNK && enc_chunk(e, 0) < 0)
			return -1;
		take = AGE_CHUNK - e->have;
		if (take > len)
			take = len;
		memcpy(e->buf + e->have, p, take);
		e->have += take;
		p += take;
		len -= take;
	}
	return 0;
}

int
age_enc_final(struct age_enc *e)
{
	if (e->failed)
		return -1;
	if (e->finished)
		return 0;
	if (enc_chunk(e, 1) < 0)
		return -1;
	e->finished = 1;
	return 0;
}

int
age_enc_chunk(struct age_enc *e, const void *in, size_t n, int last,
	void *out)
{
	if (e->failed || e->finished)
		return e->failed ? -1 : enc_fail(e, "write after the end");
	if (e->have)
		return enc_fail(e, "age_enc_chunk after age_enc_update");
	/* "The last chunk MAY be empty only if the whole payload is empty." */
	if (n > AGE_CHUNK || (!last && n != AGE_CHUNK) ||
	    (n == 0 && nonce_counter(e->nonce) != 0))
		return enc_fail(e, "a payload chunk of the wrong size");
	e->nonce[11] = last ? 1 : 0;
	if (aead(e->c, 1, NULL, e->nonce, in, n, out) < 0)
		return enc_fail(e, "OpenSSL failed to encrypt a chunk");
	if (nonce_next(e->nonce) < 0)
		return enc_fail(e, "too many chunks");
	e->finished = last;
	return 0;
}

const char *
age_enc_error(const struct age_enc *e)
{
	return e->err;
}

void
age_enc_free(struct age_enc *e)
{
	if (!e)
		return;
	EVP_CIPHER_CTX_free(e->c);
	OPENSSL_cleanse(e->key, sizeof e->key);
	if (e->buf)
		OPENSSL_cleanse(e->buf, AGE_CHUNK);
	free(e->buf);
	free(e->out);
	free(e);
}

enum dec_state { D_HEADER, D_NONCE, D_PAYLOAD, D_DONE, D_FAILED };

struct age_dec {
	struct age_identity *ids;
	size_t nids;
	age_write_fn w;
	void *ctx;
	enum dec_state state;
	char *hdr;      /* the header so far */
	size_t hlen, hcap, line; /* line: where the current line starts */
	unsigned char fk[16];
	unsigned char pnonce[16];
	size_t nlen;
	EVP_CIPHER_CTX *c;
	unsigned char key[32];
	unsigned char nonce[12];
	unsigned char *buf; /* ENC_CHUNK bytes of ciphertext */
	size_t have;
	unsigned char *out;
	char err[256];
};

struct age_dec *
age_dec_new(const struct age_identity *ids, size_t n, age_write_fn w,
	void *ctx)
{
	struct age_dec *d = xcalloc(1, sizeof *d);

	d->ids = xcalloc(n ? n : 1, sizeof *ids);
	if (n)
		memcpy(d->ids, ids, n * sizeof *ids);
	d->nids = n;
	d->w = w;
	d->ctx = ctx;
	return d;
}

static int
dec_fail(struct age_dec *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
dec_fail(struct age_dec *d, const char *fmt, ...)
{
	va_list ap;

	if (d->state == D_FAILED)
		return -1;
	d->state = D_FAILED;
	va_start(ap, fmt);
	vsnprintf(d->err, sizeof d->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* Tries the identities on one X25519 stanza; 1 when the file key opened. */
static int
try_x25519(struct age_dec *d, const unsigned char share[32],
	const unsigned char body[32])
{
	unsigned char shared[32], salt[64], wrap[32];
	int found = 0;

	for (size_t i = 0; i < d->nids && !found; i++) {
		if (x25519(d->ids[i].sk, share, shared) < 0)
			return -1;
		memcpy(salt, share, 32);
		memcpy(salt + 32, d->ids[i].pk, 32);
		if (hkdf32(shared, 32, salt, 64, X25519_INFO, wrap) < 0)
			return -1;
		if (aead_once(0, wrap, body, 32, d->fk) == 0)
			found = 1;
	}
	OPENSSL_cleanse(shared, sizeof shared);
	OPENSSL_cleanse(wrap, sizeof wrap);
	return found;
}

/* Length of the line at p (up to its LF, excluded) within end. */
static size_t
line_len(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? (size_t)(nl - p) : (size_t)(end - p);
}

/* The whole header is in d->hdr, its last line the MAC line. */
static int
parse_header(struct age_dec *d)
{
	const char *p = d->hdr + strlen(AGE_MAGIC), *end = d->hdr + d->hlen;
	int stanzas = 0, found = 0, scrypt = 0;
	unsigned char mackey[32], mac[32], want[32];

	while (p < end && strncmp(p, "-> ", 3) == 0) {
		size_t n = line_len(p, end), nargs = 0;
		const char *args[3] = {0}, *a = p + 3, *ae = p + n;
		size_t alen[3] = {0};
		char *body64 = NULL;
		size_t blen = 0;
		unsigned char body[64];
		long bodylen;

		stanzas++;
		/* argument = 1*VCHAR, separated by one space */
		while (a <= ae) {
			const char *sp = memchr(a, ' ', (size_t)(ae - a));
			const char *e = sp ? sp : ae;
			if (e == a)
				return dec_fail(d, "malformed age header: an "
					"empty stanza argument");
			for (const char *q = a; q < e; q++)
				if (*q < 0x21 || *q > 0x7e)
					return dec_fail(d, "malformed age "
						"header: a bad stanza argument");
			if (nargs < 3) {
				args[nargs] = a;
				alen[nargs] = (size_t)(e - a);
			}
			nargs++;
			a = e + 1;
		}
		p += n + 1;
		/* The body: 64-column lines, ended by a shorter one. */
		for (;;) {
			size_t ln;
			if (p >= end) {
				free(body64);
				return dec_fail(d, "malformed age header: a "
					"stanza without its body");
			}
			ln = line_len(p, end);
			if (ln > 64) {
				free(body64);
				return dec_fail(d, "malformed age header: a "
					"body line longer than 64 columns");
			}
			body64 = xreallocarray(body64, blen + ln + 1, 1);
			memcpy(body64 + blen, p, ln);
			blen += ln;
			p += ln + 1;
			if (ln < 64)
				break;
		}
		if (alen[0] == 6 && memcmp(args[0], "X25519", 6) == 0) {
			unsigned char share[32];
			int r;

			if (nargs != 2 || b64_decode_canonical(args[1], alen[1],
				share, 32) != 32) {
				free(body64);
				return dec_fail(d, "malformed age header: a bad "
					"X25519 stanza");
			}
			bodylen = b64_decode_canonical(body64, blen, body,
				sizeof body);
			free(body64);
			if (bodylen != 32)
				return dec_fail(d, "malformed age header: an "
					"X25519 stanza's body is not 32 bytes");
			if (!found) {
				r = try_x25519(d, share, body);
				if (r < 0)
					return dec_fail(d, "malformed age "
						"header: a bad X25519 share");
				found = r;
			}
		} else {
			if (alen[0] == 6 && memcmp(args[0], "scrypt", 6) == 0)
				scrypt = 1;
			/* Other stanzas are ignored, but must be base64. */
			{
				unsigned char *tmp = xmalloc(blen + 1);
				bodylen = b64_decode_canonical(body64, blen,
					tmp, blen);
				free(tmp);
			}
			free(body64);
			if (bodylen < 0)
				return dec_fail(d, "malformed age header: a "
					"stanza body that is not base64");
		}
	}
	if (!stanzas)
		return dec_fail(d, "malformed age header: no recipient stanza");
	if ((size_t)(end - p) != 4 + 43 + 1 || strncmp(p, "--- ", 4) != 0 ||
	    end[-1] != '\n' ||
	    b64_decode_canonical(p + 4, 43, want, 32) != 32)
		return dec_fail(d, "malformed age header: a bad MAC line");
	if (scrypt && stanzas > 1)
		return dec_fail(d, "malformed age header: an scrypt stanza "
			"mixed with others");
	if (scrypt)
		return dec_fail(d, "the file is encrypted with a passphrase "
			"(scrypt): decrypt it with age -d");
	if (!found)
		return dec_fail(d, "no identity matches any recipient");
	if (hkdf32(d->fk, 16, NULL, 0, "header", mackey) < 0 ||
	    hmac_sha256(mackey, d->hdr, (size_t)(p + 3 - d->hdr), mac) < 0)
		return dec_fail(d, "OpenSSL failed on the header's MAC");
	OPENSSL_cleanse(mackey, sizeof mackey);
	if (CRYPTO_memcmp(mac, want, 32) != 0)
		return dec_fail(d, "the age header's MAC does not match: the "
			"header was modified");
	d->state = D_NONCE;
	return 0;
}

int
age_looks_encrypted(const void *p, size_t len)
{
	static const char bin[] = "age-encryption.org/";
	static const char arm[] = "-----BEGIN AGE ENCRYPTED FILE-----";

	return (len >= sizeof bin - 1 && memcmp(p, bin, sizeof bin - 1) == 0) ||
		(len >= sizeof arm - 1 && memcmp(p, arm, sizeof arm - 1) == 0);
}

/* Checks the bytes of the header that are in against the magic line. */
static int
check_magic(struct age_dec *d)
{
	size_t n = d->hlen < sizeof AGE_MAGIC - 1 ? d->hlen :
		sizeof AGE_MAGIC - 1;

	if (memcmp(d->hdr, AGE_MAGIC, n) == 0)
		return 0;
	if (d->hlen >= 5 && memcmp(d->hdr, "-----", 5) == 0)
		return dec_fail(d, "an armored (PEM) age file: decrypt it "
			"with age -d");
	if (d->hlen >= 19 && memcmp(d->hdr, "age-encryption.org/", 19) == 0)
		return dec_fail(d, "an age file of another version than v1");
	return dec_fail(d, "not an age file");
}

static int
dec_header(struct age_dec *d, const unsigned char **pp, size_t *lenp)
{
	while (*lenp && d->state == D_HEADER) {
		const unsigned char *nl = memchr(*pp, '\n', *lenp);
		size_t take = nl ? (size_t)(nl - *pp) + 1 : *lenp;

		if (d->hlen + take > AGE_MAX_HEADER)
			return d->hlen < sizeof AGE_MAGIC - 1 ||
				check_magic(d) == 0 ? dec_fail(d, "the age header "
				"is longer than %d bytes", AGE_MAX_HEADER) : -1;
		if (d->hlen + take > d->hcap) {
			d->hcap = (d->hlen + take) * 2;
			d->hdr = xreallocarray(d->hdr, d->hcap, 1);
		}
		memcpy(d->hdr + d->hlen, *pp, take);
		d->hlen += take;
		*pp += take;
		*lenp -= take;
		if (check_magic(d) < 0)
			return -1;
		if (!nl)
			break;
		if (d->hlen - d->line >= 3 &&
		    memcmp(d->hdr + d->line, "---", 3) == 0)
			return parse_header(d);
		d->line = d->hlen;
	}
	return 0;
}

static int
dec_chunk(struct age_dec *d, int last)
{
	unsigned long long n = nonce_counter(d->nonce);

	d->nonce[11] = last ? 1 : 0;
	if (aead(d->c, 0, NULL, d->nonce, d->buf, d->have, d->out) < 0) {
		if (last)
			return dec_fail(d, "the encrypted stream's last chunk "
				"(%llu) does not authenticate: it was truncated "
				"or modified", n);
		return dec_fail(d, "chunk %llu of the encrypted stream does "
			"not authenticate: it was modified (or data follows "
			"its end)", n);
	}
	if (last && d->have == TAG && n > 0)
		return dec_fail(d, "the encrypted stream ends with an empty "
			"chunk");
	if (d->have > TAG && d->w(d->ctx, d->out, d->have - TAG) < 0)
		return dec_fail(d, "cannot write the decrypted stream");
	nonce_next(d->nonce);
	d->have = 0;
	return 0;
}

int
age_dec_update(struct age_dec *d, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (d->state == D_FAILED)
		return -1;
	if (d->state == D_HEADER && dec_header(d, &p, &len) < 0)
		return -1;
	if (d->state == D_NONCE && len) {
		size_t take = 16 - d->nlen < len ? 16 - d->nlen : len;
		memcpy(d->pnonce + d->nlen, p, take);
		d->nlen += take;
		p += take;
		len -= take;
		if (d->nlen == 16) {
			d->c = EVP_CIPHER_CTX_new();
			d->buf = xmalloc(ENC_CHUNK);
			d->out = xmalloc(ENC_CHUNK);
			if (!d->c || hkdf32(d->fk, 16, d->pnonce, 16, "payload",
				d->key) < 0 ||
			    EVP_DecryptInit_ex(d->c, EVP_chacha20_poly1305(),
				NULL, d->key, NULL) != 1)
				return dec_fail(d, "OpenSSL failed to start "
					"decrypting");
			d->state = D_PAYLOAD;
		}
	}
	if (d->state == D_DONE && len)
		return dec_fail(d, "data after the end of the encrypted stream");
	while (d->state == D_PAYLOAD && len) {
		size_t take;

		/* A full chunk with more after it cannot be the last. */
		if (d->have == ENC_CHUNK && dec_chunk(d, 0) < 0)
			return -1;
		take = ENC_CHUNK - d->have;
		if (take > len)
			take = len;
		memcpy(d->buf + d->have, p, take);
		d->have += take;
		p += take;
		len -= take;
	}
	return d->state == D_FAILED ? -1 : 0;
}

int
age_dec_final(struct age_dec *d)
{
	switch (d->state) {
	case D_FAILED:
		return -1;
	case D_DONE:
		return 0;
	case D_HEADER:
		if (d->hlen == 0)
			return dec_fail(d, "not an age file: the input is "
				"empty");
		return dec_fail(d, "the encrypted stream is truncated in its "
			"header");
	case D_NONCE:
		return dec_fail(d, "the encrypted stream is truncated before "
			"its payload");
	case D_PAYLOAD:
		break;
	}
	if (d->have == 0)
		return dec_fail(d, "the encrypted stream is truncated: no "
			"final chunk");
	if (d->have < TAG)
		return dec_fail(d, "the encrypted stream is truncated: a "
			"partial chunk");
	if (dec_chunk(d, 1) < 0)
		return -1;
	d->state = D_DONE;
	return 0;
}

const char *
age_dec_error(const struct age_dec *d)
{
	return d->err;
}

int
age_dec_header_done(const struct age_dec *d)
{
	return d->state == D_NONCE || d->state == D_PAYLOAD ||
		d->state == D_DONE;
}

void
age_dec_free(struct age_dec *d)
{
	if (!d)
		return;
	OPENSSL_cleanse(d->ids, (d->nids ? d->nids : 1) * sizeof *d->ids);
	free(d->ids);
	OPENSSL_cleanse(d->fk, sizeof d->fk);
	OPENSSL_cleanse(d->key, sizeof d->key);
	EVP_CIPHER_CTX_free(d->c);
	if (d->out)
		OPENSSL_cleanse(d->out, ENC_CHUNK);
	free(d->buf);
	free(d->out);
	free(d->hdr);
	free(d);
}
