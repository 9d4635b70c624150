#!/bin/sh
# A dump is what the snapshot saw, and a dump never hangs, while the
# database changes under it as a busy production server's does:
#  - a TRUNCATE-and-reload, or a table rewrite (ALTER TABLE ... TYPE),
#    committed between sdump's snapshot and its lock must not give a
#    verified archive with an empty table that was full the whole time;
#  - an ALTER TABLE queued between sdump's lock and pg_dump's must not
#    deadlock (every lock is bounded by --lock-timeout).
# The races run in loops with a bound on wall time; each round's archive,
# when sdump succeeds, must hold the 1,000 rows.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"
. "$TEST_ROOT/t/lib/sdump.sh"

pg_start
pg_createdb db
pg_sql db "create table t (id int primary key, v text);
	insert into t select i, 'v' || i from generate_series(1, 1000) i;
	create table other (k int); insert into other values (1)" >/dev/null

ROUNDS=${RACE_ROUNDS:-16}

# rows_in ARCHIVE: the rows of public.t in ARCHIVE.
rows_in() {
	srestore --list <"$1" | jq -r 'select(.table == "public.t") | .rows'
}

# churn SQL: runs SQL (one statement that commits in a loop) in the
# background until stop_churn; its pid in churn.pid.
churn() {
	psql -X -q -d db -c "$1" >churn.log 2>&1 &
	echo $! >churn.pid
}
stop_churn() {
	pg_sql db "select pg_cancel_backend(pid) from pg_stat_activity
		where application_name = 'psql' and query like 'DO%'" >/dev/null
	wait "$(cat churn.pid)" 2>/dev/null || :
}

# race_rounds: sdump ROUNDS times against the churn; every archive of an
# exit 0 holds 1,000 rows of t; exit 75 is allowed (the race was seen and
# the retries used up).  Counts in ok.n, retry.n.  Each round is bounded
# (timeout 60): a hang fails the test.
race_rounds() {
	: >ok.n && : >retry.n && i=0 &&
	while [ $i -lt $ROUNDS ]; do
		i=$((i + 1))
		set +e
		# Odd rounds without pg_dump (-a): the narrowest window.
		a=; [ $((i % 2)) = 1 ] && a=-a
		timeout 60 sdump -d db -Z none --lock-timeout 5s $a >a.sdump 2>err
		rc=$?
		set -e
		case $rc in
		0)	n=$(rows_in a.sdump) &&
			if [ "$n" != 1000 ]; then
				echo "round $i: exit 0 with $n rows in public.t"; return 1
			fi
			echo >>ok.n ;;
		75)	expect_one_line_error sdump && echo >>retry.n ;;
		*)	echo "round $i: exit $rc"; cat err; return 1 ;;
		esac
	done
	echo "# $(wc -l <ok.n) archives, $(wc -l <retry.n) exits 75" >&2
	test "$(wc -l <ok.n)" -ge 1
}

# ddl_open SQL: a session (application_name ddl) that runs SQL in an open
# transaction and holds it until ddl_commit; returns once SQL ran (the
# session holds an ACCESS EXCLUSIVE lock on a relation).
ddl_open() {
	rm -f ddl.in && mkfifo ddl.in &&
	{ PGAPPNAME=ddl psql -X -q -v ON_ERROR_STOP=1 -d db <ddl.in >ddl.out 2>&1 & } &&
	echo $! >ddl.pid && exec 7>ddl.in &&
	printf 'BEGIN;\n%s;\n' "$1" >&7 &&
	wait_for 30 _ddl_holds
}
_ddl_holds() {
	test -n "$(pg_sql db "select 1 from pg_locks l join pg_stat_activity a
		using (pid) where a.application_name = 'ddl' and l.granted
		and l.mode = 'AccessExclusiveLock' and l.locktype = 'relation'")"
}
ddl_commit() {
	echo 'COMMIT;' >&7 && exec 7>&- && wait "$(cat ddl.pid)"
}
# _dump_waits: sdump, or the pg_dump it runs, waits for a lock.
_dump_waits() {
	test -n "$(pg_sql db "select 1 from pg_stat_activity
		where application_name in ('sdump', 'pg_dump')
		and wait_event_type = 'Lock'")"
}

# ddl_between SQL [SDUMP-OPTION]: SQL commits after sdump took its snapshot
# and before its lock (or pg_dump's) is granted, every time: the
# snapshot sees the table as it was, the lock the table as SQL left it.
# sdump's exit status in rc, its archive in a.sdump, its stderr in err.
ddl_between() {
	ddl_open "$1" || return 1
	{ timeout 60 sdump -d db -Z none --lock-timeout 30s ${2:-} >a.sdump 2>err 7>&-
	  echo $? >rc; } &
	wait_for 30 _dump_waits && ddl_commit && wait
}

for mode in -a ""; do
test_expect_success "a TRUNCATE and reload committed between snapshot and lock${mode:+ (sdump $mode)}: a fresh snapshot, 1,000 rows" '
	ddl_between "TRUNCATE t; INSERT INTO t SELECT g, '"'"'v'"'"' || g
		FROM generate_series(1, 1000) g" "$mode" &&
	test "$(cat rc)" = 0 && test "$(rows_in a.sdump)" = 1000
'
test_expect_success "an ALTER TABLE ... TYPE (a rewrite) committed between snapshot and lock${mode:+ (sdump $mode)}: a fresh snapshot, 1,000 rows" '
	ddl_between "ALTER TABLE t ALTER COLUMN v TYPE varchar(100) USING v || '"''"'" "$mode" &&
	test "$(cat rc)" = 0 && test "$(rows_in a.sdump)" = 1000 &&
	srestore --list <a.sdump >/dev/null &&
	pg_sql db "ALTER TABLE t ALTER COLUMN v TYPE text" >/dev/null
'
test_expect_success "a table dropped between snapshot and lock${mode:+ (sdump $mode)}: a fresh snapshot without it" '
	pg_sql db "drop table if exists gone; create table gone (k int); insert into gone values (1)" >/dev/null &&
	ddl_between "DROP TABLE gone" "$mode" &&
	{ test "$(cat rc)" = 0 || { cat err; false; }; } &&
	test "$(rows_in a.sdump)" = 1000 &&
	! srestore --list <a.sdump | grep -q public.gone
'
test_expect_success "a table renamed and another created in its name between snapshot and lock${mode:+ (sdump $mode)}: a fresh snapshot" '
	pg_sql db "drop table if exists swap, swap_old; create table swap (k int); insert into swap select generate_series(1, 10)" >/dev/null &&
	ddl_between "ALTER TABLE swap RENAME TO swap_old; CREATE TABLE swap (k int); INSERT INTO swap VALUES (1)" "$mode" &&
	{ test "$(cat rc)" = 0 || { cat err; false; }; } &&
	srestore --list <a.sdump >list &&
	test "$(jq -r "select(.table == \"public.swap_old\") | .rows" list)" = 10 &&
	test "$(jq -r "select(.table == \"public.swap\") | .rows" list)" = 1 &&
	pg_sql db "drop table swap, swap_old" >/dev/null
'
test_expect_success "a column dropped between snapshot and lock${mode:+ (sdump $mode)}: a fresh snapshot" '
	pg_sql db "drop table if exists cols; create table cols (k int, dropme int); insert into cols values (1, 2)" >/dev/null &&
	ddl_between "ALTER TABLE cols DROP COLUMN dropme" "$mode" &&
	{ test "$(cat rc)" = 0 || { cat err; false; }; } &&
	srestore --list <a.sdump >list &&
	test "$(jq -r "select(.table == \"public.cols\") | .rows" list)" = 1 &&
	pg_sql db "drop table cols" >/dev/null
'
done

test_expect_success 'TRUNCATE and reload racing the start of sdump: never an empty table' '
	churn "DO \$\$BEGIN FOR i IN 1..1000000 LOOP
		TRUNCATE t; INSERT INTO t SELECT g, '"'"'v'"'"' || g FROM generate_series(1, 1000) g;
		COMMIT; PERFORM pg_sleep(random() * 0.3); END LOOP; END\$\$" &&
	race_rounds; r=$?; stop_churn; return $r
'
# Both directions rewrite the table (USING): a new file each time.
test_expect_success 'ALTER TABLE ... TYPE racing the start of sdump: never an empty table' '
	churn "DO \$\$BEGIN FOR i IN 1..1000000 LOOP
		ALTER TABLE t ALTER COLUMN v TYPE varchar(100) USING v || '"''"';
		COMMIT;
		PERFORM pg_sleep(random() * 0.3);
		ALTER TABLE t ALTER COLUMN v TYPE text USING v || '"''"';
		COMMIT; PERFORM pg_sleep(random() * 0.3); END LOOP; END\$\$" &&
	race_rounds; r=$?; stop_churn; return $r
'
test_expect_success 'an ALTER TABLE queued between sdump and pg_dump: no deadlock, bounded' '
	i=0 &&
	while [ $i -lt 6 ]; do
		i=$((i + 1))
		{ timeout 60 sdump -d db -Z none --lock-timeout 2s >a.sdump 2>err; echo $? >rc; } &
		sleep 0.02
		timeout 60 psql -X -q -d db -c "ALTER TABLE other ADD COLUMN x$i int" >alter.out 2>&1 || {
			echo "round $i: the ALTER did not finish"; cat alter.out; return 1; }
		wait
		rc=$(cat rc)
		case $rc in
		0) test "$(rows_in a.sdump)" = 1000 ;;
		75) expect_one_line_error sdump ;;
		*) echo "round $i: sdump exit $rc"; cat err; return 1 ;;
		esac
		test "$(pg_sql db "select count(*) from pg_locks l join pg_stat_activity a using (pid) where a.application_name in ('"'"'sdump'"'"', '"'"'pg_dump'"'"')")" = 0
	done
'
test_done
