/* s3put.c: streaming multipart upload; see s3put.h. */
#include "s3put.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "err.h"
#include "sha256.h"
#include "sigv4.h"
#include "xalloc.h"

struct part {
	char *buf;
	size_t len;
	int number;
};

struct upload {
	const struct s3_config *cfg;
	const char *key;
	char *upload_id;
	size_t part_size;
	int sealed;              /* put_opts.sealed */

	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct part *queue;      /* ring of nbuf */
	int qhead, qlen, nbuf;
	char **free_bufs;        /* nfree of them */
	int nfree, nalloc;
	int done_reading;
	int failed;
	struct s3_status fail;

	char **etags;            /* by part number - 1 */
	unsigned char (*md5s)[16];
	int max_part;
};

static void
set_failed(struct upload *u, const struct s3_status *st)
{
	if (!u->failed) {
		u->failed = 1;
		u->fail = *st;
		s3_cancel();
	}
	pthread_cond_broadcast(&u->cv);
}

static void *
worker(void *arg)
{
	struct upload *u = arg;
	struct s3 *s = s3_new(u->cfg);

	s3_set_unsigned_payload(s, u->sealed);
	for (;;) {
		struct part p;
		struct s3_status st;
		char *etag = NULL;
		unsigned char md5[16];
		int ret;

		pthread_mutex_lock(&u->mu);
		while (u->qlen == 0 && !u->done_reading && !u->failed)
			pthread_cond_wait(&u->cv, &u->mu);
		if (u->failed || u->qlen == 0) {
			pthread_mutex_unlock(&u->mu);
			break;
		}
		p = u->queue[u->qhead];
		u->qhead = (u->qhead + 1) % u->nbuf;
		u->qlen--;
		pthread_mutex_unlock(&u->mu);

		ret = s3_upload_part(s, u->key, u->upload_id, p.number, p.buf,
			p.len, &etag, md5, &st);

		pthread_mutex_lock(&u->mu);
		if (ret == 0) {
			u->etags[p.number - 1] = etag;
			memcpy(u->md5s[p.number - 1], md5, 16);
		} else {
			if (strcmp(st.msg, "cancelled") != 0) {
				char m[sizeof st.msg];
				snprintf(m, sizeof m, "part %d: %.480s", p.number,
					st.msg);
				memcpy(st.msg, m, sizeof st.msg);
			}
			set_failed(u, &st);
		}
		u->free_bufs[u->nfree++] = p.buf;
		pthread_cond_broadcast(&u->cv);
		pthread_mutex_unlock(&u->mu);
	}
	s3_free(s);
	return NULL;
}

/* A free part buffer, waiting for a worker to return one if need be. */
static char *
get_buf(struct upload *u)
{
	char *b = NULL;

	pthread_mutex_lock(&u->mu);
	while (!u->failed && !s3_cancelled() && u->nfree == 0 &&
	       u->nalloc == u->nbuf) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&u->cv, &u->mu, &ts);
	}
	if (!u->failed && !s3_cancelled()) {
		if (u->nfree > 0) {
			b = u->free_bufs[--u->nfree];
		} else {
			b = xmalloc(u->part_size);
			u->nalloc++;
		}
	}
	pthread_mutex_unlock(&u->mu);
	return b;
}

static void
enqueue(struct upload *u, char *buf, size_t len, int number)
{
	pthread_mutex_lock(&u->mu);
	u->queue[(u->qhead + u->qlen) % u->nbuf] =
		(struct part){buf, len, number};
	u->qlen++;
	if (number > u->max_part)
		u->max_part = number;
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->mu);
}

static void
strip_quotes(char *etag)
{
	size_t n = strlen(etag);

	if (n >= 2 && etag[0] == '"' && etag[n - 1] == '"') {
		memmove(etag, etag + 1, n - 2);
		etag[n - 2] = '\0';
	}
}

/* The multipart ETag S3 computes: MD5 of the parts' MD5s, "-", count. */
static int
multipart_etag_ok(const char *etag, unsigned char (*md5s)[16], int n)
{
	unsigned char md[16];
	char hex[33], want[64];

	if (strlen(etag) < 34 || etag[32] != '-' ||
	    strspn(etag, "0123456789abcdef") != 32)
		return 1; /* not that form: nothing to check */
	sigv4_md5(md5s, (size_t)n * 16, md);
	sigv4_hex(md, 16, hex);
	snprintf(want, sizeof want, "%s-%d", hex, n);
	return strcmp(etag, want) == 0;
}

static void
abort_upload(struct s3 *s, const char *key, const char *upload_id)
{
	struct s3_status ast;

	if (s3_abort_multipart(s, key, upload_id, &ast) < 0)
		warnmsg("cannot abort the multipart upload of \"%s\" (upload "
			"id %s): %s; a lifecycle rule for incomplete uploads "
			"will remove its parts", key, upload_id, ast.msg);
}

static void
delete_object(struct s3 *s, const char *key)
{
	struct s3_status dst;
	char *keys[1] = {(char *)key};

	if (s3_delete_objects(s, keys, 1, NULL, NULL, &dst) < 0)
		warnmsg("cannot remove \"%s\" again: %s", key, dst.msg);
}


int
s3put_stream(const struct s3_config *cfg, const char *key, int fd,
	const struct put_opts *o, struct put_result *res, struct s3_status *st)
{
	struct upload u = {0};
	struct s3 *s = s3_new(cfg);
	pthread_t *threads = NULL;
	int nthreads = 0, eof = 0, ret = -1, number = 1, have_look = 0;
	int max_parts = PUT_MAX_PARTS;
	char look = 0, *buf;
	ssize_t len;
	struct sha256_ctx *sha = sha256_new();
	sigset_t block, old;

	memset(st, 0, sizeof *st);
	memset(res, 0, sizeof *res);
	u.cfg = cfg;
	u.key = key;
	u.part_size = o->part_size;
	u.sealed = o->sealed;
	s3_set_unsigned_payload(s, o->sealed);
	u.nbuf = o->concurrency + 1;
	pthread_mutex_init(&u.mu, NULL);
	pthread_cond_init(&u.cv, NULL);
	u.queue = xcalloc(u.nbuf, sizeof *u.queue);
	u.free_bufs = xcalloc(u.nbuf, sizeof *u.free_bufs);

	buf = get_buf(&u);
	len = put_read(o, fd, buf, u.part_size, &eof, st);
	if (len < 0)
		goto out;
	if (!eof) {
		/* One byte more tells a single PUT from a multipart upload. */
		ssize_t n = put_read(o, fd, &look, 1, &eof, st);
		if (n < 0)
			goto out;
		have_look = n == 1;
	}
	if (o->tap)
		o->tap(o->ctx, buf, len);
	sha256_update(sha, buf, len);
	res->bytes = len;
	if (o->progress)
		o->progress(o->pctx, res->bytes);

	if (eof) {
		/* Shorter than a part (or exactly one): one PUT. */
		char why[512];
		if (o->accept && o->accept(o->ctx, why, sizeof why) < 0) {
			st->code = EXIT_FAIL;
			snprintf(st->msg, sizeof st->msg, "%.500s", why);
			goto out;
		}
		if (s3_put_object(s, key, buf, len, &res->etag, st) < 0)
			goto out;
		res->parts = 1;
		ret = 0;
		goto out;
	}

	/*
	 * S3's limit; SUPLOAD_TEST_MAX_PARTS lowers it so that the test
	 * suite can reach it without uploading 50 GB.
	 */
	const char *tm = getenv("SUPLOAD_TEST_MAX_PARTS");
	if (tm && atoi(tm) >= 1 && atoi(tm) < PUT_MAX_PARTS)
		max_parts = atoi(tm);
	u.etags = xcalloc(PUT_MAX_PARTS, sizeof *u.etags);
	u.md5s = xcalloc(PUT_MAX_PARTS, sizeof *u.md5s);
	if (s3_create_multipart(s, key, &u.upload_id, st) < 0)
		goto out;

	/* Workers take no signals: SIGINT/SIGTERM interrupt our read(). */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	threads = xcalloc(o->concurrency, sizeof *threads);
	for (nthreads = 0; nthreads < o->concurrency; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, worker, &u) != 0)
			die(EXIT_FAIL, "cannot start a thread");
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	enqueue(&u, buf, len, number);
	buf = NULL;
	while (have_look) {
		ssize_t n;
		if (number == max_parts) {
			st->code = EXIT_FAIL;
			snprintf(st->msg, sizeof st->msg, "the input needs more "
				"than %d parts of %zu MiB: give --expected-size "
				"or a larger --part-size", max_parts,
				u.part_size >> 20);
			pthread_mutex_lock(&u.mu);
			set_failed(&u, st);
			pthread_mutex_unlock(&u.mu);
			break;
		}
		if (!(buf = get_buf(&u)))
			break;
		buf[0] = look;
		have_look = 0;
		len = put_read(o, fd, buf + 1, u.part_size - 1, &eof, st);
		if (len < 0) {
			pthread_mutex_lock(&u.mu);
			set_failed(&u, st);
			pthread_mutex_unlock(&u.mu);
			break;
		}
		len++;
		if (!eof) {
			n = put_read(o, fd, &look, 1, &eof, st);
			if (n < 0) {
				pthread_mutex_lock(&u.mu);
				set_failed(&u, st);
				pthread_mutex_unlock(&u.mu);
				break;
			}
			have_look = n == 1;
		}
		if (o->tap)
			o->tap(o->ctx, buf, len);
		sha256_update(sha, buf, len);
		res->bytes += len;
		if (o->progress)
			o->progress(o->pctx, res->bytes);
		enqueue(&u, buf, len, ++number);
		buf = NULL;
	}

	pthread_mutex_lock(&u.mu);
	u.done_reading = 1;
	if (s3_cancelled() && !u.failed) {
		struct s3_status c = {.code = EXIT_FAIL, .msg = "cancelled"};
		set_failed(&u, &c);
	}
	pthread_cond_broadcast(&u.cv);
	pthread_mutex_unlock(&u.mu);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);

	if (!u.failed && s3_cancelled()) {
		u.failed = 1;
		u.fail = (struct s3_status){.code = EXIT_FAIL, .msg = "cancelled"};
	}
	if (!u.failed && o->accept) {
		char why[512];
		if (o->accept(o->ctx, why, sizeof why) < 0) {
			u.failed = 1;
			u.fail.code = EXIT_FAIL;
			snprintf(u.fail.msg, sizeof u.fail.msg, "%.500s", why);
		}
	}
	if (u.failed) {
		*st = u.fail;
		abort_upload(s, key, u.upload_id);
		goto out;
	}
	if (s3_complete_multipart(s, key, u.upload_id, u.etags, number,
		&res->etag, st) < 0) {
		/*
		 * A completion whose answer was lost is retried and then
		 * finds no upload (S3: NoSuchUpload; others fail otherwise):
		 * the object may be there, whole.  It counts as ours when its
		 * size is right and either S3 said NoSuchUpload or its ETag
		 * is the one of exactly these parts.
		 */
		long long size = -1;
		struct s3_status hst;
		char *etag = NULL;
		int ours = s3_head_object(s, key, &size, &etag, &hst) == 0 &&
			size == res->bytes;
		if (ours) {
			strip_quotes(etag);
			ours = strcmp(st->s3code, "NoSuchUpload") == 0 ||
				(strchr(etag, '-') &&
				 multipart_etag_ok(etag, u.md5s, number));
		}
		if (!ours) {
			free(etag);
			abort_upload(s, key, u.upload_id);
			goto out;
		}
		res->etag = etag;
		memset(st, 0, sizeof *st);
	}
	res->parts = number;
	strip_quotes(res->etag);
	if (!multipart_etag_ok(res->etag, u.md5s, number)) {
		st->code = EXIT_FAIL;
		snprintf(st->msg, sizeof st->msg, "the object's ETag %s is not "
			"the one of the %d parts sent; the object was removed",
			res->etag, number);
		delete_object(s, key);
		goto out;
	}
	{
		long long size = -1;
		struct s3_status hst;
		if (s3_head_object(s, key, &size, NULL, &hst) < 0) {
			*st = hst;
			goto out;
		}
		if (size != res->bytes) {
			st->code = EXIT_FAIL;
			snprintf(st->msg, sizeof st->msg, "the stored object "
				"has %lld bytes, %lld were sent; it was removed",
				size, res->bytes);
			delete_object(s, key);
			goto out;
		}
	}
	ret = 0;
out:
	if (ret == 0) {
		sha256_final(sha, res->sha256);
		sha = NULL;
		if (res->etag)
			strip_quotes(res->etag);
	} else {
		free(res->etag);
		res->etag = NULL;
	}
	free(buf);
	for (int i = 0; i < u.nfree; i++)
		free(u.free_bufs[i]);
	for (int i = 0; i < u.qlen; i++)
		free(u.queue[(u.qhead + i) % u.nbuf].buf);
	if (u.etags)
		for (int i = 0; i < PUT_MAX_PARTS; i++)
			free(u.etags[i]);
	free(u.etags);
	free(u.md5s);
	free(u.queue);
	free(u.free_bufs);
	free(u.upload_id);
	free(threads);
	pthread_mutex_destroy(&u.mu);
	pthread_cond_destroy(&u.cv);
	sha256_free(sha);
	s3_free(s);
	return ret;
}
