#!/bin/bash
# prune-backups.sh: retention of this branch's backups on the storage
# target: lists $BRANCH_ID/backups/, lets sprune choose under the policy
# $BACKUP_KEEP (default the seeds' 7 daily, 4 weekly, 12 monthly) and
# deletes what it prints.  supload -d's report goes to stdout.
#
# The listing is read whole before anything is deleted, so that a listing
# that fails half way deletes nothing; with pipefail any failure fails the
# job.  Exit status: 0 ok, 75 when a retry later may succeed, 1 otherwise.
set -euo pipefail

: "${BRANCH_ID:?BRANCH_ID is not set (see strongbox.env)}"
keep=${BACKUP_KEEP:---keep-daily 7 --keep-weekly 4 --keep-monthly 12}

list=$(supload -l "$BRANCH_ID/backups/")
[ -n "$list" ] || exit 0
# shellcheck disable=SC2086  # $keep is a list of options
printf '%s\n' "$list" | sprune $keep | supload -d
