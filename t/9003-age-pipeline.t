#!/bin/sh
# The encrypted pipeline end to end, with a real PostgreSQL and a real S3
# server: sdump | supload -r stores nothing readable (a marker of the
# data is absent from every stored object), supload -g -i | srestore
# restores, and a modified ciphertext stops srestore, which rolls back:
# the target keeps what it had.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/s3.sh"
. "$TEST_ROOT/t/lib/pg.sh"

command -v age >/dev/null || skip_all "age is not installed (make deps)"
s3_start
pg_start

MARKER=Zq7marker-of-the-salon
count() { pg_sql "$1" "select count(*) from customers" ; }

test_expect_success 'setup: a database with the marker in its rows, an identity' '
	pg_createdb src &&
	pg_sql src "create table customers (id int primary key, name text); insert into customers select i, '"'$MARKER'"' || i from generate_series(1, 20000) i" &&
	age-keygen -o id 2>/dev/null && chmod 600 id &&
	age-keygen -y id >r
'
R=$(cat r)

test_expect_success 'sdump | supload -r: stored encrypted, the marker is nowhere in the bucket' '
	sdump -d src -Z none | supload --verify-archive -r "$R" b/one.sdump >out &&
	jq -e ".encrypted and .recipients == 1" out &&
	sdump -d src -Z none | grep -ac "$MARKER" >/dev/null &&
	supload -l | cut -f1 >keys && test -s keys &&
	while read -r k; do
		supload -g "$k" >obj && ! grep -aq "$MARKER" obj || exit 1
	done <keys &&
	! grep -raq "$MARKER" "$S3_DIR"
'
test_expect_success 'supload -g -i | srestore restores it' '
	pg_createdb dst &&
	supload -g -i id b/one.sdump | srestore -d dst >/dev/null &&
	test "$(count dst)" = 20000
'
test_expect_success 'without the identity srestore says how to decrypt' '
	supload -g b/one.sdump >stored &&
	expect_exit 1 srestore -d dst --clean <stored &&
	expect_one_line_error srestore && grep -q "identity" err &&
	test "$(count dst)" = 20000
'
test_expect_success 'a flipped byte in a middle chunk: srestore rolls back' '
	test "$(wc -c <stored)" -gt 300000 &&
	cp stored bad &&
	perl -e "open(F, \"+<\", \$ARGV[0]) or die; seek(F, 200000, 0); read(F, \$c, 1); seek(F, 200000, 0); print F chr(ord(\$c) ^ 1)" bad &&
	supload b/bad.sdump <bad >/dev/null &&
	pg_sql dst "delete from customers where id > 10000" &&
	{ supload -g -i id b/bad.sdump 2>get.err; echo $? >get.rc; } |
		expect_exit 1 srestore -d dst --clean &&
	test "$(cat get.rc)" = 1 &&
	grep -q "does not authenticate" get.err &&
	test "$(count dst)" = 10000
'
test_expect_success 'truncated at a chunk boundary: srestore rolls back' '
	hl=$(grep -abo -m1 "^--- " stored | cut -d: -f1) &&
	head -c $((hl + 48 + 16 + 3 * 65552)) stored >cut &&
	supload b/cut.sdump <cut >/dev/null &&
	{ supload -g -i id b/cut.sdump 2>get.err; echo $? >get.rc; } |
		expect_exit 1 srestore -d dst --clean &&
	test "$(cat get.rc)" = 1 && grep -q truncated get.err &&
	test "$(count dst)" = 10000
'
test_expect_success 'nightly-backup.sh encrypts and signs from the environment' '
	minisign -G -W -p k.pub -s k.key >/dev/null && chmod 600 k.key &&
	DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/src" BRANCH_ID=b1 \
		BACKUP_AGE_RECIPIENTS="$R" BACKUP_SIGN_KEY=k.key BACKUP_SIGN_PUBKEY=k.pub \
		"$TEST_ROOT/share/strongbox/nightly-backup.sh" >out &&
	jq -e ".encrypted and .recipients == 1" out &&
	key=$(jq -r .key out) &&
	pg_createdb dst5 &&
	supload -g -i id "$key" | srestore -d dst5 --verify-key k.pub >/dev/null &&
	test "$(count dst5)" = 20000
'
test_done
