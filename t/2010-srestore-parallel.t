#!/bin/sh
# srestore -j N: N sessions into a staging database swapped in by rename.
# Round trips with -j 1, 2 and 4 into a new database, an empty one and
# with --clean over a changed one (pg_dump of source and result identical,
# hard schema and salon schema); --clean refusing what the archive lacks;
# a failure at each phase (bad chunk, failing index, failing foreign key,
# SIGINT, a worker session killed) leaving the old database as it was and
# no staging database; a session connected to the target (exit 75, named)
# and --force-disconnect --yes; owner, privileges and settings carried over.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start


test_expect_success 'usage: -j with --data-only or -t, a bad N, options without -j' '
	expect_exit 2 srestore -j 2 --data-only </dev/null &&
	expect_one_line_error srestore &&
	expect_exit 2 srestore -j 2 -t bills </dev/null &&
	expect_exit 2 srestore -j 0 </dev/null &&
	expect_exit 2 srestore -j x </dev/null &&
	expect_exit 2 srestore --keep-old </dev/null &&
	expect_exit 2 srestore -j 2 --check </dev/null &&
	expect_exit 2 srestore -j 2 --force-disconnect </dev/null &&
	grep -q "needs --yes" err
'
test_expect_success 'setup: hard schema and salon sources, their archives' '
	pg_createdb hard &&
	psql -X -q -v ON_ERROR_STOP=1 -d hard -f "$TEST_ROOT/t/lib/hard-schema.sql" >/dev/null &&
	pg_dump_plain hard hard.sql &&
	sdump -d hard -j 2 --chunk-size 1k >hard.sdump &&
	pg_createdb salon &&
	"$TEST_ROOT/share/strongbox/salon-load.sh" -f -s 0.05 -d 60 salon >/dev/null &&
	pg_dump_plain salon salon.sql &&
	sdump -d salon --chunk-size 64k >salon.sdump
'
for j in 1 2 4; do
	test_expect_success "-j $j into a new database: same pg_dump (hard, salon)" "
		srestore -j $j -d new_hard_$j <hard.sdump >report &&
		jq -e '.jobs == $j and (.sessions | length) == $j and .swap.replaced == false' report &&
		pg_dump_plain new_hard_$j got.sql && diff hard.sql got.sql &&
		test \"\$(pg_sql new_hard_$j \"select nextval('branches_id_seq')\")\" = 43 &&
		srestore -j $j -d new_salon_$j <salon.sdump >report &&
		pg_dump_plain new_salon_$j got.sql && diff salon.sql got.sql &&
		pg_no_staging_left
	"
done
test_expect_success 'post-data as a pool: keys of partitioned tables, foreign keys to them and to unique indexes, exclusion constraints (-j 1, 2, 4)' '
	pg_createdb deps &&
	psql -X -q -v ON_ERROR_STOP=1 -d deps >/dev/null <<-\EOF &&
	CREATE EXTENSION btree_gist;
	CREATE TABLE ledger (id bigint, day date, amount int) PARTITION BY RANGE (day);
	CREATE TABLE ledger_a PARTITION OF ledger FOR VALUES FROM (MINVALUE) TO ('"'"'2026-01-01'"'"') PARTITION BY HASH (id);
	CREATE TABLE ledger_a0 PARTITION OF ledger_a FOR VALUES WITH (MODULUS 2, REMAINDER 0);
	CREATE TABLE ledger_a1 PARTITION OF ledger_a FOR VALUES WITH (MODULUS 2, REMAINDER 1);
	CREATE TABLE ledger_b PARTITION OF ledger FOR VALUES FROM ('"'"'2026-01-01'"'"') TO (MAXVALUE);
	ALTER TABLE ledger ADD PRIMARY KEY (id, day);
	CREATE INDEX ledger_amount ON ledger (amount);
	CREATE TABLE codes (code text, CONSTRAINT codes_code UNIQUE (code));
	CREATE UNIQUE INDEX codes_lower ON codes (lower(code));
	CREATE TABLE notes (id int PRIMARY KEY, ledger_id bigint, day date, code text,
		FOREIGN KEY (ledger_id, day) REFERENCES ledger, FOREIGN KEY (code) REFERENCES codes (code));
	CREATE TABLE rooms (room int, during tstzrange,
		EXCLUDE USING gist (room WITH =, during WITH &&));
	INSERT INTO ledger SELECT i, DATE '"'"'2025-06-01'"'"' + i % 400, i FROM generate_series(1, 4000) i;
	INSERT INTO codes SELECT '"'"'c'"'"' || i FROM generate_series(1, 300) i;
	INSERT INTO notes SELECT i, i, DATE '"'"'2025-06-01'"'"' + i % 400, '"'"'c'"'"' || (1 + i % 300) FROM generate_series(1, 2000) i;
	INSERT INTO rooms SELECT i % 10, tstzrange(now() + i * interval '"'"'1 day'"'"', now() + (i + 1) * interval '"'"'1 day'"'"') FROM generate_series(1, 500) i;
	EOF
	pg_dump_plain deps deps.sql &&
	grep -q "ATTACH PARTITION" deps.sql &&
	sdump -d deps --chunk-size 8k >deps.sdump &&
	for j in 1 2 4; do
		srestore -j $j -d deps_$j <deps.sdump >report &&
		pg_dump_plain deps_$j got.sql && diff deps.sql got.sql &&
		jq -e ".timing.post_data_phases.index_attach >= 0 and .timing.post_data_phases.foreign_keys > 0" report || exit 1
	done &&
	pg_no_staging_left
'
test_expect_success '-j 2 into an empty database; a non-empty one is refused' '
	pg_createdb empty &&
	srestore -j 2 -d empty <salon.sdump >report &&
	pg_dump_plain empty got.sql && diff salon.sql got.sql &&
	expect_exit 1 srestore -j 2 -d empty <salon.sdump &&
	expect_one_line_error srestore &&
	grep -q "is not empty (it holds" err &&
	pg_no_staging_left
'
for j in 1 2 4; do
	test_expect_success "-j $j --clean over a changed database: same pg_dump" "
		pg_sql new_salon_$j 'delete from bill_items where id % 3 = 0; alter table customers add column x int; create index cx on customers (x)' &&
		srestore -j $j --clean -d new_salon_$j <salon.sdump >report &&
		jq -e '.swap.replaced and .swap.old_dropped' report &&
		jq -e '.swap.seconds >= 0 and .timing.swap == .swap.seconds and
			(.sessions | length) == $j and .sessions[0].phases.pre_data > 0 and
			([.sessions[].phases | keys[]] | unique | contains([\"data\", \"indexes\", \"foreign_keys\"])) and
			([.seconds, .timing[], .sessions[].phases[]] | map(numbers) |
				all(tostring | test(\"^[0-9]+([.][0-9]{1,3})?\$\")))' report &&
		pg_dump_plain new_salon_$j got.sql && diff salon.sql got.sql &&
		pg_sql new_hard_$j 'update branches set name = name || 1' &&
		srestore -j $j --clean -d new_hard_$j <hard.sdump >/dev/null &&
		pg_dump_plain new_hard_$j got.sql && diff hard.sql got.sql &&
		pg_no_staging_left
	"
done
test_expect_success '--clean refuses a database holding what the archive lacks' '
	pg_sql new_salon_1 "create table extra (x int)" &&
	pg_dump_plain new_salon_1 before.sql &&
	expect_exit 1 srestore -j 2 --clean -d new_salon_1 <salon.sdump &&
	expect_one_line_error srestore &&
	grep -q "holds what the archive does not: table public.extra" err &&
	pg_dump_plain new_salon_1 after.sql && diff before.sql after.sql &&
	pg_no_staging_left
'
test_expect_success '--clean refuses an overload, an operator or a collation the archive lacks' '
	pg_sql new_salon_1 "drop table extra;
		create function extra_f(a text) returns int language sql as \$\$select 1\$\$;
		create function extra_f(a int) returns int language sql as \$\$select 1\$\$" &&
	sdump -d new_salon_1 >extra.sdump &&
	pg_sql new_salon_1 "drop function extra_f(text);
		create function extra_f(b bigint) returns int language sql as \$\$select 2\$\$;
		create operator public.### (leftarg = int, rightarg = int, function = int4pl);
		create collation extra_c (locale = \$\$C\$\$)" &&
	pg_dump_plain new_salon_1 before.sql &&
	expect_exit 1 srestore -j 2 --clean -d new_salon_1 <extra.sdump &&
	expect_one_line_error srestore &&
	grep -q "holds what the archive does not: collation public.extra_c, function public.extra_f(bigint), operator public.###(integer,integer);" err &&
	pg_dump_plain new_salon_1 after.sql && diff before.sql after.sql &&
	pg_sql new_salon_1 "drop function extra_f(bigint); drop operator public.###(int, int);
		drop collation extra_c" &&
	expect_exit 0 srestore -j 2 --clean -d new_salon_1 <extra.sdump &&
	test "$(pg_sql new_salon_1 "select count(*) from pg_proc where proname = \$\$extra_f\$\$")" = 2 &&
	pg_no_staging_left
'
test_expect_success 'owner, privileges, settings and comment carried over; --keep-old' '
	pg_sql postgres "create role app; create role reader" &&
	pg_sql postgres "create database props owner app connection limit 17" &&
	pg_sql postgres "grant connect on database props to reader; revoke all on database props from public;
		alter database props set work_mem = '"'"'7MB'"'"';
		alter database props set search_path = public, \"\$user\", \"odd, one\";
		alter role reader in database props set statement_timeout = '"'"'5s'"'"';
		comment on database props is '"'"'the salon'"'"'" &&
	props() {
		pg_sql postgres "select datdba::regrole, datconnlimit, datacl, shobj_description(oid, '"'"'pg_database'"'"'), pg_encoding_to_char(encoding), datcollate from pg_database where datname = '"'"'props'"'"'" &&
		pg_sql postgres "select setrole::regrole, setconfig from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase where datname = '"'"'props'"'"' order by 1"
	} &&
	props >props.before &&
	srestore -j 2 -d props <salon.sdump >report &&
	props >props.after && diff props.before props.after &&
	srestore -j 2 --clean --keep-old -d props <salon.sdump >report 2>err &&
	grep -q "kept as" err &&
	props >props.after && diff props.before props.after &&
	old=$(jq -r .swap.old_database report) &&
	test "$(pg_sql postgres "select count(*) from pg_database where datname = '"'"'$old'"'"'")" = 1 &&
	pg_sql postgres "drop database \"$old\"" &&
	pg_dump_plain props got.sql && diff salon.sql got.sql &&
	pg_no_staging_left
'
test_expect_success 'two --keep-old restores back to back, their dated names taken: each keeps its replaced database under a free name' '
	pg_createdb kept &&
	pg_sql kept "create table t (id int primary key); insert into t values (1)" &&
	sdump -d kept >kept.sdump &&
	pg_sql kept "insert into t values (2)" &&
	# The names of this second and the next 30 taken (by databases of
	# someone else: no strongbox mark), so that both swaps meet one.
	s=$(date -u +%s) &&
	for i in $(seq 0 30); do
		echo "create database kept_old_$(date -u -d @$((s + i)) +%Y%m%d%H%M%S);"
	done >taken.sql &&
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -f taken.sql >/dev/null &&
	for r in 1 2; do
		srestore -j 1 --clean --keep-old -d kept <kept.sdump >r$r 2>e$r ||
			{ echo "restore $r: exit $?"; cat e$r; exit 1; }
	done &&
	o1=$(jq -r .swap.old_database r1) && o2=$(jq -r .swap.old_database r2) &&
	echo "$o1" | grep -Eqx "kept_old_[0-9]{14}_[0-9]+" &&
	echo "$o2" | grep -Eqx "kept_old_[0-9]{14}(_[0-9]+)?" &&
	test "$o1" != "$o2" &&
	grep -q "kept as \"$o1\"" e1 && grep -q "kept as \"$o2\"" e2 &&
	test "$(pg_sql "$o1" "select array_agg(id order by id) from t")" = "{1,2}" &&
	test "$(pg_sql "$o2" "select array_agg(id order by id) from t")" = "{1}" &&
	test "$(pg_sql kept "select array_agg(id order by id) from t")" = "{1}" &&
	test "$(pg_sql postgres "select count(*) from pg_database where datname like '"'"'kept_old_%'"'"'")" = 33 &&
	sed "s/^create/drop/" taken.sql | psql -X -q -v ON_ERROR_STOP=1 -d postgres -f - >/dev/null &&
	pg_sql postgres "drop database \"$o1\"" && pg_sql postgres "drop database \"$o2\"" &&
	pg_no_staging_left
'
test_expect_success 'without CREATEDB: one line naming it, exit 1' '
	pg_sql postgres "create role nocreate login" &&
	expect_exit 1 srestore -j 2 -d "user=nocreate dbname=nc" <salon.sdump &&
	expect_one_line_error srestore &&
	grep -q "CREATEDB" err
'
# victim DB TABLE: a copy of DB, TABLE commented, to restore over;
# unchanged DB checks that it is still so.
victim() {
	pg_sql postgres "create database victim_$1 template $1" &&
	pg_sql victim_$1 "comment on table $2 is '"'"'changed'"'"'" &&
	pg_dump_plain victim_$1 victim_$1.sql
}
unchanged() {
	pg_dump_plain victim_$1 now.sql && diff victim_$1.sql now.sql && pg_no_staging_left
}
test_expect_success 'setup: a victim database and sources that fail at each phase' '
	sdump -d salon -Z none --chunk-size 64k >plain.sdump &&
	perl -pe "\$done ||= s/Riya R\\. Raghunathan/Riya R. Raghunathaq/" plain.sdump >badchunk.sdump &&
	! cmp -s plain.sdump badchunk.sdump &&
	pg_createdb fx &&
	pg_sql fx "create table t (id int primary key, v int); insert into t select i, i from generate_series(1, 2000) i;
		create function boom(int) returns int language plpgsql immutable as \$\$begin if current_database() <> '"'"'fx'"'"' then raise exception '"'"'boom'"'"'; end if; return \$1; end\$\$;
		create index t_boom on t (boom(v))" &&
	sdump -d fx >fx.sdump &&
	pg_createdb fk &&
	pg_sql fk "create table p (id int primary key); create table c (id int primary key, p int references p);
		insert into p select generate_series(1, 10); insert into c values (1, 1);
		alter table c disable trigger all; insert into c values (2, 12345); alter table c enable trigger all" &&
	sdump -d fk >fk.sdump &&
	pg_createdb slow &&
	pg_sql slow "create table t (id int primary key, v int); insert into t select i, i from generate_series(1, 3000) i;
		create function slow(int) returns int language plpgsql immutable as \$\$begin perform pg_sleep(0.002); return \$1; end\$\$;
		create index t_slow on t (slow(v))" &&
	sdump -d slow >slow.sdump &&
	pg_createdb victim_salon &&
	srestore -j 2 -d victim_salon <salon.sdump >/dev/null &&
	pg_sql victim_salon "delete from bill_items where id < 5" &&
	pg_dump_plain victim_salon victim_salon.sql &&
	victim fx t && victim fk c && victim slow t
'
test_expect_success 'a bad chunk: refused at the trailer, victim unchanged, no staging left' '
	expect_exit 1 srestore -j 2 --clean -d victim_salon <badchunk.sdump &&
	expect_one_line_error srestore &&
	grep -q "SHA-256 mismatch" err &&
	unchanged salon
'
test_expect_success 'a failing index: victim unchanged, no staging left' '
	expect_exit 1 srestore -j 2 --clean -d victim_fx <fx.sdump &&
	expect_one_line_error srestore &&
	grep -q "boom" err &&
	unchanged fx
'
test_expect_success 'a failing foreign key: victim unchanged, no staging left' '
	expect_exit 1 srestore -j 2 --clean -d victim_fk <fk.sdump &&
	expect_one_line_error srestore &&
	grep -q "foreign key" err &&
	unchanged fk
'
# in_index: a session of a staging database builds an index.
in_index() {
	test "$(pg_sql postgres "select count(*) from pg_stat_activity where datname ~ '_strongbox_' and query ~ '^CREATE INDEX'")" -gt 0
}
# staging_idle: no session on a staging database; blocker_in: the blocker is.
staging_idle() {
	test "$(pg_sql postgres "select count(*) from pg_stat_activity where datname ~ '_strongbox_'")" = 0
}
blocker_in() {
	test "$(pg_sql postgres "select count(*) from pg_stat_activity where application_name = 'blocker'")" = 1
}
test_expect_success 'SIGINT during the index builds: cancelled, victim unchanged' '
	{ srestore -j 2 --clean -d victim_slow <slow.sdump >out 2>err & pid=$!; } &&
	wait_for 20 in_index &&
	kill -INT $pid &&
	{ wait $pid; rc=$?; } ; test $rc = 1 &&
	grep -q "^srestore: cancelled$" err &&
	unchanged slow
'
test_expect_success 'a worker session terminated: failed, victim unchanged' '
	{ srestore -j 2 --clean -d victim_slow <slow.sdump >out 2>err & pid=$!; } &&
	wait_for 20 in_index &&
	pg_sql postgres "select pg_terminate_backend(pid) from pg_stat_activity where datname ~ '"'"'_strongbox_'"'"' and query ~ '"'"'^CREATE INDEX'"'"' limit 1" >/dev/null &&
	{ wait $pid; rc=$?; } ; test $rc != 0 && test $rc != 99 &&
	test "$(wc -l <err)" = 1 &&
	unchanged slow
'
test_expect_success 'the administrative session terminated: exit 75, victim unchanged' '
	{ srestore -j 2 --clean -d victim_slow <slow.sdump >out 2>err & pid=$!; } &&
	wait_for 20 in_index &&
	test "$(pg_sql postgres "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = '"'"'postgres'"'"' and application_name = '"'"'srestore'"'"'")" = 1 &&
	{ wait $pid; rc=$?; } ; test $rc = 75 &&
	expect_one_line_error srestore && test ! -s out &&
	unchanged slow
'
test_expect_success 'a killed run leaves a staging database; the next run drops it' '
	{ srestore -j 2 -d stale_t <slow.sdump >out 2>err & pid=$!; } &&
	wait_for 20 in_index &&
	kill -KILL $pid && { wait $pid || true; } &&
	test "$(pg_sql postgres "select count(*) from pg_database where datname ~ '"'"'^stale_t_strongbox_'"'"'")" = 1 &&
	wait_for 60 staging_idle &&
	srestore -j 1 -d stale_t <fk.sdump >/dev/null 2>&1 ; pg_no_staging_left &&
	test "$(pg_sql postgres "select count(*) from pg_database where datname = '"'"'stale_t'"'"'")" = 0
'
test_expect_success 'a session connected to the target: exit 75, named, nothing changed' '
	{ PGAPPNAME=blocker psql -X -q -d victim_salon -c "select pg_sleep(60)" >/dev/null 2>&1 & bpid=$!; } &&
	wait_for 30 blocker_in &&
	expect_exit 75 srestore -j 2 --clean --lock-timeout 1s -d victim_salon <salon.sdump &&
	expect_one_line_error srestore &&
	grep -q "application_name blocker" err &&
	unchanged salon &&
	expect_exit 0 srestore -j 2 --clean --force-disconnect --yes --lock-timeout 5s -d victim_salon <salon.sdump &&
	grep -q "terminating" err &&
	{ wait $bpid || true; } &&
	pg_dump_plain victim_salon now.sql && diff salon.sql now.sql && pg_no_staging_left
'
test_done
