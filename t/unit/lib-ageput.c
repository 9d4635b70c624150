/*
 * Unit tests of lib/ageput.c and age_enc_chunk() (lib/age.c): the age
 * file an encrypted put stores, taken in pieces of every size a put asks
 * for (1 byte, less than a chunk, a chunk exactly, a part), from a file
 * and from a pipe that gives short reads, decrypts to the input; the
 * plaintext's length, digest and tap are right; chunks at the edges
 * (0 bytes, 64 KiB exactly, 64 KiB + 1).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "age.h"
#include "ageput.h"
#include "sha256.h"
#include "xalloc.h"
#include "tap.h"

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 16;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static int
buf_write(void *ctx, const void *data, size_t len)
{
	buf_add(ctx, data, len);
	return 0;
}

static void
tap_buf(void *ctx, const void *data, size_t len)
{
	buf_add(ctx, data, len);
}

static unsigned char *
pattern(size_t n)
{
	unsigned char *p = xmalloc(n + 1);

	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)((i * 7 + 3) % 251);
	return p;
}

/* A file descriptor that reads the len bytes at p: a file, or a pipe. */
static int
source(const unsigned char *p, size_t len, int use_pipe, pid_t *child)
{
	int fds[2];

	*child = -1;
	if (!use_pipe) {
		char tmpl[] = "/tmp/strongbox-ageput.XXXXXX";
		int fd = mkstemp(tmpl);
		if (fd < 0 || write(fd, p, len) != (ssize_t)len ||
		    lseek(fd, 0, SEEK_SET) != 0)
			return -1;
		unlink(tmpl);
		return fd;
	}
	if (pipe(fds) < 0)
		return -1;
	if ((*child = fork()) == 0) {
		/* Odd pieces, so that reads come back short. */
		size_t off = 0, step = 1;
		close(fds[0]);
		while (off < len) {
			size_t n = len - off < step ? len - off : step;
			if (write(fds[1], p + off, n) != (ssize_t)n)
				_exit(1);
			off += n;
			step = step * 3 + 1;
			if (step > 100000)
				step = 5;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

/*
 * Encrypts len bytes through ageput, asking for want bytes at a time,
 * and checks the result.
 */
static void
round_trip(size_t len, size_t want, int use_pipe)
{
	struct age_identity id;
	struct age_recipient r;
	struct buf out = {0}, dec = {0}, tapped = {0};
	unsigned char *plain = pattern(len), md[32];
	char why[300], got_sha[65], want_sha[65];
	char *chunk = xmalloc(want);
	struct s3_status st;
	long long bytes = -1;
	pid_t child;
	int fd = source(plain, len, use_pipe, &child), eof = 0, rc = 0;
	struct ageput *a;
	struct age_dec *d;
	struct sha256_ctx *sha = sha256_new();

	age_identity_generate(&id, NULL);
	memcpy(r.pk, id.pk, 32);
	a = ageput_new(fd, &r, 1, tap_buf, &tapped, why, sizeof why);
	if (!ok(a != NULL, "ageput_new (%zu bytes)", len))
		return;
	memset(&st, 0, sizeof st);
	while (!eof && rc == 0) {
		ssize_t n = ageput_fill(a, chunk, want, &eof, &st);
		if (n < 0) {
			rc = -1;
			break;
		}
		/* Short only at the end, as put_fill(). */
		if ((size_t)n < want && !eof) {
			rc = -2;
			break;
		}
		buf_add(&out, chunk, (size_t)n);
	}
	is_int(rc, 0, "%zu bytes from a %s, %zu at a time: filled to the end "
		"%s", len, use_pipe ? "pipe" : "file", want, st.msg);
	ok(ageput_finish(a, &bytes, got_sha, why, sizeof why) == 0,
		"%zu bytes: finished", len);
	is_int(bytes, (long long)len, "%zu bytes: counted", len);
	sha256_update(sha, plain, len);
	sha256_digest(sha, md);
	sha256_hex(md, want_sha);
	is_str(got_sha, want_sha, "%zu bytes: the plaintext's SHA-256", len);
	ok(tapped.len == len && (len == 0 || !memcmp(tapped.p, plain, len)),
		"%zu bytes: the tap saw the plaintext", len);
	/* Header, then ceil(len / 64 KiB) chunks (at least one) of +16. */
	{
		size_t chunks = len ? (len + AGE_CHUNK - 1) / AGE_CHUNK : 1;
		d = age_dec_new(&id, 1, buf_write, &dec);
		rc = age_dec_update(d, out.p, out.len);
		if (rc == 0)
			rc = age_dec_final(d);
		ok(rc == 0 && dec.len == len &&
		   (len == 0 || !memcmp(dec.p, plain, len)),
		   "%zu bytes: decrypts to the input (%s)", len,
		   rc ? age_dec_error(d) : "ok");
		age_dec_free(d);
		ok(out.len > len + chunks * AGE_TAG &&
		   out.len < len + chunks * AGE_TAG + 300,
		   "%zu bytes: %zu chunks and a header (%zu bytes)", len,
		   chunks, out.len);
	}
	ageput_free(a);
	sha256_free(sha);
	close(fd);
	if (child > 0) {
		int status;
		waitpid(child, &status, 0);
	}
	free(plain);
	free(chunk);
	free(out.p);
	free(dec.p);
	free(tapped.p);
}

static void
unfinished(void)
{
	struct age_identity id;
	struct age_recipient r;
	unsigned char *plain = pattern(3 * AGE_CHUNK);
	char buf[100], why[300], sha[65];
	struct s3_status st;
	long long bytes;
	pid_t child;
	int fd = source(plain, 3 * AGE_CHUNK, 0, &child), eof = 0;
	struct ageput *a;

	age_identity_generate(&id, NULL);
	memcpy(r.pk, id.pk, 32);
	a = ageput_new(fd, &r, 1, NULL, NULL, why, sizeof why);
	ageput_fill(a, buf, sizeof buf, &eof, &st);
	ok(ageput_finish(a, &bytes, sha, why, sizeof why) < 0 &&
	   strstr(why, "did not end"), "a put that stopped early does not "
	   "finish: %s", why);
	ageput_free(a);
	close(fd);
	free(plain);
}

static void
read_error(void)
{
	struct age_identity id;
	struct age_recipient r;
	char buf[1000], why[300]; /* more than the header */
	struct s3_status st = {0};
	int eof = 0;
	struct ageput *a;

	age_identity_generate(&id, NULL);
	memcpy(r.pk, id.pk, 32);
	/* A directory: read() fails with EISDIR. */
	int fd = open("/", O_RDONLY);
	a = ageput_new(fd, &r, 1, NULL, NULL, why, sizeof why);
	ok(ageput_fill(a, buf, sizeof buf, &eof, &st) < 0 &&
	   strstr(st.msg, "cannot read the input") && st.code == 1,
	   "a read error is the put's failure: %s", st.msg);
	ageput_free(a);
	close(fd);
}

static void
chunk_rules(void)
{
	struct age_identity id;
	struct age_recipient r;
	struct buf hdr = {0};
	unsigned char *in = pattern(AGE_CHUNK + 1), *out = xmalloc(AGE_CHUNK +
		AGE_TAG + 1);
	char why[200];
	struct age_enc *e;

	age_identity_generate(&id, NULL);
	memcpy(r.pk, id.pk, 32);
	e = age_enc_new(&r, 1, buf_write, &hdr, why, sizeof why);
	ok(age_enc_chunk(e, in, AGE_CHUNK - 1, 0, out) < 0,
		"a short chunk that is not the last is refused");
	age_enc_free(e);
	e = age_enc_new(&r, 1, buf_write, &hdr, why, sizeof why);
	ok(age_enc_chunk(e, in, AGE_CHUNK + 1, 1, out) < 0,
		"a chunk longer than 64 KiB is refused");
	age_enc_free(e);
	e = age_enc_new(&r, 1, buf_write, &hdr, why, sizeof why);
	ok(age_enc_chunk(e, in, AGE_CHUNK, 0, out) == 0 &&
	   age_enc_chunk(e, in, 0, 1, out) < 0,
	   "an empty last chunk after a full one is refused (the spec)");
	age_enc_free(e);
	e = age_enc_new(&r, 1, buf_write, &hdr, why, sizeof why);
	ok(age_enc_chunk(e, in, 5, 1, out) == 0 &&
	   age_enc_chunk(e, in, 5, 1, out) < 0,
	   "nothing after the last chunk");
	age_enc_free(e);
	free(in);
	free(out);
	free(hdr.p);
}

int
main(void)
{
	static const size_t lens[] = {0, 1, AGE_CHUNK - 1, AGE_CHUNK,
		AGE_CHUNK + 1, 2 * AGE_CHUNK, 5 * AGE_CHUNK + 12345};
	static const size_t wants[] = {1, 7, AGE_CHUNK + AGE_TAG,
		AGE_CHUNK + AGE_TAG + 1, 1 << 20};

	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
		for (size_t j = 0; j < sizeof wants / sizeof *wants; j++)
			round_trip(lens[i], wants[j], 0);
	round_trip(5 * AGE_CHUNK + 12345, 1 << 20, 1);
	round_trip(3 * AGE_CHUNK, 100, 1);
	unfinished();
	read_error();
	chunk_rules();
	return done_testing();
}
