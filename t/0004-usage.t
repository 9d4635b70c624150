#!/bin/sh
# Every program: --help (and -h, or -? where -h is pg_dump's host) on
# stdout with exit 0, --version, and a bad option
# or a missing option argument as one line "tool: ..." with exit 2.  A tool
# whose usage offers pg_dump's --host takes -h HOST: -h alone is then a
# usage error with nothing on stdout.
. "$(dirname "$0")/lib/test-lib.sh"

for c in "$TEST_ROOT"/bin/*.c; do
	t=$(basename "$c" .c)
	test_expect_success "$t --help: usage on stdout, exit 0" '
		expect_exit 0 '"$t"' --help &&
		grep -qi "usage" out && test ! -s err &&
		if grep -q -- "--host" out; then
			expect_exit 2 '"$t"' -h </dev/null && test ! -s out &&
			expect_one_line_error '"$t"' &&
			expect_exit 0 '"$t"' --help; fi &&
		if grep -q -- "-?, --help" out; then h="-?"; else h=-h; fi &&
		expect_exit 0 '"$t"' "$h" && grep -qi "usage" out
	'
	test_expect_success "$t --version" '
		expect_exit 0 '"$t"' --version &&
		grep -qx "'"$t"' (strongbox) [0-9][0-9.]*" out
	'
	test_expect_success "$t: unknown long and short options, one line, exit 2" '
		expect_exit 2 '"$t"' --no-such-option </dev/null &&
		expect_one_line_error '"$t"' && grep -q -- "--no-such-option" err &&
		expect_exit 2 '"$t"' -@ </dev/null &&
		expect_one_line_error '"$t"' &&
		expect_exit 2 '"$t"' --version=1 </dev/null &&
		expect_one_line_error '"$t"'
	'
done
test_done
