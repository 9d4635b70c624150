#!/bin/sh
# Bad input never changes the target: a truncated archive, one flipped
# byte (plain and compressed), a missing trailer, an unknown format
# version, a tar that is not ours, chunks out of order, a table the
# target lacks.  Each gets one clear line, exit 1, and the target database
# is compared before and after.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"
. "$TEST_ROOT/t/lib/mkarchive.sh"

pg_start

snap() {
	pg_dump -d dst | grep -v '^\\\(un\)\?restrict ' | sha256sum >"$1"
}

# refused FILE PATTERN [srestore options]: exit 1, one line matching
# PATTERN, target unchanged.
refused() {
	_f=$1 _p=$2
	shift 2
	snap before &&
	expect_exit 1 srestore -d dst "$@" <"$_f" &&
	expect_one_line_error srestore &&
	grep -q "$_p" err &&
	snap after &&
	cmp before after
}

test_expect_success 'setup: an archive and a target with rows of its own' '
	pg_createdb src &&
	pg_sql src "create table t (id serial primary key, v text); insert into t (v) select repeat(md5(i::text), 4) from generate_series(1, 20000) i; create table u (id int primary key references t, w text); insert into u select i, '"'"'u'"'"' from generate_series(1, 100) i" &&
	mkarchive_from_db src a &&
	mkarchive_pack a >good.tar &&
	zstd -q <good.tar >good.tar.zst &&
	pg_createdb dst &&
	pg_sql dst "create table keep (k int); insert into keep values (1), (2)" &&
	expect_exit 0 srestore --check <good.tar.zst
'
test_expect_success 'a truncated archive' '
	size=$(wc -c <good.tar) &&
	head -c $((size / 2)) good.tar >trunc.tar &&
	refused trunc.tar "archive is truncated" &&
	head -c $(( $(wc -c <good.tar.zst) - 100 )) good.tar.zst >trunc.tar.zst &&
	refused trunc.tar.zst "archive is truncated"
'
test_expect_success 'one flipped byte in the rows' '
	off=$(grep -abo "c4ca4238a0b923820dcc509a6f75849b" good.tar | head -1 | cut -d: -f1) &&
	cp good.tar flip.tar &&
	printf "X" | dd of=flip.tar bs=1 seek="$off" conv=notrunc 2>/dev/null &&
	refused flip.tar "archive is corrupt: table public.t: SHA-256 mismatch"
'
test_expect_success 'one flipped byte in the compressed stream' '
	size=$(wc -c <good.tar.zst) &&
	cp good.tar.zst flip.tar.zst &&
	printf "\377" | dd of=flip.tar.zst bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null &&
	! cmp -s good.tar.zst flip.tar.zst &&
	refused flip.tar.zst "archive is"
'
test_expect_success 'a missing trailer' '
	MKARCHIVE_NO_TRAILER=1 mkarchive_pack a >notrailer.tar &&
	refused notrailer.tar "archive is truncated: no trailer"
'
test_expect_success 'an unknown format version' '
	cp -R a v2 &&
	jq ".version = 2" a/strongbox/manifest.json >v2/strongbox/manifest.json &&
	mkarchive_pack v2 >v2.tar &&
	refused v2.tar "archive format version 2 is not supported (this srestore reads version 1)"
'
test_expect_success 'a tar that is not ours' '
	mkdir other && echo "hello" >other/readme.txt &&
	tar --format=pax -cf other.tar other &&
	refused other.tar "not a strongbox archive"
'
test_expect_success 'a trailer that disagrees (rows)' '
	cp -R a bad && mkarchive_pack a >/dev/null &&
	( cd bad && printf "99999\tx\n" >>data/public.t/000001.copy ) &&
	mkarchive_pack bad >bad.tar &&
	tar -xOf bad.tar strongbox/trailer.json >trailer.json &&
	tar -xf bad.tar -C bad strongbox/trailer.json &&
	jq ".tables |= map(if .name == \"t\" then .rows = 20000 else . end)" trailer.json >bad/strongbox/trailer.json &&
	( cd bad && tar --format=pax -cf - strongbox/manifest.json schema/pre-data.sql data/public.t/000001.copy data/public.u/000001.copy data/sequences.json schema/post-data.sql strongbox/trailer.json ) >bad2.tar &&
	refused bad2.tar "archive is corrupt: table public.t: the trailer says 20000 rows"
'
test_expect_success 'chunks out of order, an unknown member, data after the trailer' '
	mkdir -p c/data/public.t && cp -R a/. c/ &&
	split -l 10000 -a 1 c/data/public.t/000001.copy c/part &&
	mv c/parta c/data/public.t/000001.copy && mv c/partb c/data/public.t/000002.copy &&
	printf "data/public.t/000002.copy\ndata/public.t/000001.copy\ndata/public.u/000001.copy\n" >c/chunks.list &&
	mkarchive_pack c >order.tar &&
	refused order.tar "chunk data/public.t/000002.copy out of order" &&
	printf "data/public.t/000001.copy\ndata/public.t/000002.copy\ndata/public.u/000001.copy\ndata/extra.txt\n" >c/chunks.list &&
	echo x >c/data/extra.txt &&
	mkarchive_pack c >unknown.tar &&
	refused unknown.tar "unknown member \"data/extra.txt\"" &&
	rm c/data/extra.txt && rm c/chunks.list &&
	mkarchive_pack c >ok2.tar && expect_exit 0 srestore --check <ok2.tar &&
	echo "1	x" >c/data/public.u/000002.copy &&
	( cd c && tar --format=pax -cf - strongbox/manifest.json schema/pre-data.sql data/public.t/000001.copy data/public.t/000002.copy data/public.u/000001.copy data/sequences.json schema/post-data.sql strongbox/trailer.json data/public.u/000002.copy ) >after.tar &&
	refused after.tar "after the trailer"
'
test_expect_success 'a table the target lacks (--data-only)' '
	pg_sql dst "create table t (id int primary key, v text); insert into t values (1, '"'"'mine'"'"')" &&
	refused good.tar "table public.u (in the archive) does not exist in the target database" --data-only
'
test_expect_success 'a column the target lacks (--data-only), named before anything changes' '
	pg_sql dst "create table u (id int primary key, other text)" &&
	refused good.tar "column \"w\" of table public.u (in the archive) does not exist in the target database" --data-only &&
	expect_exit 1 srestore --dry-run --data-only -d dst <good.tar &&
	jq -se "last | .ok == false and (.problems | test(\"column\"))" out
'
test_expect_success 'the target keeps its own rows through all of this' '
	test "$(pg_sql dst "select count(*) from keep")" = 2 &&
	test "$(pg_sql dst "select v from t")" = mine
'
test_done
