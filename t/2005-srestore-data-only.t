#!/bin/sh
# --data-only into a schema that migrations made (other column order, an
# extra column, rows of its own): foreign-key chains, a cycle and a
# self-reference; sequences set; a failing foreign key rolls back.  And a
# restore that runs out of lock table space names the setting to raise.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start

test_expect_success 'setup: source rows, and a migration-made target' '
	pg_createdb src &&
	pg_sql src "
	create table a (id serial primary key, name text);
	create table b (id serial primary key, a_id int not null references a, note text);
	create table c (id serial primary key, b_id int references b, parent int references c);
	create table x (id int primary key, y_id int);
	create table y (id int primary key, x_id int references x);
	alter table x add foreign key (y_id) references y;
	insert into a (name) select '"'"'a'"'"' || i from generate_series(1, 300) i;
	insert into b (a_id, note) select 1 + i % 300, E'"'"'n\\\\t'"'"' || i from generate_series(1, 2000) i;
	insert into c (b_id, parent) select 1 + i % 2000, null from generate_series(1, 5000) i;
	update c set parent = id + 1 where id < 5000;
	insert into x values (1, null), (2, null);
	insert into y values (1, 2), (2, 1);
	update x set y_id = 3 - id;" &&
	sdump -d src --data-only -t a -t b -t c -t x -t y --chunk-size 8192 >d.sdump &&
	pg_createdb dst &&
	pg_sql dst "
	create table a (name text, id serial primary key, added text default '"'"'new'"'"');
	create table b (id serial primary key, note text, a_id int not null references a);
	create table c (id serial primary key, parent int references c, b_id int references b);
	create table x (id int primary key, y_id int);
	create table y (id int primary key, x_id int references x);
	alter table x add foreign key (y_id) references y;
	insert into a (name) values ('"'"'old'"'"');
	insert into b (a_id, note) values (1, '"'"'old'"'"');"
'
test_expect_success '--dry-run --data-only: the plan, nothing changed' '
	expect_exit 0 srestore --dry-run --data-only -d dst <d.sdump &&
	jq -se "(last | .ok) and (.[0].action == \"truncate and load\")" out &&
	test "$(pg_sql dst "select name from a")" = old
'
test_expect_success '--data-only loads every row, cycles and self-references too' '
	expect_exit 0 srestore --data-only -d dst <d.sdump &&
	jq -e ".mode == \"data-only\" and .rows == 7304" out &&
	for q in "select id, name from a order by id" "select id, a_id, note from b order by id" \
		"select id, b_id, parent from c order by id" "select * from x order by id" \
		"select * from y order by id"; do
		test "$(pg_sql src "$q" | md5sum)" = "$(pg_sql dst "$q" | md5sum)" || return 1
	done &&
	test "$(pg_sql dst "select count(*) from a where added = '"'"'new'"'"'")" = 300
'
test_expect_success 'sequences are set: the next id follows the restored ones' '
	test "$(pg_sql dst "insert into c (b_id) values (1) returning id")" = 5001
'
test_expect_success 'the foreign keys are back and enforced' '
	test "$(pg_sql dst "select count(*) from pg_constraint where contype = '"'"'f'"'"'")" = 5 &&
	! pg_sql dst "insert into b (a_id) values (999)" 2>/dev/null
'
test_expect_success 'the target'"'"'s own triggers do not touch restored rows, and come back as they were' '
	pg_sql dst "
	create table audit (what text);
	create function stamp() returns trigger language plpgsql as \$\$
	begin NEW.name := '"'"'stamped'"'"'; insert into audit values (TG_OP); return NEW; end \$\$;
	create trigger a_stamp before insert or update on a for each row execute function stamp();
	create trigger a_always before insert on a for each row execute function stamp();
	alter table a enable always trigger a_always;
	create trigger a_off before insert on a for each row execute function stamp();
	alter table a disable trigger a_off" &&
	expect_exit 0 srestore --data-only -d dst -t a -t b -t c <d.sdump &&
	test "$(pg_sql dst "select count(*) from a where name = '"'"'stamped'"'"'")" = 0 &&
	test "$(pg_sql dst "select count(*) from audit")" = 0 &&
	test "$(pg_sql dst "select string_agg(tgname || '"'"'='"'"' || tgenabled::text, '"'"' '"'"' order by tgname) from pg_trigger where tgrelid = '"'"'a'"'"'::regclass and not tgisinternal")" = "a_always=A a_off=D a_stamp=O" &&
	pg_sql dst "drop table audit; drop trigger a_stamp on a; drop trigger a_always on a; drop trigger a_off on a"
'
test_expect_success 'rows that break a target foreign key: rolled back, unchanged' '
	pg_sql src "alter table b drop constraint b_a_id_fkey; insert into b (a_id) values (777)" &&
	sdump -d src --data-only -t a -t b -t c >bad.sdump &&
	before=$(pg_dump -d dst | grep -v restrict | md5sum) &&
	expect_exit 1 srestore --data-only -d dst <bad.sdump &&
	expect_one_line_error srestore &&
	grep -q "foreign key .* does not hold" err &&
	test "$(pg_dump -d dst | grep -v restrict | md5sum)" = "$before"
'
test_expect_success 'out of lock table space: a clear message naming the setting' '
	pg_createdb many &&
	i=0 && while [ $i -lt 400 ]; do echo "create table t$i (id serial primary key, v text);"; i=$((i + 1)); done >many.sql &&
	psql -X -q -v ON_ERROR_STOP=1 -d many -f many.sql &&
	sdump -d many >many.sdump &&
	echo "max_locks_per_transaction = 10" >>"$PG_DIR/data/postgresql.conf" &&
	echo "max_connections = 10" >>"$PG_DIR/data/postgresql.conf" &&
	_pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -t 60 restart >/dev/null 2>&1 &&
	pg_createdb manydst &&
	expect_exit 1 srestore -d manydst <many.sdump &&
	expect_one_line_error srestore &&
	grep -q "raise max_locks_per_transaction (now 10)" err &&
	test "$(pg_sql manydst "select count(*) from pg_tables where schemaname = '"'"'public'"'"'")" = 0
'
test_done
