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

# Two rounds, the order swapped in the second (A B B A), so that neither
# tool always gets the warmer cache; the figures are the means.
# Every run starts from the same state: the previous restore's dirty
# buffers and page cache written out (else the run after a restore pays
# for its writeback).
settle() {
	pg_sql postgres "checkpoint" && sync && sleep 2
}
restore_pg() {
	pg_createdb "$1" && settle &&
	bench_time "$1" pg_restore --single-transaction --exit-on-error -d "$1" salon.dump
}
restore_sb() {
	pg_createdb "$1" && settle &&
	bench_time "$1" srestore -d "$1" <salon.sdump >"$1.json"
}
restore_pg pg1
restore_sb sb1
restore_sb sb2
restore_pg pg2
for d in pg1 sb1 sb2 pg2; do
	pg_sql "$d" "select count(*) from bills" >"$d.n"
done
for d in sb1 sb2 pg2; do
	cmp -s pg1.n "$d.n" || { echo "# row counts differ: $d"; exit 1; }
done

mean() { awk '{ s += $1 } END { printf "%.2f", s / NR }' "$@"; }
pgw=$(cat pg1.wall pg2.wall | mean) sbw=$(cat sb1.wall sb2.wall | mean)
pgr=$(cat pg1.rss pg2.rss | sort -n | tail -1) sbr=$(cat sb1.rss sb2.rss | sort -n | tail -1)
printf '%-34s %8s %8s %8s %12s\n' tool "run 1" "run 2" "mean (s)" "peak RSS (MiB)"
printf '%-34s %8s %8s %8s %12s\n' "pg_restore --single-transaction" "$(cat pg1.wall)" "$(cat pg2.wall)" "$pgw" "$((pgr / 1024))"
printf '%-34s %8s %8s %8s %12s\n' "srestore (all checks on)" "$(cat sb1.wall)" "$(cat sb2.wall)" "$sbw" "$((sbr / 1024))"
echo "ratio srestore / pg_restore: $(echo "$sbw $pgw" | awk '{printf "%.2f", $1 / $2}')"
for r in sb1 sb2; do
	echo "srestore $r phases (s):"
	jq -r '.timing | to_entries | map("\(.key) \(.value * 100 | round / 100)") | "  " + join(", ")' "$r.json"
	jq -r '.reader | "  reader thread: \(.cpu_seconds * 100 | round / 100) s CPU (decompress, hash, parse); it waited \(.waited_for_server * 100 | round / 100) s for the server, the server waited \(.server_waited_for_archive * 100 | round / 100) s for it"' "$r.json"
done
jq -r '"rows \(.rows), bytes \(.bytes) (uncompressed COPY data)"' sb1.json
