#!/bin/sh
# The objects a real database holds, through sdump and srestore on a real
# server: a table with no column (and rows), ownership and privileges of
# roles the new server lacks (--no-owner, --no-acl, --role), --clean with
# objects outside the archive that depend on the archive's, --dry-run of
# every object pre-data creates, and -t archives into an empty database.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"
. "$TEST_ROOT/t/lib/own-archive.sh"

pg_start

test_expect_success 'a table with no column and 3 rows: dumped, restored, counted' '
	pg_createdb zc &&
	pg_sql zc "create table marker ();
		insert into marker default values; insert into marker default values;
		insert into marker default values;
		create table t (id int); insert into t values (1)" &&
	expect_exit 0 sdump -d zc && mv out zc.sdump &&
	tar -xOf zc.sdump strongbox/trailer.json |
		jq -e ".tables[] | select(.name == \"marker\") | .rows == 3" &&
	pg_createdb zc2 && expect_exit 0 srestore -d zc2 <zc.sdump &&
	test "$(pg_sql zc2 "select count(*) from marker")" = 3 &&
	expect_exit 0 sdump -d zc -j 2 --split-size 1 && mv out zc-j.sdump &&
	pg_createdb zc3 && expect_exit 0 srestore -d zc3 <zc-j.sdump &&
	test "$(pg_sql zc3 "select count(*) from marker")" = 3
'

test_expect_success '--clean refuses when a view outside the archive depends on an archive view: named, kept' '
	pg_createdb vw &&
	pg_sql vw "create table bills (id int, total int); insert into bills values (1, 10);
		create view bill_totals as select id, total from bills;
		create materialized view bill_mv as select * from bill_totals" &&
	sdump -d vw >vw.sdump &&
	pg_sql vw "create view my_report as select * from bill_totals where total > 5;
		create view my_mv_report as select * from bill_mv" &&
	expect_exit 1 srestore --clean -d vw <vw.sdump &&
	expect_one_line_error srestore &&
	grep -q "view public.my_report (on view public.bill_totals)" err &&
	grep -q "view public.my_mv_report (on materialized view public.bill_mv)" err &&
	test "$(pg_sql vw "select count(*) from my_report")" = 1 &&
	pg_sql vw "drop view my_report, my_mv_report" &&
	expect_exit 0 srestore --clean -d vw <vw.sdump &&
	test "$(pg_sql vw "select count(*) from bill_mv")" = 1
'

test_expect_success '--dry-run with a sequence of the archive already there: ok false, named; the restore agrees' '
	pg_createdb sq && pg_sql sq "create sequence counter; create table t (id int)" &&
	sdump -d sq >sq.sdump &&
	pg_createdb sq2 && pg_sql sq2 "create sequence counter" &&
	expect_exit 1 srestore --dry-run -d sq2 <sq.sdump &&
	tail -n 1 out | jq -e ".ok == false" &&
	grep -q "sequence public.counter already exists in the target database" err &&
	expect_exit 1 srestore -d sq2 <sq.sdump &&
	pg_createdb sq3 && expect_exit 0 srestore --dry-run -d sq3 <sq.sdump &&
	tail -n 1 out | jq -e ".ok == true"
'

test_expect_success 'the report: seconds rounded to milliseconds' '
	pg_createdb rep && expect_exit 0 srestore -d rep <zc.sdump &&
	jq -e "[.seconds, .timing[], .reader.cpu_seconds] |
		all(tostring | test(\"^[0-9]+([.][0-9]{1,3})?(e-?[0-9]+)?$\"))" out
'
test_expect_success 'progress on a terminal rewrites one line in place' '
	pg_createdb tty &&
	script -qec "srestore -d tty <zc.sdump >/dev/null" typescript >/dev/null &&
	test "$(pg_sql tty "select count(*) from marker")" = 3 &&
	test "$(tr -cd "\r" <typescript | wc -c)" -ge 3 &&
	test "$(grep -c "srestore: " typescript)" -le 2
'

test_expect_success 'setup: an archive of objects owned by postgres, granted to a role the new server lacks' '
	pg_sql postgres "create role app login" &&
	own_archive &&
	"$PG_BIN/createdb" -O app own2
'
test_expect_success '--check and --list --roles name the roles the archive needs' '
	expect_exit 0 srestore --check <own.sdump &&
	jq -e ".roles == [\"gone_role\", \"postgres\"]" out &&
	expect_exit 0 srestore --list --roles <own.sdump &&
	jq -se "length == 2 and .[0].role == \"gone_role\" and .[0].privileges >= 1
		and .[1].role == \"postgres\" and .[1].owns >= 2" out
'
test_expect_success 'a non-superuser restoring it: the ownership error names --no-owner' '
	expect_exit 1 srestore -d own2 -U app <own.sdump &&
	expect_one_line_error srestore && grep -q "OWNER TO" err &&
	grep -q -- "--no-owner" err &&
	test -z "$(pg_sql own2 "select 1 from pg_class where relname = '"'"'clients'"'"'")"
'
test_expect_success 'with --no-owner, the missing role of a GRANT names --no-acl' '
	expect_exit 1 srestore -d own2 -U app --no-owner <own.sdump &&
	grep -q "gone_role" err && grep -q -- "--no-acl" err &&
	test -z "$(pg_sql own2 "select 1 from pg_class where relname = '"'"'clients'"'"'")"
'
test_expect_success '--no-owner --no-acl: restored, owned by the restoring user' '
	expect_exit 0 srestore -d own2 -U app --no-owner --no-acl <own.sdump &&
	test "$(pg_sql own2 "select count(*) from clients")" = 2 &&
	test "$(pg_sql own2 "select tableowner from pg_tables where tablename = '"'"'clients'"'"'")" = app &&
	test "$(pg_sql own2 "select pg_get_userbyid(typowner) from pg_type where typname = '"'"'address'"'"'")" = app
'
test_expect_success '--role: SET ROLE before restoring (-O -x as pg_restore)' '
	pg_createdb own3 && pg_sql own3 "grant create on schema public to app" &&
	expect_exit 0 srestore -d own3 --role app -O -x <own.sdump &&
	test "$(pg_sql own3 "select tableowner from pg_tables where tablename = '"'"'clients'"'"'")" = app &&
	expect_exit 1 srestore -d own3 --role nobody_here --clean -O -x <own.sdump &&
	grep -q "role \"nobody_here\" does not exist" err
'
cat >ts-types.sql <<'EOF'
create schema shop;
create domain shop.zip as text check (value ~ '^[0-9]+$');
create type shop.address as (street text, zip shop.zip);
EOF
cat >ts.sql <<'EOF'
create table shop.customers (id int primary key, home shop.address);
insert into shop.customers values (1, row('Main St', '560001'));
create table other (x int);
EOF
test_expect_success 'a -t archive into an empty database: refused in one line that says it is a -t archive, nothing left' '
	pg_createdb ts && psql -X -q -v ON_ERROR_STOP=1 -d ts -f ts-types.sql -f ts.sql &&
	expect_exit 0 sdump -d ts -t shop.customers && mv out ts.sdump &&
	pg_createdb ts2 &&
	expect_exit 1 srestore -d ts2 <ts.sdump &&
	expect_one_line_error srestore &&
	grep -q "this is a -t archive (sdump -t shop.customers)" err &&
	grep -q "dump without -t" err &&
	test "$(psql -X -qAt -d ts2 -c "select count(*) from pg_class where relname = \$\$customers\$\$")" = 0 &&
	pg_createdb ts3 && psql -X -q -v ON_ERROR_STOP=1 -d ts3 -f ts-types.sql &&
	expect_exit 0 srestore -d ts3 <ts.sdump &&
	test "$(pg_sql ts3 "select (home).zip from shop.customers")" = 560001
'

cat >cd.sql <<'EOF'
create domain zip as text check (value ~ '^[0-9]+$');
create type mood as enum ('calm', 'busy');
create domain staff_mood as mood;
create type address as (street text, zip zip, m staff_mood);
create table customers (id int primary key, home address);
insert into customers values (1, row('Main St', '560001', 'calm'));
EOF
test_expect_success '--clean: a composite type over a domain, a domain over an enum, all in the archive: replaced' '
	pg_createdb cd && psql -X -q -v ON_ERROR_STOP=1 -d cd -f cd.sql &&
	expect_exit 0 sdump -d cd && mv out cd.sdump &&
	pg_sql cd "update customers set home = row(\$\$Side St\$\$, \$\$1\$\$, \$\$busy\$\$)" &&
	expect_exit 0 srestore -d cd --clean <cd.sdump &&
	test "$(pg_sql cd "select (home).zip from customers")" = 560001
'

test_done
