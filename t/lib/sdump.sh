# sdump.sh: helpers to look inside strongbox archives in tests.
#
#   ar_members FILE          member names in stream order
#   ar_cat FILE MEMBER...    the members' bytes, concatenated
#   ar_table FILE SCHEMA.TABLE-DIR   a table's chunks concatenated in order
# GNU tar detects zstd and gzip compression from the file itself.

ar_members() {
	tar -tf "$1"
}

ar_cat() {
	_f=$1
	shift
	tar -xOf "$_f" "$@"
}

ar_table() {
	_names=$(tar -tf "$1" | grep "^data/$2/" | sort)
	[ -n "$_names" ] || return 0
	# shellcheck disable=SC2086
	tar -xOf "$1" $_names
}

# copy_of DB TABLE COLS: the rows of a table as COPY writes them.
copy_of() {
	psql -X -q -d "$1" -c "COPY $2 ($3) TO STDOUT"
}
