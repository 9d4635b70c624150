/*
 * s3.h: a small S3 client over libcurl: the requests supload needs
 * (PutObject, the multipart upload calls, HeadObject, GetObject resumed
 * with Range, ListObjectsV2 with continuation tokens, DeleteObjects), each
 * signed with SigV4 (sigv4.h) over its payload's SHA-256 and carrying
 * Content-MD5, with response XML parsed by expat.
 *
 * Every call retries on its own, with exponential backoff and full jitter,
 * on connection errors, timeouts and stalls (no byte moved for
 * stall_timeout seconds), HTTP 429, 500, 502, 503, 504 and the S3 codes
 * RequestTimeout, SlowDown, InternalError and RequestTimeTooSkewed (signed
 * afresh with the server's clock), within max_attempts and max_seconds.
 * A call returns 0, or -1 with a struct s3_status saying why and whether a
 * later retry may succeed (EXIT_TEMPFAIL) or not (EXIT_FAIL).  Messages
 * never contain the secret key or an Authorization header.
 *
 * A struct s3 is one connection (curl handle): use one per thread.
 */
#ifndef STRONGBOX_S3_H
#define STRONGBOX_S3_H

#include <stddef.h>

struct s3_config {
	char *scheme;       /* "http" or "https" */
	char *host;         /* host name or address, no port */
	int port;           /* 0 for the scheme's default */
	char *bucket;
	char *region;
	char *access_key;
	char *secret_key;   /* wiped by s3_config_free() */
	char *session_token; /* or NULL */
	int virtual_style;  /* bucket.host/key instead of host/bucket/key */
	char *ca_file;      /* or NULL for the system's */
	long connect_timeout; /* seconds */
	long stall_timeout;   /* seconds with no byte moved */
	int max_attempts;     /* per request, >= 1 */
	double max_seconds;   /* per request, retries included */
	int verbose;          /* one line per request on stderr */
};

/*
 * Sets scheme, host and port from an endpoint URL ("https://host:port",
 * a scheme-less "host:port" means https).  Returns 0, or -1 with *why set
 * to a static message.
 */
int s3_config_endpoint(struct s3_config *c, const char *url, const char **why);

/* Frees the strings of *c, wiping the secret. */
void s3_config_free(struct s3_config *c);

struct s3_status {
	int code;       /* EXIT_OK, EXIT_FAIL or EXIT_TEMPFAIL */
	long http;      /* last HTTP status, 0 if none */
	char s3code[64]; /* S3 error code ("NoSuchKey"), or "" */
	char msg[512];  /* one line: what went wrong */
};

/* A connection using *cfg, which must outlive it. */
struct s3 *s3_new(const struct s3_config *cfg);
void s3_free(struct s3 *s);

/*
 * Bodies sent on s from now on are signed as UNSIGNED-PAYLOAD instead of
 * by their SHA-256: for an age stream (put.h's sealed), whose chunks are
 * authenticated already, so that a change in transit is caught at
 * decryption, and whose Content-MD5 (signed, checked by the server, and
 * the ETag checked against it here) still catches a body damaged on the
 * way.  It saves one SHA-256 pass over every part.  A server that refuses
 * such a body (400, 403 or 501) gets it again at once with its SHA-256,
 * and every body after it, on every handle.
 */
void s3_set_unsigned_payload(struct s3 *s, int on);

/*
 * Makes every call in progress or to come fail at once (with "cancelled"),
 * except aborts of multipart uploads.  Async-signal-safe.
 */
void s3_cancel(void);
int s3_cancelled(void);

/* PutObject of len bytes; *etag (malloc'ed) is the ETag, quotes kept. */
int s3_put_object(struct s3 *s, const char *key, const void *data,
	size_t len, char **etag, struct s3_status *st);

/* CreateMultipartUpload; *upload_id is malloc'ed. */
int s3_create_multipart(struct s3 *s, const char *key, char **upload_id,
	struct s3_status *st);

/*
 * UploadPart number part (1-based); *etag is malloc'ed, quotes kept, and
 * md5 gets the part's MD5 (for checking the final multipart ETag).  An
 * ETag that looks like an MD5 but is not the part's fails the call, as
 * does one of s3_put_object().
 */
int s3_upload_part(struct s3 *s, const char *key, const char *upload_id,
	int part, const void *data, size_t len, char **etag,
	unsigned char md5[16], struct s3_status *st);

/*
 * CompleteMultipartUpload with etags[0..nparts-1] for parts 1..nparts; a
 * 200 answer carrying an <Error> counts as that error.  *etag is the
 * object's ETag, malloc'ed.
 */
int s3_complete_multipart(struct s3 *s, const char *key,
	const char *upload_id, char *const *etags, int nparts, char **etag,
	struct s3_status *st);

/* AbortMultipartUpload, retried like the others, never cancelled. */
int s3_abort_multipart(struct s3 *s, const char *key, const char *upload_id,
	struct s3_status *st);

/* HeadObject: the object's size and, if etag is not NULL, its ETag. */
int s3_head_object(struct s3 *s, const char *key, long long *size,
	char **etag, struct s3_status *st);

/*
 * Receives object bytes in order; returns 0, or -1 to stop the transfer
 * for good (errno set), which GetObject reports as a write error.
 */
typedef int (*s3_sink)(void *ctx, const void *data, size_t len);

/*
 * GetObject: the object's bytes to sink, each byte once and in order; a
 * transfer that breaks is resumed with a Range request from the first
 * byte not delivered, and If-Match on the first answer's ETag so that a
 * changed object fails rather than splices.
 */
int s3_get_object(struct s3 *s, const char *key, s3_sink sink, void *ctx,
	struct s3_status *st);

struct s3_object {
	const char *key;
	long long size;
	const char *last_modified; /* as the server wrote it (ISO 8601) */
};

/* Called for each object listed, in the server's order; non-zero stops. */
typedef int (*s3_list_cb)(void *ctx, const struct s3_object *obj);

/* ListObjectsV2 of every object under prefix ("" for all), every page. */
int s3_list_objects(struct s3 *s, const char *prefix, s3_list_cb cb,
	void *ctx, struct s3_status *st);

/* Told the outcome of each key: error is NULL when it was deleted. */
typedef void (*s3_delete_cb)(void *ctx, const char *key, const char *error);

/*
 * DeleteObjects of n keys (at most 1000), with Content-MD5; cb hears of
 * every key in the answer.  Returns -1 only when the request failed.
 */
int s3_delete_objects(struct s3 *s, char *const *keys, size_t n,
	s3_delete_cb cb, void *ctx, struct s3_status *st);

#endif
