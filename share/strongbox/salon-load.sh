#!/bin/sh
# salon-load.sh: creates the reference salon schema in an empty database and
# fills it with salon-gen's data, in one transaction (nothing is left behind
# if anything fails).
#
#   share/strongbox/salon-load.sh [-f] [-s SCALE] [-S SEED] [-d DAYS] DB
#
# -f loads about twice as fast by not checking foreign keys row by row
# (session_replication_role = replica, which needs a superuser).  The data
# is valid by construction, and the tests check it with the keys enforced.
#
# DB is a database name or a connection URL for psql; libpq's PG* variables
# apply.  SCALE 1 is one salon's year, about 50 MB in the database (see
# salon-gen --help and strongbox(7)).  Exit status: 0 ok, 1 failed, 2 usage.
set -eu

usage() {
	echo "usage: salon-load.sh [-f] [-s SCALE] [-S SEED] [-d DAYS] DB"
}

here=$(cd "$(dirname "$0")" && pwd)
gen=${SALON_GEN:-$here/salon-gen}
scale=1
seed=1
days=365
fast=
# getopts knows no long options: --help first.
case ${1:-} in
--help) usage; exit 0 ;;
esac
while getopts fhs:S:d: opt; do
	case $opt in
	f) fast=1 ;;
	h) usage; exit 0 ;;
	s) scale=$OPTARG ;;
	S) seed=$OPTARG ;;
	d) days=$OPTARG ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ]; then
	usage >&2
	exit 2
fi
db=$1
if [ ! -x "$gen" ]; then
	echo "salon-load.sh: no generator at $gen (run make)" >&2
	exit 1
fi

# A POSIX sh has no pipefail: the generator's status goes through a file,
# and COMMIT is only sent once the generator has succeeded, so that a
# failure leaves the database as it was.
st=$(mktemp "${TMPDIR:-/tmp}/salon-load.XXXXXX")
trap 'rm -f "$st"' EXIT
if ! {
	echo 'BEGIN;'
	cat "$here/salon-schema.sql"
	[ -z "$fast" ] || echo 'SET session_replication_role = replica;'
	if "$gen" --scale "$scale" --seed "$seed" --days "$days"; then
		[ -z "$fast" ] || echo 'RESET session_replication_role;'
		echo 'ANALYZE;'
		echo 'COMMIT;'
	else
		echo fail >"$st"
	fi
} | psql -X -q -v ON_ERROR_STOP=1 -d "$db" -o /dev/null; then
	echo "salon-load.sh: loading failed; nothing was loaded" >&2
	exit 1
fi
if [ -s "$st" ]; then
	echo "salon-load.sh: the generator failed; nothing was loaded" >&2
	exit 1
fi
