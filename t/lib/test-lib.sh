# test-lib.sh: a small TAP library for strongbox's shell tests (after git's
# t/test-lib.sh).  Source it first thing in a t/NNNN-*.t script:
#
#   . "$(dirname "$0")/lib/test-lib.sh"
#   test_expect_success 'title' '
#           expect_exit 0 sprune --keep-last 1 <in &&
#           grep x out
#   '
#   test_done
#
# Each script runs in its own temporary directory ($TRASH), removed at the
# end; set KEEP_TRASH=1 to keep it.  The freshly built tools are first on
# PATH.  Helpers that start servers (pg.sh, s3.sh) register their cleanup
# with test_at_exit, which runs even when a test fails or the script dies.

set -u

TEST_ROOT=$(cd "$(dirname "$0")/.." && pwd)
TEST_NAME=$(basename "$0" .t)
PATH="$TEST_ROOT/bin:$PATH"
# script(1) runs its command with $SHELL: the same shell everywhere (CI has
# /bin/sh, a desktop bash), so that a test never passes on one only.
SHELL=/bin/sh
export PATH TEST_ROOT SHELL
# Tests never read the user's settings.
unset DATABASE_URL BACKUP_S3_ENDPOINT BACKUP_S3_BUCKET BACKUP_S3_ACCESS_KEY \
	BACKUP_S3_SECRET_KEY BACKUP_S3_REGION BACKUP_S3_URL_STYLE \
	BACKUP_S3_CA_FILE BACKUP_DIR BRANCH_ID AWS_ACCESS_KEY_ID \
	AWS_SECRET_ACCESS_KEY AWS_REGION AWS_ENDPOINT_URL AWS_CA_BUNDLE AWS_PROFILE \
	AWS_DEFAULT_REGION AWS_SESSION_TOKEN PGSERVICE PGPASSWORD \
	2>/dev/null || true
# Sanitizer builds (make check SANITIZE=1): a finding stops the tool with
# exit 99, and its report goes to a file in $SAN_LOG_DIR, not to stderr.
# Every test looks there when it ends and fails on a report, so that a
# finding also fails a test that does not look at the tool's status (the
# left side of a pipeline, an expected failure, || true).  LeakSanitizer
# runs at every exit and reports there too: memory a tool no longer points
# to is a finding, memory still reachable when it die()s is not.  Options
# already in the environment come last, so they win.
SAN_LOG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/strongbox-san-$TEST_NAME.XXXXXX") || exit 1
chmod 1777 "$SAN_LOG_DIR"
ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:exitcode=99:log_path=$SAN_LOG_DIR/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=99:log_path=$SAN_LOG_DIR/ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export SAN_LOG_DIR ASAN_OPTIONS UBSAN_OPTIONS

test_count=0
test_failed=0
test_skip_all=
_test_exit_hooks=

TRASH=$(mktemp -d "${TMPDIR:-/tmp}/strongbox-$TEST_NAME.XXXXXX") || exit 1
chmod 755 "$TRASH"
cd "$TRASH" || exit 1

# test_at_exit CMD: run CMD (a string for eval) when the script ends.
test_at_exit() {
	_test_exit_hooks="$1
$_test_exit_hooks"
}

# san_reports: prints the sanitizer reports written since the last call
# (and forgets them); fails when there were none.
san_reports() {
	set -- "$SAN_LOG_DIR"/*
	[ -f "$1" ] || return 1
	for _f; do
		echo "--- sanitizer report ${_f##*/}:"
		cat "$_f"
		rm -f "$_f"
	done
	return 0
}

_test_cleanup() {
	code=$?
	set +e
	eval "$_test_exit_hooks"
	cd /
	# a report from a process that outlived its test
	if san_reports >"$SAN_LOG_DIR.last" 2>&1; then
		sed 's/^/# /' "$SAN_LOG_DIR.last"
		[ "$code" -ne 0 ] || code=1
	fi
	rm -f "$SAN_LOG_DIR.last"
	if [ -z "${KEEP_TRASH:-}" ]; then
		rm -rf "$TRASH" "$SAN_LOG_DIR"
	else
		echo "# kept $TRASH" >&2
	fi
	exit $code
}
trap _test_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() {
	printf '# %s\n' "$*"
}

# test_expect_success TITLE SCRIPT: one TAP line; SCRIPT is eval'ed in the
# trash directory with its output sent to the log.
test_expect_success() {
	test_count=$((test_count + 1))
	cd "$TRASH" || exit 1
	if (eval "set -e; $2") >"$TRASH/.log" 2>&1; then
		_test_ok=1
	else
		_test_ok=0
	fi
	san_reports >>"$TRASH/.log" 2>&1 && _test_ok=0
	if [ "$_test_ok" = 1 ]; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#    /' "$TRASH/.log"
		for f in out err; do
			[ -s "$TRASH/$f" ] || continue
			echo "#  --- $f:"
			head -c 4000 "$TRASH/$f" | sed 's/^/#    /'
		done
	fi
}

# test_skip TITLE REASON: a skipped test, counted.
test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # SKIP $2"
}

# expect_exit N CMD...: runs CMD with stdout in ./out and stderr in ./err;
# fails unless it exits N.
expect_exit() {
	_want=$1
	shift
	set +e
	"$@" >out 2>err
	_got=$?
	set -e
	if [ "$_got" != "$_want" ]; then
		echo "expected exit $_want, got $_got: $*"
		echo "--- stderr:"; head -c 2000 err
		return 1
	fi
	return 0
}

# expect_one_line_error TOOL: ./err holds exactly one line "TOOL: ...".
expect_one_line_error() {
	if [ "$(wc -l <err)" -ne 1 ] || ! grep -q "^$1: " err; then
		echo "want one line '$1: ...' on stderr, got:"; cat err
		return 1
	fi
}

# skip_all REASON: the whole script is skipped (only for what cannot run
# here at all, never for a missing server the helpers can start).
skip_all() {
	echo "1..0 # SKIP $1"
	test_skip_all=1
	exit 0
}

test_done() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ] || exit 1
	exit 0
}

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
			LocalPort => 0, Proto => "tcp") or die "no port: $!";
		print $s->sockport, "\n";'
}

# wait_for TIMEOUT_SECONDS CMD...: retries CMD every 0.1 s until it succeeds.
wait_for() {
	_limit=$(( $1 * 10 ))
	shift
	_i=0
	until "$@" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ "$_i" -lt "$_limit" ] || return 1
		sleep 0.1
	done
}
