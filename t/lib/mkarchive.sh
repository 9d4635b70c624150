# mkarchive.sh: test-only tools to build strongbox archives (ARCHIVE.md)
# from pieces, so that tests can craft good and bad archives without sdump.
#
#   . "$TEST_ROOT/t/lib/mkarchive.sh"
#   mkarchive_from_db DB DIR     # DIR/ gets the members of a dump of DB
#   mkarchive_pack DIR >out.tar  # the archive (pax tar) of DIR, trailer made
#
# DIR layout: strongbox/manifest.json, schema/pre-data.sql (optional),
# data/<dir>/NNNNNN.copy, data/sequences.json, schema/post-data.sql
# (optional).  Chunks go in the order of DIR/chunks.list when it exists,
# else sorted.  MKARCHIVE_NO_TRAILER=1 leaves the trailer out.  The
# manifest gets pre-data's SHA-256 ("pre_data_sha256") as sdump writes it,
# unless MKARCHIVE_NO_PRE_DATA_SHA=1.
# strongbox/manifest.json.minisig and strongbox/trailer.json.minisig, when
# present, go right after the member they sign (as they are: a trailer's
# signature does not match the trailer made here).

# _mk_sha FILE...: hex SHA-256 of the files concatenated.
_mk_sha() {
	cat "$@" </dev/null | sha256sum | cut -d' ' -f1
}

mkarchive_pack() {
	_d=$1
	(
		cd "$_d" || exit 1
		if [ -f schema/pre-data.sql ] && [ -z "${MKARCHIVE_NO_PRE_DATA_SHA:-}" ]; then
			jq --arg s "$(_mk_sha schema/pre-data.sql)" \
				'.pre_data_sha256 = $s' strongbox/manifest.json >.manifest &&
			mv .manifest strongbox/manifest.json || exit 1
		fi
		: >.members
		echo strongbox/manifest.json >>.members
		[ -f strongbox/manifest.json.minisig ] &&
			echo strongbox/manifest.json.minisig >>.members
		[ -f schema/pre-data.sql ] && echo schema/pre-data.sql >>.members
		if [ -f chunks.list ]; then
			cat chunks.list >>.members
		else
			find data -name '*.copy' | LC_ALL=C sort >>.members
		fi
		echo data/sequences.json >>.members
		[ -f schema/post-data.sql ] && echo schema/post-data.sql >>.members
		# trailer: tables from the manifest, members as listed
		tables='[]'
		n=$(jq '.tables | length' strongbox/manifest.json)
		i=0
		while [ "$i" -lt "$n" ]; do
			row=$(jq -c ".tables[$i]" strongbox/manifest.json)
			dir=$(printf '%s' "$row" | jq -r .dir)
			files=$(grep "^data/$dir/[0-9]*\.copy\$" .members || true)
			if [ -n "$files" ]; then
				# shellcheck disable=SC2086
				rows=$(cat $files | tr -cd '\n' | wc -c)
				# shellcheck disable=SC2086
				bytes=$(cat $files | wc -c)
				# shellcheck disable=SC2086
				sha=$(_mk_sha $files)
				chunks=$(printf '%s\n' "$files" | wc -l)
			else
				rows=0 bytes=0 chunks=0
				sha=$(printf '' | sha256sum | cut -d' ' -f1)
			fi
			tables=$(printf '%s' "$tables" | jq -c --argjson r "$row" \
				--argjson rows "$rows" --argjson bytes "$bytes" \
				--argjson chunks "$chunks" --arg sha "$sha" \
				'. + [{schema: $r.schema, name: $r.name, rows: $rows,
				  bytes: $bytes, chunks: $chunks, sha256: $sha}]')
			i=$((i + 1))
		done
		members='[]'
		while IFS= read -r m; do
			members=$(printf '%s' "$members" | jq -c --arg n "$m" \
				--argjson b "$(wc -c <"$m")" --arg s "$(_mk_sha "$m")" \
				'. + [{name: $n, bytes: $b, sha256: $s}]')
		done <.members
		jq -n --argjson t "$tables" --argjson m "$members" \
			'{format: "strongbox", version: 1, complete: true,
			  finished: "2026-11-29T22:10:00+00:00", tables: $t, members: $m}' \
			>strongbox/trailer.json
		[ -n "${MKARCHIVE_NO_TRAILER:-}" ] || echo strongbox/trailer.json >>.members
		[ -n "${MKARCHIVE_NO_TRAILER:-}" ] || [ ! -f strongbox/trailer.json.minisig ] ||
			echo strongbox/trailer.json.minisig >>.members
		tar --format=pax --pax-option=delete=atime,delete=ctime --owner=0 --group=0 --numeric-owner --mode=0644 \
			--mtime=@1780000000 --no-recursion -cf - -T .members
	)
}

# mkarchive_from_db DB DIR: the members of a dump of DB's ordinary tables,
# made with pg_dump and psql's COPY (levels all 0, one chunk a table).
mkarchive_from_db() {
	_db=$1 _d=$2
	mkdir -p "$_d/strongbox" "$_d/schema" "$_d/data"
	pg_dump --schema-only --section=pre-data -d "$_db" >"$_d/schema/pre-data.sql" || return 1
	pg_dump --schema-only --section=post-data -d "$_db" >"$_d/schema/post-data.sql" || return 1
	psql -X -At -d "$_db" -v ON_ERROR_STOP=1 -c "
		select json_build_object('format','strongbox','version',1,
		 'created','2026-11-29T22:00:05+00:00','tool','mkarchive',
		 'server_version',current_setting('server_version'),
		 'database',current_database(),
		 'encoding',current_setting('server_encoding'),'data_only',false,
		 'compression','none','chunk_size',4194304,'jobs',1,
		 'tables',coalesce((select json_agg(json_build_object(
		   'schema',n.nspname,'name',c.relname,
		   'dir',(select string_agg(case when b between 48 and 57 or b between 65 and 90
		      or b between 97 and 122 or b in (45, 95) then chr(b)
		      else '%'||upper(lpad(to_hex(b),2,'0')) end, '' order by k)
		      from (select k, get_byte(convert_to(n.nspname,'UTF8'), k) b
		      from generate_series(0, octet_length(n.nspname)-1) k) e)
		      ||'.'||(select string_agg(case when b between 48 and 57 or b between 65 and 90
		      or b between 97 and 122 or b in (45, 95) then chr(b)
		      else '%'||upper(lpad(to_hex(b),2,'0')) end, '' order by k)
		      from (select k, get_byte(convert_to(c.relname,'UTF8'), k) b
		      from generate_series(0, octet_length(c.relname)-1) k) e),
		   'kind',case when c.relispartition then 'p' else 'r' end,'level',0,
		   'columns',(select json_agg(json_build_object('name',a.attname,
		      'type',format_type(a.atttypid,a.atttypmod)) order by a.attnum)
		      from pg_attribute a where a.attrelid=c.oid and a.attnum>0
		      and not a.attisdropped and a.attgenerated=''),
		   'references','[]'::json) order by n.nspname, c.relname)
		  from pg_class c join pg_namespace n on n.oid=c.relnamespace
		  where c.relkind='r' and n.nspname not in ('pg_catalog','information_schema')
		  and n.nspname !~ '^pg_toast'),'[]'),
		 'materialized_views',coalesce((select json_agg(json_build_object('schema',n.nspname,'name',c.relname))
		  from pg_class c join pg_namespace n on n.oid=c.relnamespace where c.relkind='m'),'[]'))" \
		>"$_d/strongbox/manifest.json" || return 1
	n=$(jq '.tables | length' "$_d/strongbox/manifest.json")
	i=0
	while [ "$i" -lt "$n" ]; do
		dir=$(jq -r ".tables[$i].dir" "$_d/strongbox/manifest.json")
		q=$(jq -r ".tables[$i] | \"\\\"\" + (.schema|gsub(\"\\\"\";\"\\\"\\\"\")) + \"\\\".\\\"\" + (.name|gsub(\"\\\"\";\"\\\"\\\"\")) + \"\\\"\"" "$_d/strongbox/manifest.json")
		cols=$(jq -r "[.tables[$i].columns[].name | \"\\\"\" + gsub(\"\\\"\";\"\\\"\\\"\") + \"\\\"\"] | join(\",\")" "$_d/strongbox/manifest.json")
		mkdir -p "$_d/data/$dir"
		psql -X -d "$_db" -v ON_ERROR_STOP=1 -c "copy $q ($cols) to stdout" \
			>"$_d/data/$dir/000001.copy" || return 1
		[ -s "$_d/data/$dir/000001.copy" ] || { rm "$_d/data/$dir/000001.copy"; rmdir "$_d/data/$dir"; }
		i=$((i + 1))
	done
	psql -X -At -d "$_db" -v ON_ERROR_STOP=1 -c "
		select json_build_object('sequences',coalesce(json_agg(json_build_object(
		 'schema',schemaname,'name',sequencename,
		 'last_value',coalesce(last_value,start_value),'is_called',last_value is not null)),'[]'))
		from pg_sequences" >"$_d/data/sequences.json" || return 1
}
