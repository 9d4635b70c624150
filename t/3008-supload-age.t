#!/bin/sh
# supload encrypts in the age format (age-encryption.org/v1) on put and
# decrypts on get: round trips at the chunk edges on a real S3 server,
# the age CLI on either side with one and three recipients, a wrong
# identity, damaged and truncated ciphertext, identities others may read,
# the environment file's settings, --verify-archive on the plaintext.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/s3.sh"

command -v age >/dev/null || skip_all "age is not installed (make deps)"
s3_start
P="--part-size 5MiB"

sha() { sha256sum "$@" | cut -d' ' -f1; }

test_expect_success 'setup: three identities (age-keygen)' '
	for i in 1 2 3; do
		age-keygen -o id$i 2>/dev/null && chmod 600 id$i &&
		age-keygen -y id$i >r$i || exit 1
	done &&
	R1=$(cat r1) R2=$(cat r2) R3=$(cat r3) &&
	grep -q "^age1" r1
'
R1=$(cat r1) R2=$(cat r2) R3=$(cat r3)

for n in 0 1 65536 65537 104857600; do
	test_expect_success "$n bytes: encrypted round trip, age -d opens it" "
		head -c $n /dev/urandom >in &&
		cat in | supload $P -r \"\$R1\" enc/$n >out &&
		jq -e '.encrypted == true and .recipients == 1 and .bytes == $n' out &&
		test \"\$(jq -r .sha256 out)\" = \"\$(sha in)\" &&
		supload -g enc/$n >stored &&
		test \"\$(jq -r .stored_sha256 out)\" = \"\$(sha stored)\" &&
		test \"\$(jq -r .stored_bytes out)\" = \"\$(wc -c <stored)\" &&
		head -c 22 stored | grep -q '^age-encryption.org/v1' &&
		age -d -i id1 stored | cmp - in &&
		supload -g -i id1 enc/$n | cmp - in &&
		rm -f in stored
	"
done

test_expect_success 'three recipients: each identity opens it, with age -d and supload' '
	head -c 200000 /dev/urandom >in &&
	supload -r "$R1" -r "$R2" -r "$R3" three <in >out &&
	jq -e ".recipients == 3" out &&
	supload -g three >stored &&
	for i in 1 2 3; do
		age -d -i id$i stored | cmp - in &&
		supload -g --identity id$i three | cmp - in || exit 1
	done
'
test_expect_success 'supload decrypts what age -r wrote (1 and 3 recipients)' '
	head -c 300000 /dev/urandom >in &&
	age -r "$R2" in >one.age &&
	age -r "$R1" -r "$R2" -r "$R3" in >three.age &&
	supload byage/one <one.age >out && jq -e ".encrypted == false" out &&
	supload byage/three <three.age >/dev/null &&
	supload -g -i id2 byage/one | cmp - in &&
	for i in 1 2 3; do
		supload -g -i id$i byage/three | cmp - in || exit 1
	done
'
test_expect_success 'a wrong identity: one line, exit 1, nothing on stdout' '
	age-keygen -o wrong 2>/dev/null && chmod 600 wrong &&
	expect_exit 1 supload -g -i wrong three &&
	expect_one_line_error supload &&
	grep -q "no identity matches any recipient" err &&
	test ! -s out
'
test_expect_success 'an identity file others may read is refused' '
	cp id1 open && chmod 644 open &&
	expect_exit 1 supload -g -i open three &&
	expect_one_line_error supload && grep -q "chmod 600" err &&
	! grep -q AGE-SECRET err && test ! -s out &&
	chmod 640 open && expect_exit 1 supload -g -i open three
'
# An age file of 3 chunks + 100 bytes with one byte flipped in the
# header's stanza, its MAC, the middle chunk and the last chunk, each put
# as it is and read back with the identity.
test_expect_success 'damaged ciphertext: header, middle chunk, last chunk' '
	head -c $((3 * 65536 + 100)) /dev/urandom >in &&
	age -r "$R1" in >good.age &&
	hl=$(grep -abo -m1 "^--- " good.age | cut -d: -f1) &&
	hl=$((hl + 48)) &&
	for off in 30 $((hl - 5)) $((hl + 16 + 65552 + 10)) $(($(wc -c <good.age) - 3)); do
		cp good.age bad &&
		perl -e "open(F, \"+<\", \$ARGV[0]) or die; seek(F, $off, 0); read(F, \$c, 1); seek(F, $off, 0); print F chr(ord(\$c) ^ 1)" bad &&
		supload damaged/$off <bad >/dev/null &&
		expect_exit 1 supload -g -i id1 damaged/$off &&
		expect_one_line_error supload || exit 1
	done &&
	expect_exit 1 supload -g -i id1 damaged/$((hl + 16 + 65552 + 10)) &&
	grep -q "chunk 1 " err &&
	test "$(wc -c <out)" -eq 65536 &&
	cmp -n 65536 out in
'
test_expect_success 'truncated at a chunk boundary: the final-chunk flag catches it' '
	head -c $((hl + 16 + 2 * 65552)) good.age >cut.age &&
	supload cut <cut.age >/dev/null &&
	expect_exit 1 supload -g -i id1 cut &&
	expect_one_line_error supload && grep -q "truncated" err &&
	test "$(wc -c <out)" -eq 65536 &&
	age -d -i id1 cut.age >/dev/null 2>&1; test $? -ne 0
'
test_expect_success 'a plain object with an identity comes out as it is' '
	echo plain | supload p >/dev/null &&
	test "$(supload -g -i id1 p)" = plain
'
test_expect_success 'environment: BACKUP_AGE_RECIPIENTS, _FILE, BACKUP_AGE_IDENTITY' '
	echo secret-env >in &&
	BACKUP_AGE_RECIPIENTS="$R1, $R2" supload env/a <in >out &&
	jq -e ".encrypted and .recipients == 2" out &&
	printf "# office escrow\n%s\n\n%s\n" "$R2" "$R3" >rfile &&
	BACKUP_AGE_RECIPIENTS_FILE=rfile supload env/b <in >out &&
	jq -e ".recipients == 2" out &&
	BACKUP_AGE_IDENTITY=id3 supload -g env/b | cmp - in &&
	BACKUP_AGE_IDENTITY=id2 supload -g env/a | cmp - in &&
	BACKUP_AGE_RECIPIENTS="$R1" supload -R rfile env/c <in >out &&
	jq -e ".recipients == 2" out &&
	BACKUP_AGE_RECIPIENTS="age1nope" expect_exit 1 supload env/d <in &&
	expect_one_line_error supload &&
	BACKUP_ENCRYPT=some BACKUP_AGE_RECIPIENTS="$R1" expect_exit 1 supload env/d <in &&
	grep -q "want all or cloud" err
'
test_expect_success 'BACKUP_ENCRYPT=cloud: the bucket is encrypted, a directory not' '
	echo marker >in &&
	BACKUP_ENCRYPT=cloud BACKUP_AGE_RECIPIENTS="$R1" supload cl/a <in >out &&
	jq -e ".encrypted" out &&
	mkdir local &&
	BACKUP_S3_BUCKET= BACKUP_DIR=$TRASH/local BACKUP_ENCRYPT=cloud \
		BACKUP_AGE_RECIPIENTS="$R1" supload cl/a <in >out &&
	jq -e ".encrypted == false" out && cmp local/cl/a in &&
	BACKUP_S3_BUCKET= BACKUP_DIR=$TRASH/local BACKUP_ENCRYPT=all \
		BACKUP_AGE_RECIPIENTS="$R1" supload cl/b <in >out &&
	jq -e ".encrypted" out && age -d -i id1 local/cl/b | cmp - in
'
test_expect_success '--encrypted: an age file stored as it is, not encrypted again (recipients in the environment or not), in the bucket and a directory' '
	head -c 6000000 /dev/urandom >in &&
	age -r "$R1" in >in.age &&
	BACKUP_AGE_RECIPIENTS="$R2" supload $P --encrypted sealed/one <in.age >out &&
	jq -e ".encrypted == true and .bytes == null and .sha256 == null and .parts == 2 and (has(\"recipients\") | not)" out &&
	test "$(jq -r .stored_sha256 out)" = "$(sha in.age)" &&
	test "$(jq -r .stored_bytes out)" = "$(wc -c <in.age)" &&
	supload -g sealed/one | cmp - in.age &&
	supload -g -i id1 sealed/one | cmp - in &&
	mkdir -p sealdir &&
	BACKUP_S3_BUCKET= BACKUP_DIR=$TRASH/sealdir BACKUP_AGE_RECIPIENTS="$R2" \
		supload --encrypted sealed/one <in.age >out &&
	cmp sealdir/sealed/one in.age &&
	test "$(jq -r .stored_sha256 out)" = "$(sha in.age)"
'
test_expect_success 'age parts go as UNSIGNED-PAYLOAD (with Content-MD5), plain parts signed' '
	: >"$S3_DIR/payloads.log" &&
	head -c 12000000 /dev/urandom >in &&
	supload $P -r "$R1" pay/enc <in >out &&
	supload $P pay/plain <in >out &&
	supload $P --encrypted pay/sealed <in.age >out &&
	test "$(grep -c "^PUT /[^ ]*/pay/enc?partNumber=[0-9]*&uploadId=[^ ]* unsigned$" "$S3_DIR/payloads.log")" = 3 &&
	test "$(grep -c "^PUT /[^ ]*/pay/sealed?partNumber=[0-9]*&uploadId=[^ ]* unsigned$" "$S3_DIR/payloads.log")" = 2 &&
	test "$(grep -c "^PUT /[^ ]*/pay/plain?partNumber=[0-9]*&uploadId=[^ ]* signed$" "$S3_DIR/payloads.log")" = 3 &&
	! grep "pay/plain.* unsigned$" "$S3_DIR/payloads.log" &&
	supload -g -i id1 pay/enc | cmp - in
'
test_expect_success 'a server that refuses UNSIGNED-PAYLOAD: the part is sent again signed, and every later one' '
	curl -sf -X POST -o /dev/null "$S3_ENDPOINT/__front/unsigned?refuse=1" &&
	: >"$S3_DIR/payloads.log" &&
	head -c 12000000 /dev/urandom >in &&
	supload $P -r "$R1" pay/refused <in >out &&
	curl -sf -X POST -o /dev/null "$S3_ENDPOINT/__front/unsigned?refuse=0" &&
	test "$(grep -c " refused$" "$S3_DIR/payloads.log")" -ge 1 &&
	test "$(grep -c " refused$" "$S3_DIR/payloads.log")" -le 3 &&
	test "$(grep -c "^PUT /[^ ]*/pay/refused?partNumber=[0-9]*&uploadId=[^ ]* signed$" "$S3_DIR/payloads.log")" = 3 &&
	supload -g -i id1 pay/refused | cmp - in
'
test_expect_success 'an age part damaged on the way: the signed Content-MD5 catches it, the part is sent again' '
	head -c 12000000 /dev/urandom >in &&
	s3_fault flip "PUT .*/pay/flip[?]partNumber=2&" 1 &&
	supload $P -r "$R1" pay/flip <in >out 2>err &&
	grep -q "pay/flip?partNumber=2&.* 400 BadDigest" "$S3_DIR/front.log" &&
	supload -g -i id1 pay/flip | cmp - in &&
	s3_fault flip "PUT .*/pay/flip2[?]partNumber=2&" -1 &&
	expect_exit 75 supload $P --retries 1 -r "$R1" pay/flip2 <in &&
	grep -q "BadDigest" err &&
	s3_fault_clear &&
	! supload -l pay/ | grep -q flip2
'
test_expect_success '--encrypted: an input that is not an age file is refused, nothing stored' '
	expect_exit 1 supload $P --encrypted sealed/two <in &&
	grep -q "^supload: cannot put \"sealed/two\": --encrypted, but the input is not an age file" err &&
	printf age | expect_exit 1 supload --encrypted sealed/two &&
	: | expect_exit 1 supload --encrypted sealed/two &&
	test -z "$(supload -l sealed/two)" &&
	expect_exit 2 supload --encrypted -r "$R1" sealed/two <in.age &&
	expect_exit 2 supload --encrypted --verify-archive sealed/two <in.age &&
	expect_exit 2 supload -g --encrypted sealed/one &&
	rm -f in in.age
'
test_expect_success '--verify-archive checks the plaintext before it is encrypted' '
	mkdir -p a/strongbox &&
	echo "{\"format\":\"strongbox\",\"tables\":[]}" >a/strongbox/trailer.json &&
	tar -C a --format=pax -cf - strongbox/trailer.json | zstd -q >good.sdump &&
	supload --verify-archive -r "$R1" va/good <good.sdump >out &&
	jq -e ".encrypted" out &&
	supload -g -i id1 va/good | cmp - good.sdump &&
	head -c 100 good.sdump >cut.sdump &&
	expect_exit 1 supload --verify-archive -r "$R1" va/cut <cut.sdump &&
	expect_one_line_error supload &&
	expect_exit 1 supload -g va/cut
'
test_expect_success 'options: -r and -i go with put and get only; a bad recipient' '
	expect_exit 2 supload -g -r "$R1" k && expect_one_line_error supload &&
	expect_exit 2 supload -i id1 k </dev/null && expect_one_line_error supload &&
	expect_exit 2 supload -r age1bad k </dev/null &&
	expect_one_line_error supload && grep -q "age1bad" err &&
	expect_exit 1 supload -R missing k </dev/null && expect_one_line_error supload
'
test_expect_success 'srestore given an encrypted stream says how to decrypt it' '
	expect_exit 1 srestore --check <good.age &&
	expect_one_line_error srestore &&
	grep -q "encrypted" err && grep -q "supload -g" err && grep -q "age -d" err
'
test_done
