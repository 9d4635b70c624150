#!/bin/sh
# srestore -j as a sysadmin meets it: a role with CREATEDB, not a
# superuser, restoring a postgres-owned archive (-O, -x, --role, --clean);
# the encoding, locale and tablespace of the replaced database carried
# over; the typed --force-disconnect confirmation on a terminal (a wrong
# name, the name, --yes), naming only the sessions of others; a superuser's
# session that the owner may not terminate; SIGTERM while the swap waits
# for a session; stale
# staging and replaced databases (with a number: two in one second)
# dropped only once nothing is connected, a name not strongbox's kept.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"
. "$TEST_ROOT/t/lib/own-archive.sh"

command -v script >/dev/null || { echo "script(1) is missing: run make deps" >&2; exit 1; }
pg_start

db_there() {
	test "$(pg_sql postgres "select count(*) from pg_database where datname = '$1'")" = 1
}
owner_of() {
	pg_sql "$1" "select (select datdba::regrole from pg_database where datname = current_database())
		|| ' ' || (select tableowner from pg_tables where tablename = 'clients')
		|| ' ' || (select typowner::regrole from pg_type where typname = 'address')
		|| ' ' || (select count(*) from clients)"
}
# blocker DB: a session on DB, application_name blocker, until killed.
blocker() {
	{ PGAPPNAME=blocker psql -X -q -d "$1" -c "select pg_sleep(600)" >/dev/null 2>&1 & bpid=$!; } &&
	wait_for 30 blocker_in
}
blocker_in() {
	test "$(pg_sql postgres "select count(*) from pg_stat_activity where application_name = 'blocker'")" = 1
}
blocker_out() {
	test "$(pg_sql postgres "select count(*) from pg_stat_activity where application_name = 'blocker'")" = 0
}
blocker_gone() {
	pg_sql postgres "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'blocker'" >/dev/null
	wait "$bpid" 2>/dev/null || true
}

test_expect_success 'setup: an archive owned by postgres, granted to a role the server lacks' '
	pg_sql postgres "create role app login createdb;
		create role jlogin login; create role jgroup createdb; grant jgroup to jlogin" &&
	own_archive
'
test_expect_success 'a role with CREATEDB: ownership names --no-owner, a missing role --no-acl; nothing left' '
	expect_exit 1 srestore -j 2 -U app -d jown <own.sdump &&
	expect_one_line_error srestore && grep -q "OWNER TO" err && grep -q -- "--no-owner" err &&
	expect_exit 1 srestore -j 2 -U app -O -d jown <own.sdump &&
	expect_one_line_error srestore && grep -q "gone_role" err && grep -q -- "--no-acl" err &&
	! db_there jown && pg_no_staging_left
'
test_expect_success '-O -x: the database and its objects belong to the role; --clean over it' '
	expect_exit 0 srestore -j 2 -U app -O -x -d jown <own.sdump &&
	test "$(owner_of jown)" = "app app app 2" &&
	pg_sql jown "insert into clients (name) values ('"'"'extra'"'"')" &&
	expect_exit 0 srestore -j 2 -U app -O -x --clean -d jown <own.sdump &&
	jq -e ".swap.replaced and .swap.old_dropped" out &&
	test "$(owner_of jown)" = "app app app 2" && pg_no_staging_left
'
test_expect_success '--role: SET ROLE on every session, the role needs CREATEDB' '
	expect_exit 1 srestore -j 2 -U jlogin -O -x -d jrole <own.sdump &&
	expect_one_line_error srestore && grep -q "CREATEDB privilege, which role \"jlogin\" lacks" err &&
	expect_exit 1 srestore -j 2 -U app --role jgroup -O -x -d jrole <own.sdump &&
	expect_one_line_error srestore && grep -q "cannot SET ROLE" err &&
	expect_exit 0 srestore -j 2 -U jlogin --role jgroup -O -x -d jrole <own.sdump &&
	test "$(owner_of jrole)" = "jgroup jgroup jgroup 2" &&
	expect_exit 0 srestore -j 2 -U jlogin --role jgroup -O -x --clean -d jrole <own.sdump &&
	test "$(owner_of jrole)" = "jgroup jgroup jgroup 2" && pg_no_staging_left
'
test_expect_success 'encoding, locale and tablespace carried over (libc and ICU)' '
	mkdir tsdir && { test "$(id -u)" != 0 || chown postgres: tsdir; } &&
	pg_sql postgres "create tablespace tsp location '"'"'$TRASH/tsdir'"'"'" &&
	pg_sql postgres "create database loc1 template template0 encoding '"'"'LATIN1'"'"'
		lc_collate '"'"'C'"'"' lc_ctype '"'"'POSIX'"'"' tablespace tsp" &&
	pg_sql postgres "create database loc2 template template0 encoding '"'"'UTF8'"'"'
		locale_provider icu icu_locale '"'"'de'"'"' lc_collate '"'"'C'"'"' lc_ctype '"'"'C.UTF-8'"'"'" &&
	locs() {
		pg_sql postgres "select datname, pg_encoding_to_char(encoding), datcollate, datctype,
			datlocprovider, daticulocale, spcname from pg_database d
			join pg_tablespace t on t.oid = d.dattablespace where datname ~ '"'"'^loc'"'"' order by 1"
	} &&
	locs >locs.before && grep -q "LATIN1|C|C|c||tsp" locs.before &&
	for db in loc1 loc2; do
		srestore -j 2 -x -d $db <own.sdump >/dev/null &&
		srestore -j 2 -x --clean -d $db <own.sdump >/dev/null || return 1
	done &&
	locs >locs.after && diff locs.before locs.after &&
	test "$(pg_sql loc1 "select count(*) from clients")" = 2 && pg_no_staging_left
'
test_expect_success 'on a terminal, a wrong name typed: exit 1, nothing changed, the session stays' '
	pg_dump_plain jown jown.sql &&
	blocker jown &&
	rm -f tty &&
	{ wait_for 60 grep -q "to confirm: " tty; printf "jowm\n"; } |
		script -qefc "srestore -j 2 -x --clean --force-disconnect -d jown <own.sdump >out 2>err" tty >/dev/null;
	test $? = 1 &&
	grep -q "Type its name (jown) to confirm" tty &&
	test "$(cat err)" = "srestore: --force-disconnect not confirmed: nothing was done" &&
	test ! -s out && blocker_in &&
	pg_dump_plain jown now.sql && diff jown.sql now.sql && pg_no_staging_left
'
test_expect_success 'on a terminal, the name typed: the session terminated, the restore swapped in' '
	pg_sql jown "insert into clients (name) values ('"'"'extra'"'"')" &&
	rm -f tty &&
	{ wait_for 60 grep -q "to confirm: " tty; printf "jown\n"; } |
		script -qefc "srestore -j 2 -x --clean --force-disconnect --lock-timeout 10s -d jown <own.sdump >out 2>err" tty >/dev/null &&
	grep -q "terminating the sessions connected: pid [0-9]* on \"jown\" (application_name blocker, client local socket)$" err &&
	wait_for 30 blocker_out &&
	jq -e ".swap.replaced" out &&
	test "$(pg_sql jown "select count(*) from clients")" = 2 && pg_no_staging_left
'
test_expect_success 'on a terminal, --yes asks nothing' '
	blocker jown && rm -f tty &&
	script -qefc "srestore -j 2 -x --clean --force-disconnect --yes --lock-timeout 10s -d jown <own.sdump >out 2>err" tty </dev/null >/dev/null &&
	! grep -q "to confirm" tty &&
	grep -q "terminating the sessions connected: pid [0-9]* on \"jown\" (application_name blocker, client local socket)$" err &&
	wait_for 30 blocker_out && pg_no_staging_left
'
test_expect_success 'the owner, no superuser: a superuser'"'"'s session named (75), not terminated (1)' '
	pg_dump_plain jown jown.sql &&
	blocker jown &&
	expect_exit 75 srestore -j 2 -U app -O -x --clean --lock-timeout 1s -d jown <own.sdump &&
	expect_one_line_error srestore && grep -q "pid [0-9]* on \"jown\" (application_name blocker)" err &&
	expect_exit 1 srestore -j 2 -U app -O -x --clean --force-disconnect --yes -d jown <own.sdump &&
	grep -q "^srestore: cannot terminate the connected sessions: must be a superuser" err &&
	blocker_in && blocker_gone &&
	pg_dump_plain jown now.sql && diff jown.sql now.sql && pg_no_staging_left
'
test_expect_success 'SIGTERM while the swap waits for a session: cancelled, nothing changed' '
	pg_sql jown "insert into clients (name) values ('"'"'extra'"'"')" &&
	pg_dump_plain jown jown.sql &&
	blocker jown &&
	{ srestore -j 2 -x --clean -P --lock-timeout 120s -d jown <own.sdump >out 2>err & pid=$!; } &&
	wait_for 60 grep -q "waiting for pid" err &&
	kill -TERM $pid &&
	{ wait $pid; rc=$?; } ; test $rc = 1 &&
	grep -q "^srestore: cancelled$" err && test ! -s out &&
	blocker_in && blocker_gone &&
	pg_dump_plain jown now.sql && diff jown.sql now.sql && pg_no_staging_left
'
peek_in() {
	test "$(pg_sql postgres "select count(*) from pg_stat_activity where application_name = 'peek'")" = 1
}
# stale KIND NAME TARGET: a database as a killed run leaves it.
stale() {
	pg_sql postgres "create database \"$2\"" &&
	pg_sql postgres "comment on database \"$2\" is 'strongbox $1 database $4 $3'"
}
test_expect_success 'stale staging and replaced databases: dropped once nothing is connected' '
	srestore -j 1 -x -d st <own.sdump >report &&
	staging=$(jq -r .staging report) && test -n "$staging" &&
	stale staging "$staging" st for &&
	stale replaced st_old_20200102030405 st of &&
	stale replaced st_old_20200102030405_2 st of &&
	stale replaced st_old_20200102030405_02 st of &&
	pg_sql postgres "create database st_old_20200102030406" &&
	blocker "$staging" &&
	{ PGAPPNAME=peek psql -X -q -d st_old_20200102030405 -c "select pg_sleep(600)" >/dev/null 2>&1 & ppid=$!; } &&
	wait_for 30 peek_in &&
	expect_exit 0 srestore -j 1 -x -d other <own.sdump &&
	db_there "$staging" && db_there st_old_20200102030405 &&
	! db_there st_old_20200102030405_2 && db_there st_old_20200102030405_02 &&
	expect_exit 75 srestore -j 1 -x --clean -d st <own.sdump &&
	expect_one_line_error srestore && grep -q "\"$staging\" exists and is in use" err &&
	db_there "$staging" && db_there st_old_20200102030405 &&
	blocker_gone &&
	pg_sql postgres "select pg_terminate_backend(pid) from pg_stat_activity where application_name = '"'"'peek'"'"'" >/dev/null &&
	{ wait $ppid || true; } &&
	expect_exit 0 srestore -j 1 -x --clean -P -d st <own.sdump &&
	grep -q "dropped the staging database \"$staging\" an earlier run left" err &&
	grep -q "dropped the replaced database \"st_old_20200102030405\" an earlier run left" err &&
	! db_there "$staging" && ! db_there st_old_20200102030405 &&
	db_there st_old_20200102030405_02 && pg_sql postgres "drop database st_old_20200102030405_02" &&
	db_there st_old_20200102030406 && pg_sql postgres "drop database st_old_20200102030406" &&
	pg_no_staging_left
'
test_done
