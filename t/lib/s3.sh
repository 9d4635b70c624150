# s3.sh: a real S3-compatible server (the npm package s3rver) for one test
# script, on 127.0.0.1, with one bucket.
#
#   . "$TEST_ROOT/t/lib/s3.sh"
#   s3_start            # exports S3_ENDPOINT, S3_BUCKET and BACKUP_S3_*
#
# Its files live in a temporary directory; the server is stopped at exit,
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
	S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
	BACKUP_S3_ENDPOINT=$S3_ENDPOINT
	BACKUP_S3_BUCKET=$S3_BUCKET
	BACKUP_S3_ACCESS_KEY=$S3_ACCESS_KEY
	BACKUP_S3_SECRET_KEY=$S3_SECRET_KEY
	BACKUP_S3_REGION=us-east-1
	export S3_ENDPOINT S3_BUCKET S3_PORT S3_DIR BACKUP_S3_ENDPOINT \
		BACKUP_S3_BUCKET BACKUP_S3_ACCESS_KEY BACKUP_S3_SECRET_KEY \
		BACKUP_S3_REGION
}

s3_stop() {
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
