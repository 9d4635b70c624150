/* target.c: S3 bucket or local directory, same verbs; see target.h. */
#include "target.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "err.h"
#include "put.h"
#include "sha256.h"
#include "s3put.h"
#include "sigv4.h"
#include "tmpname.h"
#include "xalloc.h"

struct target {
	int is_s3;
	struct s3_config cfg;
	struct s3 *s3;
	char *dir;
	char *desc;
};

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* Reads a secret's first line from a file nobody else may read. */
static char *
read_secret_file(const char *var, const char *path)
{
	struct stat sb;
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die_errno(EXIT_FAIL, "cannot open %s \"%s\"", var, path);
	if (fstat(fd, &sb) < 0)
		die_errno(EXIT_FAIL, "cannot stat %s \"%s\"", var, path);
	if (sb.st_mode & 077)
		die(EXIT_FAIL, "%s \"%s\" may be read by others: chmod 600 it",
			var, path);
	n = read(fd, buf, sizeof buf - 1);
	if (n < 0)
		die_errno(EXIT_FAIL, "cannot read %s \"%s\"", var, path);
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!*buf)
		die(EXIT_FAIL, "%s \"%s\" is empty", var, path);
	char *s = xstrdup(buf);
	OPENSSL_cleanse(buf, sizeof buf);
	return s;
}

/* NAME, else the file NAME_FILE, else the AWS name; dies if none. */
static char *
credential(const char *name, const char *aws)
{
	char file_var[64];
	const char *v;

	snprintf(file_var, sizeof file_var, "%s_FILE", name);
	if ((v = env(name)))
		return xstrdup(v);
	if ((v = env(file_var)))
		return read_secret_file(file_var, v);
	if ((v = env(aws)))
		return xstrdup(v);
	die(EXIT_FAIL, "BACKUP_S3_BUCKET is set but %s is not (nor %s or %s)",
		name, file_var, aws);
}

struct target *
target_from_env(const struct target_tuning *tun)
{
	struct target *t = xcalloc(1, sizeof *t);
	const char *bucket = env("BACKUP_S3_BUCKET"), *v, *why;
	struct s3_config *c = &t->cfg;

	if (!bucket) {
		t->dir = xstrdup((v = env("BACKUP_DIR")) ? v : TARGET_DEFAULT_DIR);
		while (strlen(t->dir) > 1 && t->dir[strlen(t->dir) - 1] == '/')
			t->dir[strlen(t->dir) - 1] = '\0';
		t->desc = xstrdup(t->dir);
		return t;
	}
	t->is_s3 = 1;
	c->bucket = xstrdup(bucket);
	v = env("BACKUP_S3_REGION");
	if (!v)
		v = env("AWS_REGION");
	if (!v)
		v = env("AWS_DEFAULT_REGION");
	c->region = xstrdup(v ? v : "us-east-1");
	v = env("BACKUP_S3_ENDPOINT");
	if (!v)
		v = env("AWS_ENDPOINT_URL");
	int custom = v != NULL;
	char *aws = NULL;
	if (!v)
		v = aws = xasprintf("https://s3.%s.amazonaws.com", c->region);
	if (s3_config_endpoint(c, v, &why) < 0)
		die(EXIT_FAIL, "bad endpoint \"%s\": %s", v, why);
	free(aws);
	v = env("BACKUP_S3_URL_STYLE");
	if (!v)
		c->virtual_style = !custom || (strlen(c->host) > 14 &&
			strcmp(c->host + strlen(c->host) - 14,
			".amazonaws.com") == 0);
	else if (strcmp(v, "path") == 0)
		c->virtual_style = 0;
	else if (strcmp(v, "virtual") == 0)
		c->virtual_style = 1;
	else
		die(EXIT_FAIL, "BACKUP_S3_URL_STYLE must be \"path\" or "
			"\"virtual\", not \"%s\"", v);
	c->access_key = credential("BACKUP_S3_ACCESS_KEY", "AWS_ACCESS_KEY_ID");
	c->secret_key = credential("BACKUP_S3_SECRET_KEY",
		"AWS_SECRET_ACCESS_KEY");
	if ((v = env("AWS_SESSION_TOKEN")))
		c->session_token = xstrdup(v);
	v = env("BACKUP_S3_CA_FILE");
	if (!v)
		v = env("AWS_CA_BUNDLE");
	if (v) {
		if (access(v, R_OK) < 0)
			die_errno(EXIT_FAIL, "cannot read BACKUP_S3_CA_FILE \"%s\"",
				v);
		c->ca_file = xstrdup(v);
	}
	c->connect_timeout = 10;
	c->stall_timeout = tun && tun->stall_timeout > 0 ?
		tun->stall_timeout : 30;
	c->max_attempts = tun && tun->max_attempts > 0 ? tun->max_attempts : 8;
	c->max_seconds = 900;
	c->verbose = tun ? tun->verbose : 0;
	t->s3 = s3_new(c);
	if (c->port)
		t->desc = xasprintf("s3://%s at %s://%s:%d", c->bucket,
			c->scheme, c->host, c->port);
	else
		t->desc = xasprintf("s3://%s at %s://%s", c->bucket, c->scheme,
			c->host);
	return t;
}

void
target_free(struct target *t)
{
	if (!t)
		return;
	s3_free(t->s3);
	s3_config_free(&t->cfg);
	free(t->dir);
	free(t->desc);
	free(t);
}

int
target_is_s3(const struct target *t)
{
	return t->is_s3;
}

const char *
target_describe(const struct target *t)
{
	return t->desc;
}

int
target_key_check(const char *key, const char **why)
{
	const unsigned char *p = (const unsigned char *)key;
	size_t len = strlen(key);

	if (len == 0)
		return *why = "the key is empty", -1;
	if (len > 1024)
		return *why = "the key is longer than 1024 bytes", -1;
	if (key[0] == '/')
		return *why = "the key starts with /", -1;
	if (key[len - 1] == '/')
		return *why = "the key ends with /", -1;
	while (*p) {
		int n = 0;
		if (*p < 0x20 || *p == 0x7f)
			return *why = "the key has a control character", -1;
		if (*p < 0x80)
			n = 0;
		else if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			n = 1;
		else if ((*p & 0xf0) == 0xe0)
			n = 2;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			n = 3;
		else
			return *why = "the key is not valid UTF-8", -1;
		for (int i = 1; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return *why = "the key is not valid UTF-8", -1;
		if (p[0] == 0xc2 && p[1] < 0xa0) /* C1 controls */
			return *why = "the key has a control character", -1;
		p += n + 1;
	}
	for (const char *seg = key; seg; ) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);
		if (n == 0)
			return *why = "the key has an empty path segment (//)", -1;
		if ((n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return *why = "the key has a . or .. path segment", -1;
		if ((n >= strlen(TMPNAME_PREFIX) && strncmp(seg, TMPNAME_PREFIX,
		     strlen(TMPNAME_PREFIX)) == 0) ||
		    (n >= strlen(TMPNAME_OLD_PREFIX) && strncmp(seg,
		     TMPNAME_OLD_PREFIX, strlen(TMPNAME_OLD_PREFIX)) == 0))
			return *why = "a path segment starts with "
				TMPNAME_PREFIX " or " TMPNAME_OLD_PREFIX
				", the names of temporary files", -1;
		seg = end ? end + 1 : NULL;
	}
	return 0;
}

/* ---- the local directory ---- */

/*
 * BACKUP_DIR itself may be a symbolic link (an administrator's alias for a
 * mount point); nothing below it is ever followed: every component is
 * opened with openat() and O_NOFOLLOW, so that a link planted inside the
 * backup directory cannot make a put write, a get read or a delete remove
 * anything outside it.
 */

static void
set_errno_status(struct s3_status *st, const char *what, const char *dir,
	const char *rel)
{
	st->code = EXIT_FAIL;
	snprintf(st->msg, sizeof st->msg, "%s \"%.200s%s%.200s\": %s", what,
		dir, *rel ? "/" : "", rel, strerror(errno));
}

static void
set_status(struct s3_status *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
set_status(struct s3_status *st, const char *fmt, ...)
{
	va_list ap;

	st->code = EXIT_FAIL;
	va_start(ap, fmt);
	vsnprintf(st->msg, sizeof st->msg, fmt, ap);
	va_end(ap);
}

/* A directory fd on BACKUP_DIR, or -1 with st: it must exist. */
static int
open_root(const struct target *t, struct s3_status *st)
{
	int fd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		set_status(st, "BACKUP_DIR \"%.300s\" does not exist (create "
			"it, or mount the backup disk)", t->dir);
	else if (errno == ENOTDIR)
		set_status(st, "BACKUP_DIR \"%.300s\" is not a directory",
			t->dir);
	else
		set_errno_status(st, "cannot open BACKUP_DIR", t->dir, "");
	return -1;
}

/*
 * Why name (in dirfd, rel its path below BACKUP_DIR) could not be opened
 * as a directory or a file: a symbolic link, not a directory, or errno.
 * Keeps errno.
 */
static void
explain_open(int dirfd, const char *name, const char *rel, int err,
	const struct target *t, struct s3_status *st)
{
	struct stat sb;

	if ((err == ELOOP || err == ENOTDIR || err == EMLINK) &&
	    fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(sb.st_mode)) {
			set_status(st, "\"%.300s\" in %.300s is a symbolic link: "
				"not followed", rel, t->dir);
			errno = err;
			return;
		}
		if (err == ENOTDIR) {
			set_status(st, "\"%.300s\" in %.300s is not a directory",
				rel, t->dir);
			errno = err;
			return;
		}
	}
	errno = err;
	set_errno_status(st, "cannot open", t->dir, rel);
	errno = err;
}

/*
 * Opens the directory that holds key's last component, one component at a
 * time below root, never through a symbolic link; with create, makes the
 * missing ones (mode 0750).  Returns a directory fd, or -1 with st (errno
 * ENOENT when a component is missing and create is off).
 */
static int
open_parent(const struct target *t, int root, const char *key, int create,
	struct s3_status *st)
{
	char *rel = xstrdup(key), *slash = strrchr(rel, '/');
	int cur = dup(root);

	if (cur < 0) {
		set_errno_status(st, "cannot open", t->dir, "");
		free(rel);
		return -1;
	}
	if (!slash) {
		free(rel);
		return cur;
	}
	*slash = '\0';
	for (char *comp = rel, *end; comp; comp = end ? end + 1 : NULL) {
		int next;
		if ((end = strchr(comp, '/')))
			*end = '\0';
		next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(cur, comp, 0750) < 0 && errno != EEXIST) {
				set_errno_status(st, "cannot make the directory",
					t->dir, rel);
				goto fail;
			}
			next = openat(cur, comp, O_RDONLY | O_DIRECTORY |
				O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int e = errno;
			explain_open(cur, comp, rel, e, t, st);
			goto fail;
		}
		close(cur);
		cur = next;
		if (end)
			*end = '/';
	}
	free(rel);
	return cur;
fail:;
	int e = errno;
	close(cur);
	free(rel);
	errno = e;
	return -1;
}

static const char *
last_component(const char *key)
{
	const char *slash = strrchr(key, '/');

	return slash ? slash + 1 : key;
}

/* Does this directory entry name a temporary file of a strongbox tool? */
static int
is_temporary(const char *name)
{
	return strncmp(name, TMPNAME_PREFIX, strlen(TMPNAME_PREFIX)) == 0 ||
	       strncmp(name, TMPNAME_OLD_PREFIX,
		       strlen(TMPNAME_OLD_PREFIX)) == 0;
}

/* Creates TMPNAME_PREFIX + 12 random characters in dirfd, mode 0600. */
static int
make_temporary(int dirfd, char *name, size_t namelen)
{
	static const char alnum[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	for (int tries = 0; tries < 100; tries++) {
		unsigned char rnd[12];
		char sfx[13];
		int fd;
		if (RAND_bytes(rnd, sizeof rnd) != 1) {
			errno = EIO;
			return -1;
		}
		for (size_t i = 0; i < sizeof rnd; i++)
			sfx[i] = alnum[rnd[i] % (sizeof alnum - 1)];
		sfx[12] = '\0';
		snprintf(name, namelen, "%s%s", TMPNAME_PREFIX, sfx);
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
			O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

static int
dir_put(struct target *t, const char *key, int fd, const struct put_opts *o,
	struct put_result *res, struct s3_status *st)
{
	const char *last = last_component(key);
	char tmp[64] = "";
	size_t bufsize = 1 << 20;
	char *buf = xmalloc(bufsize);
	struct sha256_ctx *sha = sha256_new();
	EVP_MD_CTX *md5 = EVP_MD_CTX_new();
	unsigned char md[16];
	int root = -1, dir = -1, out = -1, ret = -1;
	struct stat sb;

	memset(res, 0, sizeof *res);
	EVP_DigestInit_ex(md5, EVP_md5(), NULL);
	if ((root = open_root(t, st)) < 0 ||
	    (dir = open_parent(t, root, key, 1, st)) < 0)
		goto out;
	if (fstatat(dir, last, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(sb.st_mode)) {
			set_status(st, "\"%.300s\" in %.300s is a symbolic link: "
				"not replaced", key, t->dir);
			goto out;
		}
		if (S_ISDIR(sb.st_mode)) {
			set_status(st, "\"%.300s\" in %.300s is a directory",
				key, t->dir);
			goto out;
		}
	}
	if ((out = make_temporary(dir, tmp, sizeof tmp)) < 0) {
		*tmp = '\0';
		set_errno_status(st, "cannot create a file in", t->dir, key);
		goto out;
	}
	for (int eof = 0; !eof;) {
		ssize_t n = put_read(o, fd, buf, bufsize, &eof, st);
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		if (o->tap)
			o->tap(o->ctx, buf, n);
		sha256_update(sha, buf, n);
		EVP_DigestUpdate(md5, buf, n);
		res->bytes += n;
		if (o->progress)
			o->progress(o->pctx, res->bytes);
		for (ssize_t off = 0; off < n; ) {
			ssize_t w = write(out, buf + off, n - off);
			if (w < 0 && errno == EINTR && !s3_cancelled())
				continue;
			if (w < 0) {
				set_errno_status(st, "cannot write", t->dir, key);
				goto out;
			}
			off += w;
		}
	}
	if (o->accept) {
		char why[512];
		if (o->accept(o->ctx, why, sizeof why) < 0) {
			set_status(st, "%.500s", why);
			goto out;
		}
	}
	if (fsync(out) < 0 || close(out) < 0) {
		out = -1;
		set_errno_status(st, "cannot write", t->dir, key);
		goto out;
	}
	out = -1;
	if (renameat(dir, tmp, dir, last) < 0) {
		set_errno_status(st, "cannot rename into", t->dir, key);
		goto out;
	}
	*tmp = '\0';
	if (fsync(dir) < 0) {
		set_errno_status(st, "cannot sync the directory of", t->dir, key);
		goto out;
	}
	sha256_final(sha, res->sha256);
	sha = NULL;
	EVP_DigestFinal_ex(md5, md, NULL);
	res->etag = xmalloc(33);
	sigv4_hex(md, 16, res->etag);
	res->parts = 1;
	ret = 0;
out:
	if (out >= 0)
		close(out);
	if (*tmp)
		unlinkat(dir, tmp, 0);
	if (dir >= 0)
		close(dir);
	if (root >= 0)
		close(root);
	sha256_free(sha);
	EVP_MD_CTX_free(md5);
	free(buf);
	return ret;
}

struct fd_sink {
	int fd;
	long long written;
	void (*progress)(void *pctx, long long bytes);
	void *pctx;
};

static int
write_sink(void *ctx, const void *data, size_t len)
{
	struct fd_sink *s = ctx;
	const char *p = data;

	while (len > 0) {
		ssize_t w = write(s->fd, p, len);
		if (w < 0 && errno == EINTR && !s3_cancelled())
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= w;
		s->written += w;
	}
	if (s->progress)
		s->progress(s->pctx, s->written);
	return 0;
}

static int
dir_get(struct target *t, const char *key, struct fd_sink *sink,
	struct s3_status *st)
{
	const char *last = last_component(key);
	size_t bufsize = 1 << 20;
	char *buf = NULL;
	int root = -1, dir = -1, in = -1, ret = -1;
	struct stat sb;

	if ((root = open_root(t, st)) < 0)
		goto out;
	if ((dir = open_parent(t, root, key, 0, st)) < 0) {
		if (errno == ENOENT)
			set_status(st, "no such object");
		goto out;
	}
	/* O_NONBLOCK: a FIFO planted at key must not hang the get. */
	in = openat(dir, last, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0) {
		if (errno == ENOENT)
			set_status(st, "no such object");
		else
			explain_open(dir, last, key, errno, t, st);
		goto out;
	}
	if (fstat(in, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		set_status(st, "no such object");
		goto out;
	}
	buf = xmalloc(bufsize);
	for (;;) {
		ssize_t n = read(in, buf, bufsize);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR && !s3_cancelled())
				continue;
			set_errno_status(st, "cannot read", t->dir, key);
			goto out;
		}
		if (write_sink(sink, buf, n) < 0) {
			set_status(st, "write error: %s", strerror(errno));
			goto out;
		}
	}
	ret = 0;
out:
	if (in >= 0)
		close(in);
	if (dir >= 0)
		close(dir);
	if (root >= 0)
		close(root);
	free(buf);
	return ret;
}

struct dir_entry {
	char *key;
	long long size;
	time_t mtime;
};

struct dir_list {
	struct dir_entry *v;
	size_t n, cap;
	int stale;          /* list the temporaries older than this */
	time_t stale_before;
};

static void
dir_list_add(struct dir_list *l, char *key, const struct stat *sb)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = (struct dir_entry){key, sb->st_size, sb->st_mtime};
}

/*
 * Collects the regular files below dirfd (rel its path, "" for the root)
 * whose keys start with prefix: objects, or with l->stale the temporaries
 * older than l->stale_before.  A symbolic link where the prefix may match
 * is an error.  Takes dirfd.
 */
static int
walk(const struct target *t, int dirfd, const char *rel, const char *prefix,
	struct dir_list *l, struct s3_status *st)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *de;
	size_t pl = strlen(prefix);
	int ret = 0;

	if (!d) {
		set_errno_status(st, "cannot read the directory", t->dir, rel);
		close(dirfd);
		return -1;
	}
	while (ret == 0 && (errno = 0, de = readdir(d))) {
		struct stat sb;
		char *child;
		size_t cl;
		int tmp;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		tmp = is_temporary(de->d_name);
		if (tmp && !l->stale)
			continue;
		child = *rel ? xasprintf("%s/%s", rel, de->d_name) :
			xstrdup(de->d_name);
		cl = strlen(child);
		/* Only look where the prefix may match. */
		if (strncmp(child, prefix, cl < pl ? cl : pl) != 0) {
			free(child);
			continue;
		}
		if (fstatat(dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT) { /* else gone meanwhile */
				set_errno_status(st, "cannot stat", t->dir,
					child);
				ret = -1;
			}
		} else if (S_ISLNK(sb.st_mode)) {
			set_status(st, "\"%.300s\" in %.300s is a symbolic link: "
				"not followed", child, t->dir);
			ret = -1;
		} else if (S_ISDIR(sb.st_mode) && !tmp) {
			int sub = openat(dirfd, de->d_name, O_RDONLY |
				O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				explain_open(dirfd, de->d_name, child, errno, t,
					st);
				ret = -1;
			} else {
				ret = walk(t, sub, child, prefix, l, st);
			}
		} else if (S_ISREG(sb.st_mode) && cl >= pl &&
		    (!l->stale || (tmp && sb.st_mtime < l->stale_before))) {
			dir_list_add(l, child, &sb);
			child = NULL;
		}
		free(child);
	}
	if (ret == 0 && errno) {
		set_errno_status(st, "cannot read the directory", t->dir, rel);
		ret = -1;
	}
	closedir(d);
	return ret;
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct dir_entry *)a)->key,
		((const struct dir_entry *)b)->key);
}

static int
dir_list(struct target *t, const char *prefix, int stale, target_list_cb cb,
	void *ctx, struct s3_status *st)
{
	struct dir_list l = {0};
	int root = open_root(t, st), ret;

	if (root < 0)
		return -1;
	l.stale = stale;
	l.stale_before = time(NULL) - TARGET_STALE_SECONDS;
	ret = walk(t, root, "", prefix, &l, st);
	if (ret == 0) {
		if (l.n > 1)
			qsort(l.v, l.n, sizeof *l.v, cmp_entry);
		for (size_t i = 0; i < l.n; i++) {
			char tbuf[32];
			struct tm tm;
			gmtime_r(&l.v[i].mtime, &tm);
			strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%SZ", &tm);
			struct target_object o = {l.v[i].key, l.v[i].size, tbuf};
			if (cb(ctx, &o))
				break;
		}
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].key);
	free(l.v);
	return ret;
}

/* Removes the directories above key that are now empty. */
static void
tidy_parents(const struct target *t, int root, const char *key)
{
	char *rel = xstrdup(key), *slash;
	struct s3_status ignored;

	while ((slash = strrchr(rel, '/'))) {
		*slash = '\0';
		/* rel is now a directory; open its parent, remove it there. */
		int dir = open_parent(t, root, rel, 0, &ignored);
		if (dir < 0)
			break;
		int r = unlinkat(dir, last_component(rel), AT_REMOVEDIR);
		close(dir);
		if (r < 0)
			break;
	}
	free(rel);
}

static int
dir_delete(struct target *t, char *const *keys, size_t n, s3_delete_cb cb,
	void *ctx, struct s3_status *st)
{
	int root = open_root(t, st);

	if (root < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *last = last_component(keys[i]);
		struct s3_status kst = {0};
		struct stat sb;
		int dir = open_parent(t, root, keys[i], 0, &kst);
		if (dir < 0) {
			/* A key that is not there counts as deleted. */
			cb(ctx, keys[i], errno == ENOENT ? NULL : kst.msg);
			continue;
		}
		if (fstatat(dir, last, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT) {
				cb(ctx, keys[i], NULL);
			} else {
				set_errno_status(&kst, "cannot stat", t->dir,
					keys[i]);
				cb(ctx, keys[i], kst.msg);
			}
		} else if (S_ISLNK(sb.st_mode)) {
			cb(ctx, keys[i], "a symbolic link, not an object: not "
				"removed");
		} else if (S_ISDIR(sb.st_mode)) {
			cb(ctx, keys[i], "is a directory, not an object");
		} else if (unlinkat(dir, last, 0) < 0 && errno != ENOENT) {
			cb(ctx, keys[i], strerror(errno));
		} else {
			tidy_parents(t, root, keys[i]);
			cb(ctx, keys[i], NULL);
		}
		close(dir);
	}
	close(root);
	return 0;
}

/* ---- dispatch ---- */

int
target_put(struct target *t, const char *key, int fd, const struct put_opts *o,
	struct put_result *res, struct s3_status *st)
{
	memset(st, 0, sizeof *st);
	if (t->is_s3)
		return s3put_stream(&t->cfg, key, fd, o, res, st);
	return dir_put(t, key, fd, o, res, st);
}

int
target_get(struct target *t, const char *key, int fd,
	void (*progress)(void *pctx, long long bytes), void *pctx,
	struct s3_status *st)
{
	struct fd_sink sink = {fd, 0, progress, pctx};

	memset(st, 0, sizeof *st);
	if (t->is_s3)
		return s3_get_object(t->s3, key, write_sink, &sink, st);
	return dir_get(t, key, &sink, st);
}

struct s3_list_adapter {
	target_list_cb cb;
	void *ctx;
};

/* "2026-11-29T22:00:05.123Z" -> "2026-11-29T22:00:05Z" */
static void
rfc3339(const char *in, char *out, size_t n)
{
	const char *dot = strchr(in, '.');

	if (strlen(in) >= 19 && dot == in + 19) {
		const char *rest = dot + 1 + strspn(dot + 1, "0123456789");
		snprintf(out, n, "%.19s%s", in, rest);
	} else {
		snprintf(out, n, "%s", in);
	}
}

static int
s3_list_adapt(void *ctx, const struct s3_object *o)
{
	struct s3_list_adapter *a = ctx;
	char tbuf[64];

	rfc3339(o->last_modified, tbuf, sizeof tbuf);
	struct target_object to = {o->key, o->size, tbuf};
	return a->cb(a->ctx, &to);
}

int
target_list(struct target *t, const char *prefix, target_list_cb cb,
	void *ctx, struct s3_status *st)
{
	struct s3_list_adapter a = {cb, ctx};

	memset(st, 0, sizeof *st);
	if (t->is_s3)
		return s3_list_objects(t->s3, prefix, s3_list_adapt, &a, st);
	return dir_list(t, prefix, 0, cb, ctx, st);
}

int
target_list_stale(struct target *t, const char *prefix, target_list_cb cb,
	void *ctx, struct s3_status *st)
{
	memset(st, 0, sizeof *st);
	if (t->is_s3) {
		st->code = EXIT_FAIL;
		snprintf(st->msg, sizeof st->msg, "--stale is for the directory "
			"BACKUP_DIR: an S3 bucket cleans unfinished uploads with "
			"a lifecycle rule");
		return -1;
	}
	return dir_list(t, prefix, 1, cb, ctx, st);
}

int
target_delete(struct target *t, char *const *keys, size_t n, s3_delete_cb cb,
	void *ctx, struct s3_status *st)
{
	memset(st, 0, sizeof *st);
	if (n == 0)
		return 0;
	if (t->is_s3)
		return s3_delete_objects(t->s3, keys, n, cb, ctx, st);
	return dir_delete(t, keys, n, cb, ctx, st);
}
