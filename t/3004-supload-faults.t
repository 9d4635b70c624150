#!/bin/sh
# supload under faults injected by the test front (t/lib/s3front.js):
# throttling, connection resets, stalls, clock skew and a server that keeps
# failing; SIGTERM in the middle of an upload.  What is stored is compared
# byte for byte; what fails must leave no object and send an abort.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/s3.sh"

s3_start
head -c 12000000 /dev/urandom >in   # three parts of 5 MiB
P="--part-size 5MiB"

count() { grep -c "$1" "$S3_DIR/front.log" || true; }

test_expect_success '503 SlowDown on two parts: retried, stored whole' '
	s3_fault 503 "^PUT /[^ ]*/slow\\?partNumber=" 2 &&
	cat in | supload $P slow >out &&
	jq -e ".parts == 3" out &&
	test $(count "slow?partNumber=.* 503 SlowDown") -eq 2 &&
	supload -g slow | cmp - in
'
test_expect_success '503 on a single PUT and on completion: retried' '
	s3_fault 503 "^PUT /[^ ]*/single$" 1 &&
	echo small | supload single >/dev/null &&
	test "$(supload -g single)" = small &&
	s3_fault 503 "^POST /[^ ]*/complete\\?uploadId=" 1 &&
	cat in | supload $P complete >/dev/null &&
	test $(count "POST [^ ]*/complete?uploadId=.* 503 SlowDown") -eq 1 &&
	supload -g complete | cmp - in
'
test_expect_success 'a connection reset in the middle of a part: retried' '
	s3_fault reset "^PUT /[^ ]*/reset\\?partNumber=2&" 1 bytes=1000000 &&
	cat in | supload $P reset >/dev/null &&
	test $(count "reset?partNumber=2&.* reset") -eq 1 &&
	supload -g reset | cmp - in
'
test_expect_success 'a stalled part: timed out, retried' '
	s3_fault stall "^PUT /[^ ]*/stall\\?partNumber=1&" 1 &&
	cat in | supload $P --timeout 2 stall >/dev/null &&
	test $(count "stall?partNumber=1&.* stall") -eq 1 &&
	supload -g stall | cmp - in
'
test_expect_success 'RequestTimeTooSkewed: signed afresh, retried' '
	s3_fault skew "^PUT /[^ ]*/skew$" 1 &&
	echo skew | supload skew >/dev/null &&
	test $(count "skew .*RequestTimeTooSkewed") -eq 1 &&
	test "$(supload -g skew)" = skew
'
test_expect_success 'a download cut short is resumed with Range' '
	s3_fault reset "^GET /[^ ]*/slow$" 1 bytes=3000000 &&
	supload -g slow >back &&
	cmp back in &&
	grep -q "GET [^ ]*/slow range=bytes=[1-9][0-9]*-" "$S3_DIR/front.log"
'
test_expect_success 'the answer to a completion lost: the object is found whole' '
	s3_fault lose "^POST /[^ ]*/lost\\?uploadId=" 1 &&
	cat in | supload $P --retries 2 lost >out &&
	test $(count "lost?uploadId=.* 200 lost") -eq 1 &&
	jq -e ".parts == 3 and .bytes == 12000000" out &&
	supload -g lost | cmp - in
'
test_expect_success 'persistent 500: exit 75, upload aborted (abort retried), no object' '
	s3_fault 500 "^PUT /[^ ]*/down\\?partNumber=2&" -1 &&
	s3_fault 503 "^DELETE /[^ ]*/down\\?uploadId=" 1 &&
	cat in | expect_exit 75 supload $P --retries 3 down &&
	expect_one_line_error supload &&
	grep -q "InternalError" err && grep -q "gave up after 3 attempts" err &&
	s3_aborts | grep -q "^DELETE /[^ ]*/down?uploadId=" &&
	test $(count "DELETE [^ ]*/down?uploadId=.* 503 SlowDown") -eq 1 &&
	expect_exit 1 supload -g down && grep -q "no such object" err &&
	s3_fault_clear
'
test_expect_success 'persistent 500 on a single PUT: exit 75, no object' '
	s3_fault 500 "^PUT /[^ ]*/down1$" -1 &&
	echo x | expect_exit 75 supload --retries 2 down1 &&
	expect_exit 1 supload -g down1 &&
	s3_fault_clear
'
test_expect_success 'SIGTERM in the middle of an upload: aborted, no object' '
	mkfifo fifo
	{ st=0; supload $P term <fifo >out 2>err || st=$?; echo $st >rc; } &
	exec 7>fifo &&
	head -c 6000000 in >&7 &&
	wait_for 20 grep -q "term?partNumber=1&.* 200" "$S3_DIR/front.log" &&
	pid=$(pgrep -x -P $! supload) &&
	kill -TERM "$pid" &&
	wait_for 20 test -s rc &&
	exec 7>&- &&
	test "$(cat rc)" = 1 &&
	grep -q "cancelled" err && expect_one_line_error supload &&
	s3_aborts | grep -q "^DELETE /[^ ]*/term?uploadId=" &&
	expect_exit 1 supload -g term
'
test_expect_success 'nothing stored by the failures is listed' '
	supload -l >list &&
	! grep -q "^down" list && ! grep -q "^term" list
'
test_done
