/* s3.c: S3 requests over libcurl, signed, retried; see s3.h. */
#include "s3.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <expat.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "err.h"
#include "monotime.h"
#include "sigv4.h"
#include "xalloc.h"

#define MAX_ERROR_BODY 65536
#define MAX_XML_BODY (64 << 20)
#define BACKOFF_BASE 0.25
#define BACKOFF_CAP 8.0

static atomic_int cancelled;
/* The server refused an UNSIGNED-PAYLOAD body: sign every payload from then on. */
static atomic_int unsigned_refused;
static atomic_long clock_skew; /* server time minus ours, seconds */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

struct s3 {
	const struct s3_config *cfg;
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
	unsigned long long rnd;
	int unsigned_payload;
};

void
s3_set_unsigned_payload(struct s3 *s, int on)
{
	s->unsigned_payload = on;
}

void
s3_cancel(void)
{
	atomic_store(&cancelled, 1);
}

int
s3_cancelled(void)
{
	return atomic_load(&cancelled);
}

int
s3_config_endpoint(struct s3_config *c, const char *url, const char **why)
{
	const char *p = url, *hostend, *colon;
	int port = 0;

	free(c->scheme);
	free(c->host);
	c->scheme = c->host = NULL;
	if (strncmp(p, "https://", 8) == 0) {
		c->scheme = xstrdup("https");
		p += 8;
	} else if (strncmp(p, "http://", 7) == 0) {
		c->scheme = xstrdup("http");
		p += 7;
	} else if (strstr(p, "://")) {
		*why = "the endpoint's scheme is neither http nor https";
		return -1;
	} else {
		c->scheme = xstrdup("https");
	}
	hostend = p + strcspn(p, "/?#");
	if (*hostend && strcmp(hostend, "/") != 0) {
		*why = "the endpoint has a path; give only scheme://host[:port]";
		return -1;
	}
	if (*p == '[') {
		const char *rb = memchr(p, ']', hostend - p);
		if (!rb) {
			*why = "the endpoint's host is malformed";
			return -1;
		}
		colon = rb + 1 < hostend && rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(p, ':', hostend - p);
	}
	if (colon) {
		char *end;
		long v = strtol(colon + 1, &end, 10);
		if (end != hostend || v <= 0 || v > 65535) {
			*why = "the endpoint's port is not a number from 1 to 65535";
			return -1;
		}
		port = (int)v;
	}
	if ((colon ? colon : hostend) == p) {
		*why = "the endpoint has no host";
		return -1;
	}
	c->host = xstrndup(p, (colon ? colon : hostend) - p);
	c->port = port;
	return 0;
}

void
s3_config_free(struct s3_config *c)
{
	if (c->secret_key) {
		OPENSSL_cleanse(c->secret_key, strlen(c->secret_key));
		free(c->secret_key);
	}
	if (c->session_token) {
		OPENSSL_cleanse(c->session_token, strlen(c->session_token));
		free(c->session_token);
	}
	free(c->scheme);
	free(c->host);
	free(c->bucket);
	free(c->region);
	free(c->access_key);
	free(c->ca_file);
	memset(c, 0, sizeof *c);
}

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct s3 *
s3_new(const struct s3_config *cfg)
{
	struct s3 *s = xcalloc(1, sizeof *s);

	pthread_once(&curl_once, curl_init_once);
	s->cfg = cfg;
	s->curl = curl_easy_init();
	if (!s->curl)
		die(EXIT_FAIL, "cannot start libcurl");
	s->rnd = (unsigned long long)time(NULL) ^
		((unsigned long long)(uintptr_t)s << 16) ^ (unsigned)getpid();
	return s;
}

void
s3_free(struct s3 *s)
{
	if (!s)
		return;
	curl_easy_cleanup(s->curl);
	free(s);
}

/* Copies src into dst of size n, cutting it short if need be. */
static void
copy_str(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* A growing byte buffer. */
struct buf {
	char *s;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xreallocarray(b->s, cap, 1);
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
buf_xml(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_str(b, "&amp;"); break;
		case '<': buf_str(b, "&lt;"); break;
		case '>': buf_str(b, "&gt;"); break;
		case '"': buf_str(b, "&quot;"); break;
		case '\'': buf_str(b, "&apos;"); break;
		default: buf_add(b, s, 1);
		}
	}
}

/* ---- XML: a callback at the end of each element, with its text. ---- */

typedef void (*xml_cb)(void *ud, int depth, const char *parent,
	const char *name, const char *text);

struct xml_walk {
	char *stack[32];
	int depth;
	struct buf text;
	xml_cb cb;
	void *ud;
};

static void XMLCALL
xml_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xml_walk *w = ud;

	if (w->depth < 32)
		w->stack[w->depth] = xstrdup(name);
	w->depth++;
	w->text.len = 0;
	if (w->text.s)
		w->text.s[0] = '\0';
}

static void XMLCALL
xml_end(void *ud, const XML_Char *name)
{
	struct xml_walk *w = ud;
	const char *parent = w->depth >= 2 && w->depth - 2 < 32 ?
		w->stack[w->depth - 2] : "";

	w->cb(w->ud, w->depth, parent, name, w->text.s ? w->text.s : "");
	w->depth--;
	if (w->depth < 32) {
		free(w->stack[w->depth]);
		w->stack[w->depth] = NULL;
	}
	w->text.len = 0;
	if (w->text.s)
		w->text.s[0] = '\0';
}

static void XMLCALL
xml_chars(void *ud, const XML_Char *s, int len)
{
	struct xml_walk *w = ud;

	if (w->text.len + len < (1 << 20))
		buf_add(&w->text, s, len);
}

/* Parses len bytes of XML; returns 0, or -1 when it is not well formed. */
static int
xml_parse(const char *data, size_t len, xml_cb cb, void *ud)
{
	struct xml_walk w = {.cb = cb, .ud = ud};
	XML_Parser p = XML_ParserCreate("UTF-8");
	int ok;

	if (!p)
		die(EXIT_FAIL, "out of memory");
	XML_SetUserData(p, &w);
	XML_SetElementHandler(p, xml_start, xml_end);
	XML_SetCharacterDataHandler(p, xml_chars);
	ok = XML_Parse(p, data ? data : "", (int)len, 1) == XML_STATUS_OK;
	XML_ParserFree(p);
	for (int i = 0; i < w.depth && i < 32; i++)
		free(w.stack[i]);
	free(w.text.s);
	return ok ? 0 : -1;
}

struct xml_error {
	int is_error;
	char code[64];
	char message[256];
};

static void
error_cb(void *ud, int depth, const char *parent, const char *name,
	const char *text)
{
	struct xml_error *e = ud;

	if (depth == 1 && strcmp(name, "Error") == 0)
		e->is_error = 1;
	else if (depth == 2 && strcmp(parent, "Error") == 0) {
		if (strcmp(name, "Code") == 0)
			copy_str(e->code, sizeof e->code, text);
		else if (strcmp(name, "Message") == 0)
			copy_str(e->message, sizeof e->message, text);
	}
}

/* ---- one request, retried ---- */

struct req {
	const char *method;
	const char *key;             /* NULL for the bucket */
	const struct sigv4_param *q;
	size_t nq;
	const void *body;            /* NULL: no body */
	size_t body_len;
	const char *content_type;
	int head;                    /* HEAD: no response body */
	int nocancel;
	int ok_may_be_error;         /* a 200 may carry <Error> */
	s3_sink sink;                /* GET object: 2xx bytes go here */
	void *sink_ctx;
};

struct resp {
	long http;
	struct buf body;             /* error bodies, and XML answers */
	char etag[256];
	char date[64];
	long long length;
	/* GetObject resume state, kept across attempts */
	long long delivered;
	long long range_from;        /* this attempt's Range start, or 0 */
	long long skip;              /* bytes of a 200 answer already had */
	int skip_set;
	int sink_failed;
	int sink_errno;
	unsigned char md5[16];       /* MD5 of the request body */
};

struct xfer {
	struct s3 *s;
	const struct req *r;
	struct resp *p;
};

static size_t
on_header(char *data, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n, nl = strlen("etag:");
	char line[512];

	if (len >= sizeof line)
		return len;
	memcpy(line, data, len);
	line[len] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strncasecmp(line, "HTTP/", 5) == 0) {
		if (!x->r->sink)
			x->p->etag[0] = '\0';
		x->p->length = -1;
		x->p->skip_set = 0;
	} else if (strncasecmp(line, "etag:", nl) == 0) {
		const char *v = line + nl;
		while (*v == ' ')
			v++;
		/* A resumed GET keeps the first answer's ETag for If-Match. */
		if (!x->r->sink || !x->p->etag[0])
			copy_str(x->p->etag, sizeof x->p->etag, v);
	} else if (strncasecmp(line, "date:", 5) == 0) {
		const char *v = line + 5;
		while (*v == ' ')
			v++;
		copy_str(x->p->date, sizeof x->p->date, v);
	} else if (strncasecmp(line, "content-length:", 15) == 0) {
		x->p->length = strtoll(line + 15, NULL, 10);
	}
	return len;
}

static size_t
on_body(char *data, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	long code = 0;

	curl_easy_getinfo(x->s->curl, CURLINFO_RESPONSE_CODE, &code);
	if (x->r->sink && (code == 200 || code == 206)) {
		if (!x->p->skip_set) {
			/* A server that ignores Range repeats the start. */
			x->p->skip = code == 200 ? x->p->range_from : 0;
			x->p->skip_set = 1;
		}
		if (x->p->skip > 0) {
			size_t k = x->p->skip < (long long)len ?
				(size_t)x->p->skip : len;
			x->p->skip -= k;
			data += k;
			len -= k;
			if (len == 0)
				return size * n;
		}
		if (x->r->sink(x->r->sink_ctx, data, len) < 0) {
			x->p->sink_failed = 1;
			x->p->sink_errno = errno;
			return 0;
		}
		x->p->delivered += len;
		return size * n;
	}
	if (x->p->body.len + len > (x->r->sink ? MAX_ERROR_BODY : MAX_XML_BODY))
		return 0;
	buf_add(&x->p->body, data, len);
	return len;
}

static int
on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut,
	curl_off_t un)
{
	struct xfer *x = ud;

	return !x->r->nocancel && atomic_load(&cancelled);
}

static double
jitter(struct s3 *s)
{
	/* xorshift64*: the backoff only needs to spread retries apart */
	s->rnd ^= s->rnd >> 12;
	s->rnd ^= s->rnd << 25;
	s->rnd ^= s->rnd >> 27;
	return (double)((s->rnd * 2685821657736338717ULL) >> 11) /
		(double)(1ULL << 53);
}

/* Sleeps up to secs; returns -1 early when cancelled (unless nocancel). */
static int
backoff_sleep(double secs, int nocancel)
{
	while (secs > 0) {
		double d = secs < 0.05 ? secs : 0.05;
		struct timespec ts = {0, (long)(d * 1e9)};
		if (!nocancel && atomic_load(&cancelled))
			return -1;
		nanosleep(&ts, NULL);
		secs -= d;
	}
	return 0;
}

static int
temporary_code(const char *code)
{
	static const char *const codes[] = {
		"RequestTimeout", "SlowDown", "InternalError",
		"RequestTimeTooSkewed", "ServiceUnavailable", "Throttling",
		"ThrottlingException", "RequestLimitExceeded",
		/* the body was damaged on the way: sent again, it may not be */
		"BadDigest", "XAmzContentSHA256Mismatch", NULL,
	};

	for (int i = 0; codes[i]; i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

static int
temporary_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_WEIRD_SERVER_REPLY:
		return 1;
	default:
		return 0;
	}
}

static char *
request_path(const struct s3_config *c, const char *key)
{
	char *enc = key ? sigv4_uri_encode(key, strlen(key), 1) : NULL;
	char *path;

	if (c->virtual_style)
		path = xasprintf("/%s", enc ? enc : "");
	else if (enc)
		path = xasprintf("/%s/%s", c->bucket, enc);
	else
		path = xasprintf("/%s", c->bucket);
	free(enc);
	return path;
}

/* Sends r once; returns the curl code and fills p. */
static CURLcode
perform(struct s3 *s, const struct req *r, struct resp *p,
	const char *payload_sha, const char *md5, long long range_from)
{
	const struct s3_config *c = s->cfg;
	struct sigv4_header h[10];
	size_t nh = 0;
	char *path = request_path(c, r->key);
	char *query = sigv4_canonical_query(r->q, r->nq);
	char *hostname = c->virtual_style ?
		xasprintf("%s.%s", c->bucket, c->host) : xstrdup(c->host);
	char *host = sigv4_host_header(c->scheme, hostname, c->port);
	char *url, amzdate[17], range[64], ifmatch[300];
	struct curl_slist *hl = NULL;
	struct sigv4_output out;
	struct xfer x = {s, r, p};
	CURLcode rc;
	CURL *cu = s->curl;

	sigv4_amz_date(time(NULL) + atomic_load(&clock_skew), amzdate);
	h[nh++] = (struct sigv4_header){"host", host};
	h[nh++] = (struct sigv4_header){"x-amz-content-sha256", payload_sha};
	h[nh++] = (struct sigv4_header){"x-amz-date", amzdate};
	if (md5)
		h[nh++] = (struct sigv4_header){"content-md5", md5};
	if (c->session_token)
		h[nh++] = (struct sigv4_header){"x-amz-security-token",
			c->session_token};
	if (range_from > 0) {
		snprintf(range, sizeof range, "bytes=%lld-", range_from);
		h[nh++] = (struct sigv4_header){"range", range};
		if (p->etag[0]) {
			copy_str(ifmatch, sizeof ifmatch, p->etag);
			h[nh++] = (struct sigv4_header){"if-match", ifmatch};
		}
	}
	struct sigv4_input in = {
		.method = r->method, .canonical_uri = path,
		.canonical_query = query, .headers = h, .nheaders = nh,
		.payload_sha256 = payload_sha, .amz_date = amzdate,
		.region = c->region, .service = "s3",
		.access_key = c->access_key, .secret_key = c->secret_key,
	};
	sigv4_sign(&in, &out);

	for (size_t i = 1; i < nh; i++) {
		char *line = xasprintf("%s: %s", h[i].name, h[i].value);
		hl = curl_slist_append(hl, line);
		free(line);
	}
	{
		char *line = xasprintf("Authorization: %s", out.authorization);
		hl = curl_slist_append(hl, line);
		OPENSSL_cleanse(line, strlen(line));
		free(line);
	}
	hl = curl_slist_append(hl, "Expect:");
	if (r->content_type) {
		char *line = xasprintf("Content-Type: %s", r->content_type);
		hl = curl_slist_append(hl, line);
		free(line);
	} else {
		hl = curl_slist_append(hl, "Content-Type:");
	}
	/* The Host header as signed: curl would write the same, but be sure. */
	{
		char *line = xasprintf("Host: %s", host);
		hl = curl_slist_append(hl, line);
		free(line);
	}

	if (c->port > 0)
		url = xasprintf("%s://%s:%d%s%s%s", c->scheme, hostname,
			c->port, path, *query ? "?" : "", query);
	else
		url = xasprintf("%s://%s%s%s%s", c->scheme, hostname, path,
			*query ? "?" : "", query);

	curl_easy_reset(cu);
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hl);
	{
		char ua[128]; /* curl copies it */

		snprintf(ua, sizeof ua, "%s/%s", err_progname(),
			STRONGBOX_VERSION);
		curl_easy_setopt(cu, CURLOPT_USERAGENT, ua);
	}
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT, c->connect_timeout);
	curl_easy_setopt(cu, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(cu, CURLOPT_LOW_SPEED_TIME, c->stall_timeout);
	curl_easy_setopt(cu, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(cu, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(cu, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(cu, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(cu, CURLOPT_XFERINFODATA, &x);
	if (c->ca_file)
		curl_easy_setopt(cu, CURLOPT_CAINFO, c->ca_file);
	if (r->head) {
		curl_easy_setopt(cu, CURLOPT_NOBODY, 1L);
	} else if (r->body) {
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE_LARGE,
			(curl_off_t)r->body_len);
		curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, r->method);
	} else if (strcmp(r->method, "GET") != 0) {
		curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, r->method);
	}
	s->errbuf[0] = '\0';
	p->http = 0;
	p->body.len = 0;
	if (p->body.s)
		p->body.s[0] = '\0';
	rc = curl_easy_perform(cu);
	curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &p->http);

	curl_slist_free_all(hl);
	sigv4_output_free(&out);
	free(url);
	free(path);
	free(query);
	free(hostname);
	free(host);
	return rc;
}

static const char *
what(const struct req *r)
{
	return r->method;
}

/* Runs r with retries; 0 on a 2xx, else -1 with *st filled. */
static int
run(struct s3 *s, const struct req *r, struct resp *p, struct s3_status *st)
{
	const struct s3_config *c = s->cfg;
	double start = monotime_now();
	char sha[65], md5[25];
	const char *payload_sha = SIGV4_EMPTY_SHA256, *md5p = NULL;

	memset(st, 0, sizeof *st);
	p->etag[0] = '\0';
	p->length = -1;
	if (r->body) {
		if (s->unsigned_payload && r->body_len > 0 &&
		    !atomic_load(&unsigned_refused)) {
			payload_sha = "UNSIGNED-PAYLOAD";
		} else {
			sigv4_sha256_hex(r->body, r->body_len, sha);
			payload_sha = sha;
		}
		sigv4_md5(r->body, r->body_len, p->md5);
		EVP_EncodeBlock((unsigned char *)md5, p->md5, 16);
		md5p = md5;
	}
	for (int attempt = 1;; attempt++) {
		struct xml_error xe = {0};
		int temp = 0;
		CURLcode rc;
		long long from = r->sink ? p->delivered : 0;

		if (!r->nocancel && atomic_load(&cancelled)) {
			st->code = EXIT_FAIL;
			snprintf(st->msg, sizeof st->msg, "cancelled");
			return -1;
		}
		p->range_from = from;
		rc = perform(s, r, p, payload_sha, md5p, from);
		if (c->verbose) {
			char res[128];
			if (rc)
				copy_str(res, sizeof res, curl_easy_strerror(rc));
			else
				snprintf(res, sizeof res, "HTTP %ld", p->http);
			warnmsg("%s %s%s%s%s: %s (attempt %d)", r->method,
				r->key ? "\"" : "bucket", r->key ? r->key : "",
				r->key ? "\"" : "", r->nq ? " with a query" : "",
				res, attempt);
		}
		st->http = p->http;
		if (rc == CURLE_ABORTED_BY_CALLBACK) {
			st->code = EXIT_FAIL;
			snprintf(st->msg, sizeof st->msg, "cancelled");
			return -1;
		}
		if (p->sink_failed) {
			st->code = EXIT_FAIL;
			snprintf(st->msg, sizeof st->msg, "write error: %s",
				strerror(p->sink_errno));
			return -1;
		}
		if (rc != CURLE_OK) {
			temp = temporary_curl(rc);
			snprintf(st->msg, sizeof st->msg, "%s",
				s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc));
			st->s3code[0] = '\0';
			if (!temp) {
				st->code = EXIT_FAIL;
				return -1;
			}
		} else {
			int is2xx = p->http >= 200 && p->http < 300;
			if (!r->head && p->body.len > 0 &&
			    (!is2xx || r->ok_may_be_error))
				xml_parse(p->body.s, p->body.len, error_cb, &xe);
			if (is2xx && !xe.is_error)
				return 0;
			copy_str(st->s3code, sizeof st->s3code, xe.code);
			size_t ml = strlen(xe.message);
			while (ml > 0 && (xe.message[ml - 1] == '.' ||
			       xe.message[ml - 1] == ' '))
				xe.message[--ml] = '\0';
			if (strcmp(xe.code, "SignatureDoesNotMatch") == 0)
				snprintf(st->msg, sizeof st->msg, "%s: the "
					"server computes another signature: "
					"check BACKUP_S3_SECRET_KEY and "
					"BACKUP_S3_REGION", xe.code);
			else if (strcmp(xe.code, "InvalidAccessKeyId") == 0)
				snprintf(st->msg, sizeof st->msg, "%s: the "
					"server does not know this access key: "
					"check BACKUP_S3_ACCESS_KEY", xe.code);
			else if (xe.code[0])
				snprintf(st->msg, sizeof st->msg, "%s: %s",
					xe.code, xe.message[0] ? xe.message :
					"(no message)");
			else
				snprintf(st->msg, sizeof st->msg, "HTTP %ld",
					p->http);
			temp = p->http == 429 || p->http == 500 ||
				p->http == 502 || p->http == 503 ||
				p->http == 504 || temporary_code(xe.code) ||
				(is2xx && xe.is_error && !xe.code[0]);
			if (strcmp(xe.code, "RequestTimeTooSkewed") == 0 &&
			    p->date[0]) {
				time_t server = curl_getdate(p->date, NULL);
				if (server > 0)
					atomic_store(&clock_skew,
						(long)(server - time(NULL)));
			}
			/*
			 * A server that does not take UNSIGNED-PAYLOAD (some
			 * S3-compatible ones want the SHA-256 of every body):
			 * this body again at once, signed, and every later one.
			 */
			if (!temp && payload_sha != sha && r->body && r->body_len > 0 &&
			    (p->http == 400 || p->http == 403 || p->http == 501) &&
			    strcmp(xe.code, "InvalidAccessKeyId") != 0 &&
			    strcmp(xe.code, "BadDigest") != 0) {
				atomic_store(&unsigned_refused, 1);
				if (c->verbose)
					warnmsg("%s: %s; sending the payload's "
						"SHA-256 instead of UNSIGNED-PAYLOAD",
						what(r), st->msg);
				sigv4_sha256_hex(r->body, r->body_len, sha);
				payload_sha = sha;
				attempt--;
				continue;
			}
			if (!temp) {
				st->code = EXIT_FAIL;
				return -1;
			}
		}
		/* A temporary failure: wait and retry, within the bounds. */
		double cap = BACKOFF_BASE * (double)(1u << (attempt < 10 ? attempt : 10));
		double delay = jitter(s) * (cap < BACKOFF_CAP ? cap : BACKOFF_CAP);
		if (attempt >= c->max_attempts ||
		    monotime_now() - start + delay > c->max_seconds) {
			size_t n = strlen(st->msg);
			snprintf(st->msg + n, sizeof st->msg - n,
				" (gave up after %d attempt%s)", attempt,
				attempt == 1 ? "" : "s");
			st->code = EXIT_TEMPFAIL;
			return -1;
		}
		if (c->verbose)
			warnmsg("%s: %s; retrying in %.2f s", what(r), st->msg,
				delay);
		if (backoff_sleep(delay, r->nocancel) < 0) {
			st->code = EXIT_FAIL;
			snprintf(st->msg, sizeof st->msg, "cancelled");
			return -1;
		}
	}
}

static void
resp_free(struct resp *p)
{
	free(p->body.s);
}

/* ---- the operations ---- */

/*
 * Checks a part's or single object's ETag against the MD5 of what was sent,
 * when the ETag looks like one (32 hex digits); 0 when it matches or
 * cannot be checked.
 */
static int
etag_check(const char *etag, const unsigned char md5[16],
	struct s3_status *st)
{
	char hex[33], bare[64];
	size_t n = strlen(etag);

	if (n >= 2 && etag[0] == '"' && etag[n - 1] == '"') {
		etag++;
		n -= 2;
	}
	if (n != 32 || n >= sizeof bare)
		return 0;
	memcpy(bare, etag, n);
	bare[n] = '\0';
	if (strspn(bare, "0123456789abcdefABCDEF") != 32)
		return 0;
	sigv4_hex(md5, 16, hex);
	if (strcasecmp(hex, bare) == 0)
		return 0;
	st->code = EXIT_FAIL;
	snprintf(st->msg, sizeof st->msg, "the server's ETag %s is not the "
		"MD5 of the bytes sent (%s)", bare, hex);
	return -1;
}

int
s3_put_object(struct s3 *s, const char *key, const void *data, size_t len,
	char **etag, struct s3_status *st)
{
	struct req r = {.method = "PUT", .key = key, .body = data ? data : "",
		.body_len = len, .content_type = "application/octet-stream"};
	struct resp p = {0};
	int ret = run(s, &r, &p, st);

	if (ret == 0)
		ret = etag_check(p.etag, p.md5, st);
	if (ret == 0)
		*etag = xstrdup(p.etag);
	resp_free(&p);
	return ret;
}

struct text_pick {
	const char *parent, *name;
	char *value;
};

static void
pick_cb(void *ud, int depth, const char *parent, const char *name,
	const char *text)
{
	struct text_pick *t = ud;

	if (!t->value && strcmp(parent, t->parent) == 0 &&
	    strcmp(name, t->name) == 0)
		t->value = xstrdup(text);
}

int
s3_create_multipart(struct s3 *s, const char *key, char **upload_id,
	struct s3_status *st)
{
	struct sigv4_param q[] = {{"uploads", NULL}};
	struct req r = {.method = "POST", .key = key, .q = q, .nq = 1,
		.content_type = "application/octet-stream", .body = "",
		.body_len = 0};
	struct resp p = {0};
	struct text_pick t = {"InitiateMultipartUploadResult", "UploadId", NULL};
	int ret = run(s, &r, &p, st);

	if (ret == 0) {
		xml_parse(p.body.s, p.body.len, pick_cb, &t);
		if (!t.value || !*t.value) {
			free(t.value);
			st->code = EXIT_FAIL;
			snprintf(st->msg, sizeof st->msg,
				"the server's answer has no UploadId");
			ret = -1;
		} else {
			*upload_id = t.value;
		}
	}
	resp_free(&p);
	return ret;
}

int
s3_upload_part(struct s3 *s, const char *key, const char *upload_id,
	int part, const void *data, size_t len, char **etag,
	unsigned char md5[16], struct s3_status *st)
{
	char num[16];
	struct sigv4_param q[] = {{"partNumber", num}, {"uploadId", upload_id}};
	struct req r = {.method = "PUT", .key = key, .q = q, .nq = 2,
		.body = data ? data : "", .body_len = len};
	struct resp p = {0};
	int ret;

	snprintf(num, sizeof num, "%d", part);
	ret = run(s, &r, &p, st);
	if (ret == 0)
		ret = etag_check(p.etag, p.md5, st);
	if (ret == 0) {
		*etag = xstrdup(p.etag);
		memcpy(md5, p.md5, 16);
	}
	resp_free(&p);
	return ret;
}

int
s3_complete_multipart(struct s3 *s, const char *key, const char *upload_id,
	char *const *etags, int nparts, char **etag, struct s3_status *st)
{
	struct sigv4_param q[] = {{"uploadId", upload_id}};
	struct buf b = {0};
	struct req r = {.method = "POST", .key = key, .q = q, .nq = 1,
		.content_type = "application/xml", .ok_may_be_error = 1};
	struct resp p = {0};
	struct text_pick t = {"CompleteMultipartUploadResult", "ETag", NULL};
	int ret;

	buf_str(&b, "<CompleteMultipartUpload>");
	for (int i = 0; i < nparts; i++) {
		char num[16];
		snprintf(num, sizeof num, "%d", i + 1);
		buf_str(&b, "<Part><PartNumber>");
		buf_str(&b, num);
		buf_str(&b, "</PartNumber><ETag>");
		buf_xml(&b, etags[i]);
		buf_str(&b, "</ETag></Part>");
	}
	buf_str(&b, "</CompleteMultipartUpload>");
	r.body = b.s;
	r.body_len = b.len;
	ret = run(s, &r, &p, st);
	if (ret == 0) {
		xml_parse(p.body.s, p.body.len, pick_cb, &t);
		*etag = t.value ? t.value : xstrdup("");
	}
	free(b.s);
	resp_free(&p);
	return ret;
}

int
s3_abort_multipart(struct s3 *s, const char *key, const char *upload_id,
	struct s3_status *st)
{
	struct sigv4_param q[] = {{"uploadId", upload_id}};
	struct req r = {.method = "DELETE", .key = key, .q = q, .nq = 1,
		.nocancel = 1};
	struct resp p = {0};
	int ret = run(s, &r, &p, st);

	/* Already gone is what an abort wants. */
	if (ret < 0 && p.http == 404) {
		ret = 0;
		memset(st, 0, sizeof *st);
	}
	resp_free(&p);
	return ret;
}

int
s3_head_object(struct s3 *s, const char *key, long long *size,
	char **etag, struct s3_status *st)
{
	struct req r = {.method = "HEAD", .key = key, .head = 1};
	struct resp p = {0};
	int ret = run(s, &r, &p, st);

	if (ret == 0) {
		*size = p.length;
		if (etag)
			*etag = xstrdup(p.etag);
	}
	else if (p.http == 404)
		snprintf(st->msg, sizeof st->msg, "no such object");
	resp_free(&p);
	return ret;
}

int
s3_get_object(struct s3 *s, const char *key, s3_sink sink, void *ctx,
	struct s3_status *st)
{
	struct req r = {.method = "GET", .key = key, .sink = sink,
		.sink_ctx = ctx};
	struct resp p = {0};
	int ret;

	ret = run(s, &r, &p, st);
	if (ret < 0 && p.http == 404 && strcmp(st->s3code, "NoSuchKey") == 0)
		snprintf(st->msg, sizeof st->msg, "no such object");
	else if (ret < 0 && p.http == 412)
		snprintf(st->msg, sizeof st->msg,
			"the object changed while it was read");
	resp_free(&p);
	return ret;
}

struct list_state {
	s3_list_cb cb;
	void *ctx;
	char *key, *size, *mtime;
	char *token;
	int truncated;
	int stop;
	long count;
};

static void
list_xml_cb(void *ud, int depth, const char *parent, const char *name,
	const char *text)
{
	struct list_state *ls = ud;

	if (strcmp(parent, "Contents") == 0) {
		char **slot = strcmp(name, "Key") == 0 ? &ls->key :
			strcmp(name, "Size") == 0 ? &ls->size :
			strcmp(name, "LastModified") == 0 ? &ls->mtime : NULL;
		if (slot) {
			free(*slot);
			*slot = xstrdup(text);
		}
	} else if (strcmp(name, "Contents") == 0) {
		if (ls->key && !ls->stop) {
			struct s3_object o = {ls->key,
				ls->size ? strtoll(ls->size, NULL, 10) : 0,
				ls->mtime ? ls->mtime : ""};
			ls->count++;
			if (ls->cb(ls->ctx, &o))
				ls->stop = 1;
		}
		free(ls->key);
		free(ls->size);
		free(ls->mtime);
		ls->key = ls->size = ls->mtime = NULL;
	} else if (strcmp(parent, "ListBucketResult") == 0) {
		if (strcmp(name, "IsTruncated") == 0)
			ls->truncated = strcmp(text, "true") == 0;
		else if (strcmp(name, "NextContinuationToken") == 0) {
			free(ls->token);
			ls->token = xstrdup(text);
		}
	}
}

int
s3_list_objects(struct s3 *s, const char *prefix, s3_list_cb cb, void *ctx,
	struct s3_status *st)
{
	struct list_state ls = {.cb = cb, .ctx = ctx};
	int ret = 0;

	for (;;) {
		struct sigv4_param q[4];
		size_t nq = 0;
		char *token = ls.token;
		struct resp p = {0};
		struct req r = {.method = "GET", .q = q};

		q[nq++] = (struct sigv4_param){"list-type", "2"};
		q[nq++] = (struct sigv4_param){"prefix", prefix};
		if (token)
			q[nq++] = (struct sigv4_param){"continuation-token",
				token};
		r.nq = nq;
		ls.token = NULL;
		ls.truncated = 0;
		ret = run(s, &r, &p, st);
		free(token);
		if (ret == 0 && xml_parse(p.body.s, p.body.len, list_xml_cb,
			&ls) < 0) {
			st->code = EXIT_FAIL;
			snprintf(st->msg, sizeof st->msg,
				"the server's listing is not well-formed XML");
			ret = -1;
		}
		resp_free(&p);
		if (ret < 0 || ls.stop || !ls.truncated)
			break;
		if (!ls.token || !*ls.token) {
			st->code = EXIT_FAIL;
			snprintf(st->msg, sizeof st->msg, "the server's listing "
				"is truncated but has no continuation token");
			ret = -1;
			break;
		}
	}
	free(ls.token);
	free(ls.key);
	free(ls.size);
	free(ls.mtime);
	return ret;
}

struct delete_state {
	s3_delete_cb cb;
	void *ctx;
	char *key, *code, *message;
};

static void
delete_xml_cb(void *ud, int depth, const char *parent, const char *name,
	const char *text)
{
	struct delete_state *ds = ud;

	if (depth == 3 && (strcmp(parent, "Deleted") == 0 ||
	    strcmp(parent, "Error") == 0)) {
		char **slot = strcmp(name, "Key") == 0 ? &ds->key :
			strcmp(name, "Code") == 0 ? &ds->code :
			strcmp(name, "Message") == 0 ? &ds->message : NULL;
		if (slot) {
			free(*slot);
			*slot = xstrdup(text);
		}
	} else if (depth == 2 && (strcmp(name, "Deleted") == 0 ||
	    strcmp(name, "Error") == 0)) {
		if (ds->key && ds->cb) {
			if (strcmp(name, "Deleted") == 0) {
				ds->cb(ds->ctx, ds->key, NULL);
			} else {
				char *e = xasprintf("%s: %s", ds->code ?
					ds->code : "Error", ds->message ?
					ds->message : "(no message)");
				ds->cb(ds->ctx, ds->key, e);
				free(e);
			}
		}
		free(ds->key);
		free(ds->code);
		free(ds->message);
		ds->key = ds->code = ds->message = NULL;
	}
}

int
s3_delete_objects(struct s3 *s, char *const *keys, size_t n,
	s3_delete_cb cb, void *ctx, struct s3_status *st)
{
	struct sigv4_param q[] = {{"delete", NULL}};
	struct buf b = {0};
	struct req r = {.method = "POST", .q = q, .nq = 1,
		.content_type = "application/xml"};
	struct resp p = {0};
	struct delete_state ds = {cb, ctx, NULL, NULL, NULL};
	int ret;

	buf_str(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		"<Delete><Quiet>false</Quiet>");
	for (size_t i = 0; i < n; i++) {
		buf_str(&b, "<Object><Key>");
		buf_xml(&b, keys[i]);
		buf_str(&b, "</Key></Object>");
	}
	buf_str(&b, "</Delete>");
	r.body = b.s;
	r.body_len = b.len;
	ret = run(s, &r, &p, st);
	if (ret == 0 && xml_parse(p.body.s, p.body.len, delete_xml_cb, &ds) < 0) {
		st->code = EXIT_FAIL;
		snprintf(st->msg, sizeof st->msg,
			"the server's answer is not well-formed XML");
		ret = -1;
	}
	free(ds.key);
	free(ds.code);
	free(ds.message);
	free(b.s);
	resp_free(&p);
	return ret;
}
