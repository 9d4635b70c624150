#!/bin/sh
# srestore --dry-run and --clean against every kind of object pg_dump puts
# in pre-data, on a real server: functions told apart by their argument
# types (a conflicting one named, an overload no conflict), operators,
# casts, collations, text search configurations; --clean over a schema
# whose objects depend on each other across kinds (a domain whose check
# calls a function, a default calling a function, functions over the
# archive's types and row types, views over functions and over views, a
# range with a subtype_diff function, partitions, enums, a cycle of a table
# whose default calls a function over its row type): the dumped state
# back; objects outside the archive depending on it: each named, refused,
# nothing changed; a --clean failing late: nothing changed.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start

cat >deps.sql <<'SQL'
create type mood as enum ('calm', 'busy');
create function float8_diff(a double precision, b double precision)
	returns double precision language sql immutable as 'select a - b';
create type floatrange as range (subtype = double precision, subtype_diff = float8_diff);
create function positive(v integer) returns boolean language sql immutable
	as 'select v > 0';
create domain qty as integer check (positive(value));
create function next_code() returns text language sql as $$select 'C' || 1$$;
create table items (id int primary key, code text default next_code(), q qty,
	m mood, r floatrange);
create function width(r floatrange) returns double precision language sql
	immutable as 'select upper(r) - lower(r)';
create function mood_of(i items) returns mood language sql as 'select i.m';
create view item_widths as select id, width(r) as w, mood_of(items) as m from items;
create view wide_items as select * from item_widths where w > 1;
create materialized view wide_count as select count(*) as n from wide_items;
create table bills (id int, billed date) partition by range (billed);
create table bills_2025 partition of bills for values from ('2025-01-01') to ('2026-01-01');
create function mood_rank(m mood) returns integer language sql immutable
	as $$select case m when 'calm' then 1 else 2 end$$;
create cast (mood as integer) with function mood_rank(mood);
create function mood_eq(a mood, b mood) returns boolean language sql immutable
	as 'select a = b';
create operator === (leftarg = mood, rightarg = mood, function = mood_eq);
create collation plain_c (locale = 'C');
create text search configuration plain_ts (copy = simple);
create aggregate total_qty(qty) (sfunc = int4pl, stype = integer);
create procedure bump(inout n integer) language plpgsql as $$begin n := n + 1; end$$;
create table cyc (id int);
create function cyc_rank(c cyc) returns int language sql as 'select 1';
alter table cyc add column rank int default cyc_rank(null::cyc);
insert into cyc (id) values (1);
insert into items values (1, default, 3, 'calm', '[1,3)'), (2, default, 5, 'busy', '[0,1)');
insert into bills values (1, '2025-03-01');
refresh materialized view wide_count;
SQL

test_expect_success 'setup: a schema whose objects depend on each other across kinds, and its archive' '
	pg_createdb deps && psql -X -q -v ON_ERROR_STOP=1 -d deps -f deps.sql &&
	expect_exit 0 sdump -d deps && mv out deps.sdump &&
	expect_exit 0 sdump -d deps -Z none && mv out deps.tar &&
	pg_dump_plain deps deps-src.sql
'

test_expect_success '--dry-run: a function of the archive with the same argument types is named; the restore agrees' '
	pg_createdb fx &&
	pg_sql fx "create function positive(v integer) returns boolean language sql as '"'"'select true'"'"'" &&
	expect_exit 1 srestore --dry-run -d fx <deps.sdump &&
	tail -n 1 out | jq -e ".ok == false and .problem_count == 1" &&
	grep -q "function public.positive(integer) already exists in the target database" err &&
	expect_exit 1 srestore -d fx <deps.sdump &&
	grep -q "positive" err &&
	test "$(pg_sql fx "select count(*) from pg_class where relname = '"'"'items'"'"'")" = 0
'

test_expect_success '--dry-run: overloads with other argument types are no conflict; the restore succeeds and keeps them' '
	pg_createdb ov &&
	pg_sql ov "create function positive(v text) returns boolean language sql as '"'"'select true'"'"';
		create function width(r numrange) returns numeric language sql as '"'"'select 1'"'"';
		create aggregate total_qty(integer) (sfunc = int4pl, stype = integer);
		create procedure bump(inout n text) language sql as '"'"'select 1'"'"'" &&
	expect_exit 0 srestore --dry-run -d ov <deps.sdump &&
	tail -n 1 out | jq -e ".ok == true" &&
	expect_exit 0 srestore -d ov <deps.sdump &&
	test "$(pg_sql ov "select count(*) from pg_proc where pronamespace = '"'"'public'"'"'::regnamespace and proname in ('"'"'positive'"'"', '"'"'width'"'"', '"'"'total_qty'"'"', '"'"'bump'"'"')")" = 8 &&
	test "$(pg_sql ov "select n from wide_count")" = 1
'

test_expect_success '--dry-run: operators, casts, collations, text search configurations, procedures, partitioned tables that exist are named' '
	pg_createdb ops &&
	pg_sql ops "create collation plain_c (locale = '"'"'C'"'"');
		create text search configuration plain_ts (copy = simple);
		create procedure bump(inout n integer) language sql as '"'"'select 1'"'"';
		create operator === (leftarg = int, rightarg = int, function = int4eq);
		create cast (text as bytea) without function" &&
	expect_exit 1 srestore --dry-run -d ops <deps.sdump &&
	tail -n 1 out | jq -e ".ok == false and .problem_count == 3" &&
	for o in "collation public.plain_c" "text search configuration public.plain_ts" \
		"function public.bump(integer)"; do
		grep -q "$o already exists" err || return 1
	done &&
	pg_createdb ops2 &&
	pg_sql ops2 "create type mood as enum ('"'"'x'"'"');
		create function r2(m mood) returns integer language sql as '"'"'select 1'"'"';
		create cast (mood as integer) with function r2(mood);
		create function e2(a mood, b mood) returns boolean language sql as '"'"'select true'"'"';
		create operator === (leftarg = mood, rightarg = mood, function = e2)" &&
	expect_exit 1 srestore --dry-run -d ops2 <deps.sdump &&
	tail -n 1 out | jq -e ".ok == false and .problem_count == 3" &&
	grep -q "cast from public.mood to integer already exists" err &&
	grep -q "operator public.===(public.mood,public.mood) already exists" err &&
	grep -q "type public.mood already exists" err &&
	pg_createdb ops3 && pg_sql ops3 "create table bills (x int)" &&
	expect_exit 1 srestore --dry-run -d ops3 <deps.sdump &&
	grep -q "table public.bills already exists" err &&
	expect_exit 1 srestore -d ops3 <deps.sdump
'

test_expect_success '--clean over a changed database: the dumped state back, an overload outside the archive kept' '
	pg_sql deps "update items set q = 9, m = '"'"'busy'"'"', r = '"'"'[5,9)'"'"';
		delete from bills; insert into items values (3, default, 1, '"'"'calm'"'"', null);
		refresh materialized view wide_count;
		create function positive(v text) returns boolean language sql as '"'"'select true'"'"'" &&
	expect_exit 0 srestore --dry-run --clean -d deps <deps.sdump &&
	tail -n 1 out | jq -e ".ok == true" &&
	expect_exit 0 srestore --clean -d deps <deps.sdump &&
	test "$(pg_sql deps "select count(*) from pg_proc where proname = '"'"'positive'"'"'")" = 2 &&
	pg_sql deps "drop function positive(text)" &&
	pg_dump_plain deps deps-after.sql && diff deps-src.sql deps-after.sql
'

cat >outside.sql <<'SQL'
create view my_wide as select * from wide_items;
create function my_width(r floatrange) returns int language sql as 'select 1';
create table my_moods (m mood);
create table bills_2026 partition of bills for values from ('2026-01-01') to ('2027-01-01');
create table my_codes (c text default next_code());
create domain my_qty as int check (positive(value));
create table my_refs (id int references items);
create function my_item(i items) returns int language sql as 'select 1';
SQL
test_expect_success '--clean refuses what outside the archive depends on it, each named, nothing changed' '
	psql -X -q -v ON_ERROR_STOP=1 -d deps -f outside.sql &&
	pg_dump_plain deps before.sql &&
	expect_exit 1 srestore --dry-run --clean -d deps <deps.sdump &&
	tail -n 1 out | jq -e ".ok == false" &&
	expect_exit 1 srestore --clean -d deps <deps.sdump &&
	expect_one_line_error srestore &&
	grep -q "objects outside the archive depend on its objects" err &&
	grep -q "nothing was dropped" err &&
	for o in "view public.my_wide (on view public.wide_items)" \
		"function public.my_width(public.floatrange) (on type public.floatrange)" \
		"table public.my_moods (on type public.mood)" \
		"table public.bills_2026 (on table public.bills)" \
		"default value for column c of table public.my_codes (on function public.next_code())" \
		"my_qty.* (on function public.positive(integer))" \
		"constraint my_refs_id_fkey on table public.my_refs (on table public.items)" \
		"function public.my_item(public.items) (on table public.items)"; do
		grep -q "$o" err || { echo "not named: $o"; return 1; }
	done &&
	pg_dump_plain deps after.sql && diff before.sql after.sql
'

test_expect_success '--clean failing late (a truncated archive) leaves the target unchanged' '
	pg_sql deps "drop view my_wide; drop function my_width(floatrange), my_item(items);
		drop table my_moods, bills_2026, my_codes, my_refs; drop domain my_qty;
		update items set q = 7" &&
	pg_dump_plain deps before.sql &&
	head -c $(( $(wc -c <deps.tar) - 2048 )) deps.tar >trunc.tar &&
	expect_exit 1 srestore --clean -d deps <trunc.tar &&
	expect_one_line_error srestore && grep -q "truncated" err &&
	pg_dump_plain deps after.sql && diff before.sql after.sql &&
	expect_exit 0 srestore --clean -d deps <deps.tar &&
	pg_dump_plain deps deps-after.sql && diff deps-src.sql deps-after.sql
'

test_done
