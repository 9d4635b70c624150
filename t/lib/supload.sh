# supload.sh: test cases shared by the S3 and the local-directory tests of
# supload (t/3002, t/3003): the same verbs must behave the same on both
# targets.  Source after test-lib.sh, with the target configured.

# The awkward keys S3 encoding must get right.
SUPLOAD_KEYS='with space/a b.txt
plus+sign/x+y
eq=sign/k=v=w
tilde~/~x~
ünïcødé/日本語 ファイル.sdump
mix a+b=c~d/%41%2F'

# supload_roundtrip_tests LABEL [multipart]: put, get, list and delete
# round trips of 0 bytes, 1 byte, exactly one 5 MiB part, one part + 1 byte
# and 100 MiB, all from a pipe, checking the JSON report against the input
# (with "multipart", the part counts of an S3 target).
supload_roundtrip_tests() {
	label=$1 multipart=${2:-}
	for spec in "0 1" "1 1" "5242880 1" "5242881 2" "104857600 20"; do
		# shellcheck disable=SC2086
		set -- $spec
		[ "$multipart" = multipart ] || set -- "$1" 1
		test_expect_success "$label: $1 bytes from a pipe round trip" "
			head -c $1 /dev/urandom >in.$1 &&
			cat in.$1 | supload --part-size 5MiB rt/obj.$1 >out &&
			jq -e '.key == \"rt/obj.$1\" and .bytes == $1 and .parts == $2 and (.seconds | type) == \"number\" and (.etag | length) > 0' out &&
			test \"\$(jq -r .sha256 out)\" = \"\$(sha256sum <in.$1 | cut -d' ' -f1)\" &&
			supload -g rt/obj.$1 >back.$1 &&
			cmp in.$1 back.$1 &&
			supload -l rt/obj.$1 >list &&
			test \"\$(cut -f1,2 list)\" = \"rt/obj.$1	$1\" &&
			rm -f in.$1 back.$1
		"
	done
	test_expect_success "$label: list times are RFC 3339 UTC" '
		supload -l rt/ >list &&
		test $(wc -l <list) -eq 5 &&
		cut -f3 list | grep -Eqx "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z" &&
		supload -l --json rt/ >jl &&
		jq -se "length == 5 and all(.key and .size >= 0 and .time)" jl
	'
	test_expect_success "$label: -d deletes what -l lists, names each" '
		supload -l rt/ | supload -d --dry-run >dry &&
		test $(wc -l <dry) -eq 5 &&
		test $(supload -l rt/ | wc -l) -eq 5 &&
		supload -l rt/ | supload -d >deleted &&
		cmp dry deleted &&
		test $(supload -l rt/ | wc -l) -eq 0 &&
		expect_exit 1 supload -g rt/obj.1 &&
		grep -q "no such object" err
	'
	test_expect_success "$label: keys with spaces, +, =, ~ and non-ASCII" '
		i=0 &&
		echo "$SUPLOAD_KEYS" | while IFS= read -r k; do
			i=$((i + 1)) &&
			printf "%s %d\n" "$k" $i | supload "$k" >/dev/null &&
			test "$(supload -g "$k")" = "$k $i" || exit 1
		done &&
		supload -l | cut -f1 | sort >listed &&
		echo "$SUPLOAD_KEYS" | sort >want &&
		cmp want listed &&
		echo "$SUPLOAD_KEYS" | supload -d | sort >deleted &&
		cmp want deleted &&
		test $(supload -l | wc -l) -eq 0
	'
	test_expect_success "$label: bad keys are refused, one line, exit 2" '
		for k in "" "/lead" "a//b" "a/../b" "trail/" "$(printf "c\001")" \
			"$(printf "tab\there")"; do
			expect_exit 2 supload "$k" </dev/null &&
			expect_one_line_error supload || exit 1
		done
	'
	test_expect_success "$label: deleting a missing key is no error" '
		echo never/there | supload -d >out &&
		test "$(cat out)" = never/there
	'
}
