#!/bin/sh
# sdump against pg_dump, side by side in one run, on the reference salon
# database (>= 1 GB on disk, t/lib/bench-salon.sh): pg_dump -Fc,
# pg_dump -Fp | zstd -3, sdump (zstd:3), sdump -j 2.  Two rounds, the
# order reversed in the second (A B C D D C B A), so that none always gets
# the warmer cache; the figures are the means.  Prints a markdown table of
# wall time, archive size and peak RSS with the ratios to pg_dump -Fc, and
# checks every sdump archive with srestore --check.  BENCH_SCALE=N to resize.
if [ -z "${SDUMP_BENCH_INNER:-}" ]; then
	# test-lib.sh finds the tree from $0's directory: run as if from t/.
	root=$(cd "$(dirname "$0")/../.." && pwd)
	SDUMP_BENCH_INNER=1 exec sh -c '. "$1"' "$root/t/bench-sdump" "$root/t/bench/sdump.sh"
fi
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/bench-salon.sh"

set -e
bench_start
bench_salon salon
# A warm-up: every contender then finds the data in the page cache.
sdump -d salon -Z none >/dev/null

pgfc() { bench_time "$1" pg_dump -Fc -d salon >"$1.out"; }
pgzstd() { bench_time "$1" sh -c 'pg_dump -Fp -d salon | zstd -3 -q' >"$1.out"; }
sd() { bench_time "$1" sdump -d salon >"$1.out"; }
sdj() { bench_time "$1" sdump -d salon -j 2 >"$1.out"; }
pgfc a1; pgzstd b1; sd c1; sdj d1
sdj d2; sd c2; pgzstd b2; pgfc a2
for r in c1 c2 d1 d2; do
	srestore --check <"$r.out" >"$r.check" ||
		{ echo "# srestore --check rejects $r"; cat "$r.check"; exit 1; }
done

mean() { awk '{ s += $1 } END { printf "%.2f", s / NR }' "$@"; }
base_t=$(cat a1.wall a2.wall | mean)
base_s=$(wc -c <a1.out)
size=$(pg_sql salon "select pg_database_size(current_database())")
echo "Reference salon database, scale $BENCH_SCALE, $((size / 1048576)) MiB on disk;" \
	"$(nproc) CPUs, load average before the run $(cut -d' ' -f1 /proc/loadavg);" \
	"PostgreSQL $(pg_sql salon 'show server_version' | cut -d' ' -f1); $(date -u +%F)."
echo "Every sdump archive passed srestore --check."
echo
echo "| command | run 1 s | run 2 s | mean s | × pg_dump -Fc | archive MiB | × pg_dump -Fc | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
row() {
	_t=$(cat "$2.wall" "$3.wall" | mean)
	_s=$(wc -c <"$2.out")
	_m=$(cat "$2.rss" "$3.rss" | sort -n | tail -n 1)
	awk -v c="$1" -v r1="$(cat "$2.wall")" -v r2="$(cat "$3.wall")" -v t="$_t" \
		-v bt="$base_t" -v s="$_s" -v bs="$base_s" -v m="$_m" \
		'BEGIN { printf "| `%s` | %.1f | %.1f | %.1f | %.2f | %.1f | %.3f | %.0f |\n",
			c, r1, r2, t, t / bt, s / 1048576, s / bs, m / 1024 }'
}
row "pg_dump -Fc" a1 a2
row "pg_dump -Fp \\| zstd -3" b1 b2
row "sdump" c1 c2
row "sdump -j 2" d1 d2
echo
echo "peak RSS of the pipeline row is that of its largest process."
