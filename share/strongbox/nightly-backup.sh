#!/bin/bash
# nightly-backup.sh: the seeds' nightly backup as a strongbox pipeline: one
# consistent sdump archive of $DATABASE_URL, streamed by supload to
#   $BRANCH_ID/backups/${BRANCH_ID}_YYYYMMDD_HHMMSS.sdump
# on the storage target (the S3 bucket of BACKUP_S3_*, else BACKUP_DIR).
# supload's JSON report goes to stdout; errors to stderr.
#
# bash for pipefail: a failed sdump must fail the job.  supload
# --verify-archive stores the object only when the stream ends with a valid
# strongbox trailer; should a stored object still follow a failed sdump, it
# is deleted, so that retention never counts it as a backup.  Exit status:
# 0 ok, 75 when a retry later may succeed (a server down), 1 otherwise.
set -uo pipefail

: "${BRANCH_ID:?BRANCH_ID is not set (see strongbox.env)}"
key="$BRANCH_ID/backups/${BRANCH_ID}_$(date +%Y%m%d_%H%M%S).sdump"

sdump | supload --verify-archive "$key"
st=("${PIPESTATUS[@]}")
[ "${st[0]}" -eq 0 ] && [ "${st[1]}" -eq 0 ] && exit 0

echo "nightly-backup.sh: the backup $key failed (sdump ${st[0]}, supload ${st[1]})" >&2
if [ "${st[1]}" -eq 0 ]; then
	printf '%s\n' "$key" | supload -d >/dev/null ||
		echo "nightly-backup.sh: could not delete the incomplete $key" >&2
fi
for s in "${st[@]}"; do
	[ "$s" -eq 75 ] && exit 75
done
exit 1
