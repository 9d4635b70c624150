#!/bin/sh
# spurge --all (the Railway guide's reset): every table but [keep] and an
# extension's, the phrase and the 5-second countdown on the terminal, and
# Ctrl-C during the countdown; then share/strongbox/reset.sh end to end on
# the salon: emptied, re-seeded through psql with the administrator's
# password hashed before it reaches the server (never on a command line,
# in the output, or in a server log that logs every statement), and a
# real redis-server (with a password) flushed.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

command -v redis-server >/dev/null || { echo "redis-server is missing: run make deps" >&2; exit 1; }
command -v script >/dev/null || { echo "script(1) is missing: run make deps" >&2; exit 1; }
pg_start
pg_createdb tpl
"$TEST_ROOT/share/strongbox/salon-load.sh" -s 0.02 -d 30 tpl >/dev/null
pg_sql tpl "create extension pgcrypto; create table ext_data (k int);
	insert into ext_data values (1); alter extension pgcrypto add table ext_data" >/dev/null
C=$TEST_ROOT/etc/purge-tables.conf
fresh() {
	"$PG_BIN/createdb" -h "$PGHOST" -p "$PGPORT" -U postgres -T tpl "$1"
}
# nonempty DB: the tables that still have rows.
nonempty() {
	pg_sql "$1" "select string_agg(t, ' ' order by t) from (
		select c.relname::text as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where n.nspname = 'public' and c.relkind = 'r'
		and (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I', c.relname), false, true, '')))[1]::text::int > 0) s"
}

fresh a1
test_expect_success '--all --dry-run: every table but alembic_version and the extension'"'"'s' '
	expect_exit 0 spurge --all -c "$C" -d a1 --dry-run &&
	jq -r ".tables[].table" out | sort >listed &&
	! grep -qx alembic_version listed && ! grep -qx ext_data listed &&
	grep -qx customers listed && grep -qx bills listed && grep -qx roles listed &&
	test "$(wc -l <listed)" = 21 &&
	test "$(jq -r .all out)" = true
'
test_expect_success 'Ctrl-C during the countdown: cancelled, nothing deleted' '
	{ printf "DELETE ALL DATA\n"; wait_for 120 grep -q "5\.\.\." tty; printf "\003"; sleep 1; } |
		script -qefc "exec spurge --all -c '"'"'$C'"'"' -d a1 </dev/null >report 2>stderr" tty >/dev/null;
	test $? = 1 &&
	grep -q "5\.\.\." tty && ! grep -q "1\.\.\." tty &&
	grep -qx "spurge: cancelled" stderr && test ! -s report &&
	test "$(pg_sql a1 "select count(*) from roles")" -gt 0 &&
	test "$(pg_sql a1 "select count(*) from bills")" -gt 0
'
test_expect_success '--all typed and counted down: only [keep] and the extension keep rows' '
	printf "DELETE ALL DATA\n" |
		script -qefc "exec spurge --all -c '"'"'$C'"'"' -d a1 </dev/null >report 2>stderr" tty >/dev/null &&
	grep -q "5\.\.\. 4\.\.\. 3\.\.\. 2\.\.\. 1\.\.\." tty &&
	test "$(nonempty a1)" = "alembic_version ext_data" &&
	test "$(jq -r .total report)" -gt 0
'

# A real Redis with a password, and some keys.
RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no \
	--requirepass "r3d:s p@ss" >redis.log 2>&1 &
RPID=$!
test_at_exit "kill $RPID 2>/dev/null; wait $RPID 2>/dev/null"
export REDISCLI_AUTH="r3d:s p@ss"
wait_for 20 redis-cli -p "$RPORT" ping
for k in 1 2 3; do redis-cli -p "$RPORT" set "session:$k" x >/dev/null; done
unset REDISCLI_AUTH

fresh r1
# Every statement the server runs goes to its log (log_statement = all, as
# a DBA sets it to audit a reset): the password must not be among them.
pg_sql postgres "alter system set log_statement = 'all'" && pg_sql postgres "select pg_reload_conf()" >/dev/null
test_expect_success 'reset.sh end to end' '
	test "$(REDISCLI_AUTH="r3d:s p@ss" redis-cli -p "$RPORT" dbsize)" = 3 &&
	log_start=$(wc -c <"$PG_DIR/server.log") &&
	ADMIN_USERNAME=owner ADMIN_EMAIL=owner@example.in ADMIN_PASSWORD="Pa55 w0rd;--\x27" \
	REDIS_URL="redis://:r3d%3As%20p%40ss@127.0.0.1:$RPORT/0" TZ=Asia/Kolkata \
	DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:$PGPORT/r1" \
		expect_exit 0 sh "$TEST_ROOT/share/strongbox/reset.sh" -c "$C" --yes &&
	tail -c +$((log_start + 1)) "$PG_DIR/server.log" >server.log &&
	grep -q "statement: INSERT INTO users" server.log &&
	! grep -q "Pa55" server.log &&
	test "$(jq -r .all out)" = true &&
	grep -q "Redis flushed" err && grep -q "seeded from" err &&
	! grep -q "Pa55" out err && ! grep -q "p@ss\|p%40ss" out err &&
	test "$(REDISCLI_AUTH="r3d:s p@ss" redis-cli -p "$RPORT" dbsize)" = 0 &&
	test "$(nonempty r1)" = "alembic_version ext_data roles salon_settings users" &&
	test "$(pg_sql r1 "select string_agg(name, '"'"','"'"' order by name) from roles")" = admin,manager,operator,viewer &&
	test "$(pg_sql r1 "select username || '"'"' '"'"' || email || '"'"' '"'"' || (password_hash = crypt('"'"'Pa55 w0rd;--\\x27'"'"', password_hash)) from users")" = "owner owner@example.in true" &&
	test "$(pg_sql r1 "select timezone from salon_settings")" = Asia/Kolkata &&
	test "$(pg_sql r1 "select count(*) from bills")" = 0 &&
	test "$(pg_sql r1 "select version_num from alembic_version")" = 7f3c2a9d41be
'
pg_sql postgres "alter system reset log_statement" && pg_sql postgres "select pg_reload_conf()" >/dev/null
test_expect_success 'reset.sh --seed FILE runs that seed; --no-seed none' '
	printf "INSERT INTO roles (name, description, permissions) VALUES (%s, %s, %s);\n" \
		"'"'"'only'"'"'" "'"'"'from my seed'"'"'" "'"'"'[]'"'"'" >my-seed.sql &&
	expect_exit 0 sh "$TEST_ROOT/share/strongbox/reset.sh" -c "$C" --yes -d r1 --seed my-seed.sql &&
	grep -q "seeded from my-seed.sql" err &&
	test "$(pg_sql r1 "select string_agg(name, '"'"','"'"') from roles")" = only &&
	test "$(pg_sql r1 "select count(*) from users")" = 0 &&
	expect_exit 0 sh "$TEST_ROOT/share/strongbox/reset.sh" -c "$C" --yes -d r1 --no-seed &&
	! grep -q "seeded" err &&
	test "$(nonempty r1)" = "alembic_version ext_data" &&
	expect_exit 1 sh "$TEST_ROOT/share/strongbox/reset.sh" -c "$C" --yes -d r1 --seed missing.sql &&
	grep -q "cannot read the seed missing.sql" err
'
test_expect_success 'reset.sh with a wrong Redis password: exit 1 saying so' '
	ADMIN_USERNAME=owner ADMIN_PASSWORD=x REDIS_URL="redis://:wrong@127.0.0.1:$RPORT" \
		expect_exit 1 sh "$TEST_ROOT/share/strongbox/reset.sh" -c "$C" --yes -d r1 &&
	grep -q "flushing Redis failed" err && ! grep -q wrong err
'
test_expect_success 'reset.sh without ADMIN_PASSWORD: the seed fails, one message, exit 1' '
	ADMIN_USERNAME=owner expect_exit 1 sh "$TEST_ROOT/share/strongbox/reset.sh" -c "$C" --yes -d r1 &&
	grep -q "ADMIN_PASSWORD is not set" err && grep -q "the seed .* failed" err
'
test_done
