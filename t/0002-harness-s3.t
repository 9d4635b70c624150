#!/bin/sh
# The test helpers start a real S3 server (s3rver) on loopback with a bucket.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/s3.sh"

s3_start

s3_rclone_conf

test_expect_success 'an object put by rclone reads back the same' '
	head -c 100000 /dev/urandom >obj &&
	rclone --config rclone.conf copyto obj "t:$S3_BUCKET/a/obj" &&
	rclone --config rclone.conf cat "t:$S3_BUCKET/a/obj" >back &&
	cmp obj back
'
test_expect_success 'the bucket lists the object' '
	rclone --config rclone.conf lsf -R "t:$S3_BUCKET" >list &&
	grep -qx "a/obj" list
'
test_expect_success 's3_stop stops the server' '
	pid=$S3_PID &&
	s3_stop &&
	! kill -0 "$pid" 2>/dev/null
'
test_done
