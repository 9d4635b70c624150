#!/bin/sh
# sprune benchmark: 1,000,000 and 2,000,000 backup names (one every ten
# minutes, in TZ=Europe/Berlin so that DST changes are crossed), pruned with
# the seeds' policy.  Prints wall time, CPU time (best of three runs) and
# peak memory (from /usr/bin/time -v) as a table; the 2,000,000 rows show
# that the growth is linear.  The names are shuffled too, to time the sort.
# (The hour repeated each autumn gives names listed twice: one backup each.)
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
		# The best of three runs: the machine may be shared.
		for run in 1 2 3; do
			/usr/bin/time -v -o "$tmp/time" "$sprune" $policy \
				<"$tmp/$order" >"$tmp/out"
			wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time")
			user=$(sed -n 's/.*User time (seconds): //p' "$tmp/time")
			sys=$(sed -n 's/.*System time (seconds): //p' "$tmp/time")
			rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
			echo "$wall $user $sys $rss"
		done >"$tmp/runs"
		awk -v n="$n" -v o="$order" -v d="$(wc -l <"$tmp/out")" '{
			# wall is [h:]m:ss.cc
			k = split($1, p, ":"); secs = 0
			for (i = 1; i <= k; i++) secs = secs * 60 + p[i]
			if (NR == 1 || secs < w) w = secs
			if (NR == 1 || $2 + $3 < c) c = $2 + $3
			if ($4 > r) r = $4
		} END {
			printf "%-10s %-9s %9.2f %9.2f %12.1f %9s\n", n, o, w, c,
				r / 1024, d
		}' "$tmp/runs" | tee -a "$tmp/table"
	done
done
# Linear growth: the 2,000,000 rows over the 1,000,000 rows.
awk '{ t[$1, $2] = $4; m[$1, $2] = $5 } END {
	for (o = 1; o <= 2; o++) {
		k = o == 1 ? "sorted" : "shuffled"
		printf "2M/1M %-9s cpu time x%.2f, memory x%.2f\n", k,
			t[2000000, k] / t[1000000, k], m[2000000, k] / m[1000000, k]
	}
}' "$tmp/table"
