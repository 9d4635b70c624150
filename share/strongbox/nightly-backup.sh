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
here=$(cd "$(dirname "$0")" && pwd)
me=nightly-backup.sh
job=backup
BRANCH_ID=${BRANCH_ID:-default}
# shellcheck source=jobs.sh
. "$here/jobs.sh"
sb_backup_direct
