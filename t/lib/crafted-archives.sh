#!/bin/sh
# crafted-archives.sh: builds the hostile strongbox archives of issue 10
# into t/crafted/ (committed, so that a test reads exactly the bytes that
# were reviewed).  Run it from the top of the tree after changing it:
#
#   sh t/lib/crafted-archives.sh
#
# Every archive holds one table, public.t (id integer, v text), 3 rows,
# and a primary key in post-data, unless its name says otherwise.  The
# side effects they try leave a file in the server's data directory
# (COPY ... TO PROGRAM 'touch strongbox-pwned-*', run by the server with
# the data directory as working directory), a file in the working directory
# of a psql fed `srestore --sql` (\! touch strongbox-pwned-*), or advance
# the sequence public.canary, which no transaction rolls back.
#
#   ok.sdump                     the honest archive everything else varies
#   ok-restrict.sdump            pre-data and post-data wrapped in the
#                                \restrict KEY ... \unrestrict KEY pair
#                                pg_dump >= 15.14 writes: accepted
#   predata-program-badsum.sdump pre-data + COPY (SELECT 1) TO PROGRAM,
#                                no digest or trailer updated
#   predata-nextval-badsum.sdump pre-data + nextval('public.canary'), no
#                                digest or trailer updated
#   predata-program.sdump        pre-data + COPY ... TO PROGRAM, every
#                                digest recomputed (a forgery)
#   predata-select.sdump         pre-data + a plpgsql function that runs
#                                COPY ... TO PROGRAM, then SELECT of it,
#                                every digest recomputed (a forgery)
#   predata-commit.sdump         COMMIT; BEGIN; after the CREATE TABLE
#   predata-meta.sdump           a \! touch line in pre-data
#   predata-session.sdump        SET SESSION AUTHORIZATION in pre-data
#   predata-do.sdump             DO $$ ... $$ in pre-data
#   postdata-nextval-badsum.sdump post-data + a CHECK that calls
#                                nextval('public.canary'),
#                                the trailer then fails (a row changed)
#   postdata-rollback.sdump      ROLLBACK; in post-data
#   postdata-big.sdump           post-data over the 64 MiB bound (zstd)
#   chunk-eod.sdump              a chunk line "\." followed by psql meta
#                                commands and SQL
#   legacy-nodigest.sdump        the honest archive without the manifest's
#                                pre_data_sha256, as sdump wrote it before
#                                0.2: refused unless --legacy-pre-data
#   manifest-newline.sdump       database, created and tool strings with
#                                newlines and \! touch
#   manifest-newline-badsum.sdump the same, and a row changed after the
#                                trailer was made
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$TOP/t/crafted
. "$TOP/t/lib/mkarchive.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/crafted.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

# base DIR [DATABASE CREATED TOOL]: the members of the honest archive.
base() {
	_d=$1
	rm -rf "$_d"
	mkdir -p "$_d/strongbox" "$_d/schema" "$_d/data/public.t"
	jq -n --arg db "${2:-crafted}" --arg created "${3:-2026-11-29T22:00:05+00:00}" \
		--arg tool "${4:-sdump 0.1.0}" '{format: "strongbox", version: 1,
		created: $created, tool: $tool, server_version: "16.4",
		server_version_num: 160004, database: $db, encoding: "UTF8",
		data_only: false, compression: "none", chunk_size: 4194304,
		jobs: 1, tables: [{schema: "public", name: "t", dir: "public.t",
		kind: "r", level: 0, columns: [{name: "id", type: "integer"},
		{name: "v", type: "text"}], references: []}],
		materialized_views: []}' >"$_d/strongbox/manifest.json"
	cat >"$_d/schema/pre-data.sql" <<'EOF'
SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET default_table_access_method = heap;

CREATE TABLE public.t (
    id integer NOT NULL,
    v text
);
EOF
	printf '1\tone\n2\ttwo\n3\tthree\n' >"$_d/data/public.t/000001.copy"
	echo '{"sequences": []}' >"$_d/data/sequences.json"
	cat >"$_d/schema/post-data.sql" <<'EOF'
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);

ALTER TABLE ONLY public.t
    ADD CONSTRAINT t_pkey PRIMARY KEY (id);
EOF
}

# pack DIR NAME: the archive, every digest computed (mkarchive_pack).
pack() {
	mkarchive_pack "$1" >"$OUT/$2.sdump"
}

# retar DIR NAME: the members of DIR as they are now, after pack made the
# manifest's digest and the trailer: whatever changed since no longer
# matches them.
retar() {
	(cd "$1" && tar --format=pax --pax-option=delete=atime,delete=ctime --owner=0 --group=0 --numeric-owner \
		--mode=0644 --mtime=@1780000000 --no-recursion -cf - -T .members) \
		>"$OUT/$2.sdump"
}

W=$WORK/a

base "$W" && pack "$W" ok

base "$W" && MKARCHIVE_NO_PRE_DATA_SHA=1 pack "$W" legacy-nodigest

base "$W"
{ printf '\\restrict Xq9T2crafted\n\n'; cat "$W/schema/pre-data.sql";
  printf '\n\\unrestrict Xq9T2crafted\n'; } >"$W/x" && mv "$W/x" "$W/schema/pre-data.sql"
{ printf '\\restrict Yz8crafted\n\n'; cat "$W/schema/post-data.sql";
  printf '\n\\unrestrict Yz8crafted\n'; } >"$W/x" && mv "$W/x" "$W/schema/post-data.sql"
pack "$W" ok-restrict

base "$W" && pack "$W" tmp
echo "COPY (SELECT 1) TO PROGRAM 'touch strongbox-pwned-predata';" >>"$W/schema/pre-data.sql"
retar "$W" predata-program-badsum

base "$W" && pack "$W" tmp
echo "SELECT pg_catalog.nextval('public.canary');" >>"$W/schema/pre-data.sql"
retar "$W" predata-nextval-badsum

base "$W"
echo "COPY (SELECT 1) TO PROGRAM 'touch strongbox-pwned-forged';" >>"$W/schema/pre-data.sql"
pack "$W" predata-program

base "$W"
cat >>"$W/schema/pre-data.sql" <<'SQL'
CREATE FUNCTION public.evil() RETURNS integer LANGUAGE plpgsql AS $f$BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch strongbox-pwned-select'''; RETURN 1; END$f$;
SELECT public.evil();
SQL
pack "$W" predata-select

base "$W"
printf 'COMMIT;\nBEGIN;\nCREATE TABLE public.left_behind (x integer);\n' >>"$W/schema/pre-data.sql"
pack "$W" predata-commit

base "$W"
printf '\\! touch strongbox-pwned-meta\n' >>"$W/schema/pre-data.sql"
pack "$W" predata-meta

base "$W"
printf 'SET SESSION AUTHORIZATION postgres;\n' >>"$W/schema/pre-data.sql"
pack "$W" predata-session

base "$W"
printf 'DO $$BEGIN EXECUTE $q$COPY (SELECT 1) TO PROGRAM $x$touch strongbox-pwned-do$x$$q$; END$$;\n' \
	>>"$W/schema/pre-data.sql"
pack "$W" predata-do

base "$W" && pack "$W" tmp
# A check constraint that calls nextval() once per row as it is validated:
# what a forger can still write (statements pg_dump writes), held back.
echo "ALTER TABLE public.t ADD CONSTRAINT t_canary CHECK (pg_catalog.nextval('public.canary') > 0);" >>"$W/schema/post-data.sql"
printf '1\tone\n2\tTWO\n3\tthree\n' >"$W/data/public.t/000001.copy"
retar "$W" postdata-nextval-badsum

base "$W"
printf 'ROLLBACK;\n' >>"$W/schema/post-data.sql"
pack "$W" postdata-rollback

base "$W"
# 65 MiB of comments: over the bound, a few KiB once compressed.
awk 'BEGIN { l = sprintf("-- %1020s\n", "padding"); for (i = 0; i < 66560; i++) printf "%s", l }' \
	>>"$W/schema/post-data.sql"
mkarchive_pack "$W" | zstd -q -19 >"$OUT/postdata-big.sdump"

base "$W"
printf '1\tone\n\\.\n\\! touch strongbox-pwned-chunk\nCOPY (SELECT 1) TO PROGRAM '"'"'touch strongbox-pwned-chunk'"'"';\nCOPY public.t (id, v) FROM stdin;\n2\ttwo\n' \
	>"$W/data/public.t/000001.copy"
pack "$W" chunk-eod

NL='x
\! touch strongbox-pwned-manifest
SELECT 1; -- '
base "$W" "db$NL" "2026-11-29$NL" "sdump$NL" && pack "$W" manifest-newline
printf '1\tone\n2\tTWO\n3\tthree\n' >"$W/data/public.t/000001.copy"
retar "$W" manifest-newline-badsum

rm -f "$OUT/tmp.sdump"
ls -l "$OUT"
