#!/bin/sh
# supload against a real S3 server (s3rver) behind the SigV4-verifying
# front: round trips, awkward keys, a second client (rclone) reading what
# supload wrote and the other way round, credentials.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/s3.sh"
. "$TEST_ROOT/t/lib/supload.sh"

s3_start

supload_roundtrip_tests s3 multipart

s3_rclone_conf

test_expect_success 'rclone reads what supload wrote, byte for byte' '
	head -c 12000000 /dev/urandom >big &&
	cat big | supload --part-size 5MiB "x/from supload+1" >out &&
	jq -e ".parts == 3" out &&
	rclone --config rclone.conf cat "t:$S3_BUCKET/x/from supload+1" >back &&
	cmp big back &&
	printf small | supload x/small >/dev/null &&
	test "$(rclone --config rclone.conf cat "t:$S3_BUCKET/x/small")" = small
'
test_expect_success 'supload reads what rclone wrote, byte for byte' '
	head -c 13000000 /dev/urandom >big2 &&
	rclone --config rclone.conf rcat "t:$S3_BUCKET/y/from rclone=2" <big2 &&
	supload -g "y/from rclone=2" >back2 &&
	cmp big2 back2 &&
	rclone --config rclone.conf copyto big "t:$S3_BUCKET/y/copied" &&
	supload -g y/copied | cmp - big
'
test_expect_success 'rclone and supload list the same keys and sizes' '
	rclone --config rclone.conf lsf -R --files-only --format sp \
		--separator "	" "t:$S3_BUCKET" | sort >rc &&
	supload -l | cut -f1,2 | awk -F"	" "{print \$2 \"\t\" \$1}" | sort >sl &&
	cmp rc sl
'
test_expect_success 'a wrong secret: one clear line, exit 1, no secret shown' '
	echo data >d &&
	BACKUP_S3_SECRET_KEY=not-the-secret expect_exit 1 supload -v k/wrong <d &&
	grep -q "SignatureDoesNotMatch" err &&
	! grep -q "not-the-secret" err &&
	BACKUP_S3_SECRET_KEY=not-the-secret expect_exit 1 supload k/wrong <d &&
	expect_one_line_error supload &&
	BACKUP_S3_SECRET_KEY=not-the-secret expect_exit 1 supload -l &&
	expect_one_line_error supload &&
	grep -q SignatureDoesNotMatch err
'
test_expect_success 'an unknown access key: exit 1' '
	BACKUP_S3_ACCESS_KEY=NOBODY expect_exit 1 supload -l &&
	grep -q InvalidAccessKeyId err
'
test_expect_success 'the secret from a 0600 file; a file others may read is refused' '
	printf "%s\n" "$S3_SECRET_KEY" >secret && chmod 600 secret &&
	(unset BACKUP_S3_SECRET_KEY; BACKUP_S3_SECRET_KEY_FILE=$PWD/secret \
		supload -l >/dev/null) &&
	chmod 644 secret &&
	(unset BACKUP_S3_SECRET_KEY; BACKUP_S3_SECRET_KEY_FILE=$PWD/secret \
		expect_exit 1 supload -l) &&
	grep -q "chmod 600" err && expect_one_line_error supload &&
	! grep -q "$S3_SECRET_KEY" err
'
test_expect_success 'AWS_* names are fallbacks' '
	(unset BACKUP_S3_ACCESS_KEY BACKUP_S3_SECRET_KEY BACKUP_S3_ENDPOINT \
		BACKUP_S3_REGION;
	 AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY \
	 AWS_ENDPOINT_URL=$S3_ENDPOINT AWS_REGION=us-east-1 supload -l x/) >l &&
	grep -q "^x/small	5	" l
'
test_expect_success 'a bucket without credentials names the variable' '
	(unset BACKUP_S3_SECRET_KEY; expect_exit 1 supload -l) &&
	grep -q BACKUP_S3_SECRET_KEY err && expect_one_line_error supload
'
test_expect_success 'an unreachable endpoint is temporary: exit 75' '
	port=$(free_port) &&
	BACKUP_S3_ENDPOINT=http://127.0.0.1:$port expect_exit 75 supload \
		--retries 2 -l &&
	expect_one_line_error supload
'
test_expect_success 'a missing object: exit 1, one line' '
	expect_exit 1 supload -g no/such/key &&
	expect_one_line_error supload && grep -q "no such object" err
'
test_expect_success 'memory stays within (concurrency + 1) parts' '
	head -c 60000000 /dev/urandom >mem &&
	cat mem | /usr/bin/time -f %M -o rss supload --part-size 5MiB -j 2 mem/k >out &&
	jq -e ".parts == 12" out &&
	test $(tail -n 1 rss) -lt $(( (3 * 5 * 1024) + 30 * 1024 )) &&
	supload -g mem/k | cmp - mem
'
test_expect_success 'before part 10,001 the upload stops, says how, is aborted' '
	cat mem | SUPLOAD_TEST_MAX_PARTS=3 expect_exit 1 supload \
		--part-size 5MiB limit/k &&
	expect_one_line_error supload &&
	grep -q "more than 3 parts of 5 MiB: give --expected-size or a larger --part-size" err &&
	s3_aborts | grep -q "^DELETE /[^ ]*/limit/k?uploadId=" &&
	expect_exit 1 supload -g limit/k
'
test_expect_success '--expected-size picks a part size with room to spare' '
	cat mem | supload --expected-size 600GiB exp/k >out &&
	jq -e ".parts == 1" out &&
	cat mem | supload --expected-size 1GiB exp/k2 >out &&
	jq -e ".parts == 4" out
'
test_done
