#!/bin/sh
# spurge --backup-first: the shipped nightly-backup.sh runs first against
# the same database (reached through -d, not DATABASE_URL); a backup that
# fails stops the purge with nothing deleted; one that succeeds leaves a
# verified archive with the rows the purge then deletes.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start
pg_createdb salon
"$TEST_ROOT/share/strongbox/salon-load.sh" -s 0.02 -d 20 salon >/dev/null
C=$TEST_ROOT/etc/purge-tables.conf
STRONGBOX_DATADIR=$TEST_ROOT/share/strongbox
BRANCH_ID=branch-t
# A DATABASE_URL that leads elsewhere: the backup must follow -d.
DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/nowhere"
export STRONGBOX_DATADIR BRANCH_ID DATABASE_URL
BILLS=$(pg_sql salon "select count(*) from bills")

test_expect_success 'a failing backup: exit 1, nothing purged' '
	BACKUP_DIR=$TRASH/no-such-dir expect_exit 1 spurge -c "$C" -d salon --yes --backup-first &&
	tail -n 1 err | grep -q "^spurge: the backup failed (.*nightly-backup.sh exited 1): nothing purged$" &&
	test ! -s out &&
	test "$(pg_sql salon "select count(*) from bills")" = "$BILLS"
'
test_expect_success 'a backup, then the purge; the archive holds the purged rows' '
	mkdir backups &&
	BACKUP_DIR=$TRASH/backups expect_exit 0 spurge -c "$C" -d salon --yes --backup-first &&
	test "$(jq -r .total out)" -gt 0 && test "$(wc -l <out)" = 1 &&
	test "$(pg_sql salon "select count(*) from bills")" = 0 &&
	f=$(find backups -name "branch-t_*.sdump") && test -n "$f" &&
	srestore --check <"$f" | jq -e .ok >/dev/null &&
	test "$(srestore --list <"$f" | jq -r "select(.table == \"public.bills\") | .rows")" = "$BILLS"
'
test_done
