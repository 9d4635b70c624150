/*
 * target.h: where supload's objects live, the same verbs for each: an S3
 * bucket (s3.h) when BACKUP_S3_BUCKET is set, else the local directory
 * BACKUP_DIR (default /var/backups/strongbox).  Owns the environment
 * configuration (BACKUP_S3_* with the AWS_* names as fallbacks, secrets
 * from the environment or a 0600 file), key validation, the streaming put
 * (multipart on S3, temporary file + fsync + rename in a directory), get,
 * list and delete.
 */
#ifndef STRONGBOX_TARGET_H
#define STRONGBOX_TARGET_H

#include <stddef.h>

#include "put.h"
#include "s3.h"

#define TARGET_DEFAULT_DIR "/var/backups/strongbox"
#define TARGET_DELETE_BATCH 1000
#define TARGET_STALE_SECONDS (24 * 60 * 60) /* a temporary this old is left over */

/* Tuning from the command line; zero fields take the defaults. */
struct target_tuning {
	long stall_timeout; /* seconds with no byte moved (default 30) */
	int max_attempts;   /* per request (default 8) */
	int verbose;
};

struct target;

/*
 * The target the environment names.  A bad configuration (a bucket without
 * credentials, a secret file readable by others, a malformed endpoint)
 * exits 1 with one line naming the variable, never its secret value.
 */
struct target *target_from_env(const struct target_tuning *tun);
void target_free(struct target *t);

/* 1 when t is an S3 bucket, 0 when it is the local directory. */
int target_is_s3(const struct target *t);

/* "s3://bucket at https://host" or the directory, for messages. */
const char *target_describe(const struct target *t);

/*
 * Returns 0 when key may name an object, else -1 with *why set to a static
 * message: empty, a leading '/', a control character, invalid UTF-8, a
 * "." or ".." or empty path segment, a segment that starts with the prefix
 * of temporary files (tmpname.h), a trailing '/', over 1024 bytes.
 */
int target_key_check(const char *key, const char **why);

/*
 * Reads fd to its end and stores it at key: on S3 as one PUT when it is
 * shorter than a part, else a multipart upload with part_size parts,
 * concurrency of them in flight, memory (concurrency + 1) * part_size; in a
 * directory as a temporary file fsynced and renamed.  On any failure,
 * refusal by accept() or cancellation (s3_cancel(), e.g. from a signal
 * handler) nothing is left at key: the multipart upload is aborted, the
 * temporary file removed.  Returns 0 with *res filled, or -1 with *st.
 */
int target_put(struct target *t, const char *key, int fd,
	const struct put_opts *o, struct put_result *res, struct s3_status *st);

/*
 * Writes the object at key to fd (resumed with Range on S3); progress, if
 * not NULL, is told the total written so far now and then.
 */
int target_get(struct target *t, const char *key, int fd,
	void (*progress)(void *pctx, long long bytes), void *pctx,
	struct s3_status *st);

/* One listed object; time is RFC 3339 UTC ("2026-11-29T22:00:05Z"). */
struct target_object {
	const char *key;
	long long size;
	const char *time;
};

typedef int (*target_list_cb)(void *ctx, const struct target_object *o);

/*
 * Every object whose key starts with prefix, in key order on S3's terms.
 * In a directory, temporaries are never listed, and a symbolic link below
 * BACKUP_DIR where the prefix may match fails the whole listing.
 */
int target_list(struct target *t, const char *prefix, target_list_cb cb,
	void *ctx, struct s3_status *st);

/*
 * In a directory: the temporary files (tmpname.h) under prefix last
 * modified more than TARGET_STALE_SECONDS ago, which a killed put left;
 * their keys may be given to target_delete().  On S3 fails: a bucket's
 * lifecycle rule cleans unfinished uploads.
 */
int target_list_stale(struct target *t, const char *prefix, target_list_cb cb,
	void *ctx, struct s3_status *st);

/*
 * Deletes n keys (at most TARGET_DELETE_BATCH); cb hears of each (error
 * NULL when deleted; a key that was not there counts as deleted, as S3
 * has it).  In a directory, a symbolic link on the way or at the key is
 * an error for that key, never followed nor removed.  Returns -1 only when
 * the whole request failed (on S3; in a directory, a missing BACKUP_DIR).
 */
int target_delete(struct target *t, char *const *keys, size_t n,
	s3_delete_cb cb, void *ctx, struct s3_status *st);

#endif
