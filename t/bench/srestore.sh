#!/bin/sh
# srestore against pg_restore, side by side in one run, on the reference
# salon database (>= 1 GB, t/lib/bench-salon.sh): srestore (one
# transaction), srestore -j 1, -j 2 and -j 4 (staging database swapped in),
# pg_restore --single-transaction and pg_restore -j 2 (not atomic), each
# into an empty database on the same server, dropped once measured;
# BENCH_RUNS rounds (default 1), interleaved.  Prints wall time (mean), the
# client's peak RSS, the peak private memory (RssAnon) of each server
# session, srestore's phases (from its JSON report) and the ratios.
# BENCH_SCALE=N to resize.
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

# Every run starts from the same state: the previous restore's database
# dropped (so that autovacuum is not busy on its fresh tables during the
# next run: pg_restore's unfrozen rows would make it slow down whatever
# runs after), its dirty buffers and page cache written out, and no
# autovacuum worker running.
settle() {
	pg_sql postgres "checkpoint" && sync && sleep 2
	_w=0
	while [ "$(pg_sql postgres "select count(*) from pg_stat_activity where backend_type = 'autovacuum worker'")" != 0 ] &&
		[ "$_w" -lt 300 ]; do
		sleep 1
		_w=$((_w + 1))
	done
}
# sample NAME DBREGEX: until NAME.stop exists, the peak RssAnon (KiB) of
# each server session of the databases matching DBREGEX, in NAME.mem.
sample() {
	: >"$1.peaks"
	while [ ! -e "$1.stop" ]; do
		for p in $(pg_sql postgres "select pid from pg_stat_activity where datname ~ '$2' and pid <> pg_backend_pid()" 2>/dev/null); do
			kb=$(awk '/^RssAnon/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)
			[ -n "$kb" ] && echo "$p $kb" >>"$1.peaks"
		done
		sleep 0.5
	done
	sort -k1,1n -k2,2n "$1.peaks" | awk '{ m[$1] = $2 } END { for (p in m) print m[p] }' |
		sort -n | awk '{ printf "%s%d", (NR > 1 ? " " : ""), $1 / 1024 } END { print "" }' >"$1.mem"
}
# run NAME DBREGEX CMD...: CMD timed (NAME.wall gets one line a round),
# its sessions' memory sampled; then the database NAME is counted and dropped.
run() {
	_name=$1 _re=$2
	shift 2
	rm -f "$_name.stop"
	sample "$_name" "$_re" &
	_spid=$!
	bench_time "$_name.1" "$@"
	touch "$_name.stop"
	wait $_spid
	cat "$_name.1.wall" >>"$_name.wall"
	cat "$_name.1.rss" >"$_name.rss"
	pg_sql "$_name" "select count(*) from bills" >"$_name.n"
	"$PG_BIN/dropdb" -h "$PGHOST" -p "$PGPORT" -U postgres "$_name"
}
pg_st() { pg_createdb "$1" && settle && run "$1" "^$1\$" pg_restore --single-transaction --exit-on-error -d "$1" salon.dump; }
pg_j2() { pg_createdb "$1" && settle && run "$1" "^$1\$" pg_restore -j 2 --exit-on-error -d "$1" salon.dump; }
sb() { pg_createdb "$1" && settle && run "$1" "^$1\$" srestore -d "$1" <salon.sdump >"$1.json"; }
sbj() { settle && run "$1" "^$1_strongbox_" srestore -j "$2" -d "$1" <salon.sdump >"$1.json"; }

# BENCH_RUNS rounds (default 1), the tools interleaved; walls are the means.
RUNS=${BENCH_RUNS:-1}
_r=0
while [ "$_r" -lt "$RUNS" ]; do
	_r=$((_r + 1))
	echo "# round $_r of $RUNS" >&2
	pg_st pgst
	pg_j2 pgj2
	sb sb
	sbj sbj1 1
	sbj sbj2 2
	sbj sbj4 4
done
for d in pgj2 sb sbj1 sbj2 sbj4; do
	cmp -s pgst.n "$d.n" || { echo "# row counts differ: $d"; exit 1; }
done
mean() { awk '{ s += $1 } END { printf "%.2f", s / NR }' "$1.wall"; }
rounds() { paste -sd' ' "$1.wall"; }

printf '%-34s %9s %8s %8s %8s  %-22s %s\n' tool "wall (s)" "/pg -j2" "/pg 1tx" "RSS MiB" "rounds (s)" "server sessions' peak RssAnon (MiB, last round)"
line() {
	printf '%-34s %9s %8s %8s %8s  %-22s %s\n' "$1" "$(mean "$2")" \
		"$(echo "$(mean "$2") $(mean pgj2)" | awk '{printf "%.2f", $1 / $2}')" \
		"$(echo "$(mean "$2") $(mean pgst)" | awk '{printf "%.2f", $1 / $2}')" \
		"$(($(cat "$2.rss") / 1024))" "$(rounds "$2")" "$(cat "$2.mem")"
}
line "pg_restore --single-transaction" pgst
line "pg_restore -j 2 (not atomic)" pgj2
line "srestore (one transaction)" sb
line "srestore -j 1 (staging + swap)" sbj1
line "srestore -j 2 (staging + swap)" sbj2
line "srestore -j 4 (staging + swap)" sbj4
for r in sbj1 sbj2 sbj4; do
	echo "srestore $r phases (s):"
	jq -r '.timing | del(.post_data_phases) | to_entries | map("\(.key) \(.value * 100 | round / 100)") | "  " + join(", ")' "$r.json"
	jq -r '.timing.post_data_phases | to_entries | map("\(.key) \(.value * 100 | round / 100)") | "  post-data: " + join(", ")' "$r.json"
	jq -r '.sessions[] | "  session \(.session): \(.chunks) chunks, \(.statements) statements, maintenance_work_mem \(.maintenance_work_mem_kb / 1024 | floor) MB; busy " + (.phases | to_entries | map("\(.key) \(.value * 10 | round / 10)") | join(", "))' "$r.json"
	jq -r '"  read ahead: at most \(.reader.read_ahead_peak_bytes / 1048576 | floor) MiB in TMPDIR at once"' "$r.json"
done
jq -r '"rows \(.rows), bytes \(.bytes) (uncompressed COPY data)"' sbj2.json
