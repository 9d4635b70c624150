#!/bin/sh
# The README's first commands on a fresh machine: `make demo` and `make
# check` install the -dev packages (.ci/deps) and only then compute the
# compiler flags, so they work the first time.  A copy of the tree stands in
# for the clean clone: its .ci/deps is a stub that "installs" the libraries,
# and PKG_CONFIG is a pkg-config that knows none of them until it ran, as on
# a machine without libpq-dev and friends.
. "$(dirname "$0")/lib/test-lib.sh"

clone=$TRASH/clone
mkdir "$clone"
# Tracked and untracked files, and the build, so that nothing needs
# recompiling when the flags come out right.
(cd "$TEST_ROOT" && tar -cf - --exclude=./node_modules --exclude=./t/trash .) |
	(cd "$clone" && tar -xf -) || exit 1
cat >"$clone/.ci/deps" <<STUB
#!/bin/sh
echo deps >>"$TRASH/calls"
touch "$TRASH/installed"
STUB
cat >"$TRASH/pkg-config" <<STUB
#!/bin/sh
if [ -e "$TRASH/installed" ]; then
	echo "pkg-config \$1 after deps" >>"$TRASH/calls"
	exec pkg-config "\$@"
fi
echo "pkg-config \$1 before deps" >>"$TRASH/calls"
exit 1
STUB
chmod +x "$clone/.ci/deps" "$TRASH/pkg-config"
export PKG_CONFIG="$TRASH/pkg-config"

test_expect_success 'plain make on the bare machine says what to do' '
	rm -f installed calls &&
	expect_exit 2 make -C "$clone" ${STRONGBOX_MAKEFLAGS:-} all &&
	grep -q "run .make deps. (as root) first" err &&
	! grep -q "libpq-fe.h" err
'
test_expect_success 'make demo: deps first, then the build with the right flags' '
	rm -f installed calls &&
	DEMO_SCALE=0.05 expect_exit 0 make -C "$clone" ${STRONGBOX_MAKEFLAGS:-} demo &&
	grep -q "^== Done" out &&
	sed -n "/^deps/,\$p" calls | grep -q "pkg-config --cflags after deps" &&
	! grep -q "fatal error" err
'
test_expect_success 'make check: deps first, then the build, then prove' '
	rm -f installed calls &&
	expect_exit 0 make -C "$clone" ${STRONGBOX_MAKEFLAGS:-} check PROVE=echo &&
	grep -q "^echo .* -r t/" out &&
	sed -n "/^deps/,\$p" calls | grep -q "pkg-config --libs after deps"
'
test_done
