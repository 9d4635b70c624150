#!/bin/sh
# srestore --check on archives of many tables (no server): the manifest
# and trailer of N empty tables, N = 25,000, 50,000 and 100,000, so that
# the time per table shows whether the check is linear in the number of
# tables.  Beside it, the least a user could do to look inside the same
# archive without strongbox: tar extracting the manifest and the trailer
# and jq counting their tables.  Prints seconds, peak RSS and ratios.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$root/bin:$PATH"
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-check.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"

# mkmany N: many-N.tar, a data-only archive of N tables without rows.
mkmany() {
	n=$1 d=many-$1
	mkdir -p "$d/strongbox" "$d/data"
	awk -v n="$n" 'BEGIN {
		printf "{\"format\":\"strongbox\",\"version\":1,\"created\":\"2026-11-29T22:00:05+00:00\",\"tool\":\"bench\",\"database\":\"many\",\"encoding\":\"UTF8\",\"data_only\":true,\"compression\":\"none\",\"chunk_size\":4194304,\"jobs\":1,\"tables\":["
		for (i = 0; i < n; i++)
			printf "%s{\"schema\":\"s%d\",\"name\":\"table_%07d\",\"dir\":\"s%d.table_%07d\",\"kind\":\"r\",\"level\":0,\"columns\":[{\"name\":\"id\",\"type\":\"integer\"}],\"references\":[]}", i ? "," : "", i % 10, i, i % 10, i
		printf "],\"materialized_views\":[]}\n"
	}' >"$d/strongbox/manifest.json"
	echo '{"sequences":[]}' >"$d/data/sequences.json"
	ms=$(sha256sum <"$d/strongbox/manifest.json" | cut -d" " -f1)
	ss=$(sha256sum <"$d/data/sequences.json" | cut -d" " -f1)
	mb=$(wc -c <"$d/strongbox/manifest.json")
	sb=$(wc -c <"$d/data/sequences.json")
	# The trailer in reverse order: a lookup by name, not by position.
	awk -v n="$n" -v ms="$ms" -v ss="$ss" -v mb="$mb" -v sb="$sb" 'BEGIN {
		e = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		printf "{\"format\":\"strongbox\",\"version\":1,\"complete\":true,\"finished\":\"2026-11-29T22:10:00+00:00\",\"tables\":["
		for (i = n - 1; i >= 0; i--)
			printf "%s{\"schema\":\"s%d\",\"name\":\"table_%07d\",\"rows\":0,\"bytes\":0,\"chunks\":0,\"sha256\":\"%s\"}", i < n - 1 ? "," : "", i % 10, i, e
		printf "],\"members\":[{\"name\":\"strongbox/manifest.json\",\"bytes\":%d,\"sha256\":\"%s\"},{\"name\":\"data/sequences.json\",\"bytes\":%d,\"sha256\":\"%s\"}]}\n", mb, ms, sb, ss
	}' >"$d/strongbox/trailer.json"
	(cd "$d" && tar --format=pax -cf "../many-$n.tar" strongbox/manifest.json \
		data/sequences.json strongbox/trailer.json)
}

# run LABEL CMD...: "LABEL seconds peak-RSS-KiB" on stdout.
run() {
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o t.out "$@" >/dev/null
	echo "$label $(cat t.out)"
}

printf '%-8s %12s %10s %12s %10s %8s\n' tables "check (s)" "RSS (KiB)" "tar+jq (s)" "RSS (KiB)" ratio
for n in 25000 50000 100000; do
	mkmany $n
	srestore --check <many-$n.tar | jq -e ".ok and .tables == $n" >/dev/null
	set -- $(run c srestore --check <many-$n.tar | cut -d" " -f2-)
	cs=$1 cr=$2
	set -- $(run j sh -c "tar -xOf many-$n.tar strongbox/manifest.json strongbox/trailer.json | jq -s '.[0].tables + .[1].tables | length'" | cut -d" " -f2-)
	printf '%-8s %12s %10s %12s %10s %8s\n' $n "$cs" "$cr" "$1" "$2" \
		"$(awk -v a="$cs" -v b="$1" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
done
