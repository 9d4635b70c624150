/* archive_probe.c: is this stream a complete strongbox archive? */
#include "archive_probe.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "archive_names.h"
#include "err.h"
#include "minisign.h"
#include "manifest.h"
#include "xalloc.h"

#define MAX_MEMBER (64 << 20) /* the manifest, the trailer, signatures */

struct archive_probe {
	int fd[2];
	pthread_t thread;
	int ok;
	int has_key;
	struct minisign_pub key;
	char why[512];
};

/* Reads the current member whole (at most MAX_MEMBER bytes). */
static int
read_member(struct archive_probe *p, struct archive *a,
	struct archive_entry *e, const char *name, char **out, size_t *len)
{
	la_int64_t size = archive_entry_size(e);
	la_ssize_t n;

	if (size < 0 || size > MAX_MEMBER) {
		snprintf(p->why, sizeof p->why, "%s is too large", name);
		return -1;
	}
	*out = xmalloc((size_t)size + 1);
	n = archive_read_data(a, *out, (size_t)size);
	if (n != size) {
		snprintf(p->why, sizeof p->why, "the archive is truncated in "
			"%s%s%s", name, n < 0 ? ": " : "",
			n < 0 ? archive_error_string(a) : "");
		free(*out);
		*out = NULL;
		return -1;
	}
	(*out)[size] = '\0';
	*len = (size_t)size;
	return 0;
}

/* Checks the signature member sig of signed (with p's key, if any). */
static int
check_signature(struct archive_probe *p, const char *signed_name,
	const char *signed_buf, size_t signed_len, const char *sig,
	size_t siglen)
{
	char why[300];

	if (!p->has_key)
		return 0;
	if (minisign_verify(&p->key, signed_buf, signed_len, sig, siglen, NULL,
		why, sizeof why) < 0) {
		snprintf(p->why, sizeof p->why, "the signature of %s: %s",
			signed_name, why);
		return -1;
	}
	return 0;
}

/* Reads the stream with libarchive; sets p->ok or p->why. */
static void
probe(struct archive_probe *p)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r, trailer_ok = 0, members = 0, trailer_signed = 0;
	char *trailer = NULL, *manifest = NULL, *sig = NULL;
	size_t trailer_len = 0, manifest_len = 0, sig_len = 0;
	const char *last = "";

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, p->fd[0], 1 << 16) != ARCHIVE_OK) {
		snprintf(p->why, sizeof p->why, "the input is not a tar "
			"archive: %s", archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);
		if (!name)
			name = "";
		members++;
		if (trailer_ok && (trailer_signed ||
		    strcmp(name, ARCHIVE_MEMBER_TRAILER_SIG) != 0)) {
			snprintf(p->why, sizeof p->why, "the archive has a "
				"member after %s", ARCHIVE_MEMBER_TRAILER);
			goto out;
		}
		if (p->has_key && members == 2 &&
		    strcmp(name, ARCHIVE_MEMBER_MANIFEST_SIG) != 0) {
			snprintf(p->why, sizeof p->why, "the archive is not "
				"signed (no %s after %s)",
				ARCHIVE_MEMBER_MANIFEST_SIG, last);
			goto out;
		}
		if (strcmp(name, ARCHIVE_MEMBER_TRAILER) == 0) {
			if (read_member(p, a, e, name, &trailer,
				&trailer_len) < 0)
				goto out;
			if (manifest_trailer_check(trailer, trailer_len,
				p->why, sizeof p->why) < 0)
				goto out;
			trailer_ok = 1;
		} else if (strcmp(name, ARCHIVE_MEMBER_TRAILER_SIG) == 0) {
			if (read_member(p, a, e, name, &sig, &sig_len) < 0 ||
			    check_signature(p, ARCHIVE_MEMBER_TRAILER, trailer,
				trailer_len, sig, sig_len) < 0)
				goto out;
			trailer_signed = 1;
		} else if (p->has_key && members == 1) {
			if (read_member(p, a, e, name, &manifest,
				&manifest_len) < 0)
				goto out;
		} else if (p->has_key && members == 2) {
			if (read_member(p, a, e, name, &sig, &sig_len) < 0 ||
			    check_signature(p, last, manifest, manifest_len, sig,
				sig_len) < 0)
				goto out;
			free(sig);
			sig = NULL;
		} else if (archive_read_data_skip(a) != ARCHIVE_OK) {
			snprintf(p->why, sizeof p->why, "the archive is "
				"truncated or damaged in \"%s\": %s",
				name, archive_error_string(a));
			goto out;
		}
		last = members == 1 ? ARCHIVE_MEMBER_MANIFEST : "";
		if (members == 1 && strcmp(name, ARCHIVE_MEMBER_MANIFEST) != 0)
			last = "the first member";
	}
	if (r != ARCHIVE_EOF) {
		snprintf(p->why, sizeof p->why, "the archive is truncated or "
			"damaged%s: %s", members ? "" : " at its start",
			archive_error_string(a));
		goto out;
	}
	if (!members) {
		snprintf(p->why, sizeof p->why, "the input is not a strongbox "
			"archive: it has no member");
		goto out;
	}
	if (!trailer_ok) {
		snprintf(p->why, sizeof p->why, "the archive is truncated: no "
			"%s at its end", ARCHIVE_MEMBER_TRAILER);
		goto out;
	}
	if (p->has_key && !trailer_signed) {
		snprintf(p->why, sizeof p->why, "the archive is not signed (no "
			"%s at its end)", ARCHIVE_MEMBER_TRAILER_SIG);
		goto out;
	}
	p->ok = 1;
out:
	free(trailer);
	free(manifest);
	free(sig);
	archive_read_free(a);
}

static void *
probe_thread(void *arg)
{
	struct archive_probe *p = arg;
	char buf[1 << 16];

	probe(p);
	/* Whatever was decided, take the rest so that feeding never blocks. */
	for (;;) {
		ssize_t n = read(p->fd[0], buf, sizeof buf);
		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	return NULL;
}

struct archive_probe *
archive_probe_start(void)
{
	return archive_probe_start_signed(NULL);
}

struct archive_probe *
archive_probe_start_signed(const struct minisign_pub *key)
{
	struct archive_probe *p = xcalloc(1, sizeof *p);
	sigset_t block, old;

	if (key) {
		p->has_key = 1;
		p->key = *key;
	}

	if (pipe(p->fd) < 0)
		die_errno(EXIT_FAIL, "cannot make a pipe");
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if (pthread_create(&p->thread, NULL, probe_thread, p) != 0)
		die(EXIT_FAIL, "cannot start a thread");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return p;
}

void
archive_probe_feed(struct archive_probe *p, const void *data, size_t len)
{
	const char *s = data;

	while (len > 0) {
		ssize_t n = write(p->fd[1], s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno(EXIT_FAIL, "cannot feed the archive check");
		s += n;
		len -= n;
	}
}

int
archive_probe_finish(struct archive_probe *p, char *why, size_t whylen)
{
	int ok;

	close(p->fd[1]);
	pthread_join(p->thread, NULL);
	close(p->fd[0]);
	ok = p->ok;
	if (!ok)
		snprintf(why, whylen, "%s", p->why);
	free(p);
	return ok ? 0 : -1;
}
