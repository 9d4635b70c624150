/* ageput.c: see ageput.h. */
#include "ageput.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"
#include "sha256.h"
#include "xalloc.h"

#define ENC_CHUNK (AGE_CHUNK + AGE_TAG)

struct ageput {
	int fd;
	struct age_enc *e;
	void (*tap)(void *ctx, const void *data, size_t len);
	void *ctx;
	struct sha256_ctx *sha;
	long long bytes;
	/*
	 * Two chunks of plaintext: pt[cur] holds have bytes, the chunk to
	 * encrypt next; the other one is read into to learn whether the
	 * current chunk is the last (the STREAM's final flag).
	 */
	unsigned char *pt[2];
	int cur;
	size_t have;
	int in_eof;  /* the input ended */
	int done;    /* the last chunk was made */
	/* Output not yet handed out: the header, or a chunk that did not fit. */
	unsigned char *side;
	size_t side_cap, side_off, side_len;
};

/* age_enc_new() writes the header here. */
static int
to_side(void *ctx, const void *data, size_t len)
{
	struct ageput *a = ctx;

	if (a->side_len + len > a->side_cap) {
		a->side_cap = a->side_len + len;
		a->side = xreallocarray(a->side, a->side_cap, 1);
	}
	memcpy(a->side + a->side_len, data, len);
	a->side_len += len;
	return 0;
}

struct ageput *
ageput_new(int fd, const struct age_recipient *r, size_t n,
	void (*tap)(void *ctx, const void *data, size_t len), void *ctx,
	char *why, size_t whylen)
{
	struct ageput *a = xcalloc(1, sizeof *a);

	a->fd = fd;
	a->tap = tap;
	a->ctx = ctx;
	a->side_cap = ENC_CHUNK;
	a->side = xmalloc(a->side_cap);
	a->e = age_enc_new(r, n, to_side, a, why, whylen);
	if (!a->e) {
		ageput_free(a);
		return NULL;
	}
	a->pt[0] = xmalloc(AGE_CHUNK);
	a->pt[1] = xmalloc(AGE_CHUNK);
	a->sha = sha256_new();
	return a;
}

/*
 * Reads plaintext into p until len bytes or the end (then in_eof is
 * set), as put_fill(): returns the count, or -1 with st set.  The bytes
 * are counted, digested and tapped here, in input order.
 */
static ssize_t
read_plain(struct ageput *a, unsigned char *p, size_t len,
	struct s3_status *st)
{
	ssize_t n = put_fill(a->fd, (char *)p, len, &a->in_eof, st);

	if (n > 0) {
		sha256_update(a->sha, p, (size_t)n);
		if (a->tap)
			a->tap(a->ctx, p, (size_t)n);
		a->bytes += n;
	}
	return n;
}

/*
 * Encrypts the next chunk to out (ENC_CHUNK bytes of room) and returns
 * its length, or -1 with st set.
 */
static ssize_t
next_chunk(struct ageput *a, unsigned char *out, struct s3_status *st)
{
	size_t next = 0, len;
	ssize_t n;

	if (a->have < AGE_CHUNK && !a->in_eof) {
		if ((n = read_plain(a, a->pt[a->cur] + a->have,
			AGE_CHUNK - a->have, st)) < 0)
			return -1;
		a->have += (size_t)n;
	}
	/* A full chunk is the last one only if nothing follows it. */
	if (!a->in_eof) {
		if ((n = read_plain(a, a->pt[!a->cur], AGE_CHUNK, st)) < 0)
			return -1;
		next = (size_t)n;
	}
	if (age_enc_chunk(a->e, a->pt[a->cur], a->have, a->in_eof && !next,
		out) < 0) {
		st->code = EXIT_FAIL;
		snprintf(st->msg, sizeof st->msg, "cannot encrypt: %s",
			age_enc_error(a->e));
		return -1;
	}
	len = a->have + AGE_TAG;
	a->done = a->in_eof && !next;
	a->cur = !a->cur;
	a->have = next;
	return (ssize_t)len;
}

ssize_t
ageput_fill(void *ap, char *buf, size_t want, int *eof,
	struct s3_status *st)
{
	struct ageput *a = ap;
	size_t got = 0;

	while (got < want) {
		ssize_t n;

		if (a->side_off < a->side_len) {
			size_t take = a->side_len - a->side_off;
			if (take > want - got)
				take = want - got;
			memcpy(buf + got, a->side + a->side_off, take);
			a->side_off += take;
			got += take;
			continue;
		}
		if (a->done) {
			*eof = 1;
			break;
		}
		if (want - got >= ENC_CHUNK) {
			/* The common case: straight into the put's buffer. */
			if ((n = next_chunk(a, (unsigned char *)buf + got,
				st)) < 0)
				return -1;
			got += (size_t)n;
		} else {
			if ((n = next_chunk(a, a->side, st)) < 0)
				return -1;
			a->side_off = 0;
			a->side_len = (size_t)n;
		}
	}
	return (ssize_t)got;
}

int
ageput_finish(struct ageput *a, long long *bytes, char sha256[65],
	char *why, size_t whylen)
{
	if (!a->done || a->side_off < a->side_len) {
		snprintf(why, whylen, "the encryption did not end");
		return -1;
	}
	*bytes = a->bytes;
	sha256_final(a->sha, sha256);
	a->sha = NULL;
	return 0;
}

void
ageput_free(struct ageput *a)
{
	if (!a)
		return;
	age_enc_free(a->e);
	for (int i = 0; i < 2; i++)
		if (a->pt[i]) {
			OPENSSL_cleanse(a->pt[i], AGE_CHUNK);
			free(a->pt[i]);
		}
	if (a->side) {
		OPENSSL_cleanse(a->side, a->side_cap);
		free(a->side);
	}
	sha256_free(a->sha);
	free(a);
}
