#!/bin/sh
# sdump benchmark (make bench): on a generated reference salon database of
# at least 1 GB on disk, side by side in one run: pg_dump -Fc,
# pg_dump -Fp | zstd -3, sdump (zstd:3), sdump -j 2 and sdump -Z none:
# wall time, archive size, peak RSS, and the ratios to pg_dump -Fc.
#
#   BENCH_SCALE   salon-gen --scale (default 30: about 1.2 GB on disk)
#   BENCH_OUT     where the markdown table goes (default build/bench-sdump.md)
#   SALON_SCHEMA, SALON_GEN   the schema and generator to use (default
#                 share/strongbox/salon-schema.sql and salon-gen)
#
# Without the salon schema and generator, pgbench -i (scale 70, about 1 GB)
# stands in, which compresses far better than real data.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$ROOT/bin:$PATH"
SCALE=${BENCH_SCALE:-30}
OUT=${BENCH_OUT:-$ROOT/build/bench-sdump.md}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/strongbox-bench.XXXXXX")
chmod 755 "$WORK"
export PATH

# What t/lib/pg.sh needs from t/lib/test-lib.sh.
_hooks=
test_at_exit() { _hooks="$1
$_hooks"; }
free_port() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
			LocalPort => 0, Proto => "tcp") or die "no port: $!";
		print $s->sockport, "\n";'
}
trap 'eval "$_hooks"; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
. "$ROOT/t/lib/pg.sh"

PG_EXTRA_CONF="shared_buffers = 256MB
max_wal_size = 8GB
checkpoint_timeout = 30min
autovacuum = off" pg_start
pg_createdb salon
cd "$WORK"

gen=${SALON_GEN:-}
schema=${SALON_SCHEMA:-$ROOT/share/strongbox/salon-schema.sql}
[ -n "$gen" ] || for g in "$ROOT/share/strongbox/salon-gen" "$ROOT/bin/salon-gen"; do
	[ -x "$g" ] && gen=$g && break
done
if [ -z "$gen" ] && [ -f "$ROOT/share/strongbox/salon-gen.c" ]; then
	cc -O2 -I"$ROOT/lib" -o salon-gen "$ROOT/share/strongbox/salon-gen.c" \
		"$ROOT"/build/opt/libstrongbox.a -lm && gen=$PWD/salon-gen
fi
echo "bench: loading the database ($(date -u +%T))" >&2
if [ -n "$gen" ] && [ -f "$schema" ]; then
	what="reference salon schema, salon-gen --scale $SCALE"
	psql -X -q -v ON_ERROR_STOP=1 -d salon -f "$schema" >/dev/null
	"$gen" --scale "$SCALE" | psql -X -q -v ON_ERROR_STOP=1 -d salon >/dev/null
else
	what="pgbench -i -s 70 (salon generator not found)"
	"$PG_BIN/pgbench" -i -q -s 70 salon >/dev/null 2>&1
fi
psql -X -q -d salon -c "VACUUM ANALYZE" >/dev/null
size=$(pg_sql salon "select pg_database_size('salon')")
echo "bench: database is $((size / 1048576)) MiB ($(date -u +%T))" >&2

# run NAME OUTFILE CMD: wall seconds and peak RSS (KiB) into $NAME.time
run() {
	_name=$1 _out=$2
	shift 2
	echo "bench: $_name" >&2
	/usr/bin/time -f "%e %M" -o "$_name.time" sh -c "$*" >"$_out"
}
# A warm-up, so that every contender finds the data in the page cache.
sdump -d salon -Z none >/dev/null
run pgdump_fc pgdump.fc "pg_dump -Fc -d salon"
run pgdump_zstd pgdump.sql.zst "pg_dump -Fp -d salon | zstd -3 -q"
run sdump sdump.sdump "sdump -d salon"
run sdump_j2 sdump-j2.sdump "sdump -d salon -j 2"
run sdump_none sdump-none.sdump "sdump -d salon -Z none"
if [ -x "$ROOT/bin/srestore" ]; then
	"$ROOT/bin/srestore" --check <sdump.sdump >/dev/null &&
		check="srestore --check accepts the sdump archives" ||
		check="srestore --check REJECTED the sdump archive"
else
	check="(srestore not built: archives not checked)"
fi

base_t=$(cut -d" " -f1 pgdump_fc.time)
base_s=$(wc -c <pgdump.fc)
{
	echo "Database: $what, $((size / 1048576)) MiB on disk; $(nproc) CPUs;"
	echo "PostgreSQL $(pg_sql salon 'show server_version' | cut -d' ' -f1);" \
		"$(date -u +%F). $check."
	echo
	echo "| command | wall s | × pg_dump -Fc | archive MiB | × pg_dump -Fc | peak RSS MiB |"
	echo "|---|---:|---:|---:|---:|---:|"
	for r in "pgdump_fc pgdump.fc pg_dump -Fc" \
		"pgdump_zstd pgdump.sql.zst pg_dump -Fp \\| zstd -3" \
		"sdump sdump.sdump sdump (zstd:3)" \
		"sdump_j2 sdump-j2.sdump sdump -j 2" \
		"sdump_none sdump-none.sdump sdump -Z none"; do
		set -- $r
		n=$1 f=$2
		shift 2
		t=$(cut -d" " -f1 "$n.time")
		m=$(cut -d" " -f2 "$n.time")
		s=$(wc -c <"$f")
		awk -v c="$*" -v t="$t" -v bt="$base_t" -v s="$s" -v bs="$base_s" -v m="$m" \
			'BEGIN { printf "| `%s` | %.1f | %.2f | %.1f | %.2f | %.0f |\n",
				c, t, t / bt, s / 1048576, s / bs, m / 1024 }'
	done
} >table.md
mkdir -p "$(dirname "$OUT")"
cp table.md "$OUT"
cat table.md
