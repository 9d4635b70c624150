#!/bin/sh
# nightly-backup.sh: one backup of the database straight to the storage
# target (the bucket of BACKUP_S3_*, else BACKUP_DIR) at
# $BRANCH_ID/backups/${BRANCH_ID}_YYYYMMDD_HHMMSS.sdump, stored only when
# the dump is complete; supload's report on stdout.  No environment file,
# no lock, no local copy, no log: what `spurge --backup-first` runs before
# a purge.  Schedules run `strongbox-job backup` instead (strongbox(7)).
# Encryption and signatures come from the environment: sdump signs with
# BACKUP_SIGN_KEY, supload encrypts to BACKUP_AGE_RECIPIENTS (or
# BACKUP_AGE_RECIPIENTS_FILE) and checks the signatures with
# BACKUP_SIGN_PUBKEY (see strongbox(7)).
# Exit status: 0 ok, 1 failed, 75 temporary (a retry later may succeed).
set -u
case ${1:-} in
-h|--help)
	echo "usage: nightly-backup.sh   (no arguments: the environment says all)"
	echo "one backup of the database to \$BRANCH_ID/backups/ on the storage target"
	exit 0 ;;
?*)
	echo "usage: nightly-backup.sh   (no arguments; see nightly-backup.sh --help)" >&2
	exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
me=nightly-backup.sh
job=backup
BRANCH_ID=${BRANCH_ID:-default}
# shellcheck source=jobs.sh
. "$here/jobs.sh"
if ! sb_zone_known; then
	echo "$me: TZ \"$TZ\" is not a known time zone (see /usr/share/zoneinfo)" >&2
	exit 1
fi
sb_backup_direct
