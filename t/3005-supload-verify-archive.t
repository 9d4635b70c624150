#!/bin/sh
# The pipeline problem: supload --verify-archive stores a stream only when
# it is a complete strongbox archive (its last member strongbox/trailer.json
# with "format": "strongbox"), so that a dump that fails half way is never
# stored (the backup job's guard, t/9002-jobs.t).  Archives are built with
# GNU tar (pax) and by the real sdump against a real PostgreSQL.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/s3.sh"
. "$TEST_ROOT/t/lib/pg.sh"

s3_start
P="--part-size 5MiB"

GOOD_TRAILER='{"format":"strongbox","version":1,"complete":true,"tables":[]}'

# mkarch DIR COMPRESS [TRAILER_JSON]: DIR.tar.COMPRESS, a strongbox-like
# archive with 9 MB of incompressible data, trailer last (none if "-").
mkarch() {
	rm -rf "$1" && mkdir -p "$1/strongbox" "$1/data/public.t" &&
	echo '{"format":"strongbox","version":1,"tables":[]}' \
		>"$1/strongbox/manifest.json" &&
	head -c 9000000 /dev/urandom >"$1/data/public.t/000001.copy" &&
	echo '{"sequences":[]}' >"$1/data/sequences.json" &&
	set -- "$1" "$2" "${3-$GOOD_TRAILER}" &&
	members="strongbox/manifest.json data/public.t/000001.copy data/sequences.json" &&
	if [ "$3" != - ]; then
		printf '%s\n' "$3" >"$1/strongbox/trailer.json" &&
		members="$members strongbox/trailer.json"
	fi &&
	tar -C "$1" --format=pax -cf - $members >"$1.tar" &&
	case $2 in
	zstd) zstd -q -c "$1.tar" ;;
	gzip) gzip -c "$1.tar" ;;
	none) cat "$1.tar" ;;
	esac >"$1.$2"
}

for z in zstd gzip none; do
	test_expect_success "a complete archive ($z) is stored" "
		mkarch good $z &&
		cat good.$z | supload $P --verify-archive ok/$z >out &&
		jq -e '.parts == 2' out &&
		supload -g ok/$z | cmp - good.$z
	"
done
test_expect_success 'a small complete archive: one PUT, stored' '
	mkdir -p small/strongbox &&
	echo "{\"format\":\"strongbox\",\"tables\":[]}" >small/strongbox/trailer.json &&
	tar -C small --format=pax -cf - strongbox/trailer.json | zstd -q >small.zst &&
	supload --verify-archive ok/small <small.zst >out &&
	jq -e ".parts == 1" out
'
test_expect_success 'a producer that dies mid-stream: aborted, no object' '
	mkarch good zstd &&
	{ head -c 7000000 good.zstd; exit 1; } |
		expect_exit 1 supload $P --verify-archive cut/k &&
	expect_one_line_error supload && grep -q "truncated" err &&
	s3_aborts | grep -q "^DELETE /[^ ]*/cut/k?uploadId=" &&
	expect_exit 1 supload -g cut/k
'
test_expect_success 'the same without --verify-archive stores the truncated stream' '
	{ head -c 7000000 good.zstd; exit 1; } | supload $P cut/unverified >out &&
	jq -e ".bytes == 7000000" out
'
test_expect_success 'a truncated small archive (single PUT path): nothing stored' '
	head -c 100 small.zst | expect_exit 1 supload --verify-archive cut/small &&
	expect_exit 1 supload -g cut/small
'
test_expect_success 'an archive without trailer is refused' '
	mkarch notrailer none - &&
	expect_exit 1 supload $P --verify-archive bad/notrailer <notrailer.none &&
	grep -q "no strongbox/trailer.json" err &&
	expect_exit 1 supload -g bad/notrailer
'
test_expect_success 'a trailer of another format, or incomplete, is refused' '
	mkarch other gzip "{\"format\":\"other\",\"tables\":[]}" &&
	expect_exit 1 supload $P --verify-archive bad/other <other.gzip &&
	grep -q "format" err &&
	mkarch incomplete gzip "{\"format\":\"strongbox\",\"complete\":false,\"tables\":[]}" &&
	expect_exit 1 supload $P --verify-archive bad/inc <incomplete.gzip &&
	grep -q "not complete" err &&
	mkarch notjson zstd "{format" &&
	expect_exit 1 supload $P --verify-archive bad/nj <notjson.zstd &&
	grep -q "not JSON" err
'
test_expect_success 'a member after the trailer is refused' '
	mkarch late none &&
	tar -C late --format=pax -cf - strongbox/trailer.json data/sequences.json >late2.tar &&
	expect_exit 1 supload --verify-archive bad/late <late2.tar &&
	grep -q "after strongbox/trailer.json" err
'
test_expect_success 'bytes that are not an archive are refused' '
	head -c 6000000 /dev/urandom | expect_exit 1 supload $P --verify-archive bad/rand &&
	expect_one_line_error supload &&
	s3_aborts | grep -q "/bad/rand?uploadId=" &&
	: | expect_exit 1 supload --verify-archive bad/empty &&
	test $(supload -l bad/ | wc -l) -eq 0
'

pg_start
psql -qX -c "create table t (id int primary key, v text)" \
	-c "insert into t select g, md5(g::text) from generate_series(1, 20000) g" \
	>/dev/null 2>&1

test_expect_success 'a real sdump archive passes --verify-archive' '
	sdump | supload --verify-archive real/one >out &&
	supload -g real/one | srestore --check >/dev/null
'
test_expect_success 'nightly-backup.sh (spurge --backup-first): straight to the bucket at BRANCH_ID/backups/BRANCH_ID_YYYYMMDD_HHMMSS.sdump' '
	BRANCH_ID=branch-a expect_exit 0 "$TEST_ROOT/share/strongbox/nightly-backup.sh" &&
	key=$(jq -r .key out) &&
	echo "$key" | grep -Eqx "branch-a/backups/branch-a_[0-9]{8}_[0-9]{6}\.sdump" &&
	supload -l branch-a/backups/ | grep -q "^$key	"
'
test_expect_success 'nightly-backup.sh: a dump that cannot connect leaves no object, exit 75' '
	PGPORT=$(free_port) BRANCH_ID=branch-c expect_exit 75 \
		"$TEST_ROOT/share/strongbox/nightly-backup.sh" &&
	grep -q "^nightly-backup.sh: backup: the dump failed (sdump 75, supload 1); nothing was stored$" err &&
	test $(supload -l branch-c/ | wc -l) -eq 0
'
test_expect_success 'nightly-backup.sh: a TZ that names no zone is refused, one line, exit 1, nothing stored' '
	TZ=Asia/Kolkatta BRANCH_ID=branch-d expect_exit 1 "$TEST_ROOT/share/strongbox/nightly-backup.sh" &&
	echo "nightly-backup.sh: TZ \"Asia/Kolkatta\" is not a known time zone (see /usr/share/zoneinfo)" | cmp - err &&
	test ! -s out &&
	test $(supload -l branch-d/ | wc -l) -eq 0 &&
	TZ=Asia/Kolkata BRANCH_ID=branch-d expect_exit 0 "$TEST_ROOT/share/strongbox/nightly-backup.sh" &&
	jq -r .key out | grep -Eqx "branch-d/backups/branch-d_[0-9]{8}_[0-9]{6}\.sdump"
'
test_done
