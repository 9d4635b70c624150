/*
 * s3put.h: the streaming put to S3 behind target_put(): input of unknown
 * length read into fixed-size parts, a pool of threads uploading
 * `concurrency` of them at once, one PUT when the input is shorter than a
 * part, abort on any failure or cancellation.
 */
#ifndef STRONGBOX_S3PUT_H
#define STRONGBOX_S3PUT_H

#include <sys/types.h>

#include "put.h"
#include "s3.h"

/*
 * The S3 side of target_put() (target.h); cfg must be a complete S3
 * configuration.
 */
int s3put_stream(const struct s3_config *cfg, const char *key, int fd,
	const struct put_opts *o, struct put_result *res,
	struct s3_status *st);

#endif
