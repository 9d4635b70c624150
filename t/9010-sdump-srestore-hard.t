#!/bin/sh
# sdump | srestore on sdump's own hard schema (t/lib/hard-schema.sql:
# quoted and non-ASCII names, generated columns, partitions, inheritance,
# an FK cycle, materialized views, awkward text): pg_dump of the source and
# of the restored database are identical, with -j 1 and -j 2 and every
# compression.  A table copied in parts (-j with --split-size) comes back
# with the same rows in another physical order: there the dumps are
# compared sorted.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"

pg_start

test_expect_success 'setup: the source database' '
	pg_createdb src &&
	psql -X -q -v ON_ERROR_STOP=1 -d src -f "$TEST_ROOT/t/lib/hard-schema.sql" >/dev/null &&
	pg_dump_plain src src.sql
'
n=0
for args in "" "-j 2 --chunk-size 1k" "-Z gzip" "-Z none -j 3 --split-size 8k"; do
	n=$((n + 1))
	test_expect_success "sdump $args | srestore: pg_dump of both identical" "
		sdump -d src $args >a$n.sdump &&
		pg_createdb dst$n &&
		srestore -d dst$n <a$n.sdump >report &&
		pg_dump_plain dst$n dst$n.sql &&
		case \"$args\" in
		*split*) sort src.sql >s.sorted && sort dst$n.sql >d.sorted && diff s.sorted d.sorted ;;
		*) diff src.sql dst$n.sql ;;
		esac &&
		test \"\$(pg_sql dst$n 'select n from branch_totals where id = 1')\" = 2 &&
		test \"\$(pg_sql dst$n 'select name_upper from customers where id = 1')\" = ALICE &&
		test \"\$(pg_sql dst$n \"select nextval('branches_id_seq')\")\" = 43
	"
done
test_done
