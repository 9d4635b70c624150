#!/bin/sh
# Benchmark of the salon data generator: bytes a second to /dev/null, and
# for a few scales the time salon-load.sh takes to fill a throwaway cluster
# and the size of the database it leaves.  Run by `make bench`;
# SALON_BENCH_SCALES overrides the scales (default "1 5 25": 25 is ~1 GB).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/t/lib/test-lib.sh"
TEST_ROOT=$ROOT
. "$ROOT/t/lib/pg.sh"

GEN=$TEST_ROOT/share/strongbox/salon-gen
LOAD=$TEST_ROOT/share/strongbox/salon-load.sh
scales=${SALON_BENCH_SCALES:-1 5 25}

now() {
	perl -MTime::HiRes=time -e 'printf "%.2f\n", time'
}

pg_start
echo "# salon-gen on $(nproc) CPUs"
t0=$(now)
bytes=$("$GEN" --scale 10 | wc -c)
t1=$(now)
awk -v b="$bytes" -v t="$(echo "$t0 $t1" | awk '{ print $2 - $1 }')" \
	'BEGIN { printf "generate scale 10: %d bytes in %.2f s (%.0f MB/s) to a pipe\n", b, t, b / t / 1e6 }' 
# elapsed CMD...: runs CMD, prints its wall time in seconds.
elapsed() {
	_t0=$(now)
	"$@" || exit 1
	echo "$_t0 $(now)" | awk '{ printf "%.1f\n", $2 - $1 }'
}
echo "# load: salon-load.sh with foreign keys checked; load -f: without (-f)"
printf '%-6s %10s %8s %8s %8s %8s\n' scale bills "COPY MB" "load s" "load -f" "db MB"
for s in $scales; do
	db=salon_$(echo "$s" | tr . _)
	text=$("$GEN" --scale "$s" | wc -c)
	checked=-
	# The checked load only where it stays short: it is the slower.
	if [ "$(echo "$s" | awk '{ print ($1 <= 5) }')" = 1 ]; then
		pg_createdb "$db" >/dev/null
		checked=$(elapsed "$LOAD" -s "$s" "$db")
		psql -X -q -d postgres -c "drop database $db"
	fi
	pg_createdb "$db" >/dev/null
	fast=$(elapsed "$LOAD" -f -s "$s" "$db")
	printf '%-6s %10s %8s %8s %8s %8s\n' "$s" \
		"$(pg_sql "$db" "select count(*) from bills")" \
		$((text / 1000000)) "$checked" "$fast" \
		"$(pg_sql "$db" "select pg_database_size(current_database()) / 1000000")"
	psql -X -q -d postgres -c "drop database $db"
done
