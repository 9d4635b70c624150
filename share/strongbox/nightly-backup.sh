#!/bin/sh
# nightly-backup.sh [SDUMP OPTION]...: the seeds' nightly backup, one
# consistent sdump archive of $DATABASE_URL streamed to the storage target
# (the S3 bucket of BACKUP_S3_*, else BACKUP_DIR), as a POSIX sh pipeline
# that never leaves a truncated archive at its key:
#
#   sdump [SDUMP OPTION]... | supload --verify-archive KEY
#   KEY = $BRANCH_ID/backups/${BRANCH_ID}_YYYYMMDD_HHMMSS.sdump
#
# A POSIX shell has no `set -o pipefail`, and supload cannot see sdump's
# exit status; two guards stand in for it.  --verify-archive makes supload
# complete the upload only when the stream ends with a valid strongbox
# trailer, so a dump that dies half way is aborted, never stored.  And
# sdump's status is carried out of the pipeline on fd 3: if sdump failed
# while supload succeeded anyway (it cannot, short of a dump that fails
# after its trailer), the object is deleted.
#
# Encryption and signatures come from the environment file: sdump signs
# with BACKUP_SIGN_KEY, supload encrypts to BACKUP_AGE_RECIPIENTS (or
# BACKUP_AGE_RECIPIENTS_FILE) and checks the signatures with
# BACKUP_SIGN_PUBKEY (see strongbox(7)).
# supload's JSON report goes to stdout.  Exit status: 0 ok; 75 when a
# retry later may succeed (a server down); 1 otherwise.
set -u

: "${BRANCH_ID:?BRANCH_ID is not set (see strongbox.env)}"
key="$BRANCH_ID/backups/${BRANCH_ID}_$(date +%Y%m%d_%H%M%S).sdump"

# Each side of the pipe reports "name=status" on fd 3, which the command
# substitution captures; stdout (fd 1) goes around it through fd 4.
exec 4>&1
statuses=$(
	{
		{
			sdump "$@"
			echo "sdump=$?" >&3
		} | {
			supload --verify-archive "$key" >&4
			echo "supload=$?" >&3
		}
	} 3>&1
)
exec 4>&-

sdump_st=1 supload_st=1
for s in $statuses; do
	case $s in
	sdump=*) sdump_st=${s#sdump=} ;;
	supload=*) supload_st=${s#supload=} ;;
	esac
done

[ "$sdump_st" -eq 0 ] && [ "$supload_st" -eq 0 ] && exit 0

echo "nightly-backup.sh: the backup $key failed (sdump $sdump_st, supload $supload_st)" >&2
if [ "$supload_st" -eq 0 ]; then
	if printf '%s\n' "$key" | supload -d >/dev/null; then
		echo "nightly-backup.sh: deleted the incomplete $key" >&2
	else
		echo "nightly-backup.sh: could not delete the incomplete $key" >&2
	fi
fi
[ "$sdump_st" -eq 75 ] || [ "$supload_st" -eq 75 ] && exit 75
exit 1
