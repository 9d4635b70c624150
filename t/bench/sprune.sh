#!/bin/sh
# sprune benchmark: 1,000,000 and 2,000,000 backup names (one every ten
# minutes, in TZ=Europe/Berlin so that DST changes are crossed), pruned with
# the seeds' policy.  Prints wall time, CPU time and peak memory (from
# /usr/bin/time -v) as a table; the 2,000,000 row shows that the growth is
# linear.  The names are shuffled too, to time the sort.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
sprune=$root/bin/sprune
[ -x "$sprune" ] || { echo "build first: make" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sprune-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export TZ=Europe/Berlin

# names N FILE: N names branch-a_YYYYMMDD_HHMMSS.sdump, every 10 minutes
# from 1980-01-01 (2,000,000 reach 2018), oldest first (as ls prints them).
names() {
	awk -v n="$1" 'BEGIN {
		t = mktime("1980 01 01 00 00 00");
		for (i = 0; i < n; i++) {
			print strftime("branch-a_%Y%m%d_%H%M%S.sdump", t);
			t += 600;
		}
	}' >"$2"
}

policy="--keep-daily 7 --keep-weekly 4 --keep-monthly 12 --keep-yearly unlimited"
printf '%-10s %-9s %9s %9s %12s %9s\n' names order wall_s cpu_s peak_rss_MiB deleted
for n in 1000000 2000000; do
	names "$n" "$tmp/sorted"
	shuf --random-source="$tmp/sorted" "$tmp/sorted" >"$tmp/shuffled"
	for order in sorted shuffled; do
		/usr/bin/time -v -o "$tmp/time" "$sprune" $policy \
			<"$tmp/$order" >"$tmp/out"
		wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time")
		user=$(sed -n 's/.*User time (seconds): //p' "$tmp/time")
		sys=$(sed -n 's/.*System time (seconds): //p' "$tmp/time")
		rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
		printf '%-10s %-9s %9s %9.2f %12.1f %9s\n' "$n" "$order" \
			"${wall#0:}" "$(echo "$user + $sys" | bc)" \
			"$(echo "$rss / 1024" | bc -l)" "$(wc -l <"$tmp/out")"
	done
done
