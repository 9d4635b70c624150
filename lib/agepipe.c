/* agepipe.c: see agepipe.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "agepipe.h"
#include "err.h"
#include "fdio.h"
#include "xalloc.h"

#define BUFSIZE (1024 * 1024)
#define OUTSIZE (1024 * 1024) /* output gathered into writes this large */

struct agepipe {
	pthread_t thread;
	int in, out; /* the thread reads in, writes out */
	struct age_identity *ids;
	size_t n;
	char *outbuf; /* OUTSIZE bytes not yet written to out */
	size_t outlen;
	int was_encrypted;
	atomic_int failed;
	char err[300];
};

/* The filter's output, gathered so that the pipe moves large writes. */
static int
to_out(void *ctx, const void *data, size_t len)
{
	struct agepipe *p = ctx;

	if (p->outlen + len > OUTSIZE) {
		if (fdio_write_all(p->out, p->outbuf, p->outlen) < 0)
			return -1;
		p->outlen = 0;
	}
	if (len > OUTSIZE)
		return fdio_write_all(p->out, data, len);
	memcpy(p->outbuf + p->outlen, data, len);
	p->outlen += len;
	return 0;
}

static int
flush_out(struct agepipe *p)
{
	int r = p->outlen ? fdio_write_all(p->out, p->outbuf, p->outlen) : 0;

	p->outlen = 0;
	return r;
}

static void
fail(struct agepipe *p, const char *msg)
{
	snprintf(p->err, sizeof p->err, "%s", msg);
	atomic_store(&p->failed, 1);
}

static ssize_t
read_some(int fd, char *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Hands n bytes to the decryption, or copies them; 0 or -1 (failed). */
static int
decrypt_block(struct agepipe *p, struct age_dec *d, const char *buf,
	size_t n)
{
	if (d ? age_dec_update(d, buf, n) < 0 : fdio_write_all(p->out, buf, n) < 0) {
		fail(p, d ? age_dec_error(d) : "cannot write the output");
		return -1;
	}
	return 0;
}

static void *
decrypt_main(void *arg)
{
	struct agepipe *p = arg;
	char *buf = xmalloc(BUFSIZE);
	struct age_dec *d = NULL;
	size_t have = 0;
	ssize_t n = 0;

	/* Enough of the start to tell an age file from anything else. */
	while (have < 34 && (n = read_some(p->in, buf + have, 34 - have)) > 0)
		have += (size_t)n;
	p->was_encrypted = age_looks_encrypted(buf, have);
	if (p->was_encrypted)
		d = age_dec_new(p->ids, p->n, to_out, p);
	if (n >= 0 && have && decrypt_block(p, d, buf, have) == 0)
		while ((n = read_some(p->in, buf, BUFSIZE)) > 0)
			if (decrypt_block(p, d, buf, (size_t)n) < 0)
				break;
	if (n < 0 && !atomic_load(&p->failed)) {
		char m[200];
		snprintf(m, sizeof m, "cannot read: %s", strerror(errno));
		fail(p, m);
	}
	if (!atomic_load(&p->failed) && d && age_dec_final(d) < 0)
		fail(p, age_dec_error(d));
	/* What authenticated is written, even when a later chunk failed. */
	if (flush_out(p) < 0 && !atomic_load(&p->failed))
		fail(p, "cannot write the output");
	age_dec_free(d);
	OPENSSL_cleanse(buf, BUFSIZE);
	free(buf);
	/* The writer sees EPIPE from now on, and stops. */
	close(p->in);
	return NULL;
}

static struct agepipe *
start(int fd, int *other)
{
	struct agepipe *p = xcalloc(1, sizeof *p);
	int fds[2];

	p->outbuf = xmalloc(OUTSIZE);
	if (pipe2(fds, O_CLOEXEC) < 0)
		die_errno(EXIT_FAIL, "cannot make a pipe");
	/* Fewer, larger transfers between the threads (best effort). */
	(void)fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
	p->in = fds[0];
	p->out = fd;
	*other = fds[1];
	return p;
}

static void
run(struct agepipe *p, void *(*fn)(void *))
{
	sigset_t block, old;
	int e;

	/* Signals go to the main thread, whose reads and writes they stop. */
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	e = pthread_create(&p->thread, NULL, fn, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		errno = e;
		die_errno(EXIT_FAIL, "cannot start a thread");
	}
}

struct agepipe *
agepipe_decrypt(int out_fd, const struct age_identity *ids, size_t n,
	int *in_fd)
{
	struct agepipe *p = start(out_fd, in_fd);

	p->ids = xcalloc(n ? n : 1, sizeof *ids);
	if (n)
		memcpy(p->ids, ids, n * sizeof *ids);
	p->n = n;
	run(p, decrypt_main);
	return p;
}

int
agepipe_failed(struct agepipe *p)
{
	return atomic_load(&p->failed);
}

int
agepipe_finish(struct agepipe *p, int *was_encrypted, char *why,
	size_t whylen)
{
	int ret;

	pthread_join(p->thread, NULL);
	ret = atomic_load(&p->failed) ? -1 : 0;
	if (ret < 0)
		snprintf(why, whylen, "%s", p->err);
	if (was_encrypted)
		*was_encrypted = p->was_encrypted;
	OPENSSL_cleanse(p->outbuf, OUTSIZE);
	free(p->outbuf);
	if (p->ids)
		OPENSSL_cleanse(p->ids, (p->n ? p->n : 1) * sizeof *p->ids);
	free(p->ids);
	free(p);
	return ret;
}
