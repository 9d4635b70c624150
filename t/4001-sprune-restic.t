#!/bin/sh
# sprune agrees with restic's own policy cases (restic/restic
# internal/data/snapshot_policy_test.go), kept as data in the shared folder
# beside the repository: ../shared/testdata/retention (not copied here).
# For each case: the names on stdin with TZ=UTC, the policy as options; the
# names not printed for deletion must be the times restic keeps, with the
# same reasons (--explain).
. "$(dirname "$0")/lib/test-lib.sh"

data=$TEST_ROOT/../shared/testdata/retention
if [ ! -f "$data/restic_cases.json" ]; then
	# A git worktree: shared/ is beside the main checkout.
	common=$(git -C "$TEST_ROOT" rev-parse --path-format=absolute \
		--git-common-dir 2>/dev/null) &&
		[ -f "$common/../../shared/testdata/retention/restic_cases.json" ] &&
		data=$common/../../shared/testdata/retention
fi
[ -f "$data/restic_cases.json" ] ||
	skip_all "restic's cases not found in ../shared/testdata/retention"
command -v jq >/dev/null || skip_all "jq is not installed"

cases=$data/restic_cases.json
export TZ=UTC
jq -r '.input[] | .name' "$cases" >names
# name -> time, to compare times as restic states them (30.1 s is _102031).
jq -r '.input[] | "\(.name)\t\(.time)"' "$cases" >name-times-tab

test_expect_success 'the input names are those of the README' '
	cmp names "$data/restic_input_names.txt"
'

test_expect_success 'case 0, an empty policy, is a usage error' '
	test "$(jq -c ".cases[0].policy" "$cases")" = "{}" &&
	expect_exit 2 sprune <names &&
	expect_one_line_error sprune &&
	test ! -s out
'

applicable=0
for id in $(jq -r '.cases[] | select(.id > 0) | .id' "$cases"); do
	if [ "$(jq -r ".cases[$id].needs_tags" "$cases")" = true ]; then
		test_skip "case $id" "needs tags, no counterpart in sprune"
		continue
	fi
	applicable=$((applicable + 1))
	# Policy -> options: {"WithinDaily":"7d"} -> --keep-within-daily 7d.
	opts=$(jq -r ".cases[$id].policy | to_entries[] |
		(.key | gsub(\"(?<a>[a-z])(?<b>[A-Z])\"; \"\(.a)-\(.b)\") |
			ascii_downcase) as \$k |
		\"--keep-\(\$k) \(if .value == -1 then \"unlimited\" else .value end)\"" \
		"$cases" | tr '\n' ' ')
	jq -r ".cases[$id] | [.expected_kept_times, .expected_reasons] |
		transpose[] | \"\(.[0]) \(.[1] | join(\", \"))\"" "$cases" |
		sort >want-$id
	test_expect_success "case $id: $opts" "
		expect_exit 0 sprune $opts --explain <names &&
		grep '^keep  ' out | sed 's/^keep  //' |
			awk -F '\t' '{ print \$2 \"\t\" \$1 }' | sort >kept-$id &&
		awk -F '\t' 'NR == FNR { t[\$1] = \$2; next }
			{ print t[\$1] \" \" \$2 }' \
			name-times-tab kept-$id | sort >got-$id &&
		diff -u want-$id got-$id &&
		sprune $opts <names >deleted-$id &&
		test \$(wc -l <deleted-$id) -eq \$((103 - \$(wc -l <want-$id)))
	"
done
say "$applicable applicable cases"
test_done
