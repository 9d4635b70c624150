#!/bin/sh
# Signed archives (minisign format): sdump --sign-key signs the manifest
# and the trailer, `minisign -V` verifies the extracted members, and
# srestore --verify-key refuses an unsigned archive, one signed by another
# key and a signed one whose chunk and trailer were rewritten (digests
# recomputed) -- the unsigned and other-key ones before any SQL runs (a
# sequence that pre-data would advance outside the transaction is not
# advanced), the rewritten one before COMMIT; --check does the same with
# no database, and supload --verify-archive checks signatures too.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"
. "$TEST_ROOT/t/lib/mkarchive.sh"

command -v minisign >/dev/null || skip_all "minisign is not installed (make deps)"
pg_start

mark() { pg_sql dst "select last_value from public.mark"; }

test_expect_success 'setup: a database, two key pairs (minisign -G -W)' '
	pg_createdb src &&
	pg_sql src "create table customers (id int primary key, name text); insert into customers select i, md5(i::text) from generate_series(1, 3000) i" &&
	minisign -G -W -p k.pub -s k.key >/dev/null &&
	minisign -G -W -p other.pub -s other.key >/dev/null &&
	chmod 600 k.key other.key &&
	pg_createdb dst &&
	pg_sql dst "create sequence public.mark"
'
test_expect_success 'sdump --sign-key: a signature member after the manifest and the trailer' '
	sdump -d src -Z none --sign-key k.key >signed.sdump &&
	tar -tf signed.sdump >members &&
	test "$(sed -n 2p members)" = strongbox/manifest.json.minisig &&
	test "$(tail -n 2 members | head -n 1)" = strongbox/trailer.json &&
	test "$(tail -n 1 members)" = strongbox/trailer.json.minisig
'
test_expect_success 'minisign -V verifies the extracted manifest and trailer' '
	mkdir x && tar -C x -xf signed.sdump &&
	minisign -V -q -p k.pub -m x/strongbox/manifest.json &&
	minisign -V -q -p k.pub -m x/strongbox/trailer.json &&
	minisign -V -H -p k.pub -m x/strongbox/trailer.json >tc &&
	grep -q "file:strongbox/trailer.json" tc &&
	! minisign -V -q -p other.pub -m x/strongbox/trailer.json 2>/dev/null
'
test_expect_success 'BACKUP_SIGN_KEY signs too; a key others may read is refused' '
	BACKUP_SIGN_KEY=k.key sdump -d src | srestore --check --verify-key k.pub >out &&
	jq -e ".ok and .signatures == \"verified\"" out &&
	chmod 644 k.key &&
	expect_exit 1 sdump -d src --sign-key k.key &&
	expect_one_line_error sdump && grep -q "chmod 600" err &&
	test ! -s out && chmod 600 k.key
'
test_expect_success 'a signed round trip through srestore --verify-key' '
	pg_createdb dst2 &&
	srestore -d dst2 --verify-key k.pub <signed.sdump >/dev/null &&
	test "$(pg_sql dst2 "select count(*) from customers")" = 3000 &&
	srestore --check --verify-key k.pub <signed.sdump >out &&
	jq -e ".signatures == \"verified\"" out &&
	srestore --check <signed.sdump >out &&
	jq -e ".ok and .signatures == \"not checked\"" out
'
# The hostile archives: pre-data advances public.mark (nextval is not
# rolled back) through a CREATE TABLE ... AS, which the statement screen
# lets through (only a signature stops it), so a refusal before any SQL
# leaves it where it was.
test_expect_success 'hostile archives: unsigned, another key, rewritten chunk and trailer' '
	sed -i "1i create table public.nv as select nextval('"'"'public.mark'"'"');" x/schema/pre-data.sql &&
	rm -f x/strongbox/*.minisig &&
	grep "^data/.*\.copy$" members >x/chunks.list &&
	mkarchive_pack x >unsigned.sdump &&
	tar -C x -xf signed.sdump strongbox/manifest.json &&
	minisign -S -s other.key -m x/strongbox/manifest.json -x x/strongbox/manifest.json.minisig >/dev/null &&
	mkarchive_pack x >other.sdump &&
	mkdir y && tar -C y -xf signed.sdump &&
	chunk=$(grep "^data/.*\.copy$" members | head -n 1) &&
	sed -i "1s/^1\t/1\tforged/" "y/$chunk" &&
	grep "^data/.*\.copy$" members >y/chunks.list &&
	MKARCHIVE_NO_PRE_DATA_SHA=1 mkarchive_pack y >rewritten.sdump &&
	tar -tf rewritten.sdump | grep -q manifest.json.minisig &&
	tar -tf rewritten.sdump | grep -q trailer.json.minisig
'
for a in unsigned other; do
	test_expect_success "$a archive: refused before any SQL runs" "
		m0=\$(mark) &&
		expect_exit 1 srestore -d dst --verify-key k.pub <$a.sdump &&
		expect_one_line_error srestore &&
		grep -q 'signed\\|signature' err &&
		test \"\$(mark)\" = \"\$m0\" &&
		expect_exit 1 srestore --check --verify-key k.pub <$a.sdump &&
		test \"\$(pg_sql dst \"select count(*) from pg_tables where schemaname = 'public'\")\" = 0
	"
done
test_expect_success 'the unsigned archive still restores without a key (the mark moves)' '
	m0=$(mark) && pg_createdb dst3 &&
	pg_sql dst3 "create sequence public.mark" &&
	srestore -d dst3 <unsigned.sdump >/dev/null &&
	test "$(pg_sql dst3 "select last_value from public.mark")" -gt 0
'
test_expect_success 'rewritten chunk and trailer: refused before COMMIT, target unchanged' '
	expect_exit 1 srestore -d dst --verify-key k.pub <rewritten.sdump &&
	expect_one_line_error srestore &&
	grep -q "signature of strongbox/trailer.json" err &&
	test "$(pg_sql dst "select count(*) from pg_tables where schemaname = '"'public'"'")" = 0 &&
	expect_exit 1 srestore --check --verify-key k.pub <rewritten.sdump &&
	grep -q "signature" err &&
	srestore --check <rewritten.sdump >/dev/null
'
test_expect_success 'BACKUP_SIGN_PUBKEY is the default key; a pg_dump archive is refused with one' '
	BACKUP_SIGN_PUBKEY=k.pub expect_exit 1 srestore --check <unsigned.sdump &&
	pg_dump -Fc -d src >pg.dump &&
	BACKUP_SIGN_PUBKEY=k.pub expect_exit 1 srestore -d dst <pg.dump &&
	grep -q "no signature" err
'
test_expect_success 'supload --verify-archive checks signatures when a key is configured' '
	mkdir bk && export BACKUP_DIR=$TRASH/bk &&
	supload --verify-archive --verify-key k.pub s/good <signed.sdump >/dev/null &&
	expect_exit 1 supload --verify-archive --verify-key k.pub s/uns <unsigned.sdump &&
	expect_one_line_error supload && grep -q "not signed" err &&
	BACKUP_SIGN_PUBKEY=k.pub expect_exit 1 supload --verify-archive s/other <other.sdump &&
	grep -q "another key" err &&
	expect_exit 1 supload --verify-archive --verify-key k.pub s/rw <rewritten.sdump &&
	grep -q "signature of strongbox/trailer.json" err &&
	supload --verify-archive s/plain <unsigned.sdump >/dev/null &&
	test ! -e bk/s/uns && test ! -e bk/s/rw
'
test_done
