#!/bin/sh
# demo.sh: strongbox on a throwaway salon database, run by `make demo` from
# the source tree, or installed as /usr/local/share/strongbox/demo.sh.  It
# starts a private PostgreSQL cluster (as the postgres user when run as
# root), loads the reference salon schema with a year of generated data,
# shows some figures, then runs the steps of each tool that is built: a
# nightly backup to a local BACKUP_DIR, retention, a restore into a new
# database checked row for row, and the unattended jobs as cron runs them.
# Everything it made is removed at exit; nothing outside its temporary
# directory is touched.
#
#   sh share/strongbox/demo.sh          DEMO_SCALE=2 sh share/strongbox/demo.sh
set -eu

case ${1:-} in
-h|--help)
	echo "usage: demo.sh   (DEMO_SCALE=N to change the data's size, default 0.5)"
	echo "strongbox on a throwaway salon database; removes everything it made."
	exit 0 ;;
?*)
	echo "usage: demo.sh   (no arguments; see demo.sh --help)" >&2
	exit 2 ;;
esac

SHARE=$(cd "$(dirname "$0")" && pwd)
# The programs: those beside this directory (PREFIX/bin for an installed
# PREFIX/share/strongbox, or a source tree's bin/), else the installed ones.
if [ -x "$SHARE/../../bin/sdump" ]; then
	BINDIR=$(cd "$SHARE/../../bin" && pwd)
else
	BINDIR=/usr/local/bin
fi
# spurge's table lists: the source tree's etc/, else the installed one.
if [ -f "$SHARE/../../etc/purge-tables.conf" ]; then
	PURGE_CONF=$(cd "$SHARE/../../etc" && pwd)/purge-tables.conf
else
	PURGE_CONF=/usr/local/etc/strongbox/purge-tables.conf
fi
SCALE=${DEMO_SCALE:-0.5}
PATH="$BINDIR:$PATH"
export SHARE PATH PURGE_CONF
# The demo never reads the user's settings, nor touches a real bucket.
unset DATABASE_URL BACKUP_S3_ENDPOINT BACKUP_S3_BUCKET BACKUP_S3_ACCESS_KEY \
	BACKUP_S3_SECRET_KEY BACKUP_S3_REGION AWS_ACCESS_KEY_ID \
	AWS_SECRET_ACCESS_KEY AWS_REGION AWS_ENDPOINT_URL AWS_PROFILE \
	PGSERVICE PGPASSWORD HEALTHCHECK_URL 2>/dev/null || true

DEMO=$(mktemp -d "${TMPDIR:-/tmp}/strongbox-demo.XXXXXX")
chmod 755 "$DEMO"
cd "$DEMO"
export DEMO

# What pg-scratch.sh needs.
_hooks=
test_at_exit() {
	_hooks="$1
$_hooks"
}
free_port() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
			LocalPort => 0, Proto => "tcp") or die "no port: $!";
		print $s->sockport, "\n";'
}
_cleanup() {
	code=$?
	set +e
	cd /
	eval "$_hooks"
	rm -rf "$DEMO"
	[ "$code" = 0 ] || echo "demo: failed (exit $code)" >&2
	exit "$code"
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
. "$SHARE/pg-scratch.sh"

step() {
	if [ -t 1 ]; then
		printf '\n\033[1m== %s\033[0m\n' "$*"
	else
		printf '\n== %s\n' "$*"
	fi
}
# show CMD: prints the command line, then runs it with sh.
show() {
	printf '$ %s\n' "$1"
	sh -c "$1"
}
has() {
	[ -x "$BINDIR/$1" ]
}
q() {
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}
# counts DB: every table of the salon with its row count.
counts() {
	psql -X -At -F ' ' -v ON_ERROR_STOP=1 -d "$1" -c "
		select table_name, (xpath('/row/n/text()', query_to_xml(
			format('select count(*) as n from %I', table_name), false, true, '')))[1]::text
		from information_schema.tables
		where table_schema = 'public' and table_type = 'BASE TABLE' order by 1"
}

step "A throwaway PostgreSQL cluster"
pg_start
echo "server on 127.0.0.1:$PGPORT, data in $PG_DIR"
pg_createdb salon_db
DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/salon_db"
BRANCH_ID=branch-demo
BACKUP_DIR="$DEMO/backups"
TZ=Asia/Kolkata
export DATABASE_URL BRANCH_ID BACKUP_DIR TZ
mkdir -p "$BACKUP_DIR"

step "The reference salon schema, with a year of generated data (scale $SCALE)"
show "\$SHARE/salon-load.sh -s $SCALE salon_db"
q salon_db "select pg_size_pretty(pg_database_size('salon_db')) as size,
	(select count(*) from customers) as customers,
	(select count(*) from bills) as bills,
	(select count(*) from bill_items) as bill_items,
	(select count(*) from payments) as payments"

step "The last week, as the salon's day_summaries recorded it (rupees)"
q salon_db "select summary_date as day, total_bills as bills, refund_count as refunds,
	to_char(net_revenue / 100.0, 'FM99,99,99,990') as net,
	to_char(cash_collected / 100.0, 'FM99,99,99,990') as cash,
	to_char(digital_collected / 100.0, 'FM99,99,99,990') as digital,
	to_char(total_tips / 100.0, 'FM9,99,990') as tips,
	to_char(net_profit / 100.0, 'FM99,99,99,990') as profit
	from day_summaries order by summary_date desc limit 7"
q salon_db "select method, count(*) as payments,
	to_char(sum(amount) / 100.0, 'FM9,99,99,99,990') as rupees,
	round(100.0 * sum(amount) / sum(sum(amount)) over (), 1) as pct
	from payments where kind = 'payment' group by 1 order by sum(amount) desc"
q salon_db "select s.name as top_service, count(*) as sold
	from bill_items i join services s on s.id = i.service_id
	where i.addon_id is null group by 1 order by 2 desc limit 5"

ARCHIVE=
KEY="$BRANCH_ID/backups/${BRANCH_ID}_$(date +%Y%m%d_%H%M%S).sdump"
if has sdump && has supload; then
	step "The nightly backup: sdump | supload, to the local BACKUP_DIR"
	show 'sdump | supload --verify-archive "$BRANCH_ID/backups/${BRANCH_ID}_$(date +%Y%m%d_%H%M%S).sdump"'
	KEY=$(cd "$BACKUP_DIR" && ls "$BRANCH_ID"/backups/*.sdump | tail -n 1)
	ARCHIVE="$BACKUP_DIR/$KEY"
elif has sdump; then
	step "The nightly backup: sdump, into a file in BACKUP_DIR (supload is not built yet)"
	mkdir -p "$BACKUP_DIR/$BRANCH_ID/backups"
	show "sdump > \$BACKUP_DIR/$KEY"
	ARCHIVE="$BACKUP_DIR/$KEY"
fi
if [ -n "$ARCHIVE" ]; then
	ls -l "$ARCHIVE" | sed "s|$DEMO/||"
	echo "the archive is a compressed tar stream; what is inside:"
	zstd -dcq "$ARCHIVE" | tar -tvf - | awk '{ printf "  %10s  %s\n", $3, $6 }' | sed -n '1,8p;$p'
fi

if has sprune; then
	step "Retention: a year of nightly backup names, through sprune"
	# The names a year of 22:00 backups would have had.
	d=0
	while [ "$d" -lt 365 ]; do
		date -d "2026-02-16 - $d days" "+${BRANCH_ID}_%Y%m%d_220005.sdump"
		d=$((d + 1))
	done >"$DEMO/names"
	show "head -n 3 \$DEMO/names"
	show "sprune --keep-daily 7 --keep-weekly 4 --keep-monthly 12 --kept < \$DEMO/names | tr '\\n' ' '"
	echo
	printf '%s of 365 names would be deleted\n' \
		"$(sprune --keep-daily 7 --keep-weekly 4 --keep-monthly 12 <"$DEMO/names" | wc -l)"
	if has supload; then
		step "Retention on the storage target: supload -l | sprune | supload -d"
		# Stand-ins for older backups, next to the real one.
		for d in $(seq 1 40); do
			echo "an older backup" | supload "$BRANCH_ID/backups/$(date -d "now - $d days" "+${BRANCH_ID}_%Y%m%d_220005.sdump")" >/dev/null
		done
		echo "$(supload -l "$BRANCH_ID/backups/" | wc -l) backups stored"
		show 'supload -l "$BRANCH_ID/backups/" | sprune --keep-daily 7 --keep-weekly 4 --keep-monthly 12 | supload -d | wc -l'
		echo "$(supload -l "$BRANCH_ID/backups/" | wc -l) backups left"
	fi
fi

if has srestore && [ -n "$ARCHIVE" ]; then
	step "Restore into a new database, in one transaction, and compare"
	pg_createdb salon_restored
	RESTORED="postgresql://postgres@127.0.0.1:$PGPORT/salon_restored"
	if has supload; then
		show "supload -g '$KEY' | srestore -d '$RESTORED'"
	else
		show "srestore -d '$RESTORED' < '$ARCHIVE'"
	fi
	counts salon_db >"$DEMO/counts.orig"
	counts salon_restored >"$DEMO/counts.restored"
	if cmp -s "$DEMO/counts.orig" "$DEMO/counts.restored"; then
		echo "every table has the same rows in both databases:"
		awk '{ printf "  %-22s %9s\n", $1, $2 }' "$DEMO/counts.orig"
	else
		echo "demo: the restored database differs:" >&2
		diff "$DEMO/counts.orig" "$DEMO/counts.restored" >&2
		exit 1
	fi
	q salon_restored "select count(*) as bills, to_char(sum(total_amount) / 100.0, 'FM9,99,99,99,990') as rupees from bills"
fi

if has smetrics; then
	step "The day's metrics JSON of the seed, computed by smetrics from the rows"
	show 'smetrics --date 2026-02-15 | jq .'
	if has supload; then
		step "Metrics into the bucket, and the health of the backups there"
		show 'smetrics --date 2026-02-15 | supload "$BRANCH_ID/metrics/2026-02-15.json" | jq -c "{key, bytes}"'
		show 'supload -l "$BRANCH_ID/backups/" | smetrics --health --max-age 26'
		show 'supload -l "$BRANCH_ID/backups/" | smetrics --health --prom | grep -v "^#"'
	fi
	step "The integrity report: named checks in one READ ONLY snapshot"
	show 'smetrics --checks "$SHARE/salon-checks.sql" | jq -c "{name, violations}"'
fi

if has sdump && has supload && has srestore && command -v age-keygen >/dev/null &&
	command -v minisign >/dev/null; then
	step "An encrypted, signed backup (age, minisign) and its restore"
	# On a real branch the identity stays off the server: only the age1...
	# recipient and the signing key live there (see strongbox(7)).
	show 'age-keygen -o "$DEMO/restore.key" 2>/dev/null; chmod 600 "$DEMO/restore.key"; age-keygen -y "$DEMO/restore.key"'
	show 'minisign -G -W -p "$DEMO/branch.pub" -s "$DEMO/branch.key" >/dev/null; chmod 600 "$DEMO/branch.key"; tail -n 1 "$DEMO/branch.pub"'
	RCPT=$(age-keygen -y "$DEMO/restore.key")
	EKEY="$BRANCH_ID/backups/${BRANCH_ID}_$(date +%Y%m%d_%H%M%S)-encrypted.sdump"
	export RCPT EKEY
	show 'sdump --sign-key "$DEMO/branch.key" | supload --verify-archive --verify-key "$DEMO/branch.pub" -r "$RCPT" "$EKEY" | jq -c "{key, encrypted, recipients, bytes, stored_bytes}"'
	echo "what the storage holds (an age file, unreadable without the identity):"
	head -c 100 "$BACKUP_DIR/$EKEY" | head -n 2 | sed 's/^/  /'
	pg_createdb salon_encrypted
	ENCRYPTED="postgresql://postgres@127.0.0.1:$PGPORT/salon_encrypted"
	export ENCRYPTED
	show 'supload -g -i "$DEMO/restore.key" "$EKEY" | srestore --verify-key "$DEMO/branch.pub" -d "$ENCRYPTED" | jq -c "{tables, rows}"'
	counts salon_encrypted >"$DEMO/counts.encrypted"
	if cmp -s "$DEMO/counts.orig" "$DEMO/counts.encrypted"; then
		echo "decrypted, signature verified, restored: every table has the same rows"
	else
		echo "demo: the database restored from the encrypted backup differs" >&2
		exit 1
	fi
	echo "the same object opens with the age tool alone:"
	show 'age -d -i "$DEMO/restore.key" "$BACKUP_DIR/$EKEY" | srestore --check --verify-key "$DEMO/branch.pub" | jq -c "{ok, signatures, tables, rows}"'
fi

if has spurge; then
	step "What a purge would delete: spurge --dry-run (counts on stderr, JSON on stdout)"
	show 'spurge -c "$PURGE_CONF" --dry-run | jq -c "{dry_run, total, tables: [.tables[] | {(.table): .rows}] | add}"'
	step "The annual archival's preview: rows before 2026-01-01 in Asia/Kolkata, and their children"
	show 'spurge -c "$PURGE_CONF" --dry-run --before 2026-01-01 | jq -c "{before, total, spared}"'
	echo "(nothing was deleted: a real purge asks for DELETE ALL DATA on the terminal)"
fi

if has sdump && has supload && has sprune && has srestore; then
	step "The unattended jobs, as cron and systemd run them: strongbox-job JOB"
	# The jobs' settings; the real ones are in /usr/local/etc/strongbox/strongbox.env.
	cat >"$DEMO/strongbox.env" <<EOF
DATABASE_URL=$DATABASE_URL
BRANCH_ID=$BRANCH_ID
BACKUP_DIR=$BACKUP_DIR
TZ=$TZ
EOF
	! has smetrics || echo "VERIFY_CHECKS=$SHARE/salon-checks.sql" >>"$DEMO/strongbox.env"
	chmod 600 "$DEMO/strongbox.env"
	STRONGBOX_ENV=$DEMO/strongbox.env STRONGBOX_LOCK_DIR=$DEMO
	export STRONGBOX_ENV STRONGBOX_LOCK_DIR
	echo "the nightly backup: a local copy in BACKUP_DIR (and the upload, with a bucket), then the local retention:"
	show '$SHARE/strongbox-job backup'
	echo "the monthly restore test: the newest backup restored into a scratch database, checked"
	echo "(counts and checksums; the salon's integrity checks when smetrics is built), dropped:"
	show '$SHARE/strongbox-job verify'
fi

step "Done"
echo "built: $(for t in sdump srestore supload sprune spurge smetrics; do has $t && printf '%s ' $t; done)"
echo "see strongbox(7): man strongbox (in the source tree: man share/man/man7/strongbox.7)"
