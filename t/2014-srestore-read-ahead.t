#!/bin/sh
# srestore -j N loads each table on one session, in the transaction that
# truncated it (COPY FREEZE: every row frozen; with wal_level = minimal,
# as here, the rows are not WAL-logged), and reads the archive ahead of
# the sessions into an unlinked file in TMPDIR, so that the next table's
# session need not wait for the last one's.  Checked: the read-ahead
# used (an archive of one table after another, and of tables interleaved
# by sdump -j 3), pg_dump identical, every page all-frozen, WAL a
# fraction of the data; TMPDIR missing: the reader waits instead, same
# result; a 256 KiB tmpfs: at most half of it used; a bad chunk late in
# the archive while reading ahead: refused, nothing left, in TMPDIR either;
# SIGINT while the input stalls, or the pre-data refused while it
# stalls: stopped at once, nothing left; input slower than the sessions;
# archives of empty tables only and of no table at all.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start

# frozen DB: no page of any table of DB that is not all-frozen.
frozen() {
	pg_sql "$1" "create extension if not exists pg_visibility" >/dev/null &&
	test "$(pg_sql "$1" "select count(*) from pg_class c, pg_visibility_map(c.oid) v
		where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace and not v.all_frozen")" = 0 &&
	pg_sql "$1" "drop extension pg_visibility" >/dev/null
}
wal_now() { pg_sql postgres "select pg_current_wal_lsn()"; }
wal_since() { pg_sql postgres "select pg_wal_lsn_diff(pg_current_wal_lsn(), '$1')::bigint"; }

test_expect_success 'setup: 40 MB in tables with keys, indexes and foreign keys; two archives' '
	pg_createdb src &&
	pg_sql src "create table parent (id int primary key, name text unique);
		create table big (id bigint primary key, parent_id int references parent,
			at timestamptz, body text);
		create index big_at on big (at);
		create table child (id int primary key, big_id bigint references big, note text);
		insert into parent select g, '"'"'p'"'"' || g from generate_series(1, 1000) g;
		insert into big select g, 1 + g % 1000, '"'"'2026-01-01'"'"'::timestamptz + g * interval '"'"'1 s'"'"',
			repeat(md5(g::text), 3) from generate_series(1, 300000) g;
		insert into child select g, g * 7, md5(g::text) from generate_series(1, 40000) g" &&
	pg_dump_plain src src.sql &&
	sdump -d src --chunk-size 256k >seq.sdump &&
	sdump -d src -j 3 --chunk-size 256k >mixed.sdump
'
for a in seq mixed; do
	test_expect_success "-j 2, the $a archive: read ahead, same pg_dump, every row frozen, little WAL" "
		w=\$(wal_now) &&
		srestore -j 2 -d r_$a <$a.sdump >report &&
		wal=\$(wal_since \$w) &&
		jq -e '.reader.read_ahead_peak_bytes > 0' report >/dev/null &&
		pg_dump_plain r_$a r.sql && cmp src.sql r.sql &&
		frozen r_$a &&
		bytes=\$(jq .bytes report) &&
		test \"\$wal\" -lt \$((bytes / 4)) &&
		pg_no_staging_left
	"
done
test_expect_success 'TMPDIR missing: no read-ahead, the reader waits; same pg_dump' '
	TMPDIR=$TRASH/none srestore -j 2 -d r_none <seq.sdump >report &&
	jq -e ".reader.read_ahead_peak_bytes == 0" report >/dev/null &&
	pg_dump_plain r_none r.sql && cmp src.sql r.sql
'
if mkdir small && mount -t tmpfs -o size=256k tmpfs "$TRASH/small" 2>/dev/null; then
	test_at_exit "umount '$TRASH/small'"
	test_expect_success 'TMPDIR a 256 KiB tmpfs: read ahead at most half of it; same pg_dump; tmpfs empty' '
		TMPDIR=$TRASH/small srestore -j 2 -d r_small <seq.sdump >report &&
		jq -e ".reader.read_ahead_peak_bytes > 0 and .reader.read_ahead_peak_bytes <= 131072" report >/dev/null &&
		pg_dump_plain r_small r.sql && cmp src.sql r.sql &&
		test -z "$(ls -A small)"
	'
else
	test_skip 'TMPDIR a 256 KiB tmpfs' 'this machine does not let us mount a tmpfs'
fi
copying() {
	test -n "$(pg_sql postgres "select 1 from pg_stat_activity
		where datname ~ '_strongbox_' and query ~ '^COPY'")"
}
test_expect_success 'SIGINT while the input stalls: cancelled at once, r_seq unchanged, nothing left' '
	mkdir stalled && mkfifo stall &&
	{ { head -c 1000000 seq.sdump; exec sleep 120; } >stall & writer=$!; } &&
	{ TMPDIR=$TRASH/stalled srestore -j 2 --clean -d r_seq <stall >out 2>err & pid=$!; } &&
	wait_for 60 copying && sleep 0.5 &&
	kill -INT $pid && { wait $pid; rc=$?; } ; kill $writer &&
	test $rc = 1 && test "$(cat err)" = "srestore: cancelled" &&
	pg_no_staging_left && test -z "$(ls -A stalled)" &&
	pg_dump_plain r_seq r.sql && cmp src.sql r.sql
'
# exited PID: the process is gone, or a zombie.
exited() {
	case $(ps -o stat= -p "$1") in Z*|'') return 0 ;; esac
	return 1
}
test_expect_success 'refused at the pre-data while the input stalls: exit 1 at once, nothing left' '
	pg_sql r_seq "create table extra (x int)" >/dev/null &&
	{ { head -c 1000000 seq.sdump; exec sleep 120; } >stall & writer=$!; } &&
	{ srestore -j 2 --clean -d r_seq <stall >out 2>err & pid=$!; } &&
	{ wait_for 30 exited $pid; gone=$?; } ; kill $writer && { wait $pid; rc=$?; } ;
	test $gone = 0 && test $rc = 1 &&
	expect_one_line_error srestore && grep -q "holds what the archive does not: table public.extra" err &&
	pg_no_staging_left && pg_sql r_seq "drop table extra" >/dev/null
'
# throttled: stdin to stdout 64 KiB at a time, 20 ms apart.
throttled() {
	while dd bs=64k count=1 iflag=fullblock 2>/dev/null >blk && test -s blk; do
		cat blk && sleep 0.02
	done
}
test_expect_success 'input slower than the sessions (-j 2 and -j 4 --clean): same pg_dump' '
	throttled <seq.sdump | srestore -j 2 -d r_slow >report &&
	pg_dump_plain r_slow r.sql && cmp src.sql r.sql &&
	throttled <mixed.sdump | srestore -j 4 --clean -d r_slow >report &&
	pg_dump_plain r_slow r.sql && cmp src.sql r.sql && pg_no_staging_left
'
test_expect_success 'archives of empty tables only, and of no table at all (-j 2): same pg_dump' '
	pg_createdb empties &&
	pg_sql empties "create table a (id int primary key); create table b (a_id int references a);
		create index b_a on b (a_id)" >/dev/null &&
	pg_dump_plain empties want.sql && sdump -d empties >e.sdump &&
	srestore -j 2 -d r_empties <e.sdump >report &&
	pg_dump_plain r_empties r.sql && cmp want.sql r.sql &&
	pg_createdb notables &&
	pg_sql notables "create view v as select 1 as x; create sequence s" >/dev/null &&
	pg_dump_plain notables want.sql && sdump -d notables >n.sdump &&
	srestore -j 2 -d r_notables <n.sdump >report &&
	pg_dump_plain r_notables r.sql && cmp want.sql r.sql &&
	srestore -j 2 --clean -d r_notables <n.sdump >report &&
	pg_dump_plain r_notables r.sql && cmp want.sql r.sql && pg_no_staging_left
'
test_expect_success 'a bad chunk late in the archive, while reading ahead: refused, nothing left' '
	mkdir tmp &&
	sdump -d src -Z none --chunk-size 256k >plain.sdump &&
	late=$(printf 39999 | md5sum | cut -c1-32) &&
	perl -pe "s/$late/x$(echo $late | cut -c2-)/" plain.sdump >bad.sdump &&
	! cmp -s plain.sdump bad.sdump &&
	TMPDIR=$TRASH/tmp expect_exit 1 srestore -j 2 -d r_bad <bad.sdump &&
	expect_one_line_error srestore && grep -q "SHA-256 mismatch" err &&
	test "$(pg_sql postgres "select count(*) from pg_database where datname = '"'"'r_bad'"'"'")" = 0 &&
	pg_no_staging_left && test -z "$(ls -A tmp)"
'
test_done
