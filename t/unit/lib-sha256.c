/* Unit tests of lib/sha256.c against FIPS 180-2 vectors. */
#include <string.h>

#include "sha256.h"
#include "tap.h"

int
main(void)
{
	struct sha256_ctx *c = sha256_new();
	unsigned char d[32];
	char hex[65];

	sha256_update(c, "abc", 3);
	sha256_digest(c, d);
	sha256_hex(d, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "abc");
	sha256_reset(c);
	sha256_final(c, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "empty, after a reset");
	c = sha256_new();
	sha256_update(c, "abcdbcdecdefdefgefghfghighijhi", 30);
	sha256_update(c, "jkijkljklmklmnlmnomnopnopq", 26);
	sha256_final(c, hex);
	is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	       "two updates");
	sha256_free(NULL);
	ok(1, "sha256_free(NULL)");
	return done_testing();
}
