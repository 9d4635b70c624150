/* target.c: S3 bucket or local directory, same verbs; see target.h. */
#include "target.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "err.h"
#include "s3put.h"
#include "sigv4.h"
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
		seg = end ? end + 1 : NULL;
	}
	return 0;
}

/* ---- the local directory ---- */

static void
set_errno_status(struct s3_status *st, const char *what, const char *path)
{
	st->code = EXIT_FAIL;
	snprintf(st->msg, sizeof st->msg, "%s \"%.300s\": %s", what, path,
		strerror(errno));
}

/* mkdir -p of the directories above path. */
static int
make_parents(const char *path)
{
	char *p = xstrdup(path);

	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0750) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

static int
fsync_dir_of(const char *path)
{
	char *d = xstrdup(path), *slash = strrchr(d, '/');
	int fd, ret = 0;

	if (slash)
		*slash = '\0';
	fd = open(slash && *d ? d : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		ret = -1;
	if (fd >= 0)
		close(fd);
	free(d);
	return ret;
}

static int
dir_put(struct target *t, const char *key, int fd, const struct put_opts *o,
	struct put_result *res, struct s3_status *st)
{
	char *path = xasprintf("%s/%s", t->dir, key);
	char *tmp = NULL, *slash;
	size_t bufsize = 1 << 20;
	char *buf = xmalloc(bufsize);
	EVP_MD_CTX *sha = EVP_MD_CTX_new(), *md5 = EVP_MD_CTX_new();
	unsigned char md[32];
	int out = -1, ret = -1;

	memset(res, 0, sizeof *res);
	EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
	EVP_DigestInit_ex(md5, EVP_md5(), NULL);
	if (make_parents(path) < 0) {
		set_errno_status(st, "cannot make the directories of", path);
		goto out;
	}
	slash = strrchr(path, '/');
	tmp = xasprintf("%.*s/.supload.XXXXXX", (int)(slash - path), path);
	if ((out = mkstemp(tmp)) < 0) {
		set_errno_status(st, "cannot create a file in", t->dir);
		free(tmp);
		tmp = NULL;
		goto out;
	}
	for (int eof = 0; !eof;) {
		ssize_t n = s3put_fill(fd, buf, bufsize, &eof, st);
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		if (o->tap)
			o->tap(o->ctx, buf, n);
		EVP_DigestUpdate(sha, buf, n);
		EVP_DigestUpdate(md5, buf, n);
		res->bytes += n;
		if (o->progress)
			o->progress(o->pctx, res->bytes);
		for (ssize_t off = 0; off < n; ) {
			ssize_t w = write(out, buf + off, n - off);
			if (w < 0 && errno == EINTR && !s3_cancelled())
				continue;
			if (w < 0) {
				set_errno_status(st, "cannot write", tmp);
				goto out;
			}
			off += w;
		}
	}
	if (o->accept) {
		char why[512];
		if (o->accept(o->ctx, why, sizeof why) < 0) {
			st->code = EXIT_FAIL;
			snprintf(st->msg, sizeof st->msg, "%.500s", why);
			goto out;
		}
	}
	if (fsync(out) < 0 || close(out) < 0) {
		out = -1;
		set_errno_status(st, "cannot write", tmp);
		goto out;
	}
	out = -1;
	if (rename(tmp, path) < 0) {
		set_errno_status(st, "cannot rename into", path);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if (fsync_dir_of(path) < 0) {
		set_errno_status(st, "cannot sync the directory of", path);
		goto out;
	}
	EVP_DigestFinal_ex(sha, md, NULL);
	sigv4_hex(md, 32, res->sha256);
	EVP_DigestFinal_ex(md5, md, NULL);
	res->etag = xmalloc(33);
	sigv4_hex(md, 16, res->etag);
	res->parts = 1;
	ret = 0;
out:
	if (out >= 0)
		close(out);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	EVP_MD_CTX_free(sha);
	EVP_MD_CTX_free(md5);
	free(buf);
	free(path);
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
	char *path = xasprintf("%s/%s", t->dir, key);
	size_t bufsize = 1 << 20;
	char *buf = NULL;
	int in = open(path, O_RDONLY | O_CLOEXEC), ret = -1;
	struct stat sb;

	if (in < 0) {
		if (errno == ENOENT) {
			st->code = EXIT_FAIL;
			snprintf(st->msg, sizeof st->msg, "no such object");
		} else {
			set_errno_status(st, "cannot open", path);
		}
		goto out;
	}
	if (fstat(in, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		st->code = EXIT_FAIL;
		snprintf(st->msg, sizeof st->msg, "no such object");
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
			set_errno_status(st, "cannot read", path);
			goto out;
		}
		if (write_sink(sink, buf, n) < 0) {
			st->code = EXIT_FAIL;
			snprintf(st->msg, sizeof st->msg, "write error: %s",
				strerror(errno));
			goto out;
		}
	}
	ret = 0;
out:
	if (in >= 0)
		close(in);
	free(buf);
	free(path);
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
};

static int
walk(const char *root, const char *rel, const char *prefix,
	struct dir_list *l, struct s3_status *st)
{
	char *path = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d) {
		if (errno == ENOENT && !*rel) {
			free(path);
			return 0; /* no directory yet: nothing stored */
		}
		set_errno_status(st, "cannot read the directory", path);
		free(path);
		return -1;
	}
	while ((de = readdir(d))) {
		struct stat sb;
		char *child, *full;
		if (de->d_name[0] == '.' && (!de->d_name[1] ||
		    strcmp(de->d_name, "..") == 0 ||
		    strncmp(de->d_name, ".supload.", 9) == 0))
			continue;
		child = *rel ? xasprintf("%s/%s", rel, de->d_name) :
			xstrdup(de->d_name);
		full = xasprintf("%s/%s", root, child);
		if (lstat(full, &sb) == 0) {
			size_t cl = strlen(child), pl = strlen(prefix);
			if (S_ISDIR(sb.st_mode)) {
				/* Only descend where the prefix may match. */
				if (strncmp(child, prefix, cl < pl ? cl : pl) == 0
				    && walk(root, child, prefix, l, st) < 0) {
					free(child);
					free(full);
					closedir(d);
					free(path);
					return -1;
				}
			} else if (S_ISREG(sb.st_mode) &&
			    strncmp(child, prefix, pl) == 0) {
				if (l->n == l->cap) {
					l->cap = l->cap ? 2 * l->cap : 256;
					l->v = xreallocarray(l->v, l->cap,
						sizeof *l->v);
				}
				l->v[l->n++] = (struct dir_entry){child,
					sb.st_size, sb.st_mtime};
				child = NULL;
			}
		}
		free(child);
		free(full);
	}
	closedir(d);
	free(path);
	return 0;
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct dir_entry *)a)->key,
		((const struct dir_entry *)b)->key);
}

static int
dir_list(struct target *t, const char *prefix, target_list_cb cb, void *ctx,
	struct s3_status *st)
{
	struct dir_list l = {0};
	int ret = walk(t->dir, "", prefix, &l, st);

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

static int
dir_delete(struct target *t, char *const *keys, size_t n, s3_delete_cb cb,
	void *ctx, struct s3_status *st)
{
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", t->dir, keys[i]);
		struct stat sb;
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			cb(ctx, keys[i], "is a directory, not an object");
		} else if (unlink(path) < 0 && errno != ENOENT) {
			char e[256];
			snprintf(e, sizeof e, "%s", strerror(errno));
			cb(ctx, keys[i], e);
		} else {
			/* Tidy the directories the key made, if now empty. */
			char *slash;
			while ((slash = strrchr(path, '/')) &&
			       (size_t)(slash - path) > strlen(t->dir)) {
				*slash = '\0';
				if (rmdir(path) < 0)
					break;
			}
			cb(ctx, keys[i], NULL);
		}
		free(path);
	}
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
	return dir_list(t, prefix, cb, ctx, st);
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
