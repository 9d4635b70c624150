/*
 * sigv4.h: AWS Signature Version 4 for S3, as pure functions (no I/O, no
 * clock): the URI and query encoding S3 expects, the canonical request, the
 * string to sign, the signing key and the Authorization header.  Hashing and
 * HMAC are OpenSSL's.  lib/s3.c builds requests with these; the unit tests
 * check them against the worked examples AWS publishes.
 */
#ifndef STRONGBOX_SIGV4_H
#define STRONGBOX_SIGV4_H

#include <stddef.h>
#include <time.h>

/* SHA-256 of the empty string, the payload hash of a request with no body. */
#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Writes the lowercase hex of n bytes and a NUL to out (2n + 1 bytes). */
void sigv4_hex(const unsigned char *in, size_t n, char *out);

/* Writes the lowercase hex SHA-256 of len bytes at data to out. */
void sigv4_sha256_hex(const void *data, size_t len, char out[65]);

/* Writes the MD5 of len bytes to out. */
void sigv4_md5(const void *data, size_t len, unsigned char out[16]);

/* Writes the base64 MD5 of len bytes (a Content-MD5 value) to out. */
void sigv4_md5_base64(const void *data, size_t len, char out[25]);

/*
 * Derives the signing key HMAC(HMAC(HMAC(HMAC("AWS4" secret, date8),
 * region), service), "aws4_request") into out.  date8 is YYYYMMDD.
 */
void sigv4_signing_key(const char *secret, const char *date8,
	const char *region, const char *service, unsigned char out[32]);

/*
 * Percent-encodes len bytes of s as S3 wants: every byte but A-Z a-z 0-9
 * - _ . ~ becomes %XX (uppercase hex), so a space is %20 and '+' is %2B;
 * with keep_slash, '/' stays (object keys in a path), else it is %2F
 * (query names and values).  Returns a malloc'ed string.
 */
char *sigv4_uri_encode(const char *s, size_t len, int keep_slash);

/* One query parameter; value NULL is sent and signed as "name=". */
struct sigv4_param {
	const char *name;
	const char *value;
};

/*
 * The canonical query string of n parameters (raw, unencoded): each name
 * and value encoded with sigv4_uri_encode(), sorted by encoded name then
 * value, joined with '&'.  The same string serves as the URL's query.
 * Returns a malloc'ed string ("" for none).
 */
char *sigv4_canonical_query(const struct sigv4_param *params, size_t n);

/*
 * The Host header for host and port under scheme ("http" or "https"): the
 * port is kept unless it is the scheme's default (80, 443) or port <= 0.
 * Returns a malloc'ed string.
 */
char *sigv4_host_header(const char *scheme, const char *host, int port);

/* Formats t (UTC) as YYYYMMDDTHHMMSSZ, the x-amz-date value. */
void sigv4_amz_date(time_t t, char out[17]);

/* A header to sign; names in any case, each name once. */
struct sigv4_header {
	const char *name;
	const char *value;
};

struct sigv4_input {
	const char *method;          /* "GET", "PUT", ... */
	const char *canonical_uri;   /* already encoded: "/bucket/a%20b" */
	const char *canonical_query; /* from sigv4_canonical_query() */
	const struct sigv4_header *headers; /* all the signed headers */
	size_t nheaders;
	const char *payload_sha256;  /* hex, or "UNSIGNED-PAYLOAD" */
	const char *amz_date;        /* YYYYMMDDTHHMMSSZ */
	const char *region;
	const char *service;         /* "s3" */
	const char *access_key;
	const char *secret_key;
};

/* Everything sigv4_sign() computes; the strings are malloc'ed. */
struct sigv4_output {
	char *canonical_request;
	char *string_to_sign;
	char *signed_headers;  /* "host;range;x-amz-date" */
	char *authorization;   /* the Authorization header value */
	char signature[65];
};

/*
 * Signs a request: header names are lowercased and sorted, values trimmed
 * with inner runs of spaces folded to one.  Fills *out; free it with
 * sigv4_output_free().  The secret is not copied into *out.
 */
void sigv4_sign(const struct sigv4_input *in, struct sigv4_output *out);

void sigv4_output_free(struct sigv4_output *out);

#endif
