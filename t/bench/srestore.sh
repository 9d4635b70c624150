#!/bin/sh
# srestore against pg_restore --single-transaction, side by side in one
# run, on the reference salon database (>= 1 GB, t/lib/bench-salon.sh):
# each restores its own archive of the same database into an empty
# database on the same server.  Prints wall time, peak RSS, srestore's
# phases (from its JSON report) and the ratio.  BENCH_SCALE=N to resize.
if [ -z "${SRESTORE_BENCH_INNER:-}" ]; then
	# test-lib.sh finds the tree from $0's directory: run as if from t/.
	root=$(cd "$(dirname "$0")/../.." && pwd)
	SRESTORE_BENCH_INNER=1 exec sh -c '. "$1"' "$root/t/bench-srestore" "$root/t/bench/srestore.sh"
fi
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/bench-salon.sh"

set -e
bench_start
bench_salon salon
pg_dump -Fc -d salon >salon.dump
sdump -d salon >salon.sdump
echo "# archives: pg_dump -Fc $(wc -c <salon.dump) bytes, sdump $(wc -c <salon.sdump) bytes"

pg_createdb r_pg
pg_createdb r_sb
# Alternate which goes first to be fair to the cache; one run each.
sync
bench_time pg pg_restore --single-transaction --exit-on-error -d r_pg salon.dump
sync
bench_time sb srestore -d r_sb <salon.sdump >report.json
pg_sql r_pg "select count(*) from bills" >n1
pg_sql r_sb "select count(*) from bills" >n2
cmp -s n1 n2 || { echo "# row counts differ"; exit 1; }

pgw=$(cat pg.wall) sbw=$(cat sb.wall)
printf '%-40s %10s %12s\n' tool "wall (s)" "peak RSS (MiB)"
printf '%-40s %10s %12s\n' "pg_restore --single-transaction" "$pgw" "$(( $(cat pg.rss) / 1024 ))"
printf '%-40s %10s %12s\n' "srestore" "$sbw" "$(( $(cat sb.rss) / 1024 ))"
echo "ratio srestore / pg_restore: $(echo "$sbw $pgw" | awk '{printf "%.2f", $1 / $2}')"
echo "srestore phases (s):"
jq -r '.timing | to_entries[] | "  \(.key): \(.value * 100 | round / 100)"' report.json
jq -r '.reader | "  reader thread: \(.cpu_seconds * 100 | round / 100) s CPU (decompress, hash, parse), waited \(.waited_for_server * 100 | round / 100) s for the server; server waited \(.server_waited_for_archive * 100 | round / 100) s for the archive"' report.json
jq -r '"  rows \(.rows), bytes \(.bytes), seconds \(.seconds * 100 | round / 100)"' report.json
