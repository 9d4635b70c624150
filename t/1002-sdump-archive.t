#!/bin/sh
# sdump on a schema with every hard thing: the archive's members and their
# order, the manifest, the trailer's counts and checksums against the
# database, chunking, sequences, compression variants, table selection,
# --data-only, -j 2, and pg_dump missing.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_ROOT/t/lib/pg.sh"
. "$TEST_ROOT/t/lib/sdump.sh"

pg_start
pg_createdb hard
psql -X -q -v ON_ERROR_STOP=1 -d hard -f "$TEST_ROOT/t/lib/hard-schema.sql" >/dev/null

test_expect_success 'sdump writes an archive, silently' '
	BRANCH_ID=branch-a expect_exit 0 sdump -d hard --chunk-size 4k &&
	test ! -s err && mv out a.sdump &&
	test "$(head -c 4 a.sdump | od -An -tx1 | tr -d " ")" = 28b52ffd
'
test_expect_success 'members come in the order of the format' '
	ar_members a.sdump >names &&
	test "$(sed -n 1p names)" = strongbox/manifest.json &&
	test "$(sed -n 2p names)" = schema/pre-data.sql &&
	test "$(tail -n 3 names | head -n 1)" = data/sequences.json &&
	test "$(tail -n 2 names | head -n 1)" = schema/post-data.sql &&
	test "$(tail -n 1 names)" = strongbox/trailer.json &&
	sed -n "3,\$p" names | head -n -3 | grep -v "^data/[^/]*\.[^/]*/[0-9]\{6,\}\.copy\$" >bad || true &&
	test ! -s bad
'
test_expect_success 'chunks follow the manifest order, each table in order' '
	ar_cat a.sdump strongbox/manifest.json >manifest.json &&
	jq -r ".tables[].dir" manifest.json >dirs &&
	grep "^data/.*\.copy\$" names | sed "s|^data/||; s|/.*||" | uniq >seen &&
	grep -Fxf seen dirs >expected && diff expected seen &&
	for d in $(cat seen); do
		grep "^data/$d/" names >c1 && sort c1 >c2 && diff c1 c2 || exit 1
	done
'
test_expect_success 'the manifest: format, database, branch, options' '
	test "$(jq -r .format manifest.json)" = strongbox &&
	test "$(jq -r .version manifest.json)" = 1 &&
	test "$(jq -r .database manifest.json)" = hard &&
	test "$(jq -r .encoding manifest.json)" = UTF8 &&
	test "$(jq -r .branch_id manifest.json)" = branch-a &&
	test "$(jq -r .compression manifest.json)" = zstd:3 &&
	test "$(jq -r .chunk_size manifest.json)" = 4096 &&
	test "$(jq -r .data_only manifest.json)" = false &&
	jq -r .pg_dump_version manifest.json | grep -q "^[0-9]" &&
	jq -r .created manifest.json | grep -q "^20[0-9-]*T[0-9:]*[+-][0-9][0-9]:[0-9][0-9]\$"
'
test_expect_success 'the manifest: levels, references and the cycle' '
	lv() { jq -r ".tables[] | select(.name == \"$1\") | .level" manifest.json; } &&
	test "$(lv branches)" = 0 && test "$(lv customers)" = 1 &&
	test "$(lv "Bill Items.v2")" = 2 &&
	test "$(lv staff)" = "$(lv teams)" && test "$(lv categories)" = 0 &&
	jq -e ".fk_cycles | length == 1 and (.[0] | map(.name) | sort == [\"staff\",\"teams\"])" manifest.json &&
	jq -e "[.tables[].level] as \$l | \$l == (\$l | sort)" manifest.json &&
	jq -e ".tables[] | select(.name == \"customers\") | .references == [{\"schema\":\"public\",\"name\":\"branches\"}]" manifest.json
'
test_expect_success 'the manifest: columns, generated ones left out; quoted names' '
	jq -r ".tables[] | select(.name == \"customers\") | .columns[].name" manifest.json >cols &&
	grep -qx balance cols && ! grep -q name_upper cols &&
	jq -e ".tables[] | select(.schema == \"Sales Dept\" and .name == \"Bill Items.v2\") |
		.dir == \"Sales%20Dept.Bill%20Items%2Ev2\" and
		(.columns | map(.name) == [\"Id\",\"customer_id\",\"qty \\\"quoted\\\"\",\"prix-été\",\"note\"])" manifest.json
'
test_expect_success 'partitions: leaves dumped, the parent has no data; inheritance' '
	jq -e "[.tables[].name] | (index(\"sales\") == null) and (index(\"sales_2025\") != null)" manifest.json &&
	jq -e ".tables[] | select(.name == \"sales_2026\") | .kind == \"p\" and .partition_of.name == \"sales\"" manifest.json &&
	jq -e "[.materialized_views[].name] == [\"branch_totals\"]" manifest.json &&
	jq -e "[.tables[].name] | index(\"branch_totals\") == null and index(\"big_customers\") == null" manifest.json &&
	test "$(ar_table a.sdump public.events)" = "$(printf "1\tparent row")" &&
	test "$(ar_table a.sdump public.events_special)" = "$(printf "2\tchild row\textra")"
'
test_expect_success 'trailer: every table, its rows, bytes and SHA-256 match the database' '
	ar_cat a.sdump strongbox/trailer.json >trailer.json &&
	test "$(jq -r .complete trailer.json)" = true &&
	test "$(jq ".tables | length" trailer.json)" = "$(jq ".tables | length" manifest.json)" &&
	jq -r ".tables[] | [.schema, .name, .dir, (.columns | map(.name | \"\\\"\" + gsub(\"\\\"\"; \"\\\"\\\"\") + \"\\\"\") | join(\",\"))] | @tsv" manifest.json |
	while IFS="	" read -r s t d cols; do
		qs="\"$s\"" && qt="\"$t\"" &&
		copy_of hard "$qs.$qt" "$cols" >want &&
		ar_table a.sdump "$d" >got &&
		cmp want got &&
		rows=$(jq -r ".tables[] | select(.schema == \"$s\" and .name == \"$t\") | .rows" trailer.json) &&
		bytes=$(jq -r ".tables[] | select(.schema == \"$s\" and .name == \"$t\") | .bytes" trailer.json) &&
		sha=$(jq -r ".tables[] | select(.schema == \"$s\" and .name == \"$t\") | .sha256" trailer.json) &&
		test "$rows" = "$(pg_sql hard "select count(*) from only $qs.$qt")" &&
		test "$bytes" = "$(wc -c <got)" &&
		test "$sha" = "$(sha256sum <got | cut -d" " -f1)" || exit 1
	done
'
test_expect_success 'trailer: every member before it, with its size and SHA-256' '
	jq -r ".members[].name" trailer.json >tnames &&
	head -n -1 names | diff - tnames &&
	jq -r ".members[] | [.name, .bytes, .sha256] | @tsv" trailer.json |
	while IFS="	" read -r n b sha; do
		ar_cat a.sdump "$n" >m &&
		test "$b" = "$(wc -c <m)" &&
		test "$sha" = "$(sha256sum <m | cut -d" " -f1)" || exit 1
	done
'
test_expect_success 'chunks hold whole rows and respect --chunk-size' '
	test "$(jq -r ".tables[] | select(.name == \"Bill Items.v2\") | .chunks" trailer.json)" -gt 3 &&
	for n in $(grep "^data/Sales" names); do
		ar_cat a.sdump "$n" >c &&
		test "$(wc -c <c)" -le 4096 &&
		test "$(tail -c 1 c | od -An -c | tr -d " ")" = "\\n" || exit 1
	done
'
test_expect_success 'text with tabs, newlines, backslashes; NULLs; arrays, bytea' '
	ar_table a.sdump public.customers >cust &&
	grep -q "line1\\\\nline2" cust && grep -q "back\\\\\\\\slash and \\\\ttab" cust &&
	grep -q "\\\\N" cust && grep -q "{a,b,\"c d\"}" cust && grep -q "x00ff10" cust
'
test_expect_success 'sequences: every value, read live' '
	ar_cat a.sdump data/sequences.json >seq.json &&
	jq -e ".sequences[] | select(.name == \"branches_id_seq\") | .last_value == 42 and .is_called" seq.json &&
	jq -e ".sequences[] | select(.schema == \"Sales Dept\" and .name == \"Bill Items.v2_Id_seq\") | .last_value == 500" seq.json &&
	jq -e ".sequences[] | select(.name == \"customers_id_seq\")" seq.json
'
test_expect_success 'pre-data and post-data come from pg_dump' '
	ar_cat a.sdump schema/pre-data.sql >pre.sql &&
	ar_cat a.sdump schema/post-data.sql >post.sql &&
	grep -q "CREATE TABLE public.customers" pre.sql &&
	grep -q "CREATE TYPE public.mood" pre.sql &&
	grep -q "PRIMARY KEY" post.sql && grep -q "FOREIGN KEY" post.sql &&
	! grep -q "PRIMARY KEY" pre.sql
'
for z in gzip gzip:1 none zstd:19 zstd:1; do
	test_expect_success "-Z $z: same content" "
		expect_exit 0 sdump -d hard --chunk-size 4k -Z $z && mv out z.sdump &&
		ar_members z.sdump | diff names - &&
		ar_cat z.sdump strongbox/manifest.json | jq -r .compression >c &&
		case $z in gzip) test \"\$(cat c)\" = gzip:6;; *) test \"\$(cat c)\" = $z;; esac &&
		for t in public.customers Sales%20Dept.Bill%20Items%2Ev2 public.sales_2025; do
			ar_table a.sdump \$t >x && ar_table z.sdump \$t >y && cmp x y || exit 1
		done
	"
done
test_expect_success '-Z gzip writes gzip, -Z none a plain tar' '
	sdump -d hard -Z gzip >g.sdump && test "$(head -c 2 g.sdump | od -An -tx1 | tr -d " ")" = 1f8b &&
	sdump -d hard -Z none >n.sdump && test "$(dd if=n.sdump bs=1 skip=257 count=5 2>/dev/null)" = ustar
'
test_expect_success '-j 2 gives the same tables as -j 1' '
	expect_exit 0 sdump -d hard -j 2 --chunk-size 4k && mv out j.sdump &&
	ar_cat j.sdump strongbox/trailer.json | jq -c "[.tables[] | [.schema,.name,.rows,.bytes,.chunks,.sha256]] | sort" >j2 &&
	jq -c "[.tables[] | [.schema,.name,.rows,.bytes,.chunks,.sha256]] | sort" trailer.json >j1 &&
	diff j1 j2 &&
	test "$(ar_cat j.sdump strongbox/manifest.json | jq .jobs)" = 2
'
test_expect_success '-j 3 --split-size 8k: big tables in TID ranges, same rows' '
	expect_exit 0 sdump -d hard -j 3 --split-size 8k --chunk-size 1k && mv out s.sdump &&
	ar_cat s.sdump strongbox/trailer.json >strail.json &&
	jq -c "[.tables[] | [.schema,.name,.rows,.bytes]] | sort" strail.json >s3 &&
	jq -c "[.tables[] | [.schema,.name,.rows,.bytes]] | sort" trailer.json >s1 &&
	diff s1 s3 &&
	for d in Sales%20Dept.Bill%20Items%2Ev2 public.sales_2025; do
		ar_table a.sdump $d | sort >x && ar_table s.sdump $d | sort >y && cmp x y &&
		sha=$(jq -r ".tables[] | select(.name == \"$(echo $d | sed "s/.*\.//; s/%20/ /g; s/%2E/./g")\") | .sha256" strail.json) &&
		test "$sha" = "$(ar_table s.sdump $d | sha256sum | cut -d" " -f1)" || exit 1
	done &&
	ar_members s.sdump | grep "^data/Sales" >sn && sort sn | diff sn -
'
test_expect_success '-t selects tables (pg_dump patterns), with their schema only' '
	expect_exit 0 sdump -d hard -t "\"Sales Dept\".*" -t "sales" && mv out t.sdump &&
	ar_cat t.sdump strongbox/manifest.json | jq -r "[.tables[].name] | sort | join(\",\")" >tn &&
	test "$(cat tn)" = "Bill Items.v2,sales_2025,sales_2026" &&
	ar_cat t.sdump schema/pre-data.sql >tpre &&
	grep -q "Bill Items.v2" tpre && ! grep -q "CREATE TABLE public.customers" tpre &&
	ar_cat t.sdump data/sequences.json | jq -r "[.sequences[].name] | join(\",\")" >ts &&
	test "$(cat ts)" = "Bill Items.v2_Id_seq"
'
test_expect_success '-T excludes tables; uppercase folds unless quoted' '
	expect_exit 0 sdump -d hard -T "SALES*" -T "public.c*" && mv out x.sdump &&
	ar_cat x.sdump strongbox/manifest.json | jq -r "[.tables[].name] | sort | join(\",\")" >xn &&
	test "$(cat xn)" = "Bill Items.v2,branches,empty_one,events,events_special,staff,teams" &&
	! ar_cat x.sdump schema/pre-data.sql | grep -q "CREATE TABLE public.customers"
'
test_expect_success 'a table that belongs to an extension is not dumped as data' '
	pg_sql hard "create extension pg_trgm; create table ext_owned (x int);
		insert into ext_owned values (1); alter extension pg_trgm add table ext_owned" &&
	expect_exit 0 sdump -d hard --data-only && mv out e.sdump &&
	ar_cat e.sdump strongbox/manifest.json | jq -e "[.tables[].name] | index(\"ext_owned\") == null" &&
	! ar_members e.sdump | grep -q ext_owned &&
	pg_sql hard "alter extension pg_trgm drop table ext_owned; drop table ext_owned; drop extension pg_trgm"
'
test_expect_success '-t that matches nothing fails' '
	expect_exit 1 sdump -d hard -t nosuch && expect_one_line_error sdump &&
	grep -q "no matching tables" err
'
test_expect_success '--data-only: no schema, needs no pg_dump' '
	SDUMP_PG_DUMP=/nonexistent expect_exit 0 sdump -d hard --data-only && mv out d.sdump &&
	ar_members d.sdump >dn && ! grep -q ^schema/ dn &&
	test "$(head -n 1 dn)" = strongbox/manifest.json &&
	test "$(tail -n 1 dn)" = strongbox/trailer.json &&
	ar_cat d.sdump strongbox/manifest.json | jq -e ".data_only and .pg_dump_version == null"
'
test_expect_success 'no pg_dump: one clear line, exit 1, no trailer' '
	SDUMP_PG_DUMP=/nonexistent expect_exit 1 sdump -d hard &&
	expect_one_line_error sdump && grep -q "pg_dump" err &&
	! tar -tf out 2>/dev/null | grep -q trailer
'
test_expect_success 'a pg_dump older than the server: one clear line, exit 1' '
	printf "#!/bin/sh\necho \"pg_dump (PostgreSQL) 9.6.24\"\n" >old-pg_dump &&
	chmod +x old-pg_dump &&
	SDUMP_PG_DUMP=$PWD/old-pg_dump expect_exit 1 sdump -d hard &&
	expect_one_line_error sdump && grep -q "older than the server" err
'
test_expect_success 'URLs: postgresql+asyncpg:// in DATABASE_URL, postgres:// in -d' '
	DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:$PGPORT/hard" \
		expect_exit 0 sdump --data-only -t branches &&
	mv out u.sdump && ar_cat u.sdump strongbox/manifest.json | jq -e ".database == \"hard\"" &&
	expect_exit 0 sdump --data-only -t branches -d "postgres://postgres@127.0.0.1:$PGPORT/hard" &&
	mv out v.sdump && ar_cat v.sdump strongbox/manifest.json | jq -e ".database == \"hard\""
'
test_expect_success '--progress reports on stderr' '
	expect_exit 0 sdump -d hard --progress &&
	grep -q "^sdump: 11/11 tables, .* MiB/s\$" err
'
test_expect_success 'a closed stdout fails the dump (EPIPE), no trailer' '
	{ sdump -d hard -Z none 2>err; echo $? >rc; } | head -c 100 >/dev/null &&
	test "$(cat rc)" = 1 && expect_one_line_error sdump &&
	grep -q "Broken pipe" err
'
test_expect_success 'a full disk fails the dump' '
	expect_exit 1 sh -c "sdump -d hard >/dev/full" &&
	expect_one_line_error sdump && grep -q "No space left" err
'
test_expect_success 'a query error (large objects) is one line, exit 1, no trailer' '
	pg_sql hard "select lo_create(4242)" >/dev/null &&
	expect_exit 1 sdump -d hard && expect_one_line_error sdump &&
	grep -q "large objects" err && test ! -s out &&
	pg_sql hard "select lo_unlink(4242)" >/dev/null
'
test_done
