# jobs.sh: the setting of the tests of the shipped jobs (t/9*-jobs*.t):
# the runner as cron calls it, a real PostgreSQL with the salon database,
# s3rver, an environment file and a logger on PATH that records what would
# go to syslog.
#
#   . "$TEST_ROOT/t/lib/jobs.sh"
#   jobs_start BRANCH   # sets JOB; exports STRONGBOX_ENV, BRANCH_ID,
#                       # BACKUP_DIR (made, empty), DATABASE_URL, BACKUP_S3_*
#   cloud               # the keys of the bucket's backups of BRANCH_ID
#
# The test-lib.sh, pg.sh and s3.sh helpers must be sourced first.

JOB=$TEST_ROOT/share/strongbox/strongbox-job

jobs_start() {
	for _t in sdump supload sprune srestore; do
		[ -x "$TEST_ROOT/bin/$_t" ] || skip_all "$_t is not built yet"
	done
	pg_start
	pg_createdb salon
	"$TEST_ROOT/share/strongbox/salon-load.sh" -s 0.05 -d 60 salon || exit 1
	s3_start

	# syslog: the logger on PATH appends its priority and lines here.
	mkdir "$TRASH/stubbin"
	cat >"$TRASH/stubbin/logger" <<-EOF2
	#!/bin/sh
	while [ \$# -gt 0 ]; do
		case \$1 in -t) shift ;; -p) pri=\$2; shift ;; --) shift; break ;; esac
		shift
	done
	if [ \$# -gt 0 ]; then echo "\$pri \$*"; else sed "s/^/\$pri /"; fi >>"$TRASH/syslog"
	EOF2
	chmod +x "$TRASH/stubbin/logger"
	PATH=$TRASH/stubbin:$PATH

	# The environment file holds what every run shares; the tests vary
	# the rest through the environment.
	printf '# test settings\nTZ=Asia/Kolkata\n' >"$TRASH/strongbox.env"
	chmod 600 "$TRASH/strongbox.env"
	STRONGBOX_ENV=$TRASH/strongbox.env
	STRONGBOX_LOCK_DIR=$TRASH
	BRANCH_ID=$1
	BACKUP_DIR=$TRASH/backups
	DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/salon"
	export PATH STRONGBOX_ENV STRONGBOX_LOCK_DIR BRANCH_ID BACKUP_DIR DATABASE_URL
	unset PGDATABASE
	mkdir "$BACKUP_DIR"
}

cloud() {
	supload -l "$BRANCH_ID/backups/" | cut -f 1
}
