#!/bin/sh
# reset.sh [--seed FILE | --no-seed] [SPURGE OPTION]...: the Railway
# guide's reset of a database and its cache, as three careful steps:
#
#   1. spurge --all [SPURGE OPTION]...: every table but those of [keep] in
#      purge-tables.conf (the migrations' table) and extensions', after the
#      phrase DELETE ALL DATA typed on the terminal and a 5-second
#      countdown (or --yes), in one transaction; its JSON report on stdout.
#      With --dry-run the preview is all that happens.
#   2. psql -1 -f FILE: the seed (default salon-seed.sql beside this
#      script: roles, an administrator from ADMIN_USERNAME, ADMIN_EMAIL and
#      ADMIN_PASSWORD, default settings), which reads the password from
#      the environment (psql's \getenv), never from a command line, and
#      hashes it (bcrypt, perl's crypt()) before any statement is sent:
#      the server and its log see only the hash.
#   3. redis-cli FLUSHALL when REDIS_URL is set (redis://[:PASSWORD@]HOST:
#      PORT[/DB]); the password goes to redis-cli through REDISCLI_AUTH.
#
# The database is -d CONNINFO|URL|DBNAME, else DATABASE_URL, else libpq's
# PG* variables, for both spurge and psql.  Exit status: 0 ok; 1 a step
# failed (the steps before it stand: a failed seed leaves the database
# empty, ready for another run with --no-seed... or a full rerun); 2 usage;
# 75 spurge could not reach the database or lock it (nothing was reset).
set -u

here=$(cd "$(dirname "$0")" && pwd)
seed=$here/salon-seed.sql
db=${DATABASE_URL:-}
dry=
n=$#
# Take reset.sh's own options and -d out, keep the others for spurge.
while [ "$n" -gt 0 ]; do
	a=$1
	shift
	n=$((n - 1))
	case $a in
	--seed)
		[ "$n" -gt 0 ] || { echo "reset.sh: --seed needs a file" >&2; exit 2; }
		seed=$1; shift; n=$((n - 1)); continue ;;
	--seed=*) seed=${a#--seed=}; continue ;;
	--no-seed) seed=; continue ;;
	-d | --dbname)
		[ "$n" -gt 0 ] || { echo "reset.sh: $a needs an argument" >&2; exit 2; }
		db=$1; shift; n=$((n - 1)); continue ;;
	--dbname=*) db=${a#--dbname=}; continue ;;
	-n | --dry-run) dry=1 ;;
	-\? | --help)
		echo "usage: reset.sh [--seed FILE | --no-seed] [-d DB] [SPURGE OPTION]..."
		exit 0 ;;
	esac
	set -- "$@" "$a"
done
if [ -n "$seed" ] && [ ! -r "$seed" ]; then
	echo "reset.sh: cannot read the seed $seed" >&2
	exit 1
fi

# psql does not know the frameworks' URL schemes (postgresql+asyncpg://),
# and a URL's password goes to psql through PGPASSWORD, not its argv.
psql_db=$(printf '%s' "$db" | sed 's#^postgres\(ql\)\{0,1\}+[A-Za-z0-9_]*://#postgresql://#; s#^postgres://#postgresql://#')
case $psql_db in
postgresql://*:*@*)
	userinfo=${psql_db#postgresql://}
	userinfo=${userinfo%%@*}
	case $userinfo in
	*:*)
		pw=${userinfo#*:}
		# percent-decoding, as libpq does for a URL
		PGPASSWORD=$(printf '%s' "$pw" | perl -pe 's/%([0-9A-Fa-f]{2})/chr hex $1/ge')
		export PGPASSWORD
		psql_db="postgresql://${userinfo%%:*}@${psql_db#*@}" ;;
	esac ;;
esac

# A URL or conninfo (which may hold a password) goes through the
# environment; a bare database name as -d.
if [ -n "$db" ]; then
	case $db in
	*://* | *=*) DATABASE_URL=$db spurge --all "$@" ;;
	*) spurge --all -d "$db" "$@" ;;
	esac
else
	spurge --all "$@"
fi
st=$?
[ "$st" -eq 0 ] || exit "$st"
[ -z "$dry" ] || exit 0

if [ -n "$seed" ]; then
	if ! psql -X -q -v ON_ERROR_STOP=1 -1 -f "$seed" -o /dev/null ${psql_db:+-d "$psql_db"} </dev/null; then
		echo "reset.sh: the database was emptied, but the seed $seed failed (rolled back)" >&2
		exit 1
	fi
	echo "reset.sh: seeded from $seed" >&2
fi

if [ -n "${REDIS_URL:-}" ]; then
	# redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]: the password leaves the URL.
	rest=${REDIS_URL#*://}
	scheme=${REDIS_URL%%://*}
	user= pass=
	case $rest in
	*@*)
		auth=${rest%%@*}
		rest=${rest#*@}
		case $auth in
		*:*) user=${auth%%:*}; pass=${auth#*:} ;;
		*) user=$auth ;;
		esac ;;
	esac
	if [ -n "$pass" ]; then
		REDISCLI_AUTH=$(printf '%s' "$pass" | perl -pe 's/%([0-9A-Fa-f]{2})/chr hex $1/ge')
		export REDISCLI_AUTH
	fi
	if ! out=$(redis-cli --no-auth-warning -u "$scheme://$rest" \
		${user:+--user "$user"} FLUSHALL 2>&1) ||
		[ "$out" != OK ]; then
		echo "reset.sh: the database was reset, but flushing Redis failed: $out" >&2
		exit 1
	fi
	echo "reset.sh: Redis flushed" >&2
fi
exit 0
