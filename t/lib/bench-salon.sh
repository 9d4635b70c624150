# bench-salon.sh: the data step shared by the benchmarks of sdump and
# srestore: a PostgreSQL cluster tuned alike for every tool, and the
# reference salon database (share/strongbox) at BENCH_SCALE (default 26,
# about 1.08 GB on disk).  Source after test-lib.sh:
#
#   . "$TEST_ROOT/t/lib/bench-salon.sh"
#   bench_start                 # pg_start with the benchmark settings
#   bench_salon salon           # creates and fills database "salon"
#   bench_time OUT CMD...       # runs CMD under /usr/bin/time: OUT.wall, OUT.rss

. "$TEST_ROOT/t/lib/pg.sh"

BENCH_SCALE=${BENCH_SCALE:-26}

bench_start() {
	PG_EXTRA_CONF="shared_buffers = 256MB
max_wal_size = 8GB
checkpoint_timeout = 30min
maintenance_work_mem = 64MB
${BENCH_EXTRA_CONF:-}"
	pg_start
}

# bench_salon DB: the salon database at BENCH_SCALE; prints its size.
bench_salon() {
	pg_createdb "$1" &&
	"$TEST_ROOT/share/strongbox/salon-load.sh" -f -s "$BENCH_SCALE" "$1" &&
	pg_sql "$1" "vacuum analyze" &&
	echo "# database $1 at scale $BENCH_SCALE: $(pg_sql "$1" "select pg_size_pretty(pg_database_size(current_database()))")"
}

# bench_time NAME CMD...: runs CMD (stdin/stdout as given); NAME.wall gets
# the wall seconds, NAME.rss the peak RSS in KiB.  Fails if CMD fails.
bench_time() {
	_n=$1
	shift
	/usr/bin/time -f '%e %M' -o "$_n.time" "$@" || return 1
	cut -d' ' -f1 "$_n.time" >"$_n.wall"
	cut -d' ' -f2 "$_n.time" >"$_n.rss"
}
