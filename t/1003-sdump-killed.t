#!/bin/sh
# A dump whose connection is killed in the middle of a big table
# (pg_terminate_backend from another session) exits non-zero with one line
# and leaves a stream without a trailer; likewise with -j 2.  While a dump
# runs, its tables are locked: ALTER TABLE and TRUNCATE wait for it.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start
pg_createdb big
pg_sql big "create table small (id int primary key);
	insert into small select generate_series(1, 10);
	create table big (id int, payload text);
	insert into big select i, md5(i::text) || repeat('x', 200) from generate_series(1, 200000) i" >/dev/null

# The reader of the stream waits until the copy of "big" has been killed:
# sdump, its pipe full, is stuck in the middle of that COPY.
copying_big() {
	test "$(pg_sql big "select count(*) from pg_stat_activity
		where application_name = 'sdump' and query like 'COPY%big%'")" -ge 1
}
killer() {
	wait_for 60 copying_big &&
	pg_sql big "select pg_terminate_backend(pid) from pg_stat_activity
		where application_name = 'sdump' and query like 'COPY%big%'" >/dev/null
}

for jobs in 1 2; do
	test_expect_success "a connection killed mid-copy (-j $jobs): exit non-zero, no trailer" "
		{ sdump -d big -Z none -j $jobs --chunk-size 64k 2>err; echo \$? >rc; } |
			{ killer && cat >stream; } &&
		test \"\$(cat rc)\" != 0 &&
		expect_one_line_error sdump && grep -q 'cannot copy public.big' err &&
		tar -tf stream >names 2>/dev/null || true &&
		grep -q '^data/public.big/' names &&
		! grep -q trailer names &&
		! grep -q strongbox/trailer.json stream
	"
done

# While sdump is stuck in the middle (its pipe full), a concurrent ALTER
# TABLE or TRUNCATE on any table it dumps must wait for it.
alter_waits() {
	wait_for 60 copying_big &&
	! psql -X -q -d big -c "set lock_timeout = '200ms'" -c "alter table small add column z int" 2>alter.err &&
	grep -q "lock timeout" alter.err &&
	! psql -X -q -d big -c "set lock_timeout = '200ms'" -c "truncate big" 2>trunc.err &&
	grep -q "lock timeout" trunc.err
}
test_expect_success 'the dumped tables are locked: ALTER TABLE and TRUNCATE wait' '
	{ sdump -d big -Z none --chunk-size 64k 2>err; echo $? >rc; } |
		{ alter_waits && echo locked >verdict; cat >stream; } &&
	test "$(cat verdict)" = locked &&
	test "$(cat rc)" = 0 && test ! -s err &&
	tar -tf stream | tail -n 1 | grep -qx strongbox/trailer.json &&
	test "$(pg_sql big "select count(*) from big")" = 200000
'
test_done
