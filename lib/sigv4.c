/* sigv4.c: AWS Signature Version 4, pure functions; see sigv4.h. */
#include "sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

#include "xalloc.h"

/* A growing string, local to this file. */
struct buf {
	char *s;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xreallocarray(b->s, cap, 1);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static char *
buf_take(struct buf *b)
{
	if (b->s == NULL)
		return xstrdup("");
	return b->s;
}

void
sigv4_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void
sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	sigv4_hex(md, sizeof md, out);
}

void
sigv4_md5(const void *data, size_t len, unsigned char out[16])
{
	unsigned int mdlen = 0;

	EVP_Digest(data, len, out, &mdlen, EVP_md5(), NULL);
}

void
sigv4_md5_base64(const void *data, size_t len, char out[25])
{
	unsigned char md[16];
	unsigned int mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_md5(), NULL);
	EVP_EncodeBlock((unsigned char *)out, md, 16);
}

static void
hmac(const void *key, size_t keylen, const char *msg, unsigned char out[32])
{
	unsigned int outlen = 32;

	HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
		strlen(msg), out, &outlen);
}

void
sigv4_signing_key(const char *secret, const char *date8, const char *region,
	const char *service, unsigned char out[32])
{
	size_t n = strlen(secret) + 5;
	char *k = xmalloc(n);
	unsigned char a[32], b[32];

	snprintf(k, n, "AWS4%s", secret);
	hmac(k, n - 1, date8, a);
	hmac(a, 32, region, b);
	hmac(b, 32, service, a);
	hmac(a, 32, "aws4_request", out);
	OPENSSL_cleanse(k, n);
	OPENSSL_cleanse(a, sizeof a);
	OPENSSL_cleanse(b, sizeof b);
	free(k);
}

char *
sigv4_uri_encode(const char *s, size_t len, int keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";
	char *out = xmalloc(3 * len + 1), *p = out;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || (keep_slash && c == '/')) {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = digits[c >> 4];
			*p++ = digits[c & 15];
		}
	}
	*p = '\0';
	return out;
}

struct enc_param {
	char *name, *value;
};

static int
cmp_param(const void *a, const void *b)
{
	const struct enc_param *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

char *
sigv4_canonical_query(const struct sigv4_param *params, size_t n)
{
	struct enc_param *e;
	struct buf b = {0};

	if (n == 0)
		return xstrdup("");
	e = xcalloc(n, sizeof *e);
	for (size_t i = 0; i < n; i++) {
		const char *v = params[i].value ? params[i].value : "";
		e[i].name = sigv4_uri_encode(params[i].name,
			strlen(params[i].name), 0);
		e[i].value = sigv4_uri_encode(v, strlen(v), 0);
	}
	qsort(e, n, sizeof *e, cmp_param);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_str(&b, "&");
		buf_str(&b, e[i].name);
		buf_str(&b, "=");
		buf_str(&b, e[i].value);
		free(e[i].name);
		free(e[i].value);
	}
	free(e);
	return buf_take(&b);
}

char *
sigv4_host_header(const char *scheme, const char *host, int port)
{
	int def = strcmp(scheme, "https") == 0 ? 443 : 80;

	if (port <= 0 || port == def)
		return xstrdup(host);
	return xasprintf("%s:%d", host, port);
}

void
sigv4_amz_date(time_t t, char out[17])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

struct canon_header {
	char *name;
	char *value;
};

static int
cmp_header(const void *a, const void *b)
{
	return strcmp(((const struct canon_header *)a)->name,
		((const struct canon_header *)b)->name);
}

/* Trims the value and folds inner runs of spaces and tabs to one space. */
static char *
canon_value(const char *v)
{
	char *out = xmalloc(strlen(v) + 1), *p = out;
	int space = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v; v++) {
		if (*v == ' ' || *v == '\t') {
			space = 1;
			continue;
		}
		if (space && p != out)
			*p++ = ' ';
		space = 0;
		*p++ = *v;
	}
	*p = '\0';
	return out;
}

void
sigv4_sign(const struct sigv4_input *in, struct sigv4_output *out)
{
	struct canon_header *h = xcalloc(in->nheaders + 1, sizeof *h);
	struct buf cr = {0}, sh = {0}, sts = {0};
	char crhash[65], date8[9], scope[256];
	unsigned char key[32], sig[32];
	unsigned int siglen = sizeof sig;

	for (size_t i = 0; i < in->nheaders; i++) {
		h[i].name = xstrdup(in->headers[i].name);
		for (char *p = h[i].name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		h[i].value = canon_value(in->headers[i].value);
	}
	qsort(h, in->nheaders, sizeof *h, cmp_header);

	buf_str(&cr, in->method);
	buf_str(&cr, "\n");
	buf_str(&cr, in->canonical_uri);
	buf_str(&cr, "\n");
	buf_str(&cr, in->canonical_query ? in->canonical_query : "");
	buf_str(&cr, "\n");
	for (size_t i = 0; i < in->nheaders; i++) {
		buf_str(&cr, h[i].name);
		buf_str(&cr, ":");
		buf_str(&cr, h[i].value);
		buf_str(&cr, "\n");
		if (i)
			buf_str(&sh, ";");
		buf_str(&sh, h[i].name);
	}
	buf_str(&cr, "\n");
	buf_str(&cr, sh.s ? sh.s : "");
	buf_str(&cr, "\n");
	buf_str(&cr, in->payload_sha256);

	memcpy(date8, in->amz_date, 8);
	date8[8] = '\0';
	snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", date8,
		in->region, in->service);
	sigv4_sha256_hex(cr.s, cr.len, crhash);
	buf_str(&sts, "AWS4-HMAC-SHA256\n");
	buf_str(&sts, in->amz_date);
	buf_str(&sts, "\n");
	buf_str(&sts, scope);
	buf_str(&sts, "\n");
	buf_str(&sts, crhash);

	sigv4_signing_key(in->secret_key, date8, in->region, in->service, key);
	HMAC(EVP_sha256(), key, sizeof key, (const unsigned char *)sts.s,
		sts.len, sig, &siglen);
	OPENSSL_cleanse(key, sizeof key);
	sigv4_hex(sig, sizeof sig, out->signature);

	out->canonical_request = buf_take(&cr);
	out->string_to_sign = buf_take(&sts);
	out->signed_headers = buf_take(&sh);
	out->authorization = xasprintf("AWS4-HMAC-SHA256 Credential=%s/%s,"
		"SignedHeaders=%s,Signature=%s", in->access_key, scope,
		out->signed_headers, out->signature);
	for (size_t i = 0; i < in->nheaders; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

void
sigv4_output_free(struct sigv4_output *out)
{
	free(out->canonical_request);
	free(out->string_to_sign);
	free(out->signed_headers);
	free(out->authorization);
	memset(out, 0, sizeof *out);
}
