# jobs.sh: strongbox's jobs, one function each (job_backup, ...), sourced
# by strongbox-job (and nightly-backup.sh); it defines functions only.  The
# runner calls a job in a subshell once it has read the environment file
# and taken the job's lock; $me and $job name the runner and the job.  See
# strongbox(7) for what each job does and the variables it reads.
#
# POSIX sh: dash has no pipefail, so a pipeline's statuses are carried out
# of it (sb_pipe), and a listing is read whole before anything is deleted.
# Every job reaches sdump, supload and srestore through the sb_* functions
# below, one place for each kind of call, so that an option every job must
# pass (encryption, signatures) is added there once.

# sb_zone_known: does TZ name a zone?  One that names none (a misspelt
# Asia/Kolkatta) would silently be UTC in date(1) and the tools, every name
# and day off by hours: the runner and nightly-backup.sh refuse it.  The rule
# is smetrics's (branchday_zone_known(), lib/branchday.h): unset or empty
# is the system's zone; UTC, GMT; a zoneinfo file (NAME or :NAME under
# TZDIR, no "..", or an absolute path); or, without ":", a POSIX rule
# such as IST-5:30 or <+0530>-5:30, which the C library reads as written.
sb_zone_known() {
	[ -n "${TZ:-}" ] || return 0
	_z=${TZ#:}
	case $_z in
	'' | UTC | GMT) return 0 ;;
	/*) [ -f "$_z" ]; return ;;
	*..*) ;;
	*) [ -f "${TZDIR:-/usr/share/zoneinfo}/$_z" ] && return 0 ;;
	esac
	case $TZ in :*) return 1 ;; esac
	# A rule: a name of 3 letters or more (or <...>), then an offset.
	case $_z in
	'<'*'>'*) _n=${_z#<} _n=${_n%%>*} _r=${_z#*>} ;;
	*) _r=${_z#"${_z%%[!A-Za-z]*}"} _n=${_z%"$_r"} ;;
	esac
	[ "${#_n}" -ge 3 ] || return 1
	case ${_r#[+-]} in [0-9]*) return 0 ;; esac
	return 1
}

# --- the tools, one place each ----------------------------------------

# sb_sdump: one archive of DATABASE_URL on stdout.
sb_sdump() {
	sdump
}
# sb_put_local KEY: stores the archive on stdin as the local copy,
# $BACKUP_DIR/KEY, only when it is complete; supload's report on stdout.
sb_put_local() {
	sb_local supload --verify-archive "$1"
}
# sb_put KEY: stores the archive on stdin at KEY on the target (the bucket,
# else BACKUP_DIR), only when it is complete; supload's report on stdout.
sb_put() {
	supload --verify-archive "$1"
}
# sb_put_sealed KEY: stores stdin, an age file already (the local copy
# sb_put_local encrypted), at KEY on the target as it is, not encrypted
# again; supload's report on stdout (the stored bytes' size and digest).
sb_put_sealed() {
	supload --encrypted "$1"
}
# sb_put_json KEY: stores stdin (a metrics file) at KEY on the target.
sb_put_json() {
	supload "$1"
}
# sb_get KEY: the object KEY of the target on stdout.
sb_get() {
	supload -g "$1"
}
# sb_list PREFIX: the target's keys under PREFIX, "KEY<tab>SIZE<tab>TIME".
sb_list() {
	supload -l "$1"
}
# sb_delete: deletes the keys (or listing lines) on stdin from the target.
sb_delete() {
	supload -d
}
# sb_srestore [OPTION]...: srestore of the archive on stdin.
sb_srestore() {
	srestore "$@"
}
# sb_local CMD...: CMD with BACKUP_DIR as the target, bucket or not.
sb_local() {
	(
		BACKUP_S3_BUCKET=
		export BACKUP_S3_BUCKET
		"$@"
	)
}

# --- helpers ------------------------------------------------------------

sb_err() {
	echo "$me: $job: $*" >&2
}

# sb_need TOOL...: fails with one line when a tool is not installed.
sb_need() {
	for _t; do
		if ! command -v "$_t" >/dev/null 2>&1; then
			sb_err "needs $_t, which is not built or installed yet"
			return 1
		fi
	done
}

# sb_pipe LEFT RIGHT: runs LEFT | RIGHT (each a string for eval, RIGHT's
# stdout going to ours) and sets sb_left and sb_right to their statuses.
sb_pipe() {
	exec 5>&1
	_st=$(
		{
			{
				eval "$1" 3>&- 5>&-
				echo "l $?" >&3
			} | {
				eval "$2" >&5 3>&- 5>&-
				echo "r $?" >&3
			}
		} 3>&1
	)
	exec 5>&-
	sb_left=$(printf '%s\n' "$_st" | sed -n 's/^l //p')
	sb_right=$(printf '%s\n' "$_st" | sed -n 's/^r //p')
	sb_left=${sb_left:-1}
	sb_right=${sb_right:-1}
}

# sb_status ST...: 0 when all are 0, 75 when one failed temporarily (and
# none otherwise), else 1.
sb_status() {
	_r=0
	for _s; do
		case $_s in
		0) ;;
		75) [ "$_r" = 1 ] || _r=75 ;;
		*) _r=1 ;;
		esac
	done
	return "$_r"
}

# sb_lines TEXT: TEXT and a newline, nothing when it is empty.
sb_lines() {
	[ -z "$1" ] || printf '%s\n' "$1"
}

# sb_count TEXT: its number of lines.
sb_count() {
	sb_lines "$1" | wc -l | tr -d ' '
}

# sb_field NAME FILE: a string or number field of the one-line JSON in FILE.
sb_field() {
	sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$2" | head -n 1
}

# sb_str TEXT: TEXT as a JSON string.
sb_str() {
	printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr -d '\n\r\t')"
}

# sb_days VAR DEFAULT: the value of VAR, a count of days.
sb_days() {
	eval "_v=\${$1:-$2}"
	case $_v in
	'' | *[!0-9]* | 0)
		sb_err "$1 must be a number of days above 0, not '$_v'"
		return 1 ;;
	esac
	echo "$_v"
}

# sb_newest LISTING: the key of the newest backup in a listing.
sb_newest() {
	# (--now: a name dated in the future is the newest, not kept aside)
	sb_lines "$1" | sprune --now 9999-12-31 --keep-last 1 --kept 2>/dev/null | cut -f 1
}

# sb_tmpdir: a directory of the job's, removed when it ends.
sb_tmpdir() {
	sb_tmp=$(mktemp -d "${TMPDIR:-/tmp}/strongbox-$job.XXXXXX") || return 1
	trap 'sb_at_exit; rm -rf "$sb_tmp"' EXIT
	trap 'exit 1' INT TERM
}
sb_at_exit() {
	:
}

# sb_prune_local: the local copies past BACKUP_RETENTION_DAYS (counted back
# from the newest, by the times in their names) deleted; prints how many.
sb_prune_local() {
	_days=$(sb_days BACKUP_RETENTION_DAYS 7) || return 1
	_list=$(sb_local sb_list "$BRANCH_ID/backups/") || return
	[ -n "$_list" ] || { echo 0; return 0; }
	_doomed=$(sb_lines "$_list" | sprune --keep-within "${_days}d") || return
	[ -z "$_doomed" ] || sb_lines "$_doomed" | sb_local sb_delete >/dev/null || return
	sb_count "$_doomed"
}

# sb_dump_to PUT KEY: one sdump stored at KEY by PUT (sb_put_local or
# sb_put), only when complete; PUT's report on stdout.  A failed dump
# leaves nothing; the status is sdump's when it failed, else PUT's.
sb_dump_to() {
	_put=$1 _pkey=$2
	sb_pipe sb_sdump '"$_put" "$_pkey"'
	if [ "$sb_left" != 0 ] || [ "$sb_right" != 0 ]; then
		# supload stores nothing incomplete; a dump that failed after
		# its trailer is deleted all the same.
		if [ "$sb_right" = 0 ]; then
			if [ "$1" = sb_put_local ]; then
				printf '%s\n' "$2" | sb_local sb_delete >/dev/null
			else
				printf '%s\n' "$2" | sb_delete >/dev/null
			fi
		fi
		sb_err "the dump failed (sdump $sb_left, supload $sb_right); nothing was stored"
		# supload fails when sdump did: sdump's status tells why.
		[ "$sb_left" != 0 ] || sb_left=$sb_right
		sb_status "$sb_left"
		return
	fi
}

# sb_backup_direct: one sdump stored at its key on the target (the bucket,
# else BACKUP_DIR), without a local copy; supload's report on stdout.
# nightly-backup.sh (spurge --backup-first) runs it.
sb_backup_direct() {
	sb_need sdump supload || return 1
	sb_dump_to sb_put "$BRANCH_ID/backups/${BRANCH_ID}_$(date +%Y%m%d_%H%M%S).sdump"
}

# sb_write_error TEXT: the cause (strerror's text: sdump sets no locale)
# when TEXT, the stderr of an sdump whose stdout is a file, says that the
# file could not be written for a reason of its disk's: full, a file size
# limit, a quota, read-only, an I/O error.  Fails for any other failure.
sb_write_error() {
	printf '%s\n' "$1" | sed -En 's/^sdump: cannot write (the archive|to standard output).*: (No space left on device|File too large|Disk quota exceeded|Read-only file system|Input\/output error)$/\2/p' |
		head -n 1 | grep .
}

# sb_backup_unstaged KEY DIR WHY: the backup job's way out when the dump
# cannot be staged in BACKUP_DIR (DIR; WHY says why; the partial file is
# removed already): with a bucket, one sdump streamed to KEY there as
# sb_backup_direct does (--verify-archive, encrypted with recipients set),
# the job's report on stdout with local null, uploaded true; without, or
# when that fails too, nothing stored.  One line on stderr either way
# (and the tools' own when the upload fails); returns 1: no local copy is
# a failure the health check must see.
sb_backup_unstaged() {
	_line="BACKUP_DIR $2 is full or cannot be written ($3): no local copy was made"
	if [ -z "${BACKUP_S3_BUCKET:-}" ]; then
		sb_err "$_line, and no bucket is set (BACKUP_S3_BUCKET): no backup was made"
		return 1
	fi
	# The report is kept in memory: TMPDIR may be on the full disk.
	if ! _rep=$(sb_dump_to sb_put "$1"); then
		sb_err "$_line, and the upload to the bucket failed too: no backup was made"
		return 1
	fi
	_line="$_line; the backup was uploaded to the bucket as $1"
	sb_err "$_line"
	_up_sha=$(printf '%s\n' "$_rep" | sb_field stored_sha256 /dev/stdin)
	_sha=$(printf '%s\n' "$_rep" | sb_field sha256 /dev/stdin)
	printf '{"job":"backup","key":%s,"bytes":%s,"sha256":"%s","local":null,"uploaded":true,"encrypted":%s,"local_encrypted":false,"uploaded_encrypted":%s,"local_sha256":null,"uploaded_sha256":"%s","local_deleted":0,"error":%s}\n' \
		"$(sb_str "$1")" "$(printf '%s\n' "$_rep" | sb_field bytes /dev/stdin)" "$_sha" \
		"$([ -n "$_up_sha" ] && echo true || echo false)" \
		"$([ -n "$_up_sha" ] && echo true || echo false)" "${_up_sha:-$_sha}" \
		"$(sb_str "$_line")"
	return 1
}

# --- the jobs -------------------------------------------------------------

# backup: one sdump, stored as the local copy in BACKUP_DIR and uploaded to
# the bucket when one is set, both with --verify-archive; the sizes and
# SHA-256 of the dump (the plaintext, when encrypted), of both reports and
# of the file on disk compared.  Encrypted once: when the local copy is
# encrypted (BACKUP_ENCRYPT=all), the bucket gets its very bytes (supload
# --encrypted), so that both places hold the same file; with cloud, the
# local copy stays plain and the upload encrypts.  A failed dump leaves
# nothing anywhere; a failed upload keeps the local copy and fails.  Then
# the local retention.  When BACKUP_DIR is full or cannot be written, the
# dump goes straight to the bucket (sb_backup_unstaged) and the job fails.
job_backup() {
	sb_need sdump supload sprune || return 1
	sb_days BACKUP_RETENTION_DAYS 7 >/dev/null || return 1
	_dir=${BACKUP_DIR:-/var/backups/strongbox}
	if [ ! -d "$_dir" ]; then
		sb_err "BACKUP_DIR $_dir is not a directory: create it (mkdir -m 700)"
		return 1
	fi
	sb_tmpdir || return 1
	_key=$BRANCH_ID/backups/${BRANCH_ID}_$(date +%Y%m%d_%H%M%S).sdump
	_file=$_dir/$_key

	# The dump, whole, in a temporary file beside the local copies (owner
	# only; the shared temporary prefix of lib/tmpname.h, so that supload
	# -l never lists it; one a run killed earlier left is removed: the lock
	# says no other backup runs), so that both copies are made of the same
	# bytes.  A file size limit (ulimit -f) fails sdump's write (EFBIG) as
	# a full disk does (ENOSPC), instead of killing it with SIGXFSZ.
	trap '' XFSZ
	rm -f "$_dir"/.strongbox-tmp.job-dump.*
	if ! _out=$(umask 077 && mktemp "$_dir/.strongbox-tmp.job-dump.XXXXXX" 2>&1); then
		sb_backup_unstaged "$_key" "$_dir" "${_out##*: }"
		return
	fi
	_dump=$_out
	sb_at_exit() {
		rm -f "$_dump"
	}
	# sdump's stderr is kept, to tell a full BACKUP_DIR from a failed
	# dump; the runner's SIGINT or SIGTERM still ends sdump, whose line
	# is passed on.
	sb_stop=
	trap 'sb_stop=1' INT TERM
	_out=$(
		trap : INT TERM
		sb_sdump 2>&1 >"$_dump"
		echo "sdump-status=$?"
	)
	trap 'exit 1' INT TERM
	case $_out in
	*sdump-status=*) _st=${_out##*sdump-status=} _out=${_out%sdump-status=*} ;;
	*) _st=1 ;;
	esac
	if [ "$_st" != 0 ]; then
		rm -f "$_dump"
		if [ -z "$sb_stop" ] && _why=$(sb_write_error "$_out"); then
			sb_backup_unstaged "$_key" "$_dir" "$_why"
			return
		fi
		printf '%s' "$_out" >&2
		[ -z "$sb_stop" ] || exit 1
		sb_err "the dump failed (sdump $_st); nothing was stored"
		sb_status "$_st"
		return
	fi
	printf '%s' "$_out" >&2
	_bytes=$(stat -c %s "$_dump")
	_sha=$(sha256sum <"$_dump" | cut -d ' ' -f 1)

	# The local copy: supload's report gives the dump's size and digest,
	# and those of the file as stored when it is encrypted.
	_loc=false _loc_enc=false _want_sha=
	if sb_put_local "$_key" <"$_dump" >"$sb_tmp/local.json"; then
		_want_bytes=$(sb_field stored_bytes "$sb_tmp/local.json")
		_want_sha=$(sb_field stored_sha256 "$sb_tmp/local.json")
		if [ "$(sb_field bytes "$sb_tmp/local.json")" != "$_bytes" ] ||
			[ "$(sb_field sha256 "$sb_tmp/local.json")" != "$_sha" ] ||
			[ "$(stat -c %s "$_file" 2>/dev/null)" != "${_want_bytes:-$_bytes}" ] ||
			[ "$(sha256sum <"$_file" | cut -d ' ' -f 1)" != "${_want_sha:-$_sha}" ]; then
			printf '%s\n' "$_key" | sb_local sb_delete >/dev/null
			sb_err "the local copy $_file differs from the dump ($_bytes bytes, $_sha); deleted"
		else
			_loc=true
			[ -z "$_want_sha" ] || _loc_enc=true
		fi
	else
		sb_err "the local copy of $_key could not be stored in $_dir"
	fi

	_up=false _up_enc=false _up_sha=
	if [ -n "${BACKUP_S3_BUCKET:-}" ]; then
		if [ "$_loc_enc" = true ]; then
			# Encrypted once: the local copy's bytes, as they are.
			sb_put_sealed "$_key" <"$_file" >"$sb_tmp/cloud.json"
		else
			sb_put "$_key" <"$_dump" >"$sb_tmp/cloud.json"
		fi
		_st=$?
		if [ "$_st" != 0 ]; then
			if [ "$_loc" = true ]; then
				sb_err "the upload of $_key failed (supload $_st); the local copy is kept: $_file"
			else
				sb_err "the upload of $_key failed (supload $_st), and there is no local copy"
			fi
			sb_status "$_st"
			return
		fi
		_up_sha=$(sb_field stored_sha256 "$sb_tmp/cloud.json")
		if [ "$_loc_enc" = true ]; then
			[ "$(sb_field stored_bytes "$sb_tmp/cloud.json")" = "$_want_bytes" ] &&
				[ "$_up_sha" = "$_want_sha" ]
		else
			[ "$(sb_field bytes "$sb_tmp/cloud.json")" = "$_bytes" ] &&
				[ "$(sb_field sha256 "$sb_tmp/cloud.json")" = "$_sha" ]
		fi || {
			printf '%s\n' "$_key" | sb_delete >/dev/null
			sb_err "the uploaded $_key differs from the dump; deleted from the bucket"
			return 1
		}
		[ -z "$_up_sha" ] || _up_enc=true
		_up_sha=${_up_sha:-$_sha}
		_up=true
	fi
	rm -f "$_dump"
	[ "$_loc" = true ] || return 1

	_pruned=$(sb_prune_local) || {
		sb_err "the backup $_key is stored, but the local retention failed"
		return 1
	}
	# encrypted: any copy is; *_sha256: the digest of each copy as stored
	# (the same with BACKUP_ENCRYPT=all: one encryption).
	printf '{"job":"backup","key":%s,"bytes":%s,"sha256":"%s","local":%s,"uploaded":%s,"encrypted":%s,"local_encrypted":%s,"uploaded_encrypted":%s,"local_sha256":"%s","uploaded_sha256":%s,"local_deleted":%s}\n' \
		"$(sb_str "$_key")" "$_bytes" "$_sha" "$(sb_str "$_file")" "$_up" \
		"$([ "$_loc_enc" = true ] || [ "$_up_enc" = true ] && echo true || echo false)" \
		"$_loc_enc" "$_up_enc" "${_want_sha:-$_sha}" \
		"$([ -n "$_up_sha" ] && echo "\"$_up_sha\"" || echo null)" "$_pruned"
}

# cloud-cleanup: the bucket's backups past BACKUP_CLOUD_RETENTION_DAYS
# (counted back from the newest, by the times in their names), or under the
# sprune policy BACKUP_KEEP when it is set, deleted.  The listing is read
# whole before anything is deleted.
job_cloud_cleanup() {
	if [ -z "${BACKUP_S3_BUCKET:-}" ]; then
		echo '{"job":"cloud-cleanup","deleted":0,"note":"no bucket set (BACKUP_S3_BUCKET); the backup job prunes BACKUP_DIR"}'
		return 0
	fi
	sb_need supload sprune || return 1
	if [ -n "${BACKUP_KEEP:-}" ]; then
		_policy=$BACKUP_KEEP
	else
		_policy="--keep-within $(sb_days BACKUP_CLOUD_RETENTION_DAYS 90)d" || return 1
	fi
	_list=$(sb_list "$BRANCH_ID/backups/") || return
	_doomed=
	if [ -n "$_list" ]; then
		# shellcheck disable=SC2086  # a list of options
		_doomed=$(sb_lines "$_list" | sprune $_policy) || return
	fi
	if [ -n "$_doomed" ]; then
		sb_lines "$_doomed" | sb_delete >/dev/null || return
	fi
	printf '{"job":"cloud-cleanup","policy":%s,"listed":%s,"deleted":%s}\n' \
		"$(sb_str "$_policy")" "$(sb_count "$_list")" "$(sb_count "$_doomed")"
}

# metrics [DATE]: the day's metrics (default today, in TZ) to
# BRANCH_ID/metrics/YYYY-MM-DD.json, computed whole before the upload.
job_metrics() {
	sb_need smetrics supload || return 1
	_day=$(date -d "${1:-today}" +%F 2>/dev/null) || {
		sb_err "not a date: '$1'"
		return 1
	}
	_json=$(smetrics --date "$_day") || return
	if [ -z "$_json" ]; then
		sb_err "smetrics printed nothing for $_day"
		return 1
	fi
	printf '%s\n' "$_json" | sb_put_json "$BRANCH_ID/metrics/$_day.json"
}

# metrics-yesterday: yesterday's final metrics, with late refunds.
job_metrics_yesterday() {
	job_metrics yesterday
}

# catchup: the metrics of each of the last CATCHUP_DAYS (14) days that has
# no file in the bucket (smetrics --missing).
job_catchup() {
	sb_need smetrics supload || return 1
	_n=$(sb_days CATCHUP_DAYS 14) || return 1
	_list=$(sb_list "$BRANCH_ID/metrics/") || return
	_days=$(sb_lines "$_list" | smetrics --missing "$_n") || return
	_worst=0
	for _d in $_days; do
		job_metrics "$_d"
		sb_status "$_worst" "$?"
		_worst=$?
	done
	printf '{"job":"catchup","days":%s,"missing":%s}\n' "$_n" "$(sb_count "$_days")"
	return "$_worst"
}

# health: count and age of the backups in the bucket (smetrics --health),
# failing when the newest is older than BACKUP_MAX_AGE_HOURS (26) or there
# are fewer than BACKUP_MIN_COUNT; with PROM_TEXTFILE_DIR, the same for
# node_exporter in strongbox-BRANCH_ID.prom there, replaced atomically.
job_health() {
	sb_need smetrics supload || return 1
	_age=$(sb_days BACKUP_MAX_AGE_HOURS 26) || return 1
	_list=$(sb_list "$BRANCH_ID/backups/") || return
	if [ -n "${PROM_TEXTFILE_DIR:-}" ]; then
		_prom=$PROM_TEXTFILE_DIR/strongbox-$BRANCH_ID.prom
		if ! sb_lines "$_list" | smetrics --health --prom >"$_prom.$$" ||
			! chmod 644 "$_prom.$$" || ! mv -f "$_prom.$$" "$_prom"; then
			rm -f "$_prom.$$"
			sb_err "could not write $_prom"
			return 1
		fi
	fi
	sb_lines "$_list" | smetrics --health --max-age "$_age" \
		${BACKUP_MIN_COUNT:+--min-count "$BACKUP_MIN_COUNT"}
}

# sb_source: sets sb_via to "" (restore from the target) or sb_local (from
# the plain local copies, when the backups are encrypted, the identity is
# not here and BACKUP_ENCRYPT=cloud keeps BACKUP_DIR plain); fails with one
# line when no copy can be read here.
sb_source() {
	sb_via=
	[ -n "${BACKUP_AGE_RECIPIENTS:-}${BACKUP_AGE_RECIPIENTS_FILE:-}" ] || return 0
	[ -z "${BACKUP_AGE_IDENTITY:-}" ] || return 0
	if [ "${BACKUP_ENCRYPT:-all}" = cloud ]; then
		sb_via=sb_local
		return 0
	fi
	sb_err "the backups are encrypted and BACKUP_AGE_IDENTITY is not set here: run it where the identity is, or keep BACKUP_DIR plain (BACKUP_ENCRYPT=cloud)"
	return 1
}

# sb_pg_split URL: sets sb_conn (the connection string without its
# password, fit for an argument) and exports PGPASSWORD from it, if any.
sb_pg_split() {
	sb_conn=$1
	case $sb_conn in
	*://*)
		sb_conn=$(printf '%s' "$sb_conn" | sed 's|^postgres[a-z]*+[a-z0-9]*://|postgresql://|')
		_pw=$(printf '%s' "$sb_conn" | sed -n 's|^[a-z]*://[^/@:]*:\([^/@]*\)@.*|\1|p')
		if [ -n "$_pw" ]; then
			PGPASSWORD=$(printf '%s' "$_pw" | perl -pe 's/%([0-9A-Fa-f]{2})/chr hex $1/ge')
			export PGPASSWORD
			sb_conn=$(printf '%s' "$sb_conn" | sed 's|^\([a-z]*://[^/@:]*\):[^/@]*@|\1@|')
		fi ;;
	*password=*)
		sb_err "put the password in ~/.pgpass or a URL, not a password= keyword"
		return 1 ;;
	esac
}

# sb_pg_with_db CONN DB: CONN naming the database DB instead.
sb_pg_with_db() {
	case $1 in
	'') echo "dbname=$2" ;;
	*://*) printf '%s' "$1" | sed "s#^\([a-z+]*://[^/?]*\)\(/[^?]*\)\{0,1\}#\1/$2#" ;;
	*) echo "$1 dbname=$2" ;;
	esac
}

# sb_psql CONN SQL: SQL run by psql on CONN ("" for libpq's defaults).
sb_psql() {
	psql -X -q -At -v ON_ERROR_STOP=1 ${1:+-d "$1"} -c "$2"
}

# sb_psql_line CONN SQL: sb_psql, its output discarded; when it fails,
# sb_why holds psql's error as one line, and the status is 75 when the
# server does not answer (pg_isready), else 1.
sb_psql_line() {
	_e=$(sb_psql "$1" "$2" 2>&1 >/dev/null) && return 0
	sb_why=$(printf '%s' "$_e" | tr '\n\t' '  ' | sed 's/^psql: error: //; s/  */ /g; s/ $//')
	if command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -t 10 ${1:+-d "$1"}
		case $? in 1 | 2) return 75 ;; esac
	fi
	return 1
}

# verify: the newest backup (bucket, else BACKUP_DIR) restored into a
# scratch database on DATABASE_URL's server (or VERIFY_DATABASE_URL's),
# srestore checking counts and checksums, the checks of VERIFY_CHECKS run
# on it (smetrics --checks), the scratch database dropped; one JSON report
# whatever happened (ok false and an error when it stopped early), exit 1
# on any failure, 75 when the database server does not answer.
job_verify() {
	sb_verr= sb_vkey=
	sb_verify
	_st=$?
	if [ "$_st" != 0 ] && [ -n "$sb_verr" ]; then
		printf '{"job":"verify","key":%s,"ok":false,"error":%s}\n' \
			"$([ -n "$sb_vkey" ] && sb_str "$sb_vkey" || echo null)" "$(sb_str "$sb_verr")"
	fi
	return "$_st"
}

# sb_verify: the verify job; an early failure sets sb_verr (the report's
# error) and prints no report, the rest print theirs.
sb_verify() {
	sb_verr="a tool is missing"
	sb_need supload srestore sprune psql || return 1
	if [ -n "${VERIFY_CHECKS:-}" ]; then
		sb_need smetrics || return 1
		if [ ! -r "$VERIFY_CHECKS" ]; then
			sb_err "cannot read VERIFY_CHECKS $VERIFY_CHECKS"
			sb_verr="cannot read VERIFY_CHECKS"
			return 1
		fi
	fi
	sb_verr="no temporary directory"
	sb_tmpdir || return 1
	sb_verr="encrypted, no identity"
	sb_source || return 1
	sb_verr="cannot list the backups"
	_list=$($sb_via sb_list "$BRANCH_ID/backups/") || return
	_key=$(sb_newest "$_list")
	if [ -z "$_key" ]; then
		sb_err "no backup under $BRANCH_ID/backups/ to verify"
		sb_verr="no backup"
		return 1
	fi
	sb_vkey=$_key
	sb_verr="bad database URL"
	sb_pg_split "${VERIFY_DATABASE_URL:-${DATABASE_URL:-}}" || return 1
	_db=strongbox_verify_$(printf '%s' "$BRANCH_ID" | tr -c 'A-Za-z0-9_' _ | cut -c 1-30)_$$
	_scratch=$(sb_pg_with_db "$sb_conn" "$_db")
	sb_psql_line "$sb_conn" "create database $_db"
	_st=$?
	if [ "$_st" != 0 ]; then
		sb_err "cannot create the scratch database $_db: $sb_why"
		sb_verr="cannot create the scratch database: $sb_why"
		return "$_st"
	fi
	sb_verr=
	sb_at_exit() {
		sb_psql_line "$sb_conn" "drop database if exists $_db" ||
			sb_err "could not drop the scratch database $_db: $sb_why"
	}

	sb_pipe '$sb_via sb_get "$_key"' '(
		DATABASE_URL=$_scratch
		export DATABASE_URL
		sb_srestore >"$sb_tmp/restore.json"
	)'
	_restore=null _ok=true
	[ -s "$sb_tmp/restore.json" ] && _restore=$(tail -n 1 "$sb_tmp/restore.json")
	if [ "$sb_left" != 0 ] || [ "$sb_right" != 0 ]; then
		sb_err "the restore of $_key failed (supload $sb_left, srestore $sb_right)"
		_ok=false
	fi
	_checks=null
	if [ "$_ok" = true ] && [ -n "${VERIFY_CHECKS:-}" ]; then
		(
			DATABASE_URL=$_scratch
			export DATABASE_URL
			smetrics --checks "$VERIFY_CHECKS" >"$sb_tmp/checks.json"
		)
		_st=$?
		_checks="[$(paste -s -d , "$sb_tmp/checks.json")]"
		if [ "$_st" != 0 ]; then
			sb_err "the checks of $VERIFY_CHECKS failed on $_key (smetrics $_st)"
			_ok=false
		fi
	fi
	sb_at_exit
	sb_at_exit() {
		:
	}
	printf '{"job":"verify","key":%s,"source":"%s","database":"%s","restore":%s,"checks":%s,"ok":%s}\n' \
		"$(sb_str "$_key")" "$([ -n "$sb_via" ] && echo local || echo target)" \
		"$_db" "$_restore" "$_checks" "$_ok"
	[ "$_ok" = true ]
}

# restore-latest [--yes] [KEY]: the newest backup (or KEY) fetched,
# checked with srestore --dry-run --clean against DATABASE_URL, then
# restored with srestore --clean once the word RESTORE is typed on the
# terminal (or with --yes).
job_restore_latest() {
	sb_need supload srestore sprune || return 1
	_yes=
	while [ $# -gt 0 ]; do
		case $1 in
		--yes) _yes=1 ;;
		-*) sb_err "unknown option $1 (restore-latest [--yes] [KEY])"; return 1 ;;
		*) _key=$1 ;;
		esac
		shift
	done
	sb_tmpdir || return 1
	sb_source || return 1
	if [ -z "${_key:-}" ]; then
		_list=$($sb_via sb_list "$BRANCH_ID/backups/") || return
		_key=$(sb_newest "$_list")
		if [ -z "$_key" ]; then
			sb_err "no backup under $BRANCH_ID/backups/"
			return 1
		fi
	fi
	$sb_via sb_get "$_key" >"$sb_tmp/archive" || {
		_st=$?
		sb_err "cannot fetch $_key"
		return "$_st"
	}
	sb_srestore --dry-run --clean <"$sb_tmp/archive" || {
		_st=$?
		sb_err "$_key would not restore (srestore --dry-run); nothing was changed"
		return "$_st"
	}
	if [ -z "$_yes" ]; then
		if ! (: </dev/tty) 2>/dev/null || ! [ -t 0 ]; then
			sb_err "not restored: type the confirmation on a terminal, or give --yes"
			return 1
		fi
		printf 'This replaces the database with %s.\nType RESTORE to go on: ' "$_key" >/dev/tty
		read -r _answer </dev/tty || _answer=
		if [ "$_answer" != RESTORE ]; then
			sb_err "not restored: the confirmation was not typed"
			return 1
		fi
	fi
	sb_srestore --clean <"$sb_tmp/archive"
}
