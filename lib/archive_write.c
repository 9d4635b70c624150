/* archive_write.c: writing a strongbox archive; see archive_write.h. */
#include "archive_write.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <zstd.h>

#include "err.h"
#include "manifest.h"
#include "sha256.h"
#include "xalloc.h"

int
archive_writer_parse_compression(const char *spec,
                                 struct archive_compression *c)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
	int max;
	char *end;
	long level = 0;

	if (n == 4 && !strncmp(spec, "zstd", 4)) {
		c->kind = ARCHIVE_COMPRESS_ZSTD;
		max = 19;
	} else if (n == 4 && !strncmp(spec, "gzip", 4)) {
		c->kind = ARCHIVE_COMPRESS_GZIP;
		max = 9;
	} else if (n == 4 && !strncmp(spec, "none", 4) && colon == NULL) {
		c->kind = ARCHIVE_COMPRESS_NONE;
		c->level = 0;
		return 0;
	} else {
		return -1;
	}
	if (colon) {
		errno = 0;
		level = strtol(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end || level < 1 ||
		    level > max)
			return -1;
	}
	c->level = (int)level;
	return 0;
}

char *
archive_writer_compression_name(const struct archive_compression *c)
{
	switch (c->kind) {
	case ARCHIVE_COMPRESS_ZSTD:
		return xasprintf("zstd:%d", c->level ? c->level : 3);
	case ARCHIVE_COMPRESS_GZIP:
		return xasprintf("gzip:%d", c->level ? c->level : 6);
	case ARCHIVE_COMPRESS_NONE:
		break;
	}
	return xstrdup("none");
}

/* One member waiting for the writer thread. */
struct job {
	struct job *next;
	char *name;
	struct archive_buffer *buf; /* from the pool, or NULL */
	char *copy;                 /* or owned bytes */
	size_t len;
	FILE *fp;                   /* or a file the caller waits on */
	int done;
};

struct member {
	char *name;
	size_t bytes;
	char sha[65];
};

struct archive_writer {
	struct archive *a;
	int fd;
	ZSTD_CCtx *zc;          /* zstd: the tar stream is compressed here */
	char *zout;             /* its output buffer */
	size_t zout_size;
	time_t mtime;
	atomic_ullong bytes_out;

	pthread_t thread;
	int started;            /* thread is running */
	pthread_mutex_t mu;
	pthread_cond_t work;    /* a job was queued, or closing */
	pthread_cond_t done;    /* a job was written */
	pthread_cond_t pooled;  /* a buffer came back */
	struct job *head, *tail;
	int closing;
	int busy;               /* the thread holds a job */

	struct archive_buffer **pool;
	int npool, ncreated, nbuffers;
	size_t buffer_size;

	struct member *members; /* written by the thread, read after sync */
	size_t nmembers, cmembers;
	char *iobuf;            /* for file members */
};

static void
lock(struct archive_writer *w)
{
	pthread_mutex_lock(&w->mu);
}

static void
unlock(struct archive_writer *w)
{
	pthread_mutex_unlock(&w->mu);
}

/* Writes all of buf to the file descriptor; -1 with errno on failure. */
static int
write_all(struct archive_writer *w, const char *p, size_t left)
{
	size_t len = left;

	while (left > 0) {
		ssize_t n = write(w->fd, p, left);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	atomic_fetch_add(&w->bytes_out, len);
	return 0;
}

/* Feeds len bytes (or the end, with ZSTD_e_end) through zstd to fd. */
static int
zstd_feed(struct archive_writer *w, const void *buf, size_t len,
          ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = {buf, len, 0};

	for (;;) {
		ZSTD_outBuffer out = {w->zout, w->zout_size, 0};
		size_t left = ZSTD_compressStream2(w->zc, &out, &in, mode);

		if (ZSTD_isError(left)) {
			errno = EIO;
			return -1;
		}
		if (out.pos > 0 && write_all(w, w->zout, out.pos) != 0)
			return -1;
		if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size)
			return 0;
	}
}

static la_ssize_t
write_cb(struct archive *a, void *arg, const void *buf, size_t len)
{
	struct archive_writer *w = arg;

	if (w->zc) {
		if (zstd_feed(w, buf, len, ZSTD_e_continue) != 0) {
			archive_set_error(a, errno, "%s", strerror(errno));
			return -1;
		}
		return (la_ssize_t)len;
	}
	if (write_all(w, buf, len) != 0) {
		archive_set_error(a, errno, "%s", strerror(errno));
		return -1;
	}
	return (la_ssize_t)len;
}

static void
die_archive(struct archive_writer *w, const char *what)
{
	const char *e = archive_error_string(w->a);

	die(EXIT_FAIL, "cannot write the archive (%s): %s", what,
	    e ? e : "unknown error");
}

struct archive_writer *
archive_writer_open(int fd, const struct archive_compression *c, int threads,
                    time_t mtime, size_t buffer_size, int nbuffers)
{
	struct archive_writer *w = xcalloc(1, sizeof *w);
	char level[16];
	int r = ARCHIVE_OK;

	w->fd = fd;
	w->mtime = mtime;
	w->buffer_size = buffer_size;
	w->nbuffers = nbuffers < 1 ? 1 : nbuffers;
	w->pool = xcalloc((size_t)w->nbuffers, sizeof *w->pool);
	w->iobuf = xmalloc(1 << 16);
	atomic_init(&w->bytes_out, 0);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	pthread_cond_init(&w->pooled, NULL);

	w->a = archive_write_new();
	if (w->a == NULL)
		die(EXIT_FAIL, "cannot start the archive: out of memory");
	if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK)
		die_archive(w, "pax format");
	snprintf(level, sizeof level, "%d", c->level);
	switch (c->kind) {
	case ARCHIVE_COMPRESS_ZSTD:
		/*
		 * libzstd directly rather than libarchive's filter, which
		 * cannot bound the job size: with worker threads, 1 MiB jobs
		 * keep the memory small.  The stream is the same zstd.
		 */
		r = archive_write_add_filter_none(w->a);
		w->zc = ZSTD_createCCtx();
		w->zout_size = ZSTD_CStreamOutSize();
		w->zout = xmalloc(w->zout_size);
		if (w->zc == NULL ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(
			    w->zc, ZSTD_c_compressionLevel,
			    c->level ? c->level : 3)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(
			    w->zc, ZSTD_c_checksumFlag, 1)))
			die(EXIT_FAIL, "cannot set up zstd compression");
		if (threads > 0 &&
		    !ZSTD_isError(ZSTD_CCtx_setParameter(
			    w->zc, ZSTD_c_nbWorkers, threads)))
			ZSTD_CCtx_setParameter(w->zc, ZSTD_c_jobSize, 1 << 20);
		break;
	case ARCHIVE_COMPRESS_GZIP:
		r = archive_write_add_filter_gzip(w->a);
		if (r == ARCHIVE_OK && c->level)
			r = archive_write_set_filter_option(
				w->a, "gzip", "compression-level", level);
		break;
	case ARCHIVE_COMPRESS_NONE:
		r = archive_write_add_filter_none(w->a);
		break;
	}
	if (r != ARCHIVE_OK)
		die_archive(w, "compression");
	/* No blocking: every byte goes out as soon as it is produced. */
	archive_write_set_bytes_per_block(w->a, 0);
	if (archive_write_open2(w->a, w, NULL, write_cb, NULL, NULL) !=
	    ARCHIVE_OK)
		die_archive(w, "open");
	return w;
}

struct archive_buffer *
archive_writer_buffer(struct archive_writer *w)
{
	struct archive_buffer *b;

	lock(w);
	while (w->npool == 0 && w->ncreated >= w->nbuffers)
		pthread_cond_wait(&w->pooled, &w->mu);
	if (w->npool > 0) {
		b = w->pool[--w->npool];
	} else {
		b = xmalloc(sizeof *b);
		b->cap = w->buffer_size;
		b->data = xmalloc(b->cap);
		w->ncreated++;
	}
	unlock(w);
	b->len = 0;
	return b;
}

/* Called with the lock held. */
static void
pool_put(struct archive_writer *w, struct archive_buffer *b)
{
	if (b->cap > 2 * w->buffer_size) {
		/* A huge row grew it: do not keep that much around. */
		free(b->data);
		b->cap = w->buffer_size;
		b->data = xmalloc(b->cap);
	}
	b->len = 0;
	w->pool[w->npool++] = b;
	pthread_cond_signal(&w->pooled);
}

void
archive_writer_release(struct archive_writer *w, struct archive_buffer *b)
{
	lock(w);
	pool_put(w, b);
	unlock(w);
}

static void
record_member(struct archive_writer *w, const char *name, size_t bytes,
              const char sha[65])
{
	struct member *m;

	lock(w);
	if (w->nmembers == w->cmembers) {
		w->cmembers = w->cmembers ? 2 * w->cmembers : 64;
		w->members = xreallocarray(w->members, w->cmembers,
		                           sizeof *w->members);
	}
	m = &w->members[w->nmembers++];
	m->name = xstrdup(name);
	m->bytes = bytes;
	memcpy(m->sha, sha, 65);
	unlock(w);
}

static void
write_header(struct archive_writer *w, const char *name, size_t len)
{
	struct archive_entry *e = archive_entry_new();

	if (e == NULL)
		die(EXIT_FAIL, "cannot write the archive: out of memory");
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, w->mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (archive_write_header(w->a, e) != ARCHIVE_OK)
		die_archive(w, name);
	archive_entry_free(e);
}

static void
write_data(struct archive_writer *w, const char *name, const char *p,
           size_t len)
{
	while (len > 0) {
		la_ssize_t n = archive_write_data(w->a, p, len);

		if (n <= 0)
			die_archive(w, name);
		p += n;
		len -= (size_t)n;
	}
}

static void
write_job(struct archive_writer *w, struct job *j)
{
	struct sha256_ctx *sha = sha256_new();
	char hex[65];

	write_header(w, j->name, j->len);
	if (j->fp) {
		size_t left = j->len;

		if (fseeko(j->fp, 0, SEEK_SET) != 0)
			die_errno(EXIT_FAIL, "cannot read back %s", j->name);
		while (left > 0) {
			size_t want = left < (1 << 16) ? left : (1 << 16);
			size_t n = fread(w->iobuf, 1, want, j->fp);

			if (n == 0)
				die(EXIT_FAIL, "cannot read back %s: %s", j->name,
				    ferror(j->fp) ? strerror(errno)
				                  : "file is short");
			sha256_update(sha, w->iobuf, n);
			write_data(w, j->name, w->iobuf, n);
			left -= n;
		}
	} else {
		const char *p = j->buf ? j->buf->data : j->copy;

		sha256_update(sha, p, j->len);
		write_data(w, j->name, p, j->len);
	}
	sha256_final(sha, hex);
	record_member(w, j->name, j->len, hex);
}

static void *
writer_thread(void *arg)
{
	struct archive_writer *w = arg;

	lock(w);
	for (;;) {
		struct job *j;

		while (w->head == NULL && !w->closing)
			pthread_cond_wait(&w->work, &w->mu);
		if (w->head == NULL)
			break;
		j = w->head;
		w->head = j->next;
		if (w->head == NULL)
			w->tail = NULL;
		w->busy = 1;
		unlock(w);

		write_job(w, j);

		lock(w);
		w->busy = 0;
		if (j->buf)
			pool_put(w, j->buf);
		free(j->name);
		free(j->copy);
		if (j->fp) {
			/* The caller waits for it and frees it. */
			j->done = 1;
		} else {
			free(j);
		}
		pthread_cond_broadcast(&w->done);
	}
	unlock(w);
	return NULL;
}

static void
enqueue(struct archive_writer *w, struct job *j)
{
	lock(w);
	if (!w->started) {
		if (pthread_create(&w->thread, NULL, writer_thread, w) != 0)
			die(EXIT_FAIL, "cannot start the writer thread");
		w->started = 1;
	}
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	pthread_cond_signal(&w->work);
	unlock(w);
}

void
archive_writer_add_buffer(struct archive_writer *w, const char *name,
                          struct archive_buffer *b)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->name = xstrdup(name);
	j->buf = b;
	j->len = b->len;
	enqueue(w, j);
}

void
archive_writer_add(struct archive_writer *w, const char *name,
                   const void *data, size_t len)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->name = xstrdup(name);
	j->copy = xmalloc(len);
	memcpy(j->copy, data, len);
	j->len = len;
	enqueue(w, j);
}

void
archive_writer_add_file(struct archive_writer *w, const char *name, FILE *fp,
                        size_t len)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->name = xstrdup(name);
	j->fp = fp;
	j->len = len;
	enqueue(w, j);
	lock(w);
	while (!j->done)
		pthread_cond_wait(&w->done, &w->mu);
	unlock(w);
	free(j);
}

/* Waits until the queue is empty and the thread idle. */
static void
sync_writer(struct archive_writer *w)
{
	lock(w);
	while (w->head != NULL || w->busy)
		pthread_cond_wait(&w->done, &w->mu);
	unlock(w);
}

json_t *
archive_writer_members(struct archive_writer *w)
{
	json_t *arr = json_array();

	sync_writer(w);
	lock(w);
	for (size_t i = 0; i < w->nmembers; i++) {
		struct member *m = &w->members[i];

		json_array_append_new(arr, manifest_trailer_member(m->name, m->bytes,
		                                                   m->sha));
	}
	unlock(w);
	return arr;
}

unsigned long long
archive_writer_bytes_out(struct archive_writer *w)
{
	return atomic_load(&w->bytes_out);
}

unsigned long long
archive_writer_close(struct archive_writer *w)
{
	unsigned long long total;

	sync_writer(w);
	lock(w);
	w->closing = 1;
	pthread_cond_signal(&w->work);
	unlock(w);
	if (w->started)
		pthread_join(w->thread, NULL);
	if (archive_write_close(w->a) != ARCHIVE_OK)
		die_archive(w, "end of archive");
	if (w->zc && zstd_feed(w, NULL, 0, ZSTD_e_end) != 0)
		die_errno(EXIT_FAIL, "cannot write the archive (end of archive)");
	archive_write_free(w->a);
	ZSTD_freeCCtx(w->zc);
	free(w->zout);
	for (int i = 0; i < w->npool; i++) {
		free(w->pool[i]->data);
		free(w->pool[i]);
	}
	free(w->pool);
	for (size_t i = 0; i < w->nmembers; i++)
		free(w->members[i].name);
	free(w->members);
	free(w->iobuf);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->pooled);
	total = atomic_load(&w->bytes_out);
	free(w);
	return total;
}
