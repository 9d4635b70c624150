/* Unit tests of lib/target.c: key validation. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "target.h"

static void
key_ok(const char *key)
{
	const char *why = NULL;
	ok(target_key_check(key, &why) == 0, "key \"%s\" accepted", key);
}

static void
key_bad(const char *key, const char *title, const char *want)
{
	const char *why = "";
	int r = target_key_check(key, &why);
	ok(r < 0 && strstr(why, want), "%s refused (%s)", title, why);
}

int
main(void)
{
	key_ok("branch-a/backups/branch-a_20260217_220005.sdump");
	key_ok("a b+c=d~e/\xc3\xbc" "nic\xc3\xb6" "de \xe6\x97\xa5\xe6\x9c\xac");
	key_ok("..a/b..");
	key_bad("", "empty key", "empty");
	key_bad("/abs", "leading /", "starts with /");
	key_bad("dir/", "trailing /", "ends with /");
	key_bad("a//b", "empty segment", "empty path segment");
	key_bad("a/../b", "..", ". or ..");
	key_bad("./a", ".", ". or ..");
	key_bad("a\nb", "newline", "control");
	key_bad("a\tb", "tab", "control");
	key_bad("a\x7f", "DEL", "control");
	key_bad("a\xc2\x85", "C1 control (NEL)", "control");
	key_bad("a\xff", "invalid UTF-8", "UTF-8");
	key_bad("a\xc3", "truncated UTF-8", "UTF-8");
	key_bad(".strongbox-tmp.abc", "a temporary's name", "temporary");
	key_bad("a/.strongbox-tmp.x", "a temporary's name below a/", "temporary");
	key_bad("a/.strongbox-tmp.d/k", "a temporary's name as a directory",
		"temporary");
	key_bad(".supload.ABC", "an old temporary's name", "temporary");
	key_bad("a/.supload.x", "an old temporary's name below a/", "temporary");
	key_ok("a/x.strongbox-tmp.b");
	key_ok("a/.strongbox-tm");
	char *long_key = malloc(1026);
	memset(long_key, 'k', 1025);
	long_key[1025] = '\0';
	key_bad(long_key, "1025 bytes", "1024");
	free(long_key);
	return done_testing();
}
