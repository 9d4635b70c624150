# s3.sh: a real S3-compatible server (the npm package s3rver) for one test
# script, on 127.0.0.1, with one bucket.
#
#   . "$TEST_ROOT/t/lib/s3.sh"
#   s3_start            # exports S3_ENDPOINT, S3_BUCKET and BACKUP_S3_*
#
# S3_ENDPOINT is a verifying front (t/lib/s3front.js) before s3rver: it
# checks every request's SigV4 signature with the AWS SDK's signer (s3rver
# does not), records aborted multipart uploads and injects faults on demand
# (s3_fault).  S3_DIRECT_ENDPOINT is s3rver itself.  With S3_NO_FRONT=1,
# S3_ENDPOINT is s3rver.
#
# Its files live in a temporary directory; the servers are stopped at exit,
# whatever happened.  node_modules comes from `make deps` (npm ci).

s3_start() {
	S3_NODE_MODULES="$TEST_ROOT/node_modules"
	if [ ! -d "$S3_NODE_MODULES/s3rver" ]; then
		echo "s3.sh: s3rver is not installed: run 'make deps'" >&2
		exit 1
	fi
	S3_DIR=$(mktemp -d "${TMPDIR:-/tmp}/strongbox-s3.XXXXXX") || exit 1
	S3_PORT=$(free_port)
	S3_BUCKET=${S3_BUCKET:-strongbox-test}
	S3_ACCESS_KEY=S3RVER
	S3_SECRET_KEY=S3RVER
	# Node 17+ needs the legacy provider for s3rver's paginated listings.
	NODE_OPTIONS=--openssl-legacy-provider NODE_PATH="$S3_NODE_MODULES" \
		node "$TEST_ROOT/t/lib/s3rver.js" "$S3_DIR/data" 127.0.0.1 \
		"$S3_PORT" "$S3_BUCKET" >"$S3_DIR/server.log" 2>&1 &
	S3_PID=$!
	test_at_exit s3_stop
	if ! wait_for 30 grep -q '^ready' "$S3_DIR/server.log"; then
		echo "s3.sh: s3rver did not start:" >&2
		cat "$S3_DIR/server.log" >&2
		exit 1
	fi
	S3_DIRECT_ENDPOINT="http://127.0.0.1:$S3_PORT"
	S3_ENDPOINT=$S3_DIRECT_ENDPOINT
	if [ -z "${S3_NO_FRONT:-}" ]; then
		S3_FRONT_PORT=$(free_port)
		NODE_PATH="$S3_NODE_MODULES" node "$TEST_ROOT/t/lib/s3front.js" \
			"$S3_FRONT_PORT" "$S3_PORT" "$S3_DIR" "$S3_ACCESS_KEY" \
			"$S3_SECRET_KEY" >"$S3_DIR/front.out" 2>&1 &
		S3_FRONT_PID=$!
		if ! wait_for 30 grep -q '^ready' "$S3_DIR/front.out"; then
			echo "s3.sh: s3front did not start:" >&2
			cat "$S3_DIR/front.out" >&2
			exit 1
		fi
		S3_ENDPOINT="http://127.0.0.1:$S3_FRONT_PORT"
	fi
	BACKUP_S3_ENDPOINT=$S3_ENDPOINT
	BACKUP_S3_BUCKET=$S3_BUCKET
	BACKUP_S3_ACCESS_KEY=$S3_ACCESS_KEY
	BACKUP_S3_SECRET_KEY=$S3_SECRET_KEY
	BACKUP_S3_REGION=us-east-1
	export S3_ENDPOINT S3_DIRECT_ENDPOINT S3_BUCKET S3_PORT S3_DIR \
		S3_ACCESS_KEY S3_SECRET_KEY BACKUP_S3_ENDPOINT \
		BACKUP_S3_BUCKET BACKUP_S3_ACCESS_KEY BACKUP_S3_SECRET_KEY \
		BACKUP_S3_REGION
}

# s3_fault TYPE MATCH [COUNT [EXTRA]]: the front answers the next COUNT
# requests (default 1, -1 for all) whose "METHOD URL" matches the regular
# expression MATCH with fault TYPE: 503, 500, skew, reset, stall or flip (see
# t/lib/s3front.js).  EXTRA is more query, e.g. "bytes=1000" or "seconds=5".
s3_fault() {
	curl -sf -X POST -o /dev/null -G "$S3_ENDPOINT/__front/fault" \
		--data-urlencode "type=$1" --data-urlencode "match=$2" \
		--data-urlencode "count=${3:-1}" ${4:+--data "$4"}
}

# s3_fault_clear: no more faults.
s3_fault_clear() {
	curl -sf -X POST -o /dev/null "$S3_ENDPOINT/__front/clear"
}

# s3_aborts: prints the AbortMultipartUpload requests the front has seen,
# one "DELETE URL" a line.
s3_aborts() {
	cat "$S3_DIR/aborts.log" 2>/dev/null || true
}

s3_stop() {
	if [ -n "${S3_FRONT_PID:-}" ]; then
		kill "$S3_FRONT_PID" 2>/dev/null
		wait "$S3_FRONT_PID" 2>/dev/null
		S3_FRONT_PID=
	fi
	[ -n "${S3_PID:-}" ] || return 0
	kill "$S3_PID" 2>/dev/null
	# wait(1) only works in the shell that started it; poll otherwise.
	wait "$S3_PID" 2>/dev/null
	_i=0
	while kill -0 "$S3_PID" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	kill -9 "$S3_PID" 2>/dev/null
	S3_PID=
	[ -n "${KEEP_TRASH:-}" ] || rm -rf "$S3_DIR"
}

# s3_rclone_conf [ENDPOINT]: writes ./rclone.conf with a remote "t:" for
# the second client, rclone, to ENDPOINT (default $S3_ENDPOINT).
s3_rclone_conf() {
	cat >rclone.conf <<CONF
[t]
type = s3
provider = Other
access_key_id = $S3_ACCESS_KEY
secret_access_key = $S3_SECRET_KEY
endpoint = ${1:-$S3_ENDPOINT}
region = us-east-1
CONF
}
