#!/bin/sh
# Documentation that tells the truth: every man page is clean under
# mandoc -Tlint -Wwarning; every shipped script answers --help (run as its
# first line says); the pruning examples of sprune(1) and strongbox(7)
# work on what supload writes (BRANCH_ID/backups/BRANCH_ID_YYYYMMDD_HHMMSS.sdump).
. "$(dirname "$0")/lib/test-lib.sh"

for page in "$TEST_ROOT"/share/man/man*/*.[1-9]; do
	name=$(basename "$page")
	test_expect_success "mandoc -Tlint -Wwarning $name" '
		mandoc -Tlint -Wwarning "'"$page"'" >lint 2>&1; cat lint; test ! -s lint
	'
done

for script in "$TEST_ROOT"/share/strongbox/*; do
	first=$(head -n 1 "$script")
	case $first in
	'#!/bin/sh'*) shell=sh ;;
	'#!/bin/bash'*) shell=bash ;;
	*) continue ;; # sourced by the others, or not a script
	esac
	name=$(basename "$script")
	test_expect_success "$name --help ($shell): usage on stdout, exit 0" '
		expect_exit 0 '"$shell"' "'"$script"'" --help </dev/null &&
		grep -qi "usage" out
	'
done

test_expect_success 'the pruning examples work on what supload wrote' '
	mkdir bk && export BACKUP_DIR=$TRASH/bk BRANCH_ID=b1 &&
	for d in 20260101 20260102 20260103 20260104 20260105 20260106 20260107 \
		20260108 20260109 20260110; do
		echo "$d" | supload "b1/backups/b1_${d}_220005.sdump" >/dev/null || exit 1
	done &&
	supload -l "$BRANCH_ID/backups/" |
		sprune --keep-daily 7 --keep-weekly 4 --keep-monthly 12 |
		supload -d >deleted &&
	test "$(wc -l <deleted)" = 2 && grep -q b1_20260102 deleted &&
	test "$(supload -l b1/backups/ | wc -l)" = 8 &&
	! supload -l b1/backups/ | grep -q b1_20260102 &&
	echo x | supload b1/backups/b1_20260109_100000.sdump >/dev/null &&
	(cd "$BACKUP_DIR" && find "$BRANCH_ID/backups" -type f -name "*.sdump" |
		sprune --keep-daily 7 --keep-weekly 4 --keep-monthly 12 |
		xargs -r rm --) &&
	test "$(supload -l b1/backups/ | wc -l)" = 8 &&
	supload -l b1/backups/ | grep -q b1_20260109_220005 &&
	! supload -l b1/backups/ | grep -q b1_20260109_100000
'
test_done
