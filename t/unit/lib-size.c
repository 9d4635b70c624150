/* Unit tests of lib/size.c: the one grammar of sizes in options. */
#include "size.h"
#include "tap.h"

static long long
sz(const char *s)
{
	unsigned long long v;

	return size_parse(s, &v) < 0 ? -1 : (long long)v;
}

int
main(void)
{
	is_int(sz("1048576"), 1048576, "plain bytes");
	is_int(sz("512B"), 512, "bytes with B");
	is_int(sz("512b"), 512, "bytes with b");
	is_int(sz("4k"), 4096, "k");
	is_int(sz("4K"), 4096, "K");
	is_int(sz("4kB"), 4096, "kB");
	is_int(sz("16M"), 16 << 20, "M");
	is_int(sz("16MiB"), 16 << 20, "MiB");
	is_int(sz("16Mi"), 16 << 20, "Mi");
	is_int(sz("16mib"), 16 << 20, "mib");
	is_int(sz("1G"), 1 << 30, "G");
	is_int(sz("2T"), 2LL << 40, "T");
	is_int(sz("0"), 0, "zero parses (the option decides)");
	is_int(sz(""), -1, "empty");
	is_int(sz("-1"), -1, "negative");
	is_int(sz(" 1"), -1, "leading space");
	is_int(sz("1x"), -1, "unknown suffix");
	is_int(sz("1.5M"), -1, "fraction");
	is_int(sz("5XB"), -1, "XB");
	is_int(sz("1i"), -1, "i without a multiple");
	is_int(sz("1MBB"), -1, "trailing garbage");
	is_int(sz("99999999999999999999"), -1, "overflow");
	is_int(sz("16777216T"), -1, "overflow after the multiple");
	is_int(size_option("--chunk-size", "4k", 1, 1 << 30), 4096,
	       "size_option in range");
	return done_testing();
}
