/* archive_read.c: the streaming strongbox archive reader; see archive_read.h. */
#include "archive_read.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive_names.h"
#include "cancel.h"
#include "sqlguard.h"
#include "err.h"
#include "minisign.h"
#include "manifest.h"
#include "monotime.h"
#include "sha256.h"
#include "xalloc.h"

#define IO_BLOCK (256 * 1024)        /* bytes read from the fd at a time */
#define POLL_MS 200                  /* how often a stalled input checks for a cancel */
#define DATA_BLOCK (256 * 1024)      /* chunk bytes handed out at a time */
#define MEMBER_MAX (64u * 1024 * 1024) /* largest SQL or JSON member */
#define QUEUE_DEFAULT (8u * 1024 * 1024)

enum phase {
	PH_START,     /* nothing read */
	PH_MANIFEST,  /* manifest read */
	PH_DATA,      /* pre-data read (or not expected): chunks may come */
	PH_SEQUENCES, /* sequences read */
	PH_POST_DATA, /* post-data read (or not expected) */
	PH_TRAILER    /* trailer read and verified */
};

struct member_rec {
	char *name;
	uint64_t bytes;
	unsigned char sha[32];
};

struct qent {
	struct qent *next;
	struct archive_reader_event ev;
	void *buf; /* owned, freed once the callback returned */
};

struct archive_reader {
	/* input */
	int fd;
	const unsigned char *prefix;
	size_t prefix_len, prefix_off;
	const void *mem;
	size_t mem_len;
	unsigned char *iobuf;
	struct archive *a;
	char err[1024];

	/* what was read */
	struct manifest *m;
	size_t *by_dir; /* table indexes sorted by dir */
	struct sha256_ctx **table_sha;
	uint64_t *next_chunk;
	struct manifest_sequence *seqs;
	size_t nseqs;
	struct member_rec *members;
	size_t nmembers, members_cap;
	struct sha256_ctx *member_sha;
	enum phase phase;
	int level;
	char *post_data;      /* held back until the trailer verified */
	size_t post_len;
	int eod_state;        /* of the chunk being read, see eod_scan() */
	bool legacy_ok;       /* a manifest without pre_data_sha256 is accepted */

	/* signatures (minisign.h) */
	bool require_sig;
	struct minisign_pub key;
	enum archive_member_kind last_kind, await_sig;
	char *signed_buf; /* the member the awaited signature signs */
	size_t signed_len;
	int nsigs;
	unsigned char *block; /* reused in unthreaded mode */

	/* statistics */
	uint64_t input_bytes, rows, data_bytes;
	double reader_cpu, reader_wait, consumer_wait;

	/* the consumer and the queue between the threads */
	archive_reader_callback cb;
	void *ctx;
	bool threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv_put, cv_get;
	struct qent *head, *tail;
	size_t qbytes, qcap;
	bool done, cancel;
	int result;
};

static int
fail(struct archive_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records the first error (one line) and returns -1. */
static int
fail(struct archive_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err[0] != '\0')
		return -1;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	for (char *p = r->err; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return -1;
}

/* A libarchive failure, said in the format's words. */
static int
fail_archive(struct archive_reader *r, const char *during)
{
	const char *e = archive_error_string(r->a);

	if (e == NULL)
		e = "unknown error";
	if (r->phase == PH_START)
		return fail(r, "not a strongbox archive (%s)", e);
	if (strstr(e, "runcated") != NULL || strstr(e, "premature") != NULL ||
	    strstr(e, "Premature") != NULL)
		return fail(r, "archive is truncated (%s while reading %s)", e,
		            during);
	return fail(r, "archive is corrupt or unreadable (%s while reading %s)",
	            e, during);
}

/* Has the consumer stopped the reader thread? */
static bool
stopped(struct archive_reader *r)
{
	bool c;

	if (!r->threaded)
		return false;
	pthread_mutex_lock(&r->mu);
	c = r->cancel;
	pthread_mutex_unlock(&r->mu);
	return c;
}

static la_ssize_t
fd_read(struct archive *a, void *ud, const void **buf)
{
	struct archive_reader *r = ud;
	ssize_t n;

	if (r->prefix_off < r->prefix_len) {
		*buf = r->prefix + r->prefix_off;
		n = (ssize_t)(r->prefix_len - r->prefix_off);
		r->prefix_off = r->prefix_len;
		r->input_bytes += (uint64_t)n;
		return n;
	}
	/*
	 * A stalled pipe must not hold up a cancelled run: the fd is polled,
	 * SIGINT, SIGTERM or a stopped consumer checked between polls.
	 */
	for (;;) {
		struct pollfd p = {.fd = r->fd, .events = POLLIN};
		int k;

		if (cancel_requested() || stopped(r)) {
			archive_set_error(a, EINTR, "cancelled");
			return -1;
		}
		k = poll(&p, 1, POLL_MS);
		if (k == 0 || (k < 0 && errno == EINTR)) /* a signal: checked above */
			continue;
		n = read(r->fd, r->iobuf, IO_BLOCK);
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n < 0) {
		archive_set_error(a, errno, "cannot read input: %s",
		                  strerror(errno));
		return -1;
	}
	r->input_bytes += (uint64_t)n;
	*buf = r->iobuf;
	return n;
}

static struct archive_reader *
reader_new(void)
{
	struct archive_reader *r = xcalloc(1, sizeof *r);

	r->fd = -1;
	r->a = archive_read_new();
	if (r->a == NULL)
		die(EXIT_FAIL, "out of memory");
	archive_read_support_format_tar(r->a);
	/* Only the compressions of the format: no external programs. */
	archive_read_support_filter_none(r->a);
	archive_read_support_filter_zstd(r->a);
	archive_read_support_filter_gzip(r->a);
	r->member_sha = sha256_new();
	return r;
}

struct archive_reader *
archive_reader_new_fd(int fd, const void *prefix, size_t len)
{
	struct archive_reader *r = reader_new();

	r->fd = fd;
	r->prefix = prefix;
	r->prefix_len = len;
	r->iobuf = xmalloc(IO_BLOCK);
	return r;
}

struct archive_reader *
archive_reader_new_memory(const void *buf, size_t len)
{
	struct archive_reader *r = reader_new();

	r->mem = buf;
	r->mem_len = len;
	return r;
}

static int
open_input(struct archive_reader *r)
{
	int rc;

	if (r->fd >= 0)
		rc = archive_read_open(r->a, r, NULL, fd_read, NULL);
	else
		rc = archive_read_open_memory(r->a, r->mem, r->mem_len);
	if (rc != ARCHIVE_OK) {
		const char *e = archive_error_string(r->a);
		return fail(r, "not a strongbox archive (%s)",
		            e ? e : "cannot open the input");
	}
	return 0;
}

/* ---- the queue and the events ---- */

/*
 * Hands an event to the consumer; buf (may be NULL) is freed once the
 * consumer is done with it.  Returns 0, or nonzero to stop reading.
 */
static int
emit(struct archive_reader *r, const struct archive_reader_event *ev, void *buf)
{
	struct qent *q;
	double t0;

	if (!r->threaded) {
		int rc = r->cb(r->ctx, ev);
		free(buf);
		return rc;
	}
	q = xmalloc(sizeof *q);
	q->next = NULL;
	q->ev = *ev;
	q->buf = buf;
	pthread_mutex_lock(&r->mu);
	t0 = 0;
	while (!r->cancel && r->head != NULL && r->qbytes + ev->len > r->qcap) {
		if (t0 == 0)
			t0 = monotime_now();
		pthread_cond_wait(&r->cv_put, &r->mu);
	}
	if (t0 != 0)
		r->reader_wait += monotime_now() - t0;
	if (r->cancel) {
		pthread_mutex_unlock(&r->mu);
		free(buf);
		free(q);
		return -2;
	}
	if (r->tail)
		r->tail->next = q;
	else
		r->head = q;
	r->tail = q;
	r->qbytes += ev->len;
	pthread_cond_signal(&r->cv_get);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

static const struct manifest *sort_m; /* for qsort: one run at a time */

static int
cmp_dir(const void *a, const void *b)
{
	return strcmp(sort_m->tables[*(const size_t *)a].dir,
	              sort_m->tables[*(const size_t *)b].dir);
}

static size_t
find_dir(const struct archive_reader *r, const char *dir)
{
	size_t lo = 0, hi = r->m->ntables;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->m->tables[r->by_dir[mid]].dir, dir);
		if (c == 0)
			return r->by_dir[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)-1;
}

static int
parse_manifest(struct archive_reader *r, const char *buf, size_t len)
{
	struct manifest *m;
	char why[sizeof r->err];

	m = r->m = manifest_parse(buf, len, why, sizeof why);
	if (m == NULL)
		return fail(r, "%s", why);
	/* Chunks are found through "dir": it must be unique. */
	r->by_dir = xcalloc(m->ntables ? m->ntables : 1, sizeof *r->by_dir);
	for (size_t i = 0; i < m->ntables; i++)
		r->by_dir[i] = i;
	sort_m = m;
	qsort(r->by_dir, m->ntables, sizeof *r->by_dir, cmp_dir);
	sort_m = NULL;
	for (size_t i = 1; i < m->ntables; i++)
		if (strcmp(m->tables[r->by_dir[i]].dir,
		           m->tables[r->by_dir[i - 1]].dir) == 0)
			return fail(r, "bad manifest: two tables share the directory \"%s\"",
			            m->tables[r->by_dir[i]].dir);
	r->table_sha = xcalloc(m->ntables ? m->ntables : 1, sizeof *r->table_sha);
	r->next_chunk = xcalloc(m->ntables ? m->ntables : 1, sizeof *r->next_chunk);
	for (size_t i = 0; i < m->ntables; i++) {
		r->table_sha[i] = sha256_new();
		r->next_chunk[i] = 1;
	}
	return 0;
}

static int
parse_sequences(struct archive_reader *r, const char *buf, size_t len)
{
	char why[sizeof r->err];

	if (manifest_sequences_parse(buf, len, &r->seqs, &r->nseqs, why,
	                             sizeof why) < 0)
		return fail(r, "%s", why);
	return 0;
}

static int
verify_trailer(struct archive_reader *r, const char *buf, size_t len)
{
	const struct manifest *m = r->m;
	struct manifest_trailer tr;
	unsigned char *seen = NULL;
	char hex[65], why[sizeof r->err];
	int rc = -1;

	if (manifest_trailer_parse(buf, len, &tr, why, sizeof why) < 0)
		return fail(r, "%s", why);
	seen = xcalloc(m->ntables + 1, 1);
	for (size_t i = 0; i < tr.ntables; i++) {
		const struct manifest_trailer_table *t = &tr.tables[i];
		const char *s = t->schema, *n = t->name;
		unsigned char d[32];
		size_t k = manifest_find_table(m, s, n);
		const struct manifest_table *at;

		if (k == (size_t)-1 || seen[k]) {
			fail(r, "archive is corrupt (trailer lists table %s.%s %s)",
			     s, n, k == (size_t)-1 ? "that the manifest does not" : "twice");
			goto out;
		}
		seen[k] = 1;
		at = &m->tables[k];
		if (t->rows != at->rows || t->bytes != at->bytes ||
		    t->chunks != at->chunks) {
			fail(r,
			     "archive is corrupt: table %s.%s: the trailer says %" PRIu64
			     " rows, %" PRIu64 " bytes, %" PRIu64 " chunks; the archive "
			     "holds %" PRIu64 " rows, %" PRIu64 " bytes, %" PRIu64 " chunks",
			     s, n, t->rows, t->bytes, t->chunks, at->rows, at->bytes,
			     at->chunks);
			goto out;
		}
		sha256_digest(r->table_sha[k], d);
		sha256_hex(d, hex);
		if (strcmp(hex, t->sha256) != 0) {
			fail(r, "archive is corrupt: table %s.%s: SHA-256 mismatch", s, n);
			goto out;
		}
	}
	for (size_t k = 0; k < m->ntables; k++)
		if (!seen[k]) {
			fail(r, "archive is corrupt (trailer does not list table %s.%s)",
			     m->tables[k].schema, m->tables[k].name);
			goto out;
		}
	if (tr.nmembers != r->nmembers) {
		fail(r, "archive is corrupt (trailer lists %zu members, the archive holds %zu)",
		     tr.nmembers, r->nmembers);
		goto out;
	}
	for (size_t i = 0; i < r->nmembers; i++) {
		const struct manifest_trailer_member *mm = &tr.members[i];

		if (strcmp(mm->name, r->members[i].name) != 0) {
			fail(r, "archive is corrupt (member %zu is %s, the trailer says %s)",
			     i + 1, r->members[i].name, mm->name);
			goto out;
		}
		sha256_hex(r->members[i].sha, hex);
		if (mm->bytes != r->members[i].bytes || strcmp(hex, mm->sha256) != 0) {
			fail(r, "archive is corrupt: member %s: %s mismatch", mm->name,
			     mm->bytes != r->members[i].bytes ? "size" : "SHA-256");
			goto out;
		}
	}
	rc = 0;
out:
	free(seen);
	manifest_trailer_free(&tr);
	return rc;
}

/* ---- members ---- */

static void
record_member(struct archive_reader *r, const char *name, uint64_t bytes)
{
	struct member_rec *mr;

	if (r->nmembers == r->members_cap) {
		r->members_cap = r->members_cap ? 2 * r->members_cap : 64;
		r->members = xreallocarray(r->members, r->members_cap,
		                           sizeof *r->members);
	}
	mr = &r->members[r->nmembers++];
	mr->name = xstrdup(name);
	mr->bytes = bytes;
	sha256_digest(r->member_sha, mr->sha);
}

/* Reads the current member whole (NUL-terminated) into *out. */
static int
read_whole(struct archive_reader *r, const char *name, char **out, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	char *buf = xmalloc(cap + 1);

	sha256_reset(r->member_sha);
	for (;;) {
		la_ssize_t k;
		if (n == cap) {
			if (cap >= MEMBER_MAX) {
				free(buf);
				return fail(r, "member %s is too large (over %u MiB)",
				            name, MEMBER_MAX >> 20);
			}
			cap *= 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		k = archive_read_data(r->a, buf + n, cap - n);
		if (k < 0) {
			free(buf);
			return fail_archive(r, name);
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	sha256_update(r->member_sha, buf, n);
	record_member(r, name, n);
	*out = buf;
	*len = n;
	return 0;
}

/*
 * Looks for a line that starts with "\." in the next n bytes of a chunk;
 * *state carries over from one block to the next: 0 inside a line, 1 at
 * the start of a line, 2 after a backslash that started one.  COPY text
 * output never writes such a line (a backslash in a value is written as two); psql
 * and older servers take "\." for the end of the data, so what follows
 * would run as SQL.  Returns true when one is found.
 */
static bool
eod_scan(int *state, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;

	while (p < end) {
		if (*state == 1) {
			if (*p == '\\') {
				*state = 2;
				p++;
				continue;
			}
			*state = 0;
		} else if (*state == 2) {
			if (*p == '.')
				return true;
			*state = 0;
		}
		const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return false;
		p = nl + 1;
		*state = 1;
	}
	return false;
}

static int
read_chunk(struct archive_reader *r, const char *name, size_t ti,
           uint64_t chunk)
{
	struct manifest_table *t = &r->m->tables[ti];
	struct archive_reader_event ev = {.type = ARCHIVE_READER_CHUNK_BEGIN, .table = ti, .chunk = chunk};
	uint64_t bytes = 0, rows = 0;
	char last = '\n';
	int rc;

	if ((rc = emit(r, &ev, NULL)) != 0)
		return rc;
	sha256_reset(r->member_sha);
	r->eod_state = 1;
	for (;;) {
		unsigned char *buf = r->threaded ? xmalloc(DATA_BLOCK) : r->block;
		la_ssize_t k = archive_read_data(r->a, buf, DATA_BLOCK);
		const unsigned char *p, *end;

		if (k <= 0) {
			if (r->threaded)
				free(buf);
			if (k < 0)
				return fail_archive(r, name);
			break;
		}
		if (eod_scan(&r->eod_state, buf, (size_t)k)) {
			if (r->threaded)
				free(buf);
			return fail(r, "archive refused: chunk %s holds a line "
			            "starting with \\. (an end-of-data mark COPY "
			            "never writes)", name);
		}
		sha256_update(r->member_sha, buf, (size_t)k);
		sha256_update(r->table_sha[ti], buf, (size_t)k);
		for (p = buf, end = buf + k; (p = memchr(p, '\n', end - p)); p++)
			rows++;
		bytes += (uint64_t)k;
		last = (char)buf[k - 1];
		ev = (struct archive_reader_event){.type = ARCHIVE_READER_CHUNK_DATA, .table = ti,
		                       .chunk = chunk, .data = (const char *)buf,
		                       .len = (size_t)k};
		if ((rc = emit(r, &ev, r->threaded ? buf : NULL)) != 0)
			return rc;
	}
	if (bytes == 0)
		return fail(r, "archive is corrupt (chunk %s is empty)", name);
	if (last != '\n')
		return fail(r, "archive is corrupt (chunk %s does not end with a whole row)",
		            name);
	if (r->m->chunk_size && bytes > r->m->chunk_size && rows != 1)
		return fail(r, "archive is corrupt (chunk %s is larger than chunk_size)",
		            name);
	record_member(r, name, bytes);
	t->rows += rows;
	t->bytes += bytes;
	t->chunks++;
	r->rows += rows;
	r->data_bytes += bytes;
	ev = (struct archive_reader_event){.type = ARCHIVE_READER_CHUNK_END, .table = ti, .chunk = chunk,
	                       .rows = rows};
	return emit(r, &ev, NULL);
}

static int
out_of_order(struct archive_reader *r, const char *name)
{
	static const char *const expect[] = {
		[PH_START] = ARCHIVE_MEMBER_MANIFEST,
		[PH_MANIFEST] = ARCHIVE_MEMBER_PRE_DATA,
		[PH_DATA] = ("a chunk or " ARCHIVE_MEMBER_SEQUENCES),
		[PH_SEQUENCES] = ARCHIVE_MEMBER_POST_DATA,
		[PH_POST_DATA] = ARCHIVE_MEMBER_TRAILER,
		[PH_TRAILER] = "the end",
	};
	const char *e = expect[r->phase];

	if (r->phase == PH_SEQUENCES && r->m->data_only)
		e = ARCHIVE_MEMBER_TRAILER;
	return fail(r, "archive is corrupt (member %s out of order: expected %s)",
	            name, e);
}

/*
 * The pre-data member just read (the last member recorded) against the
 * manifest's digest of it, before anything may run it.
 */
static int
check_pre_data(struct archive_reader *r, const char *name)
{
	char hex[65];

	if (!*r->m->pre_data_sha256 && r->legacy_ok && !r->require_sig) {
		warnmsg("warning: the manifest has no \"pre_data_sha256\" (an "
		        "archive made before strongbox 0.2): %s is checked by no "
		        "digest, only screened for forbidden statements", name);
		return 0;
	}
	if (!*r->m->pre_data_sha256)
		return fail(r, "archive refused: the manifest has no "
		            "\"pre_data_sha256\", so %s cannot be verified before "
		            "it runs (an archive made before strongbox 0.2: "
		            "check it, then restore it with --legacy-pre-data)", name);
	sha256_hex(r->members[r->nmembers - 1].sha, hex);
	if (strcmp(hex, r->m->pre_data_sha256) != 0)
		return fail(r, "archive is corrupt: member %s: SHA-256 mismatch "
		            "with the manifest (nothing was run)", name);
	return 0;
}

/* One member: check its place, read it, hand out its events. */
static int
do_member(struct archive_reader *r, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);
	enum archive_member_kind kind;
	struct archive_reader_event ev = {0};
	unsigned long chunk = 0;
	char *dir = NULL, *buf = NULL;
	size_t len = 0, ti;
	int rc;

	if (name == NULL)
		name = "";
	kind = archive_names_classify(name, &dir, &chunk);
	if (r->phase == PH_START && kind != ARCHIVE_MEMBER_IS_MANIFEST) {
		free(dir);
		return fail(r, "not a strongbox archive (first member is \"%s\", not %s)",
		            name, ARCHIVE_MEMBER_MANIFEST);
	}
	if (r->await_sig && kind != r->await_sig) {
		free(dir);
		return fail(r, "archive is not signed (%s, not %s, follows %s): "
		            "refused, a signature is required",
		            name, r->await_sig == ARCHIVE_MEMBER_IS_MANIFEST_SIG
		                      ? ARCHIVE_MEMBER_MANIFEST_SIG
		                      : ARCHIVE_MEMBER_TRAILER_SIG,
		            r->await_sig == ARCHIVE_MEMBER_IS_MANIFEST_SIG
		                ? ARCHIVE_MEMBER_MANIFEST
		                : ARCHIVE_MEMBER_TRAILER);
	}
	if (r->phase == PH_TRAILER && (kind != ARCHIVE_MEMBER_IS_TRAILER_SIG ||
	                               r->last_kind != ARCHIVE_MEMBER_IS_TRAILER)) {
		free(dir);
		return fail(r, "archive is corrupt (member %s after the trailer)", name);
	}
	if ((kind == ARCHIVE_MEMBER_IS_MANIFEST_SIG &&
	     r->last_kind != ARCHIVE_MEMBER_IS_MANIFEST) ||
	    (kind == ARCHIVE_MEMBER_IS_TRAILER_SIG &&
	     r->last_kind != ARCHIVE_MEMBER_IS_TRAILER))
		return fail(r, "archive is corrupt (member %s out of order: it "
		            "must follow the member it signs)", name);
	r->last_kind = kind;
	if (kind == ARCHIVE_MEMBER_UNKNOWN)
		return fail(r, "archive is corrupt (unknown member \"%s\")", name);
	if (archive_entry_filetype(e) != AE_IFREG) {
		free(dir);
		return fail(r, "archive is corrupt (member %s is not a regular file)",
		            name);
	}

	switch (kind) {
	case ARCHIVE_MEMBER_IS_MANIFEST:
		if (r->phase != PH_START)
			return out_of_order(r, name);
		if (read_whole(r, name, &buf, &len) < 0)
			return -1;
		rc = parse_manifest(r, buf, len);
		if (rc < 0 || !r->require_sig)
			free(buf);
		if (rc < 0)
			return -1;
		r->phase = r->m->data_only ? PH_DATA : PH_MANIFEST;
		if (r->require_sig) {
			/* Nothing is delivered before its signature checked. */
			r->signed_buf = buf;
			r->signed_len = len;
			r->await_sig = ARCHIVE_MEMBER_IS_MANIFEST_SIG;
			return 0;
		}
		ev.type = ARCHIVE_READER_MANIFEST;
		return emit(r, &ev, NULL);
	case ARCHIVE_MEMBER_IS_MANIFEST_SIG:
	case ARCHIVE_MEMBER_IS_TRAILER_SIG:
		if (read_whole(r, name, &buf, &len) < 0)
			return -1;
		r->nsigs++;
		if (r->require_sig) {
			char why[300];
			rc = minisign_verify(&r->key, r->signed_buf, r->signed_len,
			                     buf, len, NULL, why, sizeof why);
			free(r->signed_buf);
			r->signed_buf = NULL;
			r->await_sig = ARCHIVE_MEMBER_UNKNOWN;
			if (rc < 0) {
				free(buf);
				return fail(r, "the signature of %s: %s: refused",
				            kind == ARCHIVE_MEMBER_IS_MANIFEST_SIG
				                ? ARCHIVE_MEMBER_MANIFEST
				                : ARCHIVE_MEMBER_TRAILER, why);
			}
		}
		free(buf);
		if (kind == ARCHIVE_MEMBER_IS_MANIFEST_SIG && r->require_sig) {
			ev.type = ARCHIVE_READER_MANIFEST;
			return emit(r, &ev, NULL);
		}
		return 0;
	case ARCHIVE_MEMBER_IS_PRE_DATA:
	case ARCHIVE_MEMBER_IS_POST_DATA:
		if (kind == ARCHIVE_MEMBER_IS_PRE_DATA ? r->phase != PH_MANIFEST
		    : r->phase != PH_SEQUENCES || r->m->data_only)
			return out_of_order(r, name);
		if (read_whole(r, name, &buf, &len) < 0)
			return -1;
		if (strlen(buf) != len) {
			free(buf);
			return fail(r, "archive is corrupt (%s holds a NUL byte)", name);
		}
		if (kind == ARCHIVE_MEMBER_IS_PRE_DATA &&
		    check_pre_data(r, name) < 0) {
			free(buf);
			return -1;
		}
		{
			char why[512];
			if (sqlguard_check(name, buf, len, why, sizeof why) < 0) {
				free(buf);
				return fail(r, "%s", why);
			}
		}
		if (kind == ARCHIVE_MEMBER_IS_POST_DATA) {
			/* It runs only once the trailer vouched for everything. */
			r->phase = PH_POST_DATA;
			r->post_data = buf;
			r->post_len = len;
			return 0;
		}
		r->phase = PH_DATA;
		ev.type = ARCHIVE_READER_PRE_DATA;
		ev.data = buf;
		ev.len = len;
		return emit(r, &ev, buf);
	case ARCHIVE_MEMBER_IS_CHUNK:
		if (r->phase != PH_DATA) {
			free(dir);
			return out_of_order(r, name);
		}
		ti = find_dir(r, dir);
		free(dir);
		if (ti == (size_t)-1)
			return fail(r, "archive is corrupt (chunk %s belongs to no table of the manifest)",
			            name);
		if (r->m->tables[ti].level < r->level)
			return fail(r, "archive is corrupt (chunk %s of level %d after level %d)",
			            name, r->m->tables[ti].level, r->level);
		if (chunk != r->next_chunk[ti])
			return fail(r, "archive is corrupt (chunk %s out of order: expected number %06" PRIu64 ")",
			            name, r->next_chunk[ti]);
		r->level = r->m->tables[ti].level;
		r->next_chunk[ti]++;
		return read_chunk(r, name, ti, chunk);
	case ARCHIVE_MEMBER_IS_SEQUENCES:
		if (r->phase != PH_DATA)
			return out_of_order(r, name);
		if (read_whole(r, name, &buf, &len) < 0)
			return -1;
		rc = parse_sequences(r, buf, len);
		free(buf);
		if (rc < 0)
			return -1;
		r->phase = r->m->data_only ? PH_POST_DATA : PH_SEQUENCES;
		ev.type = ARCHIVE_READER_SEQUENCES;
		return emit(r, &ev, NULL);
	case ARCHIVE_MEMBER_IS_TRAILER:
		if (r->phase != PH_POST_DATA)
			return out_of_order(r, name);
		/* The trailer is not in its own member list. */
		{
			size_t n0 = r->nmembers;
			if (read_whole(r, name, &buf, &len) < 0)
				return -1;
			free(r->members[n0].name);
			r->nmembers = n0;
		}
		rc = verify_trailer(r, buf, len);
		if (rc < 0) {
			free(buf);
			return -1;
		}
		r->phase = PH_TRAILER;
		if (r->require_sig) {
			r->signed_buf = buf;
			r->signed_len = len;
			r->await_sig = ARCHIVE_MEMBER_IS_TRAILER_SIG;
			return 0;
		}
		free(buf);
		return 0;
	default:
		free(dir);
		return fail(r, "archive is corrupt (unknown member \"%s\")", name);
	}
}

/* Reads the whole stream; runs in the reader thread when threaded. */
static int
produce(struct archive_reader *r)
{
	struct archive_entry *e;
	int rc;

	if (open_input(r) < 0)
		return -1;
	if (!r->threaded)
		r->block = xmalloc(DATA_BLOCK);
	for (;;) {
		rc = archive_read_next_header(r->a, &e);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
			return fail_archive(r, "a member header");
		if ((rc = do_member(r, e)) != 0)
			return rc;
	}
	if (r->await_sig)
		return fail(r, "archive is not signed (it ends without %s): "
		            "refused, a signature is required",
		            r->await_sig == ARCHIVE_MEMBER_IS_MANIFEST_SIG
		                ? ARCHIVE_MEMBER_MANIFEST_SIG
		                : ARCHIVE_MEMBER_TRAILER_SIG);
	switch (r->phase) {
	case PH_START:
		return fail(r, "not a strongbox archive (empty input)");
	case PH_TRAILER:
		break;
	default:
		return fail(r, "archive is truncated: no trailer");
	}
	if (r->post_data != NULL) {
		struct archive_reader_event ev = {.type = ARCHIVE_READER_POST_DATA, .data = r->post_data,
		                      .len = r->post_len};
		char *buf = r->post_data;
		r->post_data = NULL;
		if ((rc = emit(r, &ev, buf)) != 0)
			return rc;
	}
	{
		struct archive_reader_event ev = {.type = ARCHIVE_READER_TRAILER};
		return emit(r, &ev, NULL);
	}
}

static void *
producer_main(void *arg)
{
	struct archive_reader *r = arg;
	struct timespec ts;
	int rc = produce(r);

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	pthread_mutex_lock(&r->mu);
	r->reader_cpu = ts.tv_sec + ts.tv_nsec / 1e9;
	r->result = rc;
	r->done = true;
	pthread_cond_signal(&r->cv_get);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

int
archive_reader_run(struct archive_reader *r, bool threaded, size_t queue_bytes,
                 archive_reader_callback cb, void *ctx)
{
	int rc = 0, err;

	r->cb = cb;
	r->ctx = ctx;
	if (!threaded) {
		struct timespec ts;
		rc = produce(r);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		r->reader_cpu = ts.tv_sec + ts.tv_nsec / 1e9;
		return rc == -2 ? -1 : rc;
	}
	r->threaded = true;
	r->qcap = queue_bytes ? queue_bytes : QUEUE_DEFAULT;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv_put, NULL);
	pthread_cond_init(&r->cv_get, NULL);
	if ((err = pthread_create(&r->thread, NULL, producer_main, r)) != 0) {
		errno = err;
		die_errno(EXIT_FAIL, "cannot start the reader thread");
	}
	for (;;) {
		struct qent *q;
		double t0 = 0;

		pthread_mutex_lock(&r->mu);
		while (r->head == NULL && !r->done) {
			if (t0 == 0)
				t0 = monotime_now();
			pthread_cond_wait(&r->cv_get, &r->mu);
		}
		if (t0 != 0)
			r->consumer_wait += monotime_now() - t0;
		q = r->head;
		if (q != NULL) {
			r->head = q->next;
			if (r->head == NULL)
				r->tail = NULL;
			r->qbytes -= q->ev.len;
			pthread_cond_signal(&r->cv_put);
		}
		pthread_mutex_unlock(&r->mu);
		if (q == NULL)
			break;
		rc = cb(ctx, &q->ev);
		free(q->buf);
		free(q);
		if (rc != 0) {
			pthread_mutex_lock(&r->mu);
			r->cancel = true;
			pthread_cond_broadcast(&r->cv_put);
			pthread_mutex_unlock(&r->mu);
			break;
		}
	}
	pthread_join(r->thread, NULL);
	while (r->head != NULL) {
		struct qent *q = r->head;
		r->head = q->next;
		free(q->buf);
		free(q);
	}
	r->tail = NULL;
	if (rc != 0)
		return rc;
	return r->result == -2 ? -1 : r->result;
}

const char *
archive_reader_error(const struct archive_reader *r)
{
	return r->err[0] ? r->err : "archive reading stopped";
}

const struct manifest *
archive_reader_manifest(const struct archive_reader *r)
{
	return r->m;
}

const struct manifest_sequence *
archive_reader_sequences(const struct archive_reader *r, size_t *n)
{
	*n = r->nseqs;
	return r->seqs;
}

void
archive_reader_stats(const struct archive_reader *r, struct archive_reader_stats *st)
{
	st->members = r->nmembers;
	st->rows = r->rows;
	st->data_bytes = r->data_bytes;
	st->input_bytes = r->input_bytes;
	st->reader_cpu = r->reader_cpu;
	st->reader_wait = r->reader_wait;
	st->consumer_wait = r->consumer_wait;
}

void
archive_reader_require_signatures(struct archive_reader *r,
                                  const struct minisign_pub *pk)
{
	r->require_sig = true;
	r->key = *pk;
}

void
archive_reader_allow_undigested_pre_data(struct archive_reader *r)
{
	r->legacy_ok = true;
}

int
archive_reader_signatures(const struct archive_reader *r)
{
	return r->nsigs;
}

void
archive_reader_free(struct archive_reader *r)
{
	if (r == NULL)
		return;
	free(r->signed_buf);
	archive_read_free(r->a);
	if (r->m != NULL) {
		for (size_t i = 0; i < r->m->ntables && r->table_sha; i++)
			sha256_free(r->table_sha[i]);
	}
	free(r->table_sha);
	free(r->next_chunk);
	free(r->by_dir);
	manifest_free(r->m);
	manifest_sequences_free(r->seqs, r->nseqs);
	for (size_t i = 0; i < r->nmembers; i++)
		free(r->members[i].name);
	free(r->members);
	sha256_free(r->member_sha);
	free(r->post_data);
	free(r->iobuf);
	free(r->block);
	if (r->threaded) {
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv_put);
		pthread_cond_destroy(&r->cv_get);
	}
	free(r);
}
