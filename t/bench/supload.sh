#!/bin/sh
# supload benchmark (make bench): 1 GiB from a pipe to the local s3rver,
# supload against `rclone rcat` to the same server in one run, both with
# 16 MiB parts and 4 in flight: wall time, CPU seconds (user + system) and
# peak RSS from /usr/bin/time -v, and supload's ratios to rclone.  With
# the age tool installed, also supload -r (age encryption on the way) and
# `age -r` alone on the same bytes (to /dev/null), and the cost of
# encryption: supload -r against supload.  Both
# talk to s3rver directly (not through the test's verifying front, whose
# own work would blur the comparison); each object is read back and
# compared with sha256sum.
#
#   BENCH_BYTES   input size (default 1 GiB)
#   BENCH_RUNS    rounds of supload, supload -r and age -r, interleaved
#                 (default 1); the ratios are of their means
#   BENCH_OUT     where the markdown table goes (default build/bench-supload.md)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$ROOT/bin:$PATH"
BYTES=${BENCH_BYTES:-1073741824}
RUNS=${BENCH_RUNS:-1}
OUT=${BENCH_OUT:-$ROOT/build/bench-supload.md}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/strongbox-bench.XXXXXX")
chmod 755 "$WORK"
export PATH TEST_ROOT="$ROOT"
# Like the tests, never read the user's settings.
unset BACKUP_S3_ENDPOINT BACKUP_S3_BUCKET BACKUP_S3_ACCESS_KEY \
	BACKUP_S3_SECRET_KEY BACKUP_S3_REGION BACKUP_S3_URL_STYLE \
	BACKUP_S3_CA_FILE BACKUP_DIR AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
	AWS_REGION AWS_ENDPOINT_URL AWS_CA_BUNDLE AWS_PROFILE AWS_DEFAULT_REGION \
	AWS_SESSION_TOKEN 2>/dev/null || true

# What t/lib/s3.sh needs from t/lib/test-lib.sh.
_hooks=
test_at_exit() { _hooks="$1
$_hooks"; }
free_port() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
			LocalPort => 0, Proto => "tcp") or die "no port: $!";
		print $s->sockport, "\n";'
}
wait_for() {
	_limit=$(( $1 * 10 )); shift; _i=0
	until "$@" >/dev/null 2>&1; do
		_i=$((_i + 1)); [ "$_i" -lt "$_limit" ] || return 1; sleep 0.1
	done
}
# set +e: a hook that fails (a server already gone) must not turn the
# run's status into 1; exit keeps the status the script ended with.
trap 'set +e; eval "$_hooks"; rm -rf "$WORK"; exit' EXIT
trap 'exit 130' INT TERM
. "$ROOT/t/lib/s3.sh"
cd "$WORK"

S3_NO_FRONT=1 s3_start
s3_rclone_conf

echo "bench: generating $BYTES bytes of input" >&2
head -c "$BYTES" /dev/urandom >input
want=$(sha256sum <input | cut -d' ' -f1)

# run NAME KEY CMD...: `cat input | CMD` under /usr/bin/time -v, then
# reads the object KEY back through rclone (decrypted with age when NAME
# says "age"; KEY "-" stores nothing) and checks its SHA-256.
run() {
	name=$1 key=$2
	shift 2
	sync
	cat input | /usr/bin/time -v "$@" >"$name.out" 2>"$name.time"
	if [ "$key" != - ]; then
		case $name in
		*age*) got=$(rclone --config rclone.conf cat "t:$S3_BUCKET/$key" |
			age -d -i age.key | sha256sum | cut -d' ' -f1) ;;
		*) got=$(rclone --config rclone.conf cat "t:$S3_BUCKET/$key" |
			sha256sum | cut -d' ' -f1) ;;
		esac
		[ "$got" = "$want" ] || { echo "bench: $name stored other bytes" >&2; exit 1; }
	fi
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' \
		"$name.time" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' \
		"$name.time")
	rss=$(awk -F': ' '/Maximum resident/ { print int($2 / 1024) }' "$name.time")
	echo "$name $wall $cpu $rss"
}

echo "bench: rclone rcat" >&2
run rclone bench/rclone rclone --config rclone.conf rcat --s3-chunk-size 16M \
	--s3-upload-concurrency 4 "t:$S3_BUCKET/bench/rclone" >results
if command -v age >/dev/null; then
	age-keygen -o age.key 2>/dev/null
	recipient=$(age-keygen -y age.key)
fi
i=1
while [ "$i" -le "$RUNS" ]; do
	echo "bench: supload (round $i)" >&2
	run supload bench/supload supload --part-size 16MiB -j 4 bench/supload >>results
	if [ -n "${recipient:-}" ]; then
		echo "bench: supload -r (age) (round $i)" >&2
		run supload-age bench/supload-age supload --part-size 16MiB -j 4 \
			-r "$recipient" bench/supload-age >>results
		echo "bench: age -r alone (round $i)" >&2
		run age-alone - sh -c "age -r $recipient >/dev/null" >>results
	fi
	i=$((i + 1))
done

mkdir -p "$(dirname "$OUT")"
awk -v bytes="$BYTES" '
	{ n[$1]++; wall[$1] += $2; cpu[$1] += $3; rss[$1] += $4
	  line[NR] = sprintf("| %s | %.2f | %.2f | %d |", $1, $2, $3, $4) }
	function m(a, k) { return a[k] / n[k] }
	END {
		printf "supload vs rclone rcat, %d MiB from a pipe to s3rver on loopback, 16 MiB parts, 4 in flight\n\n", bytes / 1048576
		print "| client | wall s | CPU s | peak RSS MiB |"
		print "|---|---|---|---|"
		for (i = 1; i <= NR; i++)
			print line[i]
		printf "| supload / rclone (means) | %.2f | %.2f | %.2f |\n",
			m(wall, "supload") / m(wall, "rclone"),
			m(cpu, "supload") / m(cpu, "rclone"),
			m(rss, "supload") / m(rss, "rclone")
		if (n["supload-age"])
			printf "| supload -r / supload (encryption, means) | %.2f | %.2f | %.2f |\n",
				m(wall, "supload-age") / m(wall, "supload"),
				m(cpu, "supload-age") / m(cpu, "supload"),
				m(rss, "supload-age") / m(rss, "supload")
	}' results | tee "$OUT"
