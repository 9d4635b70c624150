#!/bin/sh
# supload -l reads every page of a long listing (ListObjectsV2 pages of
# 1000, continuation tokens): 2,500 objects put by a second client (rclone,
# straight to s3rver to save time), then listed through the verifying
# front, then deleted in batches.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/s3.sh"

s3_start
s3_rclone_conf "$S3_DIRECT_ENDPOINT"

test_expect_success '2,500 objects, put by rclone' '
	mkdir -p many/sub &&
	i=0 && while [ $i -lt 2500 ]; do
		echo $i >"many/sub/o $i+x=$i"; i=$((i + 1))
	done &&
	rclone --config rclone.conf copy --transfers 8 --checkers 8 --no-check-dest \
		many "t:$S3_BUCKET/many" &&
	echo odd | supload many2 >/dev/null
'
test_expect_success 'supload -l lists all of them, sorted, once each' '
	supload -l many/ >list &&
	test $(wc -l <list) -eq 2500 &&
	cut -f1 list | LC_ALL=C sort -c -u &&
	grep -q "^many/sub/o 2499+x=2499	5	" list &&
	test $(grep -c "continuation-token=" "$S3_DIR/front.log") -ge 2
'
test_expect_success 'supload -l --json: the same 2,500' '
	supload -l --json many/ >jl &&
	jq -se "length == 2500 and (map(.key) | unique | length) == 2500" jl
'
# --timeout: a loaded s3rver may take more than the default 30 s to delete
# 1,000 files; a retried batch would be counted twice.
test_expect_success 'supload -d deletes 2,500 in batches of 1,000' '
	cut -f1 list | supload --timeout 600 -d >deleted &&
	test $(wc -l <deleted) -eq 2500 &&
	test $(grep -c "POST /[^ ]*?delete= 200" "$S3_DIR/front.log") -eq 3 &&
	supload -l >rest && test "$(cut -f1 rest)" = many2
'
test_done
